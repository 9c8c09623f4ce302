/**
 * Forged or replayed session answers, refused through the public completion API (lib/flows complete*) with the
 * right ValidationError rule. Real sessions run on the simulator; a fake RP API on loopback then answers the
 * status long poll with a doctored copy of a real answer (what a man in the middle or a compromised proxy could
 * send). Each forgery changes one thing, so the rule that catches it is the one for that attack.
 */
import { execFileSync } from 'node:child_process';
import { constants, createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { ValidationError } from '../../lib/errors';
import {
	completeAuthentication,
	completeCertificateChoice,
	completeSignature,
	fetchValidatedSigningCertificate,
	startNotificationCertificateChoice,
	startNotificationAuthentication,
	startNotificationSignature,
	type NotificationAuthenticationStart,
} from '../../lib/flows';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import { notificationAuthenticationRequest } from '../../lib/rp-api/requests';
import type { AuthenticationContext, SignatureContext } from '../../lib/rp-api/types';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { acspV2Payload } from '../../lib/validation/acsp-v2-payload';
import { TEST_STATE_DIR, type Json } from '../simulator/helpers';

const USER_A = { doc: 'PNOLT-40504040001-MOCK-Q', id: 'PNOLT-40504040001' };
const USER_B = { doc: 'PNOEE-40504040001-DEM0-Q', id: 'PNOEE-40504040001' };
const LEGACY_DOC = 'PNOEE-30403039863-SIMU-Q'; // answers in PKCS#1 v1.5 (spec §6.3)
const interactions = [{ type: 'displayTextAndPIN' as const, displayText60: 'Log in' }];

let sim: RunningSimulator;
let real: SmartIdClient;
let trust: TrustStore;
let fake: http.Server;
let fakeClient: SmartIdClient;
/** What the fake RP API answers for `session/{id}`. */
const answers = new Map<string, Json>();

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 50, prewarm: [USER_A.doc, USER_B.doc, LEGACY_DOC] });
	real = new SmartIdClient({ baseUrl: sim.baseUrl });
	trust = TrustStore.fromPem(sim.caPems, 'simulator');
	fake = http.createServer((req, res) => {
		// Keyed by session id for status polls, by the path after v3/ for anything else (e.g. C3).
		const url = (req.url ?? '').split('?')[0];
		const id = /\/session\/([^/]+)$/.exec(url)?.[1] ?? url.replace(/^.*\/v3\//, '');
		const body = answers.get(id);
		req.resume();
		res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body ?? { title: 'Not Found', status: 404 }));
	});
	await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
	fakeClient = new SmartIdClient({ baseUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/smart-id-rp/v3/`, retry: { maxAttempts: 1 } });
}, 60_000);

afterAll(async () => {
	real?.close();
	fakeClient?.close();
	await new Promise((r) => fake?.close(r));
	await sim?.stop();
});

const config = () => ({ relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, schemeName: sim.schemeName });
const poll = () => ({ deadline: Date.now() + 5000, timeoutMs: 1000 });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The simulator's raw, complete status JSON (what the real API sent). */
async function rawStatus(sessionId: string): Promise<Json> {
	const res = await fetch(`${sim.baseUrl}session/${sessionId}?timeoutMs=5000`);
	const body = (await res.json()) as Json;
	expect(body.state).toBe('COMPLETE');
	return body;
}

async function authOf(user: { id: string }): Promise<{ start: NotificationAuthenticationStart; status: Json }> {
	const start = await startNotificationAuthentication(real, config(), { semanticsIdentifier: user.id }, { interactions });
	return { start, status: await rawStatus(start.sessionID) };
}

/** Serve `forged` as the answer to `sessionId` and complete through the public API; returns the rule refused. */
async function refusedRule(sessionId: string, context: AuthenticationContext, forged: Json, options: { userChallengeVerifier?: string } = {}): Promise<string> {
	answers.set(sessionId, forged);
	const error = await completeAuthentication(fakeClient, sessionId, clone(context), { poll: poll(), validation: { trust, ...options } }).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ValidationError);
	return (error as ValidationError).rule;
}

/** PSS signature of the ACSP_V2 payload an answer implies for `context`, with any key. */
function signAcsp(context: AuthenticationContext, status: Json, key: KeyObject): string {
	const payload = acspV2Payload({
		schemeName: context.schemeName,
		serverRandom: status.signature.serverRandom,
		rpChallenge: context.rpChallenge,
		userChallenge: status.signature.userChallenge,
		relyingPartyName: context.relyingPartyName,
		interactions: context.interactions,
		interactionTypeUsed: status.interactionTypeUsed,
		initialCallbackUrl: context.initialCallbackUrl,
		flowType: status.signature.flowType,
	});
	return sign('sha512', Buffer.from(payload, 'utf8'), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }).toString('base64');
}

test('control: the untouched answer served by the fake API validates (the harness itself is sound)', async () => {
	const { start, status } = await authOf(USER_A);
	answers.set(start.sessionID, status);
	const result = await completeAuthentication(fakeClient, start.sessionID, clone(start.context), { poll: poll(), validation: { trust } });
	expect(result.identity.semanticsIdentifier).toBe(USER_A.id);
});

describe('forged authentication answers', () => {
	let a: { start: NotificationAuthenticationStart; status: Json };
	beforeAll(async () => {
		a = await authOf(USER_A);
	});

	test('signature made by a different key (certificate kept) → signature.invalid', async () => {
		const forged = clone(a.status);
		forged.signature.value = signAcsp(a.start.context, forged, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
		expect(await refusedRule(a.start.sessionID, a.start.context, forged)).toBe('signature.invalid');
	});

	test('replay of another session of the same person (real, valid signature over another rpChallenge) → signature.invalid', async () => {
		const other = await authOf(USER_A);
		expect(await refusedRule(a.start.sessionID, a.start.context, other.status)).toBe('signature.invalid');
	});

	test("relay: another person's valid certificate and signature over this very rpChallenge → identity.semanticsIdentifier.matchesRequest", async () => {
		// The attacker starts a session for person B with the victim RP's own rpChallenge and interactions.
		const prepared = notificationAuthenticationRequest({ ...config(), interactions, rpChallenge: a.start.context.rpChallenge }, { semanticsIdentifier: USER_B.id });
		const init = await real.send(prepared.request);
		const relayed = await rawStatus(init.sessionID);
		// Sanity: B's answer is cryptographically valid for A's request context minus the identity expectation.
		const { expectedSemanticsIdentifier: _ignored, ...anyone } = a.start.context;
		void _ignored;
		answers.set('relay-check', relayed);
		const b = await completeAuthentication(fakeClient, 'relay-check', clone(anyone), { poll: poll(), validation: { trust } });
		expect(b.identity.semanticsIdentifier).toBe(USER_B.id);
		expect(await refusedRule(a.start.sessionID, a.start.context, relayed)).toBe('identity.semanticsIdentifier.matchesRequest');
	});

	test('certificate from an untrusted CA (self-made chain copying the subject), payload correctly signed → chain.untrusted', async () => {
		const leaf = await selfMadeChain(new X509Certificate(Buffer.from(a.status.cert.value, 'base64')));
		const forged = clone(a.status);
		forged.cert.value = leaf.der.toString('base64');
		forged.signature.value = signAcsp(a.start.context, forged, leaf.key);
		expect(await refusedRule(a.start.sessionID, a.start.context, forged)).toBe('chain.untrusted');
	});

	test.each([
		['a TSA', 'tsa'],
		['an OCSP responder', 'ocsp'],
		['container signers (another CA)', 'signer'],
	] as const)('certificate from a CA the store trusts for %s only, payload correctly signed → chain.anchorUse (issue 11 item 6)', async (_what, use) => {
		const leaf = await selfMadeChain(new X509Certificate(Buffer.from(a.status.cert.value, 'base64')));
		const forged = clone(a.status);
		forged.cert.value = leaf.der.toString('base64');
		forged.signature.value = signAcsp(a.start.context, forged, leaf.key);
		answers.set(a.start.sessionID, forged);
		const mixed = trust.withAnchors(leaf.caPem, [use]);
		const error = await completeAuthentication(fakeClient, a.start.sessionID, clone(a.start.context), { poll: poll(), validation: { trust: mixed } }).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(ValidationError);
		expect((error as ValidationError).rule).toBe('chain.anchorUse');
		expect((error as ValidationError).message).toContain('not for Smart-ID certificates');
	});

	test.each([
		['PKCS#1 v1.5 instead of PSS', 'signature.algorithm', (s: Json) => ((s.signature.signatureAlgorithm = 'sha512WithRSAEncryption'), delete s.signature.signatureAlgorithmParameters)],
		['unknown algorithm', 'signature.algorithm', (s: Json) => (s.signature.signatureAlgorithm = 'ecdsa')],
		['weaker hash (SHA-256 for SHA-512)', 'signature.hashAlgorithm.matchesRequest', (s: Json) => {
			s.signature.signatureAlgorithmParameters.hashAlgorithm = 'SHA-256';
			s.signature.signatureAlgorithmParameters.maskGenAlgorithm.parameters.hashAlgorithm = 'SHA-256';
			s.signature.signatureAlgorithmParameters.saltLength = 32;
		}],
		['MGF1 hash differing from the signature hash', 'signature.maskGenAlgorithm', (s: Json) => (s.signature.signatureAlgorithmParameters.maskGenAlgorithm.parameters.hashAlgorithm = 'SHA-1')],
		['shorter salt', 'signature.saltLength', (s: Json) => (s.signature.signatureAlgorithmParameters.saltLength = 20)],
		['other trailer field', 'signature.trailerField', (s: Json) => (s.signature.signatureAlgorithmParameters.trailerField = '0x01')],
		['RAW_DIGEST_SIGNATURE protocol for an authentication', 'session.signatureProtocol', (s: Json) => (s.signatureProtocol = 'RAW_DIGEST_SIGNATURE')],
		['flowType the request did not offer (QR for a notification)', 'signature.flowType.notOffered', (s: Json) => (s.signature.flowType = 'QR')],
		['interactionTypeUsed that was not sent', 'session.interactionTypeUsed', (s: Json) => (s.interactionTypeUsed = 'confirmationMessage')],
		['documentNumber differing from the certificate', 'identity.documentNumber.matchesCertificate', (s: Json) => (s.result.documentNumber = USER_B.doc)],
	] as Array<[string, string, (s: Json) => unknown]>)('parameter downgrade / tampering: %s → %s', async (_name, rule, tamper) => {
		const forged = clone(a.status);
		tamper(forged);
		expect(await refusedRule(a.start.sessionID, a.start.context, forged)).toBe(rule);
	});

	test('the authentication answer of the real legacy PKCS#1 v1.5 account is refused by default → signature.algorithm', async () => {
		const start = await startNotificationAuthentication(real, config(), { documentNumber: LEGACY_DOC }, { interactions });
		const status = await rawStatus(start.sessionID);
		expect(status.signature.signatureAlgorithm).toMatch(/WithRSAEncryption$/);
		expect(await refusedRule(start.sessionID, start.context, status)).toBe('signature.algorithm');
	});
});

describe('forged signature answers (RAW_DIGEST_SIGNATURE)', () => {
	const digest = createHash('sha256').update('the document').digest('base64');
	async function signatureOf(doc: string, expectedCertificate?: string) {
		const start = await startNotificationSignature(real, config(), { documentNumber: doc }, { hashAlgorithm: 'SHA-256', digest, interactions, expectedCertificate });
		return { start, status: await rawStatus(start.sessionID) };
	}
	async function refused(sessionId: string, context: SignatureContext, forged: Json): Promise<string> {
		answers.set(sessionId, forged);
		const error = await completeSignature(fakeClient, sessionId, clone(context), { poll: poll(), validation: { trust } }).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(ValidationError);
		return (error as ValidationError).rule;
	}

	test("another person's valid signature over the same digest (document committed to A's certificate) → signature.certificate.matchesExpected", async () => {
		const a = await signatureOf(USER_A.doc);
		const committed = await signatureOf(USER_A.doc, a.status.cert.value);
		const b = await signatureOf(USER_B.doc);
		expect(await refused(committed.start.sessionID, committed.start.context, b.status)).toBe('signature.certificate.matchesExpected');
	});

	test("another person's valid signature over the same digest, no certificate commitment → identity.documentNumber.matchesRequest", async () => {
		const a = await signatureOf(USER_A.doc);
		const b = await signatureOf(USER_B.doc);
		expect(await refused(a.start.sessionID, a.start.context, b.status)).toBe('identity.documentNumber.matchesRequest');
	});

	test('replay of a signature over another digest by the same person → signature.invalid', async () => {
		const a = await signatureOf(USER_A.doc);
		const other = await startNotificationSignature(real, config(), { documentNumber: USER_A.doc }, {
			hashAlgorithm: 'SHA-256',
			digest: createHash('sha256').update('another document').digest('base64'),
			interactions,
		});
		expect(await refused(a.start.sessionID, a.start.context, await rawStatus(other.sessionID))).toBe('signature.invalid');
	});

	test('legacy PKCS#1 v1.5 answer from the real legacy account → signature.algorithm (unless allowLegacyPkcs1)', async () => {
		const legacy = await signatureOf(LEGACY_DOC);
		expect(await refused(legacy.start.sessionID, legacy.start.context, legacy.status)).toBe('signature.algorithm');
		answers.set(legacy.start.sessionID, legacy.status);
		const allowed = await completeSignature(fakeClient, legacy.start.sessionID, { ...clone(legacy.start.context), allowLegacyPkcs1: true }, { poll: poll(), validation: { trust } });
		expect(allowed.signatureScheme).toBe('RSASSA-PKCS1-v1_5');
	});
});

describe('forged certificate answers (certificate choice C2, signing certificate C3)', () => {
	async function choiceOf(user: { id: string }) {
		const start = await startNotificationCertificateChoice(real, config(), user.id, { certificateLevel: 'QUALIFIED' });
		return { start, status: await rawStatus(start.sessionID) };
	}
	async function refused(sessionId: string, context: Parameters<typeof completeCertificateChoice>[2], forged: Json): Promise<string> {
		answers.set(sessionId, forged);
		const error = await completeCertificateChoice(fakeClient, sessionId, clone(context), { poll: poll(), validation: { trust } }).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(ValidationError);
		return (error as ValidationError).rule;
	}
	let a: Awaited<ReturnType<typeof choiceOf>>;
	beforeAll(async () => {
		a = await choiceOf(USER_A);
	});

	test('control: the untouched choice validates', async () => {
		answers.set(a.start.sessionID, a.status);
		const result = await completeCertificateChoice(fakeClient, a.start.sessionID, clone(a.start.context), { poll: poll(), validation: { trust } });
		expect(result.identity.semanticsIdentifier).toBe(USER_A.id);
	});

	test("another person's real certificate choice → identity.semanticsIdentifier.matchesRequest", async () => {
		const b = await choiceOf(USER_B);
		expect(await refused(a.start.sessionID, a.start.context, b.status)).toBe('identity.semanticsIdentifier.matchesRequest');
	});

	test("the person's authentication certificate instead of the signing one → certificate.purpose.signing", async () => {
		const auth = await authOf(USER_A);
		const forged = clone(a.status);
		forged.cert.value = auth.status.cert.value;
		expect(await refused(a.start.sessionID, a.start.context, forged)).toBe('certificate.purpose.signing');
	});

	test('a qualified certificate announced as ADVANCED (level downgrade in the answer) → certificate.level.mismatch', async () => {
		const forged = clone(a.status);
		forged.cert.certificateLevel = 'ADVANCED';
		expect(await refused(a.start.sessionID, a.start.context, forged)).toBe('certificate.level.mismatch');
	});

	test('a self-made chain → chain.untrusted', async () => {
		const leaf = await selfMadeChain(new X509Certificate(Buffer.from(a.status.cert.value, 'base64')));
		const forged = clone(a.status);
		forged.cert.value = leaf.der.toString('base64');
		expect(await refused(a.start.sessionID, a.start.context, forged)).toBe('chain.untrusted');
	});

	test("C3 answered with another document's certificate → identity.documentNumber.matchesCertificate", async () => {
		const b = await choiceOf(USER_B);
		answers.set(`signature/certificate/${USER_A.doc}`, { state: 'OK', cert: b.status.cert });
		const error = await fetchValidatedSigningCertificate(fakeClient, config(), USER_A.doc, { certificateLevel: 'QUALIFIED' }, { trust }).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(ValidationError);
		expect((error as ValidationError).rule).toBe('identity.documentNumber.matchesCertificate');
	});
});

/** A CA and a leaf copying `model`'s subject, made with openssl; returns the leaf DER and its private key. */
async function selfMadeChain(model: X509Certificate): Promise<{ der: Buffer; key: KeyObject; caPem: string }> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-fake-ca-'));
	try {
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		await fs.writeFile(path.join(dir, 'leaf.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
		await fs.writeFile(path.join(dir, 'leaf.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
		const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
		o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', `/C=EE/O=SK ID Solutions AS/CN=${issuerCn(model)}`,
			'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
		const subject = '/' + model.subject.split('\n').map((p) => p.replace(/\//g, '\\/')).join('/');
		const ext = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', `subjectAltName=dirName:san`, '[san]', `CN=${model.subjectAltName?.match(/CN=([^,\n]+)/)?.[1] ?? 'x'}`];
		await fs.writeFile(path.join(dir, 'ext.cnf'), ext.join('\n') + '\n');
		o(['x509', '-new', '-force_pubkey', 'leaf.pub', '-subj', subject, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', '30', '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
		return { der: new X509Certificate(await fs.readFile(path.join(dir, 'leaf.pem'))).raw, key: privateKey, caPem: await fs.readFile(path.join(dir, 'ca.pem'), 'utf8') };
	} finally {
		await fs.rm(dir, { recursive: true, force: true });
	}
}

/** The real issuer's CN, so the fake CA looks alike by name (only the key differs). */
function issuerCn(cert: X509Certificate): string {
	return /CN=([^\n]+)/.exec(cert.issuer)?.[1] ?? `fake ${randomBytes(4).toString('hex')}`;
}
