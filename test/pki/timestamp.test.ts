import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pkijs from 'pkijs';
import { InvalidRequestError, ValidationError } from '../../lib/errors';
import { TokenServiceError } from '../../lib/pki/ocsp-tsp-http';
import { buildTimestampRequest, parseTimestampResponse, parseTimestampToken, verifyTimestampToken } from '../../lib/pki/timestamp';
import { requestTimestamp } from '../../lib/pki/timestamp-client';
import { TrustStore } from '../../lib/pki/trust-store';
import { createTestPki, flipByte, openssl, removeTestPki, startTsaPeer, type Issued, type TestPeer, type TestPki } from './ocsp-tsp-pki';

jest.setTimeout(30_000);

let pki: TestPki;
let peer: TestPeer & { signer: Issued };
let trust: TrustStore;
const data = Buffer.from('<ds:SignatureValue>bytes to be timestamped</ds:SignatureValue>');
let dataFile: string;

beforeAll(async () => {
	pki = await createTestPki();
	peer = await startTsaPeer(pki);
	trust = TrustStore.of([pki.ca.cert]);
	dataFile = path.join(pki.dir, 'data.bin');
	fs.writeFileSync(dataFile, data);
});
afterAll(async () => {
	await peer?.close();
	removeTestPki(pki);
});
beforeEach(() => {
	peer.behaviour = {};
	peer.signer = pki.tsa;
});

async function rule(promise: Promise<unknown>): Promise<string> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ValidationError);
	return (error as ValidationError).rule;
}

function ruleOf(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationError);
		return (error as ValidationError).rule;
	}
	throw new Error('expected a ValidationError');
}

let fileCounter = 0;
function tmp(name: string): string {
	fileCounter += 1;
	return path.join(pki.dir, `${fileCounter}-${name}`);
}

/** A TimeStampReq made by OpenSSL (independent of our builder). */
async function opensslQuery(extra: string[], input = ['-data', dataFile]): Promise<Buffer> {
	const out = tmp('query.tsq');
	await openssl(['ts', '-query', ...input, '-sha256', '-out', out, ...extra], pki.dir);
	return fs.readFileSync(out);
}

/** Sign TSTInfo bytes as a CMS SignedData with `openssl cms` (a token-shaped object with any certificate). */
async function cmsToken(tstInfo: Buffer, signer: Issued, cades = true): Promise<Buffer> {
	const input = tmp('tstinfo.der');
	const out = tmp('token.der');
	fs.writeFileSync(input, tstInfo);
	await openssl(
		['cms', '-sign', '-binary', '-nodetach', '-in', input, '-econtent_type', 'id-smime-ct-TSTInfo', '-signer', signer.pem, '-inkey', signer.key, '-md', 'sha256', '-nosmimecap', ...(cades ? ['-cades'] : []), '-outform', 'DER', '-out', out],
		pki.dir,
	);
	return fs.readFileSync(out);
}

describe('buildTimestampRequest, read back by openssl', () => {
	it('version 1, SHA-256 imprint with the digest, certReq and a 20-byte nonce', async () => {
		const imprint = createHash('sha256').update(data).digest();
		const built = buildTimestampRequest(imprint, 'SHA-256', { policy: '1.2.3.4.5' });
		const file = tmp('ours.tsq');
		fs.writeFileSync(file, built.der);
		const text = await openssl(['ts', '-query', '-in', file, '-text'], pki.dir);
		expect(text).toMatch(/Version: 1/);
		expect(text).toMatch(/Hash Algorithm: sha256/);
		expect(text).toMatch(/Policy OID: 1\.2\.3\.4\.5/);
		expect(text).toMatch(/Certificate required: yes/);
		expect(built.nonce).toHaveLength(20);
		expect(text).toContain(`Nonce: 0x${built.nonce!.toString('hex').toUpperCase()}`);
		const hexDump = [...text.matchAll(/^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})/gm)].map((m) => m[1].replace(/[ -]/g, '')).join('');
		expect(hexDump).toBe(imprint.toString('hex'));
	});

	it('refuses an imprint of the wrong length, an unknown hash and a bad policy', () => {
		expect(() => buildTimestampRequest(Buffer.alloc(20), 'SHA-256')).toThrow(InvalidRequestError);
		expect(() => buildTimestampRequest(Buffer.alloc(32), 'MD5' as never)).toThrow(InvalidRequestError);
		expect(() => buildTimestampRequest(Buffer.alloc(32), 'SHA-256', { policy: 'not-an-oid' })).toThrow(InvalidRequestError);
		expect(buildTimestampRequest(Buffer.alloc(32), 'SHA-256', { nonce: false }).nonce).toBeUndefined();
		// A nonce with the high bit set stays positive on the wire and comes back unchanged.
		expect(buildTimestampRequest(Buffer.alloc(32), 'SHA-256', { nonce: Buffer.from('ff01', 'hex') }).nonce?.toString('hex')).toBe('ff01');
	});
});

describe('requestTimestamp against an openssl TSA on loopback', () => {
	it('gets and verifies an ECDSA token chained to the test CA, with nonce, policy and accuracy', async () => {
		const before = Date.now();
		const result = await requestTimestamp(peer.url, data, { trust });
		expect(Math.abs(result.genTime.getTime() - before)).toBeLessThan(60_000);
		expect(result.imprintAlgorithm).toBe('SHA-256');
		expect(result.imprint.equals(createHash('sha256').update(data).digest())).toBe(true);
		expect(result.tsaCertificate.fingerprint256).toBe(pki.tsa.cert.fingerprint256);
		expect(result.chain?.map((c) => c.fingerprint256)).toEqual([pki.tsa.cert.fingerprint256, pki.ca.cert.fingerprint256]);
		expect(result.policy).toBe('1.2.3.4.1');
		expect(result.accuracy).toEqual({ seconds: 1, millis: 500, micros: 100 });
		expect(result.token.tsaName).toContain('CN=Test TSA');
		expect(result.nonce).toHaveLength(20);
		// The token is what the TSA sent, byte for byte, inside its TimeStampResp.
		expect(peer.responses[peer.responses.length - 1].includes(result.tokenDer)).toBe(true);
		// And OpenSSL verifies the very token we accepted.
		const tokenFile = tmp('token.der');
		fs.writeFileSync(tokenFile, result.tokenDer);
		const verified = await openssl(['ts', '-verify', '-data', dataFile, '-in', tokenFile, '-token_in', '-CAfile', pki.ca.pem], pki.dir);
		expect(verified).toMatch(/Verification: OK/);
	});

	it('RSA TSA, SHA-384 imprint, imprint given directly, requested policy honoured', async () => {
		peer.signer = pki.tsaRsa;
		const imprint = createHash('sha384').update(data).digest();
		const result = await requestTimestamp(peer.url, { imprint }, { hashAlgorithm: 'SHA-384', policy: '1.2.3.4.5', trust });
		expect(result.imprintAlgorithm).toBe('SHA-384');
		expect(result.policy).toBe('1.2.3.4.5');
		expect(result.tsaCertificate.fingerprint256).toBe(pki.tsaRsa.cert.fingerprint256);
	});

	it('reports a TSA refusal with its failInfo (SHA-512 is not in the TSA digest list)', async () => {
		const error = await requestTimestamp(peer.url, { data }, { hashAlgorithm: 'SHA-512' }).catch((e: unknown) => e);
		expect(error).toMatchObject({ rule: 'timestamp.status', details: expect.objectContaining({ status: 'rejection', failInfo: ['badAlg'] }) });
	});

	it('rejects a token over other data (imprint)', async () => {
		const token = (await requestTimestamp(peer.url, data)).token;
		expect(ruleOf(() => verifyTimestampToken(token, { data: Buffer.from('other data') }))).toBe('timestamp.imprint.mismatch');
		peer.behaviour = { replaceRequest: () => opensslQuery(['-no_nonce'], ['-digest', createHash('sha256').update('x').digest('hex')]) };
		expect(await rule(requestTimestamp(peer.url, data, { nonce: false }))).toBe('timestamp.imprint.mismatch');
	});

	it('rejects a token with another nonce (replay) or none', async () => {
		peer.behaviour = { replaceRequest: () => opensslQuery(['-cert']) };
		expect(await rule(requestTimestamp(peer.url, data))).toBe('timestamp.nonce.mismatch');
		peer.behaviour = { replaceRequest: () => opensslQuery(['-cert', '-no_nonce']) };
		expect(await rule(requestTimestamp(peer.url, data))).toBe('timestamp.nonce.missing');
	});

	it('rejects a flipped bit in the signature and in the TSTInfo', async () => {
		const { tokenDer, token } = await requestTimestamp(peer.url, data);
		const info = pkijs.ContentInfo.fromBER(tokenDer);
		const signed = new pkijs.SignedData({ schema: info.content });
		const signature = Buffer.from(signed.signerInfos[0].signature.valueBlock.valueHexView);
		const at = tokenDer.indexOf(signature);
		expect(at).toBeGreaterThan(0);
		expect(ruleOf(() => verifyTimestampToken(flipByte(tokenDer, at + 12), { data }))).toBe('timestamp.signature');
		// A changed imprint inside the signed TSTInfo: no longer what the signed message-digest covers.
		const imprintAt = tokenDer.indexOf(token.imprint);
		expect(imprintAt).toBeGreaterThan(0);
		expect(ruleOf(() => verifyTimestampToken(flipByte(tokenDer, imprintAt + 5)))).toBe('timestamp.messageDigest');
		expect(verifyTimestampToken(tokenDer, { data }).serial).toBe(token.serial);
	});

	it('checks the chain at genTime against the trust store', async () => {
		peer.signer = pki.foreignTsa;
		expect(await rule(requestTimestamp(peer.url, data, { trust }))).toBe('timestamp.chain.untrusted');
		const ok = await requestTimestamp(peer.url, data, { trust: TrustStore.of([pki.otherCa.cert]) });
		expect(ok.chain).toHaveLength(2);
	});

	it('finds the TSA certificate outside the token when the token carries none', async () => {
		const query = tmp('nocert.tsq');
		const reply = tmp('nocert.tsr');
		await openssl(['ts', '-query', '-data', dataFile, '-sha256', '-no_nonce', '-out', query], pki.dir);
		await openssl(['ts', '-reply', '-config', pki.tsaConfigPath, '-queryfile', query, '-signer', pki.tsa.pem, '-inkey', pki.tsa.key, '-out', reply], pki.dir);
		const token = parseTimestampResponse(fs.readFileSync(reply)).token!;
		expect(token.certificates).toHaveLength(0);
		expect(ruleOf(() => verifyTimestampToken(token, { data }))).toBe('timestamp.tsaCertificate.notFound');
		expect(verifyTimestampToken(token, { data, certificates: [pki.tsa.cert], trust }).tsaCertificate.fingerprint256).toBe(pki.tsa.cert.fingerprint256);
	});

	it('judges genTime against a given time', async () => {
		const { token } = await requestTimestamp(peer.url, data);
		expect(ruleOf(() => verifyTimestampToken(token, { data, at: new Date(token.genTime.getTime() + 3_600_000) }))).toBe('timestamp.genTime.skew');
		expect(verifyTimestampToken(token, { data, at: new Date(token.genTime.getTime() + 60_000) }).genTime).toEqual(token.genTime);
	});
});

describe('TSA certificate rules on tokens signed with openssl cms', () => {
	let tstInfo: Buffer;
	beforeAll(async () => {
		tstInfo = (await requestTimestamp(peer.url, data, { nonce: false })).token.tstInfoDer;
	});

	it('accepts a CAdES-style SignedData over TSTInfo by the proper TSA (control)', async () => {
		const token = parseTimestampToken(await cmsToken(tstInfo, pki.tsa));
		expect(verifyTimestampToken(token, { data, trust }).tsaCertificate.fingerprint256).toBe(pki.tsa.cert.fingerprint256);
	});

	it('rejects a TSA certificate whose EKU is not critical, or not timeStamping only', async () => {
		const nonCritical = await cmsToken(tstInfo, pki.tsaNonCritical);
		const multiPurpose = await cmsToken(tstInfo, pki.tsaMultiPurpose);
		expect(ruleOf(() => verifyTimestampToken(nonCritical, { data }))).toBe('timestamp.tsaCertificate.eku');
		expect(ruleOf(() => verifyTimestampToken(multiPurpose, { data }))).toBe('timestamp.tsaCertificate.eku');
	});

	it('rejects a substituted TSA certificate for the same key (ESS signing-certificate binding)', async () => {
		// A second certificate for the TSA's key: the signature still verifies with it, only ESS tells them apart.
		const twin = tmp('tsa-twin.pem');
		await openssl(['x509', '-req', '-in', path.join(pki.dir, 'tsa.csr'), '-CA', pki.ca.pem, '-CAkey', pki.ca.key, '-set_serial', '0x3009', '-days', '20', '-extfile', path.join(pki.dir, 'tsa.ext'), '-out', twin], pki.dir);
		const input = tmp('tstinfo.der');
		fs.writeFileSync(input, tstInfo);
		const sign = async (certfile: string): Promise<Buffer> => {
			const out = tmp('keyid-token.der');
			await openssl(['cms', '-sign', '-binary', '-nodetach', '-in', input, '-econtent_type', 'id-smime-ct-TSTInfo', '-signer', pki.tsa.pem, '-inkey', pki.tsa.key, '-md', 'sha256', '-nosmimecap', '-cades', '-keyid', '-nocerts', '-certfile', certfile, '-outform', 'DER', '-out', out], pki.dir);
			return fs.readFileSync(out);
		};
		expect(verifyTimestampToken(await sign(pki.tsa.pem), { data, trust }).tsaCertificate.serialNumber).toBe('3001'); // control, signer found by key id
		const tokenWithTwin = await sign(twin);
		expect(ruleOf(() => verifyTimestampToken(tokenWithTwin, { data, trust }))).toBe('timestamp.signingCertificate.mismatch');
	});

	it('rejects a token without the ESS signing-certificate attribute', async () => {
		const token = await cmsToken(tstInfo, pki.tsa, false);
		expect(ruleOf(() => verifyTimestampToken(token, { data }))).toBe('timestamp.signingCertificate.missing');
	});
});

describe('parseTimestampResponse and transport', () => {
	it('refuses bytes that are not a TimeStampResp', () => {
		expect(ruleOf(() => parseTimestampResponse(Buffer.from('300a', 'hex')))).toBe('timestamp.malformed');
		expect(ruleOf(() => parseTimestampToken(Buffer.from('3003020101', 'hex')))).toBe('timestamp.malformed');
	});

	it('times out naming the TSA', async () => {
		peer.behaviour = { delayMs: 1500 };
		const error = await requestTimestamp(peer.url, data, { timeoutMs: 300 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TokenServiceError);
		expect(error).toMatchObject({ code: 'SMARTID_TSA_UNAVAILABLE' });
		expect((error as Error).message).toBe(`The TSA at ${peer.url} did not answer within 0.3 s. Try again later or check the URL and the network.`);
		peer.behaviour = { contentType: 'application/ocsp-response' };
		await expect(requestTimestamp(peer.url, data)).rejects.toThrow(/expected application\/timestamp-reply/);
	});
});
