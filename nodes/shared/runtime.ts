import type { TrustStore } from '../../lib/pki/trust-store';
import type { SmartIdClient } from '../../lib/rp-api/client';
import type { FlowConfig } from '../../lib/flows/flow-config';
import type { PendingSessionStore } from '../../lib/sessions';
import { clientFor, storeFor, trustFor, type SmartIdConfig } from './config';

/**
 * Per-execution engine objects built from one credential, created on first use and closed at the end
 * (keep-alive sockets, Redis connection).
 */
export class SmartIdRuntime {
	private clientInstance?: SmartIdClient;
	private trustInstance?: TrustStore;
	private storeInstance?: PendingSessionStore;

	/** `maxSockets`: parallel connections to the RP API (the trigger raises it to its status-request concurrency). */
	constructor(
		readonly config: SmartIdConfig,
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
		this.storeInstance ??= storeFor(this.config);
		return this.storeInstance;
	}

	/** What lib/flows needs: RP identity and scheme name. */
	get flowConfig(): FlowConfig {
		return { ...this.config.relyingParty, schemeName: this.config.schemeName };
	}

	async close(): Promise<void> {
		this.clientInstance?.close();
		await this.storeInstance?.close();
	}
}
