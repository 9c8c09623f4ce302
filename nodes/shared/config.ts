import { createHash } from 'node:crypto';
import * as os from 'node:os';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { ENVIRONMENTS, type EnvironmentName } from '../../lib/environments';
import { InvalidRequestError } from '../../lib/errors';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import type { RelyingParty } from '../../lib/rp-api/relying-party';
import { createSessionStore, defaultSessionFolder, type PendingSessionStore, type SessionStoreSettings } from '../../lib/sessions';

/** Everything the engine needs from a `smartIdApi` credential, resolved and checked. */
export interface SmartIdConfig {
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
}

function text(data: ICredentialDataDecryptedObject, name: string): string {
	const value = data[name];
	return typeof value === 'string' ? value.trim() : '';
}

/**
 * n8n's user folder: `N8N_USER_FOLDER` or the home folder (n8n's own rule). Read here in the node layer
 * because lib/ never reads n8n's environment.
 */
export function n8nUserFolder(): string {
	return process.env.N8N_USER_FOLDER?.trim() || os.homedir();
}

/** Resolve a credential into engine settings; throws InvalidRequestError naming the field to fix. */
export function configFromCredential(data: ICredentialDataDecryptedObject, userFolder = n8nUserFolder()): SmartIdConfig {
	const environment = (text(data, 'environment') || 'demo') as EnvironmentName;
	const defaults = ENVIRONMENTS[environment];
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
	const storeType = text(data, 'sessionStore') || 'file';
	let store: SessionStoreSettings;
	if (storeType === 'redis') {
		const url = text(data, 'redisUrl');
		if (!url) throw new InvalidRequestError('The Smart-ID credential uses the Redis session store but has no Redis URL');
		store = { type: 'redis', url };
	} else {
		store = { type: 'file', folder: text(data, 'sessionFolder') || defaultSessionFolder(userFolder) };
	}
	const credentialKey = createHash('sha256')
		.update(`${environment}\n${baseUrl}\n${relyingPartyUUID}`)
		.digest('hex')
		.slice(0, 32);
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
	};
}

/** Trust anchors for the environment: bundled SK certificates (demo/live) plus the credential's extra PEMs. */
export function trustFor(config: SmartIdConfig): TrustStore {
	const trust = ENVIRONMENTS[config.environment].trust;
	if (trust === 'demo' || trust === 'live') {
		const bundled = TrustStore.bundled(trust);
		return config.extraAnchorsPem ? bundled.withAnchors(config.extraAnchorsPem) : bundled;
	}
	if (!config.extraAnchorsPem) {
		throw new InvalidRequestError(
			`The ${config.environment} environment has no bundled trust anchors: paste its CA certificate(s) into "Extra Trust Anchors (PEM)" in the Smart-ID credential`,
		);
	}
	return TrustStore.fromPem(config.extraAnchorsPem, config.environment);
}

/** An RP API client for the credential (close it when done). */
export function clientFor(config: SmartIdConfig, maxSockets?: number): SmartIdClient {
	return new SmartIdClient({ baseUrl: config.baseUrl, pins: config.pins.length ? config.pins : undefined, maxSockets });
}

/** The pending-session store the credential points at (close it when done). */
export function storeFor(config: SmartIdConfig): PendingSessionStore {
	return createSessionStore(config.store);
}
