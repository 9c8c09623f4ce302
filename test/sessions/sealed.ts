import {
	PENDING_SESSION_FORMAT,
	type PendingAuthentication,
	sealPendingSession,
	type PendingSession,
	type PendingSessionRecord,
	type SessionRuntime,
} from '../../lib/sessions';

/**
 * A record as this package writes it (format tag + MAC with the runtime's record key), for tests that put records
 * into a store themselves or change one on purpose to set up a state (expired, unknown id, wrong challenge).
 */
export function sealed(runtime: Pick<SessionRuntime, 'recordKey'>, record: object): PendingSessionRecord {
	return sealPendingSession({ format: PENDING_SESSION_FORMAT, ...record } as PendingSession, runtime.recordKey);
}

/** What the test records must agree with (the credential that reads them). */
export const FIXTURE_EXPECTATION = { credentialKey: 'cred-1', relyingPartyName: 'DEMO', schemeName: 'smart-id-demo' };

/** A well-formed device-link authentication as the package stores it (before sealing), for parser tests. */
export function authenticationFixture(): PendingAuthentication {
	const sessionId = '0b1c2d3e-0000-4000-8000-000000000001';
	const rpChallenge = Buffer.alloc(64, 3).toString('base64');
	const interactions = Buffer.from(JSON.stringify([{ type: 'displayTextAndPIN', displayText60: 'Log in' }])).toString('base64');
	return {
		format: PENDING_SESSION_FORMAT,
		kind: 'authentication',
		sessionId,
		credentialKey: 'cred-1',
		tag: 'fuzz',
		correlation: { order: 1 },
		createdAt: '2026-11-22T05:00:00.000Z',
		expiresAt: '2026-11-22T05:05:00.000Z',
		context: { schemeName: 'smart-id-demo', relyingPartyName: 'DEMO', rpChallenge, interactions, requestedCertificateLevel: 'QUALIFIED', hashAlgorithm: 'SHA-512', allowedFlowTypes: ['QR'] },
		secrets: {
			sessionID: sessionId,
			sessionToken: 'token-1',
			sessionSecret: Buffer.alloc(32, 9).toString('base64'),
			deviceLinkBase: 'https://sid.demo.sk.ee/device-link/',
			receivedAt: 1_700_000_000_000,
			sessionType: 'auth',
			schemeName: 'smart-id-demo',
			relyingPartyName: 'DEMO',
			signatureProtocol: 'ACSP_V2',
			digestOrRpChallenge: rpChallenge,
			interactions,
			deviceLinkTypes: ['QR'],
		},
	};
}
