import type { FlowType } from '../rp-api/types';
import type { AccountRegistry } from './accounts';
import type { FaultInjector } from './faults';
import type { CertificateStatuses } from './ocsp-responder';
import type { TestPki } from './pki';
import type { RelyingParty } from './relying-parties';
import type { SessionStore } from './sessions';

/** Settings of a running simulator server. */
export interface ServerSettings {
	schemeName: string;
	notificationDelayMs: number;
	qrMaxAgeSeconds: number;
	/** How long after a device-link certificate choice the app waits for the linked signature (spec §10.14). */
	linkedSessionWindowMs: number;
	/** Identical signature / certificate-choice requests within this window return the same session (spec §2.1). */
	idempotencyWindowMs: number;
}

/** Everything the HTTP handlers share. */
export interface SimulatorCore {
	settings: ServerSettings;
	pki: TestPki;
	accounts: AccountRegistry;
	sessions: SessionStore;
	statuses: CertificateStatuses;
	faults: FaultInjector;
	relyingParties: RelyingParty[];
	/** Set once listening: `http://host:port`. */
	origin: string;
	ocspUrl: string;
	idempotency: Map<string, { expires: number; response: unknown }>;
	/** Called with unexpected errors (answered as 500); the CLI prints them. */
	onError?: (error: unknown) => void;
	/** Certificate-choice sessions that ended OK and wait for their linked signature, by document number. */
	pendingLinks: Map<string, { sessionId: string; flowType: FlowType; until: number }>;
}
