/**
 * The strict parser of stored pending sessions, rule by rule: each case breaks one cross-field or credential fact
 * of an otherwise valid record and expects SMARTID_SESSION_RECORD_INVALID naming that field. (Random edits at any
 * depth: test/fuzz/session-records.test.ts; real records tampered in real stores: test/security.)
 */
import { digestLength } from '../../lib/hash-algorithm';
import { parsePendingSession, PENDING_SESSION_FORMAT, type PendingSession } from '../../lib/sessions';
import { authenticationFixture, FIXTURE_EXPECTATION } from './sealed';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function refusedField(record: Json): string | undefined {
	try {
		parsePendingSession(record, FIXTURE_EXPECTATION);
		return undefined;
	} catch (error) {
		expect(error).toMatchObject({ code: 'SMARTID_SESSION_RECORD_INVALID' });
		return (error as { details: { field: string } }).details.field;
	}
}

const auth = () => JSON.parse(JSON.stringify(authenticationFixture())) as Json;

/** A notification signature over a SHA-256 digest (no secrets). */
const signature = (): Json => ({
	format: PENDING_SESSION_FORMAT,
	kind: 'signature',
	sessionId: 'sig-1',
	credentialKey: 'cred-1',
	createdAt: '2026-11-22T05:00:00.000Z',
	expiresAt: '2026-11-22T05:05:00.000Z',
	context: { digest: Buffer.alloc(digestLength('SHA-256'), 1).toString('base64'), hashAlgorithm: 'SHA-256', requestedCertificateLevel: 'QUALIFIED', allowedFlowTypes: ['Notification'] },
});

test('control: the fixtures parse back unchanged', () => {
	expect(parsePendingSession(auth(), FIXTURE_EXPECTATION)).toEqual(authenticationFixture());
	expect(parsePendingSession(signature(), FIXTURE_EXPECTATION)).toEqual(signature() as PendingSession);
});

test.each<[string, (r: Json) => void, string]>([
	['another format', (r) => (r.format = 'n8n-nodes-smart-id/pending@0'), 'format'],
	['an unknown kind', (r) => (r.kind = 'login'), 'kind'],
	["another credential's key", (r) => (r.credentialKey = 'cred-2'), 'credentialKey'],
	['expiry before creation', (r) => (r.expiresAt = '2026-11-22T04:00:00.000Z'), 'expiresAt'],
	['an unknown field', (r) => (r.meta = { then: 'asiceSignature' }), 'meta'],
	['a kept Smart-ID answer on an authentication', (r) => (r.keptStatus = { state: 'COMPLETE', result: { endResult: 'OK' } }), 'keptStatus'],
	['a linked signature on an authentication', (r) => (r.linkedSignature = {}), 'linkedSignature'],
	["another relying party's name", (r) => (r.context.relyingPartyName = 'Evil RP'), 'context.relyingPartyName'],
	['another scheme', (r) => (r.context.schemeName = 'smart-id'), 'context.schemeName'],
	['a short rpChallenge', (r) => (r.context.rpChallenge = Buffer.alloc(8).toString('base64')), 'context.rpChallenge'],
	['an unknown flow type', (r) => (r.context.allowedFlowTypes = ['Telepathy']), 'context.allowedFlowTypes[0]'],
	['secrets of another session', (r) => (r.secrets.sessionID = 'other-session'), 'secrets.sessionID'],
	['secrets of a signing session', (r) => (r.secrets.sessionType = 'sign'), 'secrets.sessionType'],
	['secrets of another protocol', (r) => (r.secrets.signatureProtocol = 'RAW_DIGEST_SIGNATURE'), 'secrets.signatureProtocol'],
	['secrets for another relying party', (r) => (r.secrets.relyingPartyName = 'Evil RP'), 'secrets.relyingPartyName'],
	['secrets with another rpChallenge', (r) => (r.secrets.digestOrRpChallenge = Buffer.alloc(64, 4).toString('base64')), 'secrets.digestOrRpChallenge'],
	['secrets with other interactions', (r) => (r.secrets.interactions = Buffer.from('[]').toString('base64')), 'secrets.interactions'],
])('authentication with %s → refused naming %s', (_label, edit, field) => {
	const record = auth();
	edit(record);
	expect(refusedField(record)).toBe(field);
});

test.each<[string, (r: Json) => void, string]>([
	['a digest of the wrong length for its hash', (r) => (r.context.hashAlgorithm = 'SHA-512'), 'context.digest'],
	['a kept answer (only ASiC-E signatures keep one)', (r) => (r.keptStatus = { state: 'COMPLETE', result: { endResult: 'OK' } }), 'keptStatus'],
	['a container state', (r) => (r.container = {}), 'container'],
])('signature with %s → refused naming %s', (_label, edit, field) => {
	const record = signature();
	edit(record);
	expect(refusedField(record)).toBe(field);
});
