import { ENVIRONMENTS } from '../environments';
import { InvalidRequestError } from '../errors';
import type { FlowConfig } from '../flows/flow-config';
import { TrustStore } from '../pki/trust-store';
import { SmartIdClient } from '../rp-api/client';
import { createSessionStore } from './factory';
import type { PendingSessionExpectation } from './pending-session';
import { RecordKeyMissingError, deriveRecordKey } from './record-seal';
import type { RuntimeSettings } from './settings';
import type { PendingSessionStore } from './store';

/** Trust anchors for the environment: bundled SK certificates (demo/live) plus the credential's extra PEMs. */
export function trustFor(settings: Pick<RuntimeSettings, 'environment' | 'extraAnchorsPem'>): TrustStore {
	const trust = ENVIRONMENTS[settings.environment].trust;
	if (trust === 'demo' || trust === 'live') {
		const bundled = TrustStore.bundled(trust);
		return settings.extraAnchorsPem ? bundled.withAnchors(settings.extraAnchorsPem) : bundled;
	}
	if (!settings.extraAnchorsPem) {
		throw new InvalidRequestError(
			`The ${settings.environment} environment has no bundled trust anchors: paste its CA certificate(s) into "Trust Anchors (PEM)" in the Smart-ID credential`,
		);
	}
	return TrustStore.fromPem(settings.extraAnchorsPem, settings.environment);
}

/** An RP API client for the settings (close it when done). */
export function clientFor(settings: Pick<RuntimeSettings, 'baseUrl' | 'pins'>, maxSockets?: number): SmartIdClient {
	return new SmartIdClient({ baseUrl: settings.baseUrl, pins: settings.pins.length ? settings.pins : undefined, maxSockets });
}

/**
 * What the session lifecycle runs on, built from one credential: RP client, trust anchors, session store and
 * record key, created on first use and closed at the end (keep-alive sockets, Redis connection).
 */
export class SessionRuntime {
	private clientInstance?: SmartIdClient;
	private trustInstance?: TrustStore;
	private storeInstance?: PendingSessionStore;
	private keyInstance?: Buffer | null;

	/** `maxSockets`: parallel connections to the RP API (the trigger raises it to its status-request concurrency). */
	constructor(
		readonly config: RuntimeSettings,
		private readonly maxSockets?: number,
	) {}

	get client(): SmartIdClient {
		this.clientInstance ??= clientFor(this.config, this.maxSockets);
		return this.clientInstance;
	}

	get trust(): TrustStore {
		this.trustInstance ??= trustFor(this.config);
		return this.trustInstance;
	}

	get store(): PendingSessionStore {
		this.storeInstance ??= createSessionStore(this.config.store);
		return this.storeInstance;
	}

	/**
	 * Throws when sessions could not be stored safely or findably (no record key; a store that cannot work here, such as
	 * a file store in queue mode), so "Start and Continue" refuses before Smart-ID is asked and a phone rings.
	 */
	assertCanStoreSessions(): void {
		if (!this.recordKey) throw new RecordKeyMissingError();
		void this.store;
	}

	/** MAC key of this credential's records (HKDF of the record secret), or undefined when none is configured. */
	get recordKey(): Buffer | undefined {
		if (this.keyInstance === undefined) {
			const secret = this.config.recordSecret?.value;
			this.keyInstance = secret ? deriveRecordKey(secret, this.config.credentialKey) : null;
		}
		return this.keyInstance ?? undefined;
	}

	/** What lib/flows needs: RP identity and scheme name, from the credential. */
	get flowConfig(): FlowConfig {
		return { ...this.config.relyingParty, schemeName: this.config.schemeName };
	}

	/** What a stored record must agree with: this credential, never the record itself. */
	get expectation(): PendingSessionExpectation {
		return {
			credentialKey: this.config.credentialKey,
			relyingPartyName: this.config.relyingParty.relyingPartyName,
			schemeName: this.config.schemeName,
		};
	}

	async close(): Promise<void> {
		this.clientInstance?.close();
		await this.storeInstance?.close();
	}
}
