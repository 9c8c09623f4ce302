import { createHash } from 'node:crypto';

import { ENVIRONMENTS, type EnvironmentName } from '../environments';
import { InvalidRequestError } from '../errors';
import type { RelyingParty } from '../rp-api/relying-party';
import { defaultSessionFolder, type SessionStoreSettings } from './factory';

/** Everything the engine needs from a `smartIdApi` credential, resolved and checked. */
export interface RuntimeSettings {
	environment: EnvironmentName;
	baseUrl: string;
	schemeName: string;
	relyingParty: RelyingParty;
	pins: string[];
	extraAnchorsPem: string;
	tsaUrl?: string;
	ocspUrl?: string;
	store: SessionStoreSettings;
	/** Which pending sessions belong to this credential: hash of environment, base URL and RP UUID. */
	credentialKey: string;
	/**
	 * SECRET from which the MAC key of stored records is derived, and where it came from (for messages). Undefined
	 * when none is configured: then "Start and Continue" fails and says what to set.
	 */
	recordSecret?: { value: string; source: 'credential' | 'n8n' };
}

/** What the host (the n8n adapter) knows that the credential does not. */
export interface HostSettings {
	/** n8n's user folder (the default session folder lives under it). */
	userFolder: string;
	/** n8n's own encryption key, when the host could read it. */
	n8nEncryptionKey?: string;
	/** n8n runs in queue mode (workers apart from the main process), where only a shared store can work. */
	queueMode?: boolean;
}

function text(data: Record<string, unknown>, name: string): string {
	const value = data[name];
	return typeof value === 'string' ? value.trim() : '';
}

/** Resolve the fields of a Smart-ID credential into engine settings; throws InvalidRequestError naming the field to fix. */
export function settingsFromCredential(data: Record<string, unknown>, host: HostSettings): RuntimeSettings {
	const environment = (text(data, 'environment') || 'demo') as EnvironmentName;
	const defaults = Object.prototype.hasOwnProperty.call(ENVIRONMENTS, environment) ? ENVIRONMENTS[environment] : undefined;
	if (!defaults) {
		throw new InvalidRequestError(`Unknown environment "${environment}" in the Smart-ID credential: choose Demo, Live, Simulator or Custom`);
	}
	const editable = environment === 'custom' || environment === 'simulator';
	const baseUrl = (editable && text(data, 'baseUrl')) || defaults.baseUrl;
	if (!baseUrl) throw new InvalidRequestError('The Smart-ID credential needs a Base URL for the Custom environment');
	const schemeName = (editable && text(data, 'schemeName')) || defaults.schemeName;
	const relyingPartyUUID = text(data, 'relyingPartyUuid') || defaults.relyingPartyUUID || '';
	const relyingPartyName = text(data, 'relyingPartyName') || defaults.relyingPartyName || '';
	if (!relyingPartyUUID || !relyingPartyName) {
		throw new InvalidRequestError(
			`The Smart-ID credential needs the Relying Party UUID and Name for the ${environment} environment (from your contract with SK)`,
		);
	}
	const pins = text(data, 'pinnedPublicKeys')
		.split(/[\s,]+/)
		.filter(Boolean);
	let store: SessionStoreSettings;
	if ((text(data, 'sessionStore') || 'file') === 'redis') {
		const url = text(data, 'redisUrl');
		if (!url) throw new InvalidRequestError('The Smart-ID credential uses the Redis session store but has no Redis URL');
		store = { type: 'redis', url };
	} else {
		store = { type: 'file', folder: text(data, 'sessionFolder') || defaultSessionFolder(host.userFolder), ...(host.queueMode ? { queueMode: true } : {}) };
	}
	const credentialKey = createHash('sha256').update(`${environment}\n${baseUrl}\n${relyingPartyUUID}`).digest('hex').slice(0, 32);
	const ownKey = typeof data.sessionRecordKey === 'string' ? data.sessionRecordKey : '';
	const recordSecret = ownKey
		? { value: ownKey, source: 'credential' as const }
		: host.n8nEncryptionKey
			? { value: host.n8nEncryptionKey, source: 'n8n' as const }
			: undefined;
	return {
		environment,
		baseUrl,
		schemeName,
		relyingParty: { relyingPartyUUID, relyingPartyName },
		pins,
		extraAnchorsPem: text(data, 'trustAnchorsPem'),
		tsaUrl: text(data, 'tsaUrl') || undefined,
		ocspUrl: text(data, 'ocspUrl') || undefined,
		store,
		credentialKey,
		...(recordSecret ? { recordSecret } : {}),
	};
}
