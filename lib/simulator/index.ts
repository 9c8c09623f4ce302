/**
 * Offline Smart-ID simulator: RP API v3 (every endpoint of spec §2, long-poll status, device links checked by a mock
 * app), a simulated phone that signs with real keys, an RFC 6960 OCSP responder and an RFC 3161 TSA over a test PKI
 * shaped like SK's, plus a JSON control API for revocation, account behaviour and fault injection. Plain node:http
 * on loopback; no n8n.
 */
import { AccountRegistry, defaultAccounts, type SimulatorAccount } from './accounts';
import { FaultInjector } from './faults';
import { CertificateStatuses } from './ocsp-responder';
import { TestPki } from './pki';
import { BASIC_RELYING_PARTY, DEMO_RELYING_PARTY } from './relying-parties';
import { createSimulatorServer, listen, RP_API_PREFIX, type SimulatorCore } from './server';
import { SessionStore } from './sessions';
import { StateDir } from './state-dir';

/** Options of {@link startSimulator}; every field has a default suited to tests. */
export interface SimulatorOptions {
	/** TCP port; 0 (default) picks a free one. */
	port?: number;
	/** Where keys and certificates are kept between runs; default `<os tmpdir>/smart-id-simulator-state`. */
	stateDir?: string;
	/** Interface to bind; default 127.0.0.1 (the simulator is not meant to be exposed). */
	host?: string;
	/** How long a notification session (and the linked signature) runs before the phone answers; default 300 ms. */
	notificationDelayMs?: number;
	/** A session no one acts on ends with TIMEOUT after this long; default 120000 ms. */
	sessionTimeoutMs?: number;
	/** A completed session stays readable this long, then status answers 404; default 300000 ms. */
	sessionRetentionMs?: number;
	/** QR links older than this (by elapsedSeconds vs the server clock) are ignored by the mock app; default 5 s. */
	qrMaxAgeSeconds?: number;
	/** RSA size of user keys (SK: 6144); default 4096 to keep first-use key generation short. */
	userKeyBits?: number;
	/** Scheme name inside authCode / ACSP_V2 payloads; default `smart-id-demo` like ENVIRONMENTS.simulator. */
	schemeName?: string;
	/** Identical signature / certificate-choice requests within this window return the same session; default 15000 ms. */
	idempotencyWindowMs?: number;
	/** After a device-link certificate choice, the app waits this long for the linked signature; default 30000 ms. */
	linkedSessionWindowMs?: number;
	/** Told about unexpected internal errors (they are answered as 500 / SERVER_ERROR); default: ignored. */
	onError?: (error: unknown) => void;
	/** Document numbers (or `['all']`) whose keys and certificates are created before the simulator reports ready. */
	prewarm?: string[];
}

/** A relying party identity the simulator accepts. */
export interface SimulatorRelyingParty {
	relyingPartyUUID: string;
	relyingPartyName: string;
}

/** A started simulator: where to reach it and what to trust. */
export interface RunningSimulator {
	/** RP API base URL, ends with `/smart-id-rp/v3/`. */
	baseUrl: string;
	schemeName: string;
	/** The public DEMO relying party (may not use ADVANCED accounts). */
	relyingPartyUUID: string;
	relyingPartyName: string;
	/** A second relying party entitled to Smart-ID Basic (ADVANCED) accounts and device IP sharing. */
	basicRelyingParty: SimulatorRelyingParty;
	/** OCSP responder URL, also written into the AIA of every user certificate issued by this run. */
	ocspUrl: string;
	tsaUrl: string;
	/** PEM files of the trust anchors (root and both issuing CAs). */
	caPemPaths: string[];
	caPems: string[];
	/** The TSA unit certificate (chains to the root). */
	tsaCertPem: string;
	/** Delegated OCSP responder certificates (one per issuing CA). */
	ocspResponderPems: string[];
	/** Base of the JSON control API. */
	controlUrl: string;
	/** Where a test "scans" a device link as the Smart-ID app would (`POST` JSON, spec §8). */
	mockDeviceLinkUrl: string;
	accounts: SimulatorAccount[];
	stateDir: string;
	stop(): Promise<void>;
}

/** Start a simulator on loopback. Resolves when it accepts requests. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
	const state = new StateDir(options.stateDir ?? StateDir.defaultRoot());
	const pki = await TestPki.open(state, { userKeyBits: options.userKeyBits });
	const accounts = new AccountRegistry(defaultAccounts());
	const sessions = new SessionStore({
		sessionTimeoutMs: options.sessionTimeoutMs ?? 120_000,
		sessionRetentionMs: options.sessionRetentionMs ?? 300_000,
	});
	const core: SimulatorCore = {
		settings: {
			schemeName: options.schemeName ?? 'smart-id-demo',
			notificationDelayMs: options.notificationDelayMs ?? 300,
			qrMaxAgeSeconds: options.qrMaxAgeSeconds ?? 5,
			linkedSessionWindowMs: options.linkedSessionWindowMs ?? 30_000,
			idempotencyWindowMs: options.idempotencyWindowMs ?? 15_000,
		},
		pki,
		accounts,
		sessions,
		statuses: new CertificateStatuses(),
		faults: new FaultInjector(),
		relyingParties: [DEMO_RELYING_PARTY, BASIC_RELYING_PARTY],
		origin: '',
		ocspUrl: '',
		idempotency: new Map(),
		pendingLinks: new Map(),
		onError: options.onError,
	};
	const server = createSimulatorServer(core);
	const host = options.host ?? '127.0.0.1';
	const address = await listen(server, options.port ?? 0, host);
	const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	core.origin = `http://${urlHost}:${address.port}`;
	core.ocspUrl = `${core.origin}/ocsp`;
	const prewarm = options.prewarm?.includes('all') ? accounts.all().map((a) => a.documentNumber) : (options.prewarm ?? []);
	const unknown = prewarm.find((doc) => !accounts.byDocumentNumber(doc));
	if (unknown) {
		server.close();
		throw new Error(`prewarm: ${unknown} is not a simulator account (see GET /control/accounts)`);
	}
	// Two key generations at a time: RSA key generation is CPU-bound and runs on libuv's thread pool.
	const jobs = prewarm.flatMap((doc) => (['auth', 'sign'] as const).map((purpose) => ({ doc, purpose })));
	const worker = async () => {
		for (let job = jobs.shift(); job; job = jobs.shift()) {
			await pki.credentials(accounts.byDocumentNumber(job.doc) as SimulatorAccount, job.purpose, core.ocspUrl);
		}
	};
	await Promise.all([worker(), worker()]);
	let stopped = false;
	return {
		baseUrl: `${core.origin}${RP_API_PREFIX}`,
		schemeName: core.settings.schemeName,
		relyingPartyUUID: DEMO_RELYING_PARTY.uuid,
		relyingPartyName: DEMO_RELYING_PARTY.names[0],
		basicRelyingParty: { relyingPartyUUID: BASIC_RELYING_PARTY.uuid, relyingPartyName: BASIC_RELYING_PARTY.names[0] },
		ocspUrl: core.ocspUrl,
		tsaUrl: `${core.origin}/tsa`,
		caPemPaths: pki.caPemPaths(),
		caPems: pki.caEntities().map((e) => e.pem),
		tsaCertPem: pki.entity('tsa').pem,
		ocspResponderPems: [pki.entity('ocsp-E').pem, pki.entity('ocsp-R').pem],
		controlUrl: `${core.origin}/control/`,
		mockDeviceLinkUrl: `${core.origin}/mock/device-link`,
		accounts: accounts.all(),
		stateDir: state.root,
		async stop() {
			if (stopped) return;
			stopped = true;
			sessions.clear();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

/** An account of the simulator and how its phone answers (see accounts.ts). */
export type { AccountBehaviour, SimulatorAccount } from './accounts';
/** A fault injection rule accepted by `POST /control/faults`. */
export type { FaultRule } from './faults';
/** Credential data that points n8n's "Smart-ID API" credential at a running simulator. */
export { simulatorCredentialData, type SimulatorCredentialData } from './n8n-credential';
