import { execFileSync } from 'node:child_process';
import { constants, verify, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sessionSecretDigest, userChallengeOf } from '../../lib/flows/callback-digests';
import { authenticationVerificationCode } from '../../lib/flows/verification-code';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { acspV2Payload } from '../../lib/validation/acsp-v2-payload';
import { call, deviceLink, type Json, interactions, opensslVerifyChain, PIN_INTERACTION, rpChallenge, sha, TEST_STATE_DIR } from './helpers';

jest.setTimeout(120_000);

let sim: RunningSimulator;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-rp-'));
const SIGN_INTERACTION = interactions([{ type: 'confirmationMessage', displayText200: 'Sign the contract?' }]);

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 100, qrMaxAgeSeconds: 1 });
});
afterAll(async () => {
	await sim.stop();
	fs.rmSync(work, { recursive: true, force: true });
});

const rp = () => ({ relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName });
const api = (p: string) => `${sim.baseUrl}${p}`;

function authBody(hashAlgorithm = 'SHA-512', extra: Record<string, unknown> = {}) {
	return {
		...rp(),
		certificateLevel: 'QUALIFIED',
		signatureProtocol: 'ACSP_V2',
		signatureProtocolParameters: { rpChallenge: rpChallenge(), signatureAlgorithm: 'rsassa-pss', signatureAlgorithmParameters: { hashAlgorithm } },
		interactions: PIN_INTERACTION,
		...extra,
	};
}

function signBody(data: string, hashAlgorithm = 'SHA-512', extra: Record<string, unknown> = {}) {
	const nodeHash = hashAlgorithm.toLowerCase().replace('sha-', 'sha').replace('sha3', 'sha3');
	return {
		...rp(),
		certificateLevel: 'QSCD',
		signatureProtocol: 'RAW_DIGEST_SIGNATURE',
		signatureProtocolParameters: {
			digest: sha(nodeHash, data).toString('base64'),
			signatureAlgorithm: 'rsassa-pss',
			signatureAlgorithmParameters: { hashAlgorithm },
		},
		interactions: SIGN_INTERACTION,
		...extra,
	};
}

async function status(sessionID: string, timeoutMs = 10_000) {
	return call(api(`session/${sessionID}?timeoutMs=${timeoutMs}`));
}

function verifyAcsp(body: ReturnType<typeof authBody>, result: Json, flowType: string) {
	const hash = body.signatureProtocolParameters.signatureAlgorithmParameters.hashAlgorithm;
	const payload = acspV2Payload({
		schemeName: sim.schemeName,
		serverRandom: result.signature.serverRandom,
		rpChallenge: body.signatureProtocolParameters.rpChallenge,
		userChallenge: result.signature.userChallenge,
		relyingPartyName: body.relyingPartyName,
		interactions: body.interactions,
		interactionTypeUsed: result.interactionTypeUsed,
		initialCallbackUrl: (body as { initialCallbackUrl?: string }).initialCallbackUrl,
		flowType,
	});
	const cert = new X509Certificate(Buffer.from(result.cert.value, 'base64'));
	const saltLength = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64, 'SHA3-256': 32, 'SHA3-384': 48, 'SHA3-512': 64 }[hash as 'SHA-256'];
	const nodeHash = hash.toLowerCase().replace('sha-', 'sha');
	return verify(
		nodeHash,
		Buffer.from(payload),
		{ key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
		Buffer.from(result.signature.value, 'base64'),
	);
}

/** openssl pkeyutl prehashed verify: independent of our EMSA-PSS code. */
function opensslVerifyDigest(certBase64: string, digest: Buffer, signature: Buffer, opensslHash: string, pss: boolean): boolean {
	const tag = Math.random().toString(16).slice(2);
	const certFile = path.join(work, `c-${tag}.pem`);
	fs.writeFileSync(certFile, new X509Certificate(Buffer.from(certBase64, 'base64')).toString());
	const pub = path.join(work, `p-${tag}.pem`);
	fs.writeFileSync(pub, execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-pubkey']));
	fs.writeFileSync(path.join(work, `d-${tag}`), digest);
	fs.writeFileSync(path.join(work, `s-${tag}`), signature);
	const args = ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-in', path.join(work, `d-${tag}`), '-sigfile', path.join(work, `s-${tag}`), '-pkeyopt', `digest:${opensslHash}`];
	if (pss) args.push('-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', `rsa_pss_saltlen:${digest.length}`, '-pkeyopt', `rsa_mgf1_md:${opensslHash}`);
	try {
		return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).includes('Signature Verified Successfully');
	} catch {
		return false;
	}
}

describe('notification authentication (A4, A5)', () => {
	it('A4 etsi: OK with a valid ACSP_V2 RSASSA-PSS signature, SK parameters and a chaining certificate', async () => {
		const body = authBody('SHA-512', { vcType: 'numeric4' });
		const init = await call(api('authentication/notification/etsi/PNOEE-40504040001'), { body });
		expect(init.status).toBe(200);
		expect(Object.keys(init.body)).toEqual(['sessionID']);
		expect(authenticationVerificationCode(body.signatureProtocolParameters.rpChallenge)).toMatch(/^\d{4}$/);
		const done = await status(init.body.sessionID);
		expect(done.body.state).toBe('COMPLETE');
		expect(done.body.result).toEqual({ endResult: 'OK', documentNumber: 'PNOEE-40504040001-DEM0-Q' });
		expect(done.body.signatureProtocol).toBe('ACSP_V2');
		expect(done.body.signature.flowType).toBe('Notification');
		expect(done.body.signature.signatureAlgorithm).toBe('rsassa-pss');
		expect(done.body.signature.signatureAlgorithmParameters).toEqual({
			hashAlgorithm: 'SHA-512',
			maskGenAlgorithm: { algorithm: 'id-mgf1', parameters: { hashAlgorithm: 'SHA-512' } },
			saltLength: 64,
			trailerField: '0xbc',
		});
		expect(done.body.signature.serverRandom).toMatch(/^[A-Za-z0-9+/]{24,}={0,2}$/);
		expect(done.body.signature.userChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(done.body.interactionTypeUsed).toBe('displayTextAndPIN');
		expect(done.body.cert.certificateLevel).toBe('QUALIFIED');
		expect(verifyAcsp(body, done.body, 'Notification')).toBe(true);
		// A changed interactions string must break it (the check can fail).
		expect(verifyAcsp({ ...body, interactions: SIGN_INTERACTION }, done.body, 'Notification')).toBe(false);
		expect(opensslVerifyChain(done.body.cert.value, sim.caPemPaths, work)).toContain(': OK');
	});

	it('A5 document: SHA3-512, RSA-issued (LV) certificate', async () => {
		const body = authBody('SHA3-512');
		const init = await call(api('authentication/notification/document/PNOLV-050405-10009-DEM0-Q'), { body });
		const done = await status(init.body.sessionID);
		expect(done.body.result.endResult).toBe('OK');
		expect(done.body.signature.signatureAlgorithmParameters.saltLength).toBe(64);
		expect(verifyAcsp(body, done.body, 'Notification')).toBe(true);
		expect(opensslVerifyChain(done.body.cert.value, sim.caPemPaths, work)).toContain(': OK');
	});

	it('long poll holds a RUNNING session for timeoutMs, then answers RUNNING', async () => {
		await call(`${sim.controlUrl}accounts/PNOLT-30403039917-MOCK-Q/behaviour`, { method: 'PUT', body: { endResult: 'USER_REFUSED', delayMs: 4000 } });
		try {
			const init = await call(api('authentication/notification/document/PNOLT-30403039917-MOCK-Q'), { body: authBody() });
			const running = await status(init.body.sessionID, 1000);
			expect(running.body).toEqual({ state: 'RUNNING' });
			expect(running.ms).toBeGreaterThanOrEqual(950);
			expect(running.ms).toBeLessThan(3000);
		} finally {
			await call(`${sim.controlUrl}accounts/PNOLT-30403039917-MOCK-Q/behaviour`, { method: 'DELETE' });
		}
	});

	it('returns as soon as the session completes, well before timeoutMs', async () => {
		const init = await call(api('authentication/notification/etsi/PNOEE-40504040001'), { body: authBody('SHA-256') });
		const done = await status(init.body.sessionID, 60_000);
		expect(done.body.state).toBe('COMPLETE');
		expect(done.ms).toBeLessThan(10_000);
	});
});

describe('end results of the test accounts', () => {
	const cases: Array<[string, string, string | undefined]> = [
		['PNOEE-30403039917-MOCK-Q', 'USER_REFUSED', undefined],
		['PNOLT-30403039928-MOCK-Q', 'USER_REFUSED_INTERACTION', 'displayTextAndPIN'],
		['PNOLV-030403-10032-MOCK-Q', 'USER_REFUSED_INTERACTION', 'verificationCodeChoice'],
		['PNOBE-00010232708-MOCK-Q', 'USER_REFUSED_INTERACTION', 'confirmationMessage'],
		['PNOEE-30403039950-MOCK-Q', 'USER_REFUSED_INTERACTION', 'confirmationMessageAndVerificationCodeChoice'],
		['PNOEE-30403039972-MOCK-Q', 'WRONG_VC', undefined],
		['PNOEE-30403039983-MOCK-Q', 'TIMEOUT', undefined],
	];
	it.each(cases)('%s ends with %s %s', async (doc, endResult, interaction) => {
		const init = await call(api(`authentication/notification/document/${doc}`), { body: authBody() });
		const done = await status(init.body.sessionID);
		expect(done.body.state).toBe('COMPLETE');
		expect(done.body.result.endResult).toBe(endResult);
		expect(done.body.result.details?.interaction).toBe(interaction);
		expect(done.body.signature).toBeUndefined();
	});

	it.each([
		['DOCUMENT_UNUSABLE'],
		['REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP'],
		['PROTOCOL_FAILURE'],
		['SERVER_ERROR'],
		['USER_REFUSED_CERT_CHOICE'],
		['ACCOUNT_UNUSABLE'],
	])('our own account for %s', async (endResult) => {
		const account = sim.accounts.find((a) => a.listedFor === 'simulator' && a.behaviour.endResult === endResult)!;
		expect(account).toBeDefined();
		const init = await call(api(`signature/notification/etsi/${account.semanticsIdentifier}`), { body: signBody('x') });
		const done = await status(init.body.sessionID);
		expect(done.body.result.endResult).toBe(endResult);
	});

	it('every spec §8 notification row for EE/LT/LV/BE is an account', () => {
		const docs = new Set(sim.accounts.map((a) => a.documentNumber));
		for (const doc of ['PNOEE-30403039939-MOCK-Q', 'PNOLT-30403039939-MOCK-Q', 'PNOLV-030403-10032-MOCK-Q', 'PNOBE-00010266756-MOCK-Q',
			'PNOBE-00010220335-MOCK-Q', 'PNOLV-329999-99709-MOCK-Q', 'PNOLV-020211-12351-MOCK-NQ', 'PNOBE-11010199815-MOCK-Q']) {
			expect(docs.has(doc)).toBe(true);
		}
	});
});

describe('signing (S3, S4) and certificates (C2, C3)', () => {
	it('S3: returns a numeric4 VC and a RAW_DIGEST PSS signature that openssl verifies prehashed', async () => {
		const body = signBody('test 1234', 'SHA-512', { nonce: 'n1' });
		const init = await call(api('signature/notification/etsi/PNOEE-40504040001'), { body });
		expect(init.body.vc.type).toBe('numeric4');
		expect(init.body.vc.value).toMatch(/^\d{4}$/);
		const done = await status(init.body.sessionID);
		expect(done.body.signatureProtocol).toBe('RAW_DIGEST_SIGNATURE');
		expect(done.body.signature.serverRandom).toBeUndefined();
		expect(done.body.interactionTypeUsed).toBe('confirmationMessage');
		const digest = Buffer.from(body.signatureProtocolParameters.digest, 'base64');
		const signature = Buffer.from(done.body.signature.value, 'base64');
		expect(opensslVerifyDigest(done.body.cert.value, digest, signature, 'sha512', true)).toBe(true);
		// Same signature over the data with node (mHash = digest), and a double hash must fail.
		const key = new X509Certificate(Buffer.from(done.body.cert.value, 'base64')).publicKey;
		const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
		expect(verify('sha512', Buffer.from('test 1234'), pss, signature)).toBe(true);
		expect(verify('sha512', digest, pss, signature)).toBe(false);
		const cert = new X509Certificate(Buffer.from(done.body.cert.value, 'base64'));
		expect(cert.keyUsage).toBeUndefined();
		expect(cert.subject).toContain('serialNumber=PNOEE-40504040001');
	});

	it('S4 with SHA3-256 on the RSA-issued BE account', async () => {
		const body = signBody('hello', 'SHA3-256');
		const init = await call(api('signature/notification/document/PNOBE-05040400032-DEMO-Q'), { body });
		const done = await status(init.body.sessionID);
		expect(done.body.signature.signatureAlgorithmParameters.saltLength).toBe(32);
		const digest = Buffer.from(body.signatureProtocolParameters.digest, 'base64');
		expect(opensslVerifyDigest(done.body.cert.value, digest, Buffer.from(done.body.signature.value, 'base64'), 'sha3-256', true)).toBe(true);
	});

	it('the legacy account answers with PKCS#1 v1.5 and no parameters (spec §6.3)', async () => {
		const legacy = sim.accounts.find((a) => a.behaviour.legacyPkcs1)!;
		const body = signBody('legacy', 'SHA-512');
		const init = await call(api(`signature/notification/document/${legacy.documentNumber}`), { body });
		const done = await status(init.body.sessionID);
		expect(done.body.signature.signatureAlgorithm).toBe('sha512WithRSAEncryption');
		expect(done.body.signature.signatureAlgorithmParameters).toBeUndefined();
		const digest = Buffer.from(body.signatureProtocolParameters.digest, 'base64');
		const signature = Buffer.from(done.body.signature.value, 'base64');
		expect(opensslVerifyDigest(done.body.cert.value, digest, signature, 'sha512', false)).toBe(true);
		expect(opensslVerifyDigest(done.body.cert.value, digest, signature, 'sha512', true)).toBe(false);
		const auth = authBody('SHA-256');
		const authInit = await call(api(`authentication/notification/document/${legacy.documentNumber}`), { body: auth });
		const authDone = await status(authInit.body.sessionID);
		expect(authDone.body.signature.signatureAlgorithm).toBe('sha256WithRSAEncryption');
		const payload = acspV2Payload({
			schemeName: sim.schemeName,
			serverRandom: authDone.body.signature.serverRandom,
			rpChallenge: auth.signatureProtocolParameters.rpChallenge,
			userChallenge: authDone.body.signature.userChallenge,
			relyingPartyName: auth.relyingPartyName,
			interactions: auth.interactions,
			interactionTypeUsed: authDone.body.interactionTypeUsed,
			flowType: 'Notification',
		});
		const key = new X509Certificate(Buffer.from(authDone.body.cert.value, 'base64')).publicKey;
		expect(verify('sha256', Buffer.from(payload), key, Buffer.from(authDone.body.signature.value, 'base64'))).toBe(true);
	});

	it('C3 returns the signing certificate synchronously; DOCUMENT_UNUSABLE account says so', async () => {
		const ok = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { body: { ...rp(), certificateLevel: 'QUALIFIED' } });
		expect(ok.body.state).toBe('OK');
		expect(ok.body.cert.certificateLevel).toBe('QUALIFIED');
		expect(new X509Certificate(Buffer.from(ok.body.cert.value, 'base64')).subject).toContain('CN=TEST\\,OK');
		const unusable = sim.accounts.find((a) => a.behaviour.endResult === 'DOCUMENT_UNUSABLE')!;
		const bad = await call(api(`signature/certificate/${unusable.documentNumber}`), { body: rp() });
		expect(bad.body).toEqual({ state: 'DOCUMENT_UNUSABLE' });
	});

	it('C2 notification certificate choice returns cert and signature.flowType only', async () => {
		const init = await call(api('signature/certificate-choice/notification/etsi/PNOEE-40504040001'), { body: { ...rp(), nonce: 'c2' } });
		const done = await status(init.body.sessionID);
		expect(done.body.result).toEqual({ endResult: 'OK', documentNumber: 'PNOEE-40504040001-DEM0-Q' });
		expect(done.body.signature).toEqual({ flowType: 'Notification' });
		expect(done.body.signatureProtocol).toBeUndefined();
		const c3 = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { body: rp() });
		expect(done.body.cert.value).toBe(c3.body.cert.value);
	});
});

describe('device links and the mock app', () => {
	async function startDeviceLinkAuth(pathSuffix: string, extra: Record<string, unknown> = {}) {
		const body = authBody('SHA-512', extra);
		const init = await call(api(`authentication/device-link/${pathSuffix}`), { body });
		expect(init.status).toBe(200);
		expect(Object.keys(init.body).sort()).toEqual(['deviceLinkBase', 'sessionID', 'sessionSecret', 'sessionToken']);
		return { body, init: init.body, receivedAt: Date.now() };
	}

	function authLink(started: Awaited<ReturnType<typeof startDeviceLinkAuth>>, type: 'QR' | 'Web2App' | 'App2App', overrides: Record<string, unknown> = {}) {
		return deviceLink({
			deviceLinkBase: started.init.deviceLinkBase,
			type,
			elapsedSeconds: Math.floor((Date.now() - started.receivedAt) / 1000),
			sessionToken: started.init.sessionToken,
			sessionType: 'auth',
			sessionSecret: started.init.sessionSecret,
			schemeName: sim.schemeName,
			signatureProtocol: 'ACSP_V2',
			digestOrRpChallenge: started.body.signatureProtocolParameters.rpChallenge,
			relyingPartyName: started.body.relyingPartyName,
			interactions: started.body.interactions,
			initialCallbackUrl: (started.body as { initialCallbackUrl?: string }).initialCallbackUrl,
			...overrides,
		});
	}

	const scan = (documentNumber: string, link: string, flowType: string, extra: Record<string, unknown> = {}) =>
		call(sim.mockDeviceLinkUrl, { body: { documentNumber, deviceLink: link, flowType, ...extra } });

	it('A1 anonymous QR: the mock app accepts a fresh link and the signature verifies with an empty callback field', async () => {
		const started = await startDeviceLinkAuth('anonymous', { initialCallbackUrl: 'https://rp.example/cb?value=abc' });
		const answer = await scan('PNOEE-40404040009-MOCK-Q', authLink(started, 'QR'), 'QR');
		expect(answer.status).toBe(200);
		expect(answer.body.callbackUrl).toBeUndefined();
		const done = await status(started.init.sessionID);
		expect(done.body.result).toEqual({ endResult: 'OK', documentNumber: 'PNOEE-40404040009-MOCK-Q' });
		expect(done.body.signature.flowType).toBe('QR');
		expect(verifyAcsp({ ...started.body, initialCallbackUrl: undefined } as never, done.body, 'QR')).toBe(true);
	});

	it('A2 etsi Web2App: callback carries sessionSecretDigest and userChallengeVerifier; payload includes the callback', async () => {
		const callback = 'https://rp.example/callback-url?value=RrKjjT4aggzu27YBddX1bQ';
		const started = await startDeviceLinkAuth('etsi/PNOLT-40404040009', { initialCallbackUrl: callback });
		const answer = await scan('PNOLT-40404040009-MOCK-Q', authLink(started, 'Web2App'), 'Web2App', { initialCallbackUrl: callback });
		expect(answer.status).toBe(200);
		const url = new URL(answer.body.callbackUrl);
		expect(answer.body.callbackUrl.startsWith(`${callback}&sessionSecretDigest=`)).toBe(true);
		expect(url.searchParams.get('sessionSecretDigest')).toBe(sessionSecretDigest(started.init.sessionSecret));
		const done = await status(started.init.sessionID);
		expect(userChallengeOf(url.searchParams.get('userChallengeVerifier')!)).toBe(done.body.signature.userChallenge);
		expect(done.body.signature.flowType).toBe('Web2App');
		expect(verifyAcsp(started.body, done.body, 'Web2App')).toBe(true);
	});

	it('A3 document App2App works; a second scan of the same link is refused (409)', async () => {
		const started = await startDeviceLinkAuth('document/PNOBE-04040400287-MOCK-Q', { initialCallbackUrl: 'https://rp.example/app' });
		const link = authLink(started, 'App2App');
		const answer = await scan('PNOBE-04040400287-MOCK-Q', link, 'App2App');
		expect(answer.status).toBe(200);
		expect(answer.body.callbackUrl).toMatch(/^https:\/\/rp\.example\/app\?sessionSecretDigest=[A-Za-z0-9_-]{43}&userChallengeVerifier=/);
		const done = await status(started.init.sessionID);
		expect(done.body.signature.flowType).toBe('App2App');
		expect(verifyAcsp(started.body, done.body, 'App2App')).toBe(true);
		expect((await scan('PNOBE-04040400287-MOCK-Q', link, 'App2App')).status).toBe(409);
	});

	it('a tampered authCode ends the session with PROTOCOL_FAILURE', async () => {
		const started = await startDeviceLinkAuth('anonymous');
		const link = authLink(started, 'QR');
		const tampered = link.slice(0, -2) + (link.endsWith('AA') ? 'BB' : 'AA');
		const answer = await scan('PNOEE-40404040009-MOCK-Q', tampered, 'QR');
		expect(answer.status).toBe(400);
		expect(answer.contentType).toContain('application/problem+json');
		expect((await status(started.init.sessionID)).body.result.endResult).toBe('PROTOCOL_FAILURE');
	});

	it('a link built with other inputs (wrong interactions) is a protocol failure too', async () => {
		const started = await startDeviceLinkAuth('anonymous');
		const answer = await scan('PNOEE-40404040009-MOCK-Q', authLink(started, 'QR', { interactions: SIGN_INTERACTION }), 'QR');
		expect(answer.status).toBe(400);
		expect((await status(started.init.sessionID)).body.result.endResult).toBe('PROTOCOL_FAILURE');
	});

	it('a stale QR link is ignored (410) and the session keeps running; a fresh one then works', async () => {
		const started = await startDeviceLinkAuth('anonymous');
		const stale = authLink(started, 'QR', { elapsedSeconds: 0 });
		await new Promise((resolve) => setTimeout(resolve, 2100));
		const answer = await scan('PNOEE-40404040009-MOCK-Q', stale, 'QR');
		expect(answer.status).toBe(410);
		expect((await status(started.init.sessionID, 1000)).body.state).toBe('RUNNING');
		expect((await scan('PNOEE-40404040009-MOCK-Q', authLink(started, 'QR'), 'QR')).status).toBe(200);
	});

	it('wrong session token → 404; wrong flowType / parameter order → 400; sessions keep running', async () => {
		const started = await startDeviceLinkAuth('anonymous');
		const link = authLink(started, 'QR');
		const wrongToken = link.replace(started.init.sessionToken, 'A'.repeat(24));
		expect((await scan('PNOEE-40404040009-MOCK-Q', wrongToken, 'QR')).status).toBe(404);
		expect((await scan('PNOEE-40404040009-MOCK-Q', link, 'Web2App')).status).toBe(400);
		const reordered = link.replace(/&sessionType=auth&version=1\.0/, '&version=1.0&sessionType=auth');
		expect((await scan('PNOEE-40404040009-MOCK-Q', reordered, 'QR')).status).toBe(400);
		expect((await status(started.init.sessionID, 1000)).body.state).toBe('RUNNING');
	});

	it('identity mismatch: another person scanning an identified session is refused (403)', async () => {
		const started = await startDeviceLinkAuth('etsi/PNOEE-40404040009');
		const answer = await scan('PNOLT-40404040009-MOCK-Q', authLink(started, 'QR'), 'QR');
		expect(answer.status).toBe(403);
		expect((await status(started.init.sessionID, 1000)).body.state).toBe('RUNNING');
	});

	it('S1/S2 device-link signing with QR', async () => {
		const body = signBody('device link data', 'SHA-384');
		const init = await call(api('signature/device-link/document/PNOEE-40404040009-MOCK-Q'), { body });
		const receivedAt = Date.now();
		const link = deviceLink({
			deviceLinkBase: init.body.deviceLinkBase,
			type: 'QR',
			elapsedSeconds: Math.floor((Date.now() - receivedAt) / 1000),
			sessionToken: init.body.sessionToken,
			sessionType: 'sign',
			sessionSecret: init.body.sessionSecret,
			schemeName: sim.schemeName,
			signatureProtocol: 'RAW_DIGEST_SIGNATURE',
			digestOrRpChallenge: body.signatureProtocolParameters.digest,
			relyingPartyName: body.relyingPartyName,
			interactions: body.interactions,
		});
		expect((await scan('PNOEE-40404040009-MOCK-Q', link, 'QR')).status).toBe(200);
		const done = await status(init.body.sessionID);
		expect(done.body.signature.flowType).toBe('QR');
		const digest = Buffer.from(body.signatureProtocolParameters.digest, 'base64');
		expect(opensslVerifyDigest(done.body.cert.value, digest, Buffer.from(done.body.signature.value, 'base64'), 'sha384', true)).toBe(true);
		const etsi = await call(api('signature/device-link/etsi/PNOEE-40404040009'), { body: signBody('other') });
		expect(etsi.status).toBe(200);
	});

	it('C1 certificate choice then S5 linked signature; a non-linked signature instead gets EXPECTED_LINKED_SESSION', async () => {
		const choose = async () => {
			const init = await call(api('signature/certificate-choice/device-link/anonymous'), { body: { ...rp(), nonce: String(Math.random()).slice(2, 12) } });
			const link = deviceLink({
				deviceLinkBase: init.body.deviceLinkBase,
				type: 'QR',
				elapsedSeconds: 0,
				sessionToken: init.body.sessionToken,
				sessionType: 'cert',
				sessionSecret: init.body.sessionSecret,
				schemeName: sim.schemeName,
				signatureProtocol: '',
				digestOrRpChallenge: '',
				relyingPartyName: sim.relyingPartyName,
				interactions: '',
			});
			expect((await scan('PNOLV-040404-10003-DEMO-Q', link, 'QR')).status).toBe(200);
			const done = await status(init.body.sessionID);
			expect(done.body.result).toEqual({ endResult: 'OK', documentNumber: 'PNOLV-040404-10003-DEMO-Q' });
			expect(done.body.signature).toEqual({ flowType: 'QR' });
			return init.body.sessionID as string;
		};
		const linkedSessionID = await choose();
		const body = signBody('linked', 'SHA-256', { linkedSessionID });
		const init = await call(api('signature/notification/linked/PNOLV-040404-10003-DEMO-Q'), { body });
		expect(init.status).toBe(200);
		expect(init.body.vc).toBeUndefined();
		// An identical retry within 15 s gets the same session, even though the link is used up.
		expect((await call(api('signature/notification/linked/PNOLV-040404-10003-DEMO-Q'), { body })).body.sessionID).toBe(init.body.sessionID);
		const done = await status(init.body.sessionID);
		expect(done.body.result.endResult).toBe('OK');
		expect(done.body.signature.flowType).toBe('QR');
		// The link is used up: the same linkedSessionID again is refused.
		expect((await call(api('signature/notification/linked/PNOLV-040404-10003-DEMO-Q'), { body: { ...body, nonce: 'again' } })).status).toBe(400);
		await choose();
		const wrong = await call(api('signature/notification/document/PNOLV-040404-10003-DEMO-Q'), { body: signBody('not linked') });
		expect((await status(wrong.body.sessionID)).body.result.endResult).toBe('EXPECTED_LINKED_SESSION');
	});
});

describe('notification certificate choice (C2) is followed by an ordinary signature', () => {
	it('C2 OK then S4 for the same document ends OK, not EXPECTED_LINKED_SESSION', async () => {
		const init = await call(api('signature/certificate-choice/notification/etsi/PNOEE-50001029996'), {
			body: { ...rp(), nonce: String(Math.random()).slice(2, 12) },
		});
		expect(init.status).toBe(200);
		const chosen = await status(init.body.sessionID);
		expect(chosen.body.result.endResult).toBe('OK');
		const documentNumber = chosen.body.result.documentNumber as string;
		const sign = await call(api(`signature/notification/document/${documentNumber}`), { body: signBody('after C2') });
		expect(sign.status).toBe(200);
		expect((await status(sign.body.sessionID)).body.result.endResult).toBe('OK');
	});
});

describe('HTTP errors like the real service', () => {
	const expectProblem = (res: Awaited<ReturnType<typeof call>>, code: number) => {
		expect(res.status).toBe(code);
		expect(res.contentType).toContain('application/problem+json');
		expect(res.body.status).toBe(code);
		expect(typeof res.body.title).toBe('string');
		expect(typeof res.body.detail).toBe('string');
	};
	const A4 = () => api('authentication/notification/etsi/PNOEE-40504040001');

	it.each([
		['missing rpChallenge', (b: Json) => delete b.signatureProtocolParameters.rpChallenge],
		['short rpChallenge', (b: Json) => (b.signatureProtocolParameters.rpChallenge = Buffer.alloc(16).toString('base64'))],
		['bad hash', (b: Json) => (b.signatureProtocolParameters.signatureAlgorithmParameters.hashAlgorithm = 'MD5')],
		['PKCS#1 asked', (b: Json) => (b.signatureProtocolParameters.signatureAlgorithm = 'sha256WithRSAEncryption')],
		['wrong protocol', (b: Json) => (b.signatureProtocol = 'ACSP_V1')],
		['interactions not Base64', (b: Json) => (b.interactions = '[{"type":"displayTextAndPIN"}]')],
		['duplicate interaction', (b: Json) => (b.interactions = interactions([{ type: 'displayTextAndPIN', displayText60: 'a' }, { type: 'displayTextAndPIN', displayText60: 'b' }]))],
		['text too long', (b: Json) => (b.interactions = interactions([{ type: 'displayTextAndPIN', displayText60: 'x'.repeat(61) }]))],
		['empty text', (b: Json) => (b.interactions = interactions([{ type: 'confirmationMessage', displayText200: '' }]))],
		['callback on notification', (b: Json) => (b.initialCallbackUrl = 'https://rp.example/')],
		['bad certificateLevel', (b: Json) => (b.certificateLevel = 'QSCD')],
		['bad vcType', (b: Json) => (b.vcType = 'alpha')],
		['missing relyingPartyName', (b: Json) => delete b.relyingPartyName],
		['long relyingPartyName', (b: Json) => (b.relyingPartyName = 'x'.repeat(33))],
	])('400 for %s', async (_name, mutate) => {
		const body = authBody();
		mutate(body);
		expectProblem(await call(A4(), { body }), 400);
	});

	it('400 for device-link-only rules: VC-choice interaction, callback without https', async () => {
		const vcChoice = authBody('SHA-256', { interactions: interactions([{ type: 'confirmationMessageAndVerificationCodeChoice', displayText200: 'ok?' }]) });
		expectProblem(await call(api('authentication/device-link/anonymous'), { body: vcChoice }), 400);
		expect((await call(A4(), { body: vcChoice })).status).toBe(200);
		expectProblem(await call(api('authentication/device-link/anonymous'), { body: authBody('SHA-256', { initialCallbackUrl: 'http://rp.example/' }) }), 400);
		expectProblem(await call(api('authentication/device-link/anonymous'), { body: authBody('SHA-256', { initialCallbackUrl: 'https://rp.example/a|b' }) }), 400);
	});

	it('400 for a digest whose length does not match the hash, and for malformed JSON', async () => {
		const body = signBody('x', 'SHA-512');
		body.signatureProtocolParameters.signatureAlgorithmParameters.hashAlgorithm = 'SHA-256';
		expectProblem(await call(api('signature/notification/etsi/PNOEE-40504040001'), { body }), 400);
		expectProblem(await call(A4(), { raw: Buffer.from('{not json'), contentType: 'application/json' }), 400);
	});

	it('401 unknown relyingPartyUUID, 403 wrong relyingPartyName, 403 ADVANCED for the DEMO RP', async () => {
		expectProblem(await call(A4(), { body: authBody('SHA-256', { relyingPartyUUID: '11111111-1111-4111-8111-111111111111' }) }), 401);
		expectProblem(await call(A4(), { body: authBody('SHA-256', { relyingPartyName: 'OTHER' }) }), 403);
		expect((await call(A4(), { body: authBody('SHA-256', { relyingPartyName: 'demo' }) })).status).toBe(200);
		expectProblem(await call(A4(), { body: authBody('SHA-256', { certificateLevel: 'ADVANCED' }) }), 403);
	});

	it('ADVANCED works for the Basic RP on an NQ account; QUALIFIED for an NQ-only person is 404', async () => {
		const basic = { relyingPartyUUID: sim.basicRelyingParty.relyingPartyUUID, relyingPartyName: sim.basicRelyingParty.relyingPartyName };
		const body = authBody('SHA-256', { ...basic, certificateLevel: 'ADVANCED', requestProperties: { shareMdClientIpAddress: true } });
		const init = await call(api('authentication/notification/etsi/PNOLV-050404-19993'), { body });
		const done = await status(init.body.sessionID);
		expect(done.body.result.documentNumber).toBe('PNOLV-050404-19993-DEMO-NQ');
		expect(done.body.cert.certificateLevel).toBe('ADVANCED');
		expect(done.body.deviceIpAddress).toBe('127.0.0.1');
		expect(verifyAcsp(body, done.body, 'Notification')).toBe(true);
		expectProblem(await call(api('authentication/notification/etsi/PNOLV-050404-19993'), { body: authBody('SHA-256', basic) }), 404);
	});

	it('the DEMO RP gets ignoredProperties for shareMdClientIpAddress', async () => {
		const init = await call(A4(), { body: authBody('SHA-256', { requestProperties: { shareMdClientIpAddress: true } }) });
		const done = await status(init.body.sessionID);
		expect(done.body.ignoredProperties).toEqual(['shareMdClientIpAddress']);
		expect(done.body.deviceIpAddress).toBeUndefined();
	});

	it('404 unknown person / document / session; 400 bad identifiers and timeoutMs; 405 wrong method', async () => {
		expectProblem(await call(api('authentication/notification/etsi/PNOEE-10101010005'), { body: authBody() }), 404);
		expectProblem(await call(api('authentication/notification/document/PNOEE-10101010005-ZZZZ-Q'), { body: authBody() }), 404);
		expectProblem(await call(api('signature/certificate/PNOEE-10101010005-ZZZZ-Q'), { body: rp() }), 404);
		expectProblem(await call(api('authentication/notification/etsi/not-an-id'), { body: authBody() }), 400);
		expectProblem(await call(api('session/00000000-0000-4000-8000-000000000123?timeoutMs=1000')), 404);
		const init = await call(A4(), { body: authBody() });
		expectProblem(await call(api(`session/${init.body.sessionID}?timeoutMs=999`)), 400);
		expectProblem(await call(api(`session/${init.body.sessionID}?timeoutMs=120001`)), 400);
		expectProblem(await call(api('authentication/notification/etsi/PNOEE-40504040001')), 405);
		expectProblem(await call(api('no/such/endpoint'), { body: {} }), 404);
	});

	it('identical signature requests within the window return the same session; a new nonce gives a new one', async () => {
		const body = signBody('idempotent', 'SHA-256', { nonce: 'same' });
		const a = await call(api('signature/notification/etsi/PNOEE-40504040001'), { body });
		const b = await call(api('signature/notification/etsi/PNOEE-40504040001'), { body: JSON.parse(JSON.stringify(body)) });
		expect(b.body).toEqual(a.body);
		const c = await call(api('signature/notification/etsi/PNOEE-40504040001'), { body: { ...body, nonce: 'other' } });
		expect(c.body.sessionID).not.toBe(a.body.sessionID);
		const auth = authBody();
		const x = await call(A4(), { body: auth });
		const y = await call(A4(), { body: auth });
		expect(x.body.sessionID).not.toBe(y.body.sessionID);
	});
});

describe('fault injection and control API', () => {
	it('injects 580, 5xx and 480 per account, then stops after `times`', async () => {
		const rule = await call(`${sim.controlUrl}faults`, { body: { kind: 'status', status: 580, target: 'rp-api', account: 'PNOEE-40504040001', times: 1 } });
		expect(rule.status).toBe(201);
		const first = await call(A4url(), { body: authBody() });
		expect(first.status).toBe(580);
		expect(first.body.status).toBe(580);
		expect((await call(A4url(), { body: authBody() })).status).toBe(200);
		// A rule naming the document also hits requests addressed to its person; other people are untouched.
		await call(`${sim.controlUrl}faults`, { body: { kind: 'status', status: 500, account: 'PNOEE-40504040001-DEM0-Q', times: 1 } });
		expect((await call(api('authentication/notification/etsi/PNOLT-30403039917'), { body: authBody() })).status).toBe(200);
		expect((await call(A4url(), { body: authBody() })).status).toBe(500);
		await call(`${sim.controlUrl}faults`, { body: { kind: 'status', status: 503, pathContains: '/session/', times: 1 } });
		const init = await call(A4url(), { body: authBody() });
		expect((await status(init.body.sessionID, 1000)).status).toBe(503);
		await call(`${sim.controlUrl}faults`, { body: { kind: 'status', status: 480, target: 'rp-api', times: 1 } });
		expect((await call(A4url(), { body: authBody() })).status).toBe(480);
	});

	it('drops connections, adds latency and streams slow bodies', async () => {
		await call(`${sim.controlUrl}faults`, { body: { kind: 'drop', target: 'rp-api', times: 1 } });
		await expect(fetch(A4url(), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).rejects.toThrow();
		await call(`${sim.controlUrl}faults`, { body: { kind: 'latency', latencyMs: 700, target: 'rp-api', times: 1 } });
		const slow = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { body: rp() });
		expect(slow.status).toBe(200);
		expect(slow.ms).toBeGreaterThanOrEqual(650);
		await call(`${sim.controlUrl}faults`, { body: { kind: 'slowBody', chunkBytes: 500, chunkDelayMs: 100, target: 'rp-api', times: 1 } });
		const trickle = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { body: rp() });
		expect(trickle.body.state).toBe('OK');
		expect(trickle.ms).toBeGreaterThanOrEqual(300);
		expect((await call(`${sim.controlUrl}faults`)).body).toEqual([]);
	});

	it('refuses bad control input and changes behaviour per account', async () => {
		expect((await call(`${sim.controlUrl}faults`, { body: { kind: 'explode' } })).status).toBe(400);
		expect((await call(`${sim.controlUrl}accounts/PNOEE-40504040001-DEM0-Q/behaviour`, { method: 'PUT', body: { endResult: 'NOPE' } })).status).toBe(400);
		await call(`${sim.controlUrl}accounts/PNOEE-40504040001-DEM0-Q/behaviour`, { method: 'PUT', body: { endResult: 'USER_REFUSED' } });
		try {
			const init = await call(A4url(), { body: authBody() });
			expect((await status(init.body.sessionID)).body.result.endResult).toBe('USER_REFUSED');
		} finally {
			await call(`${sim.controlUrl}accounts/PNOEE-40504040001-DEM0-Q/behaviour`, { method: 'DELETE' });
		}
		const accounts = await call(`${sim.controlUrl}accounts`);
		expect(accounts.body.find((a: Json) => a.documentNumber === 'PNOEE-40504040001-DEM0-Q').behaviour.endResult).toBe('OK');
	});

	function A4url() {
		return api('authentication/notification/etsi/PNOEE-40504040001');
	}
});

describe('other endpoints', () => {
	it('serves the CA certificates named in the AIA caIssuers of user certificates', async () => {
		const c3 = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { body: rp() });
		const leaf = new X509Certificate(Buffer.from(c3.body.cert.value, 'base64'));
		const caIssuers = /CA Issuers - URI:(\S+)/.exec(leaf.infoAccess ?? '')?.[1];
		expect(caIssuers).toMatch(/\/ca\/simulator-eid-q-2024e\.der$/);
		const ca = await call(caIssuers!);
		expect(ca.contentType).toBe('application/pkix-cert');
		expect(leaf.verify(new X509Certificate(ca.body).publicKey)).toBe(true);
		expect((await call(`${sim.controlUrl.replace('/control/', '')}/ca/nothing.der`)).status).toBe(404);
	});

	it('device-link base answers GET with a hint; wrong content type 415; oversized body 413', async () => {
		const page = await call(`${sim.mockDeviceLinkUrl.replace('/mock/device-link', '/device-link')}`);
		expect(page.status).toBe(200);
		expect(page.body.toString()).toContain('/mock/device-link');
		expect((await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), { raw: Buffer.from('{}'), contentType: 'text/plain' })).status).toBe(415);
		const huge = await call(api('signature/certificate/PNOEE-40504040001-DEM0-Q'), {
			raw: Buffer.from(JSON.stringify({ ...rp(), pad: 'x'.repeat(70_000) })),
			contentType: 'application/json',
		});
		expect(huge.status).toBe(413);
		expect(huge.contentType).toContain('application/problem+json');
	});

	it('C1 with a Web2App callback: the callback carries sessionSecretDigest but no userChallengeVerifier', async () => {
		const init = await call(api('signature/certificate-choice/device-link/anonymous'), { body: { ...rp(), initialCallbackUrl: 'https://rp.example/cert' } });
		const link = deviceLink({
			deviceLinkBase: init.body.deviceLinkBase,
			type: 'Web2App',
			sessionToken: init.body.sessionToken,
			sessionType: 'cert',
			sessionSecret: init.body.sessionSecret,
			schemeName: sim.schemeName,
			signatureProtocol: '',
			digestOrRpChallenge: '',
			relyingPartyName: sim.relyingPartyName,
			interactions: '',
			initialCallbackUrl: 'https://rp.example/cert',
		});
		const answer = await call(sim.mockDeviceLinkUrl, { body: { documentNumber: 'PNOEE-40404040009-MOCK-Q', deviceLink: link, flowType: 'Web2App' } });
		expect(answer.body.callbackUrl).toBe(`https://rp.example/cert?sessionSecretDigest=${sessionSecretDigest(init.body.sessionSecret)}`);
		expect((await status(init.body.sessionID)).body.signature).toEqual({ flowType: 'Web2App' });
		const sessions = await call(`${sim.controlUrl}sessions`);
		expect(sessions.body.find((x: Json) => x.sessionID === init.body.sessionID)).toMatchObject({ kind: 'cert', state: 'COMPLETE', endResult: 'OK' });
	});
});

describe('session lifetime', () => {
	it('an unanswered device-link session ends with TIMEOUT, and a completed one expires (404)', async () => {
		const short = await startSimulator({ stateDir: TEST_STATE_DIR, sessionTimeoutMs: 300, sessionRetentionMs: 600 });
		try {
			const body = { ...authBody(), relyingPartyUUID: short.relyingPartyUUID };
			const init = await call(`${short.baseUrl}authentication/device-link/anonymous`, { body });
			const done = await call(`${short.baseUrl}session/${init.body.sessionID}?timeoutMs=5000`);
			expect(done.body).toEqual({ state: 'COMPLETE', result: { endResult: 'TIMEOUT' } });
			await new Promise((resolve) => setTimeout(resolve, 800));
			expect((await call(`${short.baseUrl}session/${init.body.sessionID}?timeoutMs=1000`)).status).toBe(404);
		} finally {
			await short.stop();
		}
	});
});
