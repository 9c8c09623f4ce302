import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifySignatureValue, decodeReferenceUri } from '../../../lib/asice/verify';
import { parseXmlSafely } from '../../../lib/asice/xml';

// Real keys and certificates made by openssl; signatures made by node, checked by our verifier.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigval-'));
function keyPair(name: string, newkey: string[]): { key: KeyObject; cert: X509Certificate } {
	const k = path.join(dir, `${name}.key`);
	const c = path.join(dir, `${name}.crt`);
	execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', k, '-out', c, '-subj', `/CN=${name}`, '-days', '2'], { stdio: 'pipe' });
	return { key: createPrivateKey(fs.readFileSync(k)), cert: new X509Certificate(fs.readFileSync(c)) };
}
const rsa = keyPair('rsa', ['-newkey', 'rsa:2048']);
const p256 = keyPair('p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
const p384 = keyPair('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);

const DATA = Buffer.from('<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"></ds:SignedInfo>');
const M01 = 'http://www.w3.org/2001/04/xmldsig-more#';
const M07 = 'http://www.w3.org/2007/05/xmldsig-more#';

function pss(hash: string, salt: number): Buffer {
	return sign(hash, DATA, { key: rsa.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
}

describe('verifySignatureValue', () => {
	it.each([
		['http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'sha1'],
		[`${M01}rsa-sha224`, 'sha224'],
		[`${M01}rsa-sha256`, 'sha256'],
		[`${M01}rsa-sha384`, 'sha384'],
		[`${M01}rsa-sha512`, 'sha512'],
		[`${M07}rsa-sha3-256`, 'sha3-256'],
	])('RSA PKCS#1 v1.5 %s', (uri, hash) => {
		const sig = sign(hash, DATA, { key: rsa.key, padding: constants.RSA_PKCS1_PADDING });
		expect(verifySignatureValue(uri, null, DATA, sig, rsa.cert)).toEqual({ ok: true });
		const other = Buffer.from(DATA);
		other[5] ^= 1;
		expect(verifySignatureValue(uri, null, other, sig, rsa.cert).ok).toBe(false);
	});

	it.each([
		['sha256', 32],
		['sha384', 48],
		['sha512', 64],
		['sha3-256', 32],
		['sha3-512', 64],
	])('RSASSA-PSS %s-rsa-MGF1 with salt = hash length', (hash, salt) => {
		expect(verifySignatureValue(`${M07}${hash}-rsa-MGF1`, null, DATA, pss(hash, salt), rsa.cert)).toEqual({ ok: true });
		// salt length differing from the hash length is not the scheme the URI names
		expect(verifySignatureValue(`${M07}${hash}-rsa-MGF1`, null, DATA, pss(hash, salt - 1), rsa.cert).ok).toBe(false);
		// PKCS#1 v1.5 bytes under a PSS URI must not pass
		expect(verifySignatureValue(`${M07}${hash}-rsa-MGF1`, null, DATA, sign(hash, DATA, rsa.key), rsa.cert).ok).toBe(false);
	});

	it('RFC 6931 parameterised rsa-pss with RSAPSSParams (digest + salt) and with defaults', () => {
		const method = parseXmlSafely(
			`<ds:SignatureMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:pss="${M07}" Algorithm="${M07}rsa-pss">` +
				'<pss:RSAPSSParams><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/><pss:SaltLength>20</pss:SaltLength></pss:RSAPSSParams></ds:SignatureMethod>',
		).documentElement;
		expect(verifySignatureValue(`${M07}rsa-pss`, method, DATA, pss('sha512', 20), rsa.cert)).toEqual({ ok: true });
		expect(verifySignatureValue(`${M07}rsa-pss`, method, DATA, pss('sha512', 64), rsa.cert).ok).toBe(false);
		expect(verifySignatureValue(`${M07}rsa-pss`, null, DATA, pss('sha256', 32), rsa.cert)).toEqual({ ok: true });
	});

	it('ECDSA raw r||s, hash from the URI (P-384 with SHA-256), tolerant of odd half widths', () => {
		const raw = sign('sha256', DATA, { key: p384.key, dsaEncoding: 'ieee-p1363' });
		expect(raw).toHaveLength(96);
		expect(verifySignatureValue(`${M01}ecdsa-sha256`, null, DATA, raw, p384.cert)).toEqual({ ok: true });
		expect(verifySignatureValue(`${M01}ecdsa-sha384`, null, DATA, raw, p384.cert).ok).toBe(false);
		// Java BigInteger style: 49-byte halves with a leading zero
		const wide = Buffer.concat([Buffer.alloc(1), raw.subarray(0, 48), Buffer.alloc(1), raw.subarray(48)]);
		expect(verifySignatureValue(`${M01}ecdsa-sha256`, null, DATA, wide, p384.cert)).toEqual({ ok: true });
		// DER instead of raw must not pass
		const der = sign('sha256', DATA, { key: p384.key, dsaEncoding: 'der' });
		expect(verifySignatureValue(`${M01}ecdsa-sha256`, null, DATA, der, p384.cert).ok).toBe(false);
		const p256sig = sign('sha512', DATA, { key: p256.key, dsaEncoding: 'ieee-p1363' });
		expect(verifySignatureValue(`${M01}ecdsa-sha512`, null, DATA, p256sig, p256.cert)).toEqual({ ok: true });
	});

	it('refuses key/algorithm mismatches and unknown URIs', () => {
		const sig = sign('sha256', DATA, rsa.key);
		expect(verifySignatureValue(`${M01}ecdsa-sha256`, null, DATA, sig, rsa.cert).ok).toBe(false);
		expect(verifySignatureValue(`${M01}rsa-sha256`, null, DATA, sig, p256.cert).ok).toBe(false);
		expect(verifySignatureValue('http://example.com/magic', null, DATA, sig, rsa.cert)).toMatchObject({ ok: false, unsupported: true });
	});
});

describe('decodeReferenceUri', () => {
	it.each([
		['test.txt', 'test.txt'],
		['Faili%20nimi.txt', 'Faili nimi.txt'],
		['Faili+nimi.txt', 'Faili+nimi.txt'],
		['a%2Bb.txt', 'a+b.txt'],
		['0123456789~%23%25%26%28%29%3D%60%40%7B%5B%5D%7D%27.txt', "0123456789~#%&()=`@{[]}'.txt"],
		['%C3%B5un%C3%A4.txt', 'õunä.txt'],
		['./x.txt', 'x.txt'],
		['%zz', null],
		['50%', null],
		['%C3%28', null],
	])('%s → %s', (uri, name) => expect(decodeReferenceUri(uri)).toBe(name));
});
