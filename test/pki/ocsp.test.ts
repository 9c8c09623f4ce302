import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pkijs from 'pkijs';
import { InvalidRequestError, ValidationError } from '../../lib/errors';
import { buildOcspRequest, parseOcspResponse, verifyOcspResponse } from '../../lib/pki/ocsp';
import { requestOcsp } from '../../lib/pki/ocsp-client';
import { TokenServiceError } from '../../lib/pki/ocsp-tsp-http';
import { TrustStore } from '../../lib/pki/trust-store';
import { createTestPki, flipByte, openssl, removeTestPki, startOcspPeer, type OcspPeer, type TestPki } from './ocsp-tsp-pki';

jest.setTimeout(30_000);

let pki: TestPki;
let peer: OcspPeer;

beforeAll(async () => {
	pki = await createTestPki();
	peer = await startOcspPeer(pki);
});
afterAll(async () => {
	await peer?.close();
	removeTestPki(pki);
});
beforeEach(() => {
	peer.behaviour = {};
	peer.signer = { cert: pki.responder };
});

async function rule(promise: Promise<unknown>): Promise<string> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ValidationError);
	return (error as ValidationError).rule;
}

/** An OCSP request made by OpenSSL itself (independent of our builder). */
async function opensslRequest(cert: string, extra: string[] = []): Promise<Buffer> {
	const out = path.join(pki.dir, `openssl-req-${Math.random().toString(16).slice(2)}.der`);
	await openssl(['ocsp', '-issuer', pki.ca.pem, '-cert', cert, '-reqout', out, ...extra], pki.dir);
	return fs.readFileSync(out);
}

describe('buildOcspRequest, read back by openssl', () => {
	it('SHA-1 CertID with the certificate serial and a 32-byte nonce wrapped in an OCTET STRING', async () => {
		const built = buildOcspRequest(pki.good.cert, pki.ca.cert);
		const file = path.join(pki.dir, 'our-req-sha1.der');
		fs.writeFileSync(file, built.der);
		const text = await openssl(['ocsp', '-reqin', file, '-req_text'], pki.dir);
		expect(text).toMatch(/Hash Algorithm: sha1/);
		expect(text).toMatch(/Serial Number: 1001/);
		expect(built.nonce).toHaveLength(32);
		// OpenSSL prints the nonce extension value: 04 20 <32 bytes>.
		expect(text.replace(/\s/g, '')).toContain(`0420${built.nonce!.toString('hex').toUpperCase()}`);
		expect(built.certId.hashAlgorithm).toBe('SHA-1');
	});

	it('SHA-256 CertID, no nonce when told so; openssl answers it', async () => {
		const built = buildOcspRequest(pki.good.cert, pki.ca.cert, { hashAlgorithm: 'SHA-256', nonce: false });
		expect(built.nonce).toBeUndefined();
		const reqFile = path.join(pki.dir, 'our-req-sha256.der');
		const respFile = path.join(pki.dir, 'our-resp-sha256.der');
		fs.writeFileSync(reqFile, built.der);
		expect(await openssl(['ocsp', '-reqin', reqFile, '-req_text'], pki.dir)).toMatch(/Hash Algorithm: sha256/);
		await openssl(['ocsp', '-index', pki.indexPath, '-CA', pki.ca.pem, '-rsigner', pki.responder.pem, '-rkey', pki.responder.key, '-reqin', reqFile, '-respout', respFile], pki.dir);
		const result = verifyOcspResponse(parseOcspResponse(fs.readFileSync(respFile)), { certificate: pki.good.cert, issuer: pki.ca.cert });
		expect(result.status).toBe('good');
	});

	it('refuses an issuer that did not issue the certificate', () => {
		expect(() => buildOcspRequest(pki.good.cert, pki.otherCa.cert)).toThrow(InvalidRequestError);
		expect(() => buildOcspRequest(Buffer.from('not a certificate'), pki.ca.cert)).toThrow(InvalidRequestError);
	});
});

describe('requestOcsp against an openssl responder on loopback', () => {
	it('good, via a delegated responder, with the nonce echoed', async () => {
		const result = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert);
		expect(result.status).toBe('good');
		expect(result.responderAuthorization).toBe('delegated');
		expect(result.responder.fingerprint256).toBe(pki.responder.cert.fingerprint256);
		expect(result.nonce).toHaveLength(32);
		expect(Math.abs(result.producedAt.getTime() - Date.now())).toBeLessThan(60_000);
		expect(result.der.equals(peer.responses[peer.responses.length - 1])).toBe(true);
	});

	it('revoked, with the revocation time and reason from the responder database', async () => {
		const result = await requestOcsp(peer.url, pki.revoked.cert, pki.ca.cert);
		expect(result.status).toBe('revoked');
		expect(result.revocationTime?.toISOString()).toBe(pki.revokedAt.toISOString());
		expect(result.revocationReason).toBe('keyCompromise');
	});

	it('unknown for a serial the responder does not know', async () => {
		expect((await requestOcsp(peer.url, pki.unknown.cert, pki.ca.cert)).status).toBe('unknown');
	});

	it('accepts a response signed by the CA itself with RSA-PSS and a key-hash responder id', async () => {
		peer.signer = { cert: pki.ca, pss: true, byKeyHash: true };
		const result = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { hashAlgorithm: 'SHA-256' });
		expect(result.responderAuthorization).toBe('issuer');
		expect(result.parsed.basic?.signatureAlgorithm).toBe('1.2.840.113549.1.1.10');
		expect(result.parsed.basic?.responderId).toHaveProperty('byKeyHash');
	});

	it('falls back to the OCSP URL in the certificate (AIA)', async () => {
		const withAia = await pki.issue('AIA SIGNER', '1004', [`authorityInfoAccess=OCSP;URI:${peer.url}aia`]);
		const result = await requestOcsp(undefined, withAia.cert, pki.ca.cert);
		expect(result.url).toBe(`${peer.url}aia`);
		expect(result.status).toBe('unknown'); // not in the index: proves the responder was really asked
		await expect(requestOcsp(undefined, pki.good.cert, pki.ca.cert)).rejects.toThrow(InvalidRequestError);
	});

	it('rejects an impostor responder with the right name but its own key', async () => {
		peer.signer = { cert: pki.rogue };
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert))).toBe('ocsp.responder.unauthorized');
	});

	it('accepts that same responder when it is a trust anchor (TEST of SK OCSP RESPONDER style)', async () => {
		peer.signer = { cert: pki.rogue };
		// Trusted-list style: the store names the responder as the OCSP service of exactly this CA (issue 11 item 6).
		const result = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { trust: TrustStore.of([]).withOcspService(pki.rogue.cert, [pki.ca.cert]) });
		expect(result.responderAuthorization).toBe('anchor');
	});

	it('refuses a trusted responder for a CA it is not listed for (issue 11 item 6)', async () => {
		peer.signer = { cert: pki.rogue };
		// An OCSP entry without a mapping, and one mapped to another CA, do not speak for pki.ca.
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { trust: TrustStore.of([pki.rogue.cert]) }))).toBe('ocsp.responder.unauthorized');
		const elsewhere = TrustStore.of([]).withOcspService(pki.rogue.cert, [pki.otherCa.cert]);
		const error = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { trust: elsewhere }).catch((e: unknown) => e);
		expect(error).toMatchObject({ rule: 'ocsp.responder.unauthorized', details: { trustedForOtherIssuers: true } });
	});

	it('rejects a CA-issued responder without the OCSPSigning EKU', async () => {
		peer.signer = { cert: pki.responderNoEku };
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert))).toBe('ocsp.responder.unauthorized');
	});

	it('rejects a replayed response (other nonce) and one without nonce', async () => {
		const first = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert);
		peer.behaviour = { fixedResponse: first.der };
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert))).toBe('ocsp.nonce.mismatch');
		peer.behaviour = { replaceRequest: () => opensslRequest(pki.good.pem, ['-no_nonce']) };
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert))).toBe('ocsp.nonce.missing');
	});

	it('rejects a correctly signed answer about another certificate (CertID)', async () => {
		peer.behaviour = { replaceRequest: () => opensslRequest(pki.unknown.pem, ['-no_nonce']) };
		expect(await rule(requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { nonce: false }))).toBe('ocsp.certId.mismatch');
	});

	it('rejects a flipped bit in the signature and in the signed data', async () => {
		const { der, parsed } = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { nonce: false });
		const base = { certificate: pki.good.cert, issuer: pki.ca.cert, checkFreshness: false };
		const response = pkijs.OCSPResponse.fromBER(der);
		const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes!.response.valueBlock.valueHexView);
		const signature = Buffer.from(basic.signature.valueBlock.valueHexView);
		const signatureAt = der.indexOf(signature);
		expect(signatureAt).toBeGreaterThan(0);
		const badSignature = flipByte(der, signatureAt + 10);
		expect(() => verifyOcspResponse(parseOcspResponse(badSignature), base)).toThrow(expect.objectContaining({ rule: 'ocsp.signature' }));
		// Inside producedAt (GeneralizedTime "YYYYMMDDhhmmssZ"): flip the seconds digit.
		const stamp = Buffer.from(parsed.basic!.producedAt.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z');
		const stampAt = der.indexOf(stamp);
		expect(stampAt).toBeGreaterThan(0);
		const badTbs = flipByte(der, stampAt + 13);
		expect(() => verifyOcspResponse(parseOcspResponse(badTbs), base)).toThrow(expect.objectContaining({ rule: 'ocsp.signature' }));
		expect(verifyOcspResponse(parseOcspResponse(der), base).status).toBe('good');
	});

	it('reports a non-successful responseStatus', async () => {
		peer.behaviour = { fixedResponse: Buffer.from('30030a0106', 'hex') }; // OCSPResponse { unauthorized(6) }
		const parsedError = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert).catch((e: unknown) => e);
		expect(parsedError).toMatchObject({ rule: 'ocsp.responseStatus', details: expect.objectContaining({ responseStatus: 'unauthorized' }) });
		expect(parseOcspResponse(Buffer.from('30030a0103', 'hex')).responseStatus).toBe('tryLater');
		expect(() => parseOcspResponse(Buffer.from('3003', 'hex'))).toThrow(expect.objectContaining({ rule: 'ocsp.malformed' }));
	});

	it('judges freshness against the given time', async () => {
		const { parsed } = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { nonce: false });
		const base = { certificate: pki.good.cert, issuer: pki.ca.cert };
		const produced = parsed.basic!.producedAt.getTime();
		expect(() => verifyOcspResponse(parsed, { ...base, at: new Date(produced + 60 * 60_000) })).toThrow(expect.objectContaining({ rule: 'ocsp.time.stale' }));
		expect(() => verifyOcspResponse(parsed, { ...base, at: new Date(produced - 60 * 60_000) })).toThrow(expect.objectContaining({ rule: 'ocsp.time.future' }));
		expect(verifyOcspResponse(parsed, { ...base, at: new Date(produced + 60 * 60_000), checkFreshness: false }).status).toBe('good');
		expect(verifyOcspResponse(parsed, { ...base, at: new Date(produced + 60 * 60_000), maxSkewMs: 2 * 60 * 60_000 }).status).toBe('good');
	});

	it('rejects the answer when the issuer given is not the certificate issuer', async () => {
		const { parsed } = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { nonce: false });
		expect(() => verifyOcspResponse(parsed, { certificate: pki.good.cert, issuer: pki.otherCa.cert })).toThrow(expect.objectContaining({ rule: 'ocsp.issuer.mismatch' }));
	});
});

describe('requestOcsp transport failures name the responder', () => {
	it('times out with a clear message', async () => {
		peer.behaviour = { delayMs: 1500 };
		const error = await requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { timeoutMs: 300 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TokenServiceError);
		expect(error).toMatchObject({ code: 'SMARTID_OCSP_UNAVAILABLE' });
		expect((error as Error).message).toBe(`The OCSP responder at ${peer.url} did not answer within 0.3 s. Try again later or check the URL and the network.`);
	});

	it('refuses HTTP errors, wrong content types, unreachable hosts, bad URLs and cancellation', async () => {
		peer.behaviour = { httpStatus: 503 };
		await expect(requestOcsp(peer.url, pki.good.cert, pki.ca.cert)).rejects.toThrow(/answered HTTP 503/);
		peer.behaviour = { contentType: 'text/html' };
		await expect(requestOcsp(peer.url, pki.good.cert, pki.ca.cert)).rejects.toThrow(/Content-Type "text\/html"/);
		await expect(requestOcsp('http://127.0.0.1:1/', pki.good.cert, pki.ca.cert)).rejects.toThrow(/Could not reach the OCSP responder at http:\/\/127\.0\.0\.1:1\/ \(ECONNREFUSED\)/);
		await expect(requestOcsp('ftp://example.invalid/', pki.good.cert, pki.ca.cert)).rejects.toThrow(/must use http or https/);
		const controller = new AbortController();
		peer.behaviour = { delayMs: 1000 };
		const pending = requestOcsp(peer.url, pki.good.cert, pki.ca.cert, { signal: controller.signal });
		setTimeout(() => controller.abort(), 50);
		await expect(pending).rejects.toThrow(/was cancelled/);
	});
});
