/**
 * Fixed cases the fuzz suites found, kept as plain regression tests (each names the bug and its fix commit subject).
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { InvalidRequestError, SmartIdError } from '../../lib/errors';
import { createDeviceLink, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { callbackUrlWithToken, verifySameDeviceCallback } from '../../lib/flows/same-device-callback';
import { CertificateParseError, parseCertificate } from '../../lib/pki/certificate';
import { buildChain, ChainError } from '../../lib/pki/chain';
import { TrustStore } from '../../lib/pki/trust-store';
import { identityFromCertificate } from '../../lib/validation';
import { fixturePath } from '../helpers/fixtures';

function firstLeaf(): Buffer {
	const text = fs.readFileSync(fixturePath('smartid-v3', 'response-shapes.json'), 'utf8');
	return Buffer.from(/"(MII[A-Za-z0-9+/=]{500,})"/.exec(text)![1], 'base64');
}

describe('certificate with an unreadable public key (node:crypto decodes the SPKI lazily)', () => {
	// One bit flipped inside the RSA SubjectPublicKeyInfo: the certificate still parses, its key does not.
	const corrupt = Buffer.from(firstLeaf());
	corrupt[286] ^= 1 << 1;

	it('is a certificate node:crypto accepts but whose key it cannot decode (the precondition)', () => {
		const x = new X509Certificate(corrupt);
		expect(() => x.publicKey).toThrow(/decode error/);
	});

	it('parseCertificate refuses it with CertificateParseError, not a raw OpenSSL error', () => {
		expect(() => parseCertificate(corrupt)).toThrow(CertificateParseError);
		expect(() => parseCertificate(corrupt)).toThrow(/public key cannot be decoded/);
	});

	it('identityFromCertificate and buildChain give typed errors too', () => {
		expect(() => identityFromCertificate(corrupt)).toThrow(CertificateParseError);
		let error: unknown;
		try {
			buildChain(corrupt, { trust: TrustStore.bundled('demo'), at: new Date('2026-01-01T00:00:00Z') });
		} catch (e) {
			error = e;
		}
		expect(error instanceof CertificateParseError || error instanceof ChainError).toBe(true);
	});
});

describe('a corrupted stored sessionSecret (not Base64) gave a bare TypeError', () => {
	// Found by test/fuzz/device-link-callback.test.ts: decodeBase64Strict threw TypeError, so createDeviceLink and
	// verifySameDeviceCallback on a tampered pending-session record escaped the SmartIdError hierarchy.
	const secrets: DeviceLinkSecrets = {
		sessionID: 'sid',
		sessionToken: 'token',
		sessionSecret: 'not base64!',
		deviceLinkBase: 'https://smart-id.com/device-link/',
		receivedAt: 0,
		sessionType: 'auth',
		schemeName: 'smart-id-demo',
		relyingPartyName: 'DEMO',
		signatureProtocol: 'ACSP_V2',
		digestOrRpChallenge: 'AAAA',
		interactions: 'AAAA',
		deviceLinkTypes: ['QR'],
	};

	it('createDeviceLink refuses it with InvalidRequestError naming the field, not the value', () => {
		expect(() => createDeviceLink(secrets, { deviceLinkType: 'QR', now: 0 })).toThrow(InvalidRequestError);
		expect(() => createDeviceLink(secrets, { deviceLinkType: 'QR', now: 0 })).toThrow(/^sessionSecret is not valid Base64$/);
	});

	it('verifySameDeviceCallback refuses it with a SmartIdError', () => {
		const call = (): unknown => verifySameDeviceCallback('value=tok&sessionSecretDigest=x', { token: 'tok', sessionSecret: 'not base64!', sessionType: 'sign' });
		expect(call).toThrow(SmartIdError);
		expect(call).not.toThrow(/not base64!/);
	});
});

describe('callbackUrlWithToken on a callback URL whose query is just "?"', () => {
	// Found by test/fuzz/device-link-callback.test.ts: "https://rp.example/cb??" ends with "?", so the token was
	// glued on without "&" and the URL's first parameter became "?value"; the callback check would then never pass.
	it('puts the token into a real "value" parameter', () => {
		const token = 'abcdefghijklmnopqrstuvwxyz012345';
		const url = new URL(callbackUrlWithToken('https://rp.example/cb??', token));
		expect(url.searchParams.getAll('value')).toEqual([token]);
	});

	it('still joins plain cases the same way', () => {
		const token = 'abcdefghijklmnopqrstuvwxyz012345';
		expect(callbackUrlWithToken('https://rp.example/cb', token)).toBe(`https://rp.example/cb?value=${token}`);
		expect(callbackUrlWithToken('https://rp.example/cb?', token)).toBe(`https://rp.example/cb?value=${token}`);
		expect(callbackUrlWithToken('https://rp.example/cb?a=1', token)).toBe(`https://rp.example/cb?a=1&value=${token}`);
		expect(callbackUrlWithToken('https://rp.example/cb?a=1&', token)).toBe(`https://rp.example/cb?a=1&value=${token}`);
	});
});
