// Request builders: every endpoint's path/body, and one test per refusal rule (nothing is sent on bad input).
import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../../lib/errors';
import {
	deviceLinkAuthenticationRequest,
	deviceLinkCertificateChoiceRequest,
	deviceLinkSignatureRequest,
	linkedSignatureRequest,
	notificationAuthenticationRequest,
	notificationCertificateChoiceRequest,
	notificationSignatureRequest,
	sessionStatusRequest,
	signingCertificateRequest,
	type AuthenticationRequestOptions,
	type SignatureRequestOptions,
} from '../../lib/rp-api/requests';
import type { Interaction } from '../../lib/rp-api/types';

const RP = { relyingPartyUUID: '00000000-0000-4000-8000-000000000000', relyingPartyName: 'DEMO' };
const PIN: Interaction[] = [{ type: 'displayTextAndPIN', displayText60: 'Log in?' }];
const AUTH: AuthenticationRequestOptions = { ...RP, interactions: PIN };
const DIGEST512 = createHash('sha512').update('test 1234').digest('base64');
const SIGN: SignatureRequestOptions = { ...RP, interactions: PIN, hashAlgorithm: 'SHA-512', digest: DIGEST512 };
const EE = 'PNOEE-40504040001';
const DOC = 'PNOEE-40504040001-DEM0-Q';
const QR = { deviceLinkTypes: ['QR' as const] };
const WEB = { deviceLinkTypes: ['QR' as const, 'Web2App' as const], initialCallbackUrl: 'https://rp.example.com/cb?value=abc' };

function refused(fn: () => unknown, message: RegExp): void {
	let error: unknown;
	try {
		fn();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(InvalidRequestError);
	expect((error as Error).message).toMatch(message);
}

describe('endpoints and bodies', () => {
	it('A1 anonymous device-link auth: ACSP_V2 body, 64-byte rpChallenge, interactions built once', () => {
		const p = deviceLinkAuthenticationRequest({ ...AUTH, ...WEB, shareMdClientIpAddress: true }, { anonymous: true });
		expect(p.request).toMatchObject({ endpoint: 'A1', method: 'POST', path: 'authentication/device-link/anonymous' });
		expect(Buffer.from(p.rpChallenge, 'base64')).toHaveLength(64);
		expect(p.request.body).toEqual({
			relyingPartyUUID: RP.relyingPartyUUID,
			relyingPartyName: 'DEMO',
			certificateLevel: 'QUALIFIED',
			signatureProtocol: 'ACSP_V2',
			signatureProtocolParameters: {
				rpChallenge: p.rpChallenge,
				signatureAlgorithm: 'rsassa-pss',
				signatureAlgorithmParameters: { hashAlgorithm: 'SHA-512' },
			},
			interactions: p.interactions,
			requestProperties: { shareMdClientIpAddress: true },
			initialCallbackUrl: WEB.initialCallbackUrl,
		});
		// The documented example string (spec §2.3) for exactly this interaction.
		expect(p.interactions).toBe('W3sidHlwZSI6ImRpc3BsYXlUZXh0QW5kUElOIiwiZGlzcGxheVRleHQ2MCI6IkxvZyBpbj8ifV0=');
		expect(p.initialCallbackUrl).toBe(WEB.initialCallbackUrl);
	});

	it('fresh rpChallenge per request', () => {
		const a = deviceLinkAuthenticationRequest({ ...AUTH, ...QR }, { anonymous: true });
		const b = deviceLinkAuthenticationRequest({ ...AUTH, ...QR }, { anonymous: true });
		expect(a.rpChallenge).not.toBe(b.rpChallenge);
		expect(a.request.body).not.toHaveProperty('initialCallbackUrl');
	});

	it('A2/A3 identified device-link auth', () => {
		const a2 = deviceLinkAuthenticationRequest({ ...AUTH, ...QR }, { semanticsIdentifier: EE });
		expect(a2.request).toMatchObject({ endpoint: 'A2', path: `authentication/device-link/etsi/${EE}` });
		expect(a2.expectedSemanticsIdentifier).toBe(EE);
		const a3 = deviceLinkAuthenticationRequest({ ...AUTH, ...QR }, { documentNumber: DOC });
		expect(a3.request).toMatchObject({ endpoint: 'A3', path: `authentication/device-link/document/${DOC}` });
		expect(a3.expectedDocumentNumber).toBe(DOC);
	});

	it('A4/A5 notification auth adds vcType and allows VC choice', () => {
		const vcChoice: Interaction[] = [
			{ type: 'confirmationMessageAndVerificationCodeChoice', displayText200: 'Log in to the bank?' },
			{ type: 'displayTextAndPIN', displayText60: 'Log in?' },
		];
		const a4 = notificationAuthenticationRequest(
			{ ...RP, interactions: vcChoice, certificateLevel: 'ADVANCED', hashAlgorithm: 'SHA3-512' },
			{ semanticsIdentifier: EE },
		);
		expect(a4.request).toMatchObject({ endpoint: 'A4', path: `authentication/notification/etsi/${EE}` });
		expect(a4.request.body).toMatchObject({ vcType: 'numeric4', certificateLevel: 'ADVANCED' });
		expect(JSON.parse(Buffer.from(a4.interactions, 'base64').toString('utf8'))).toEqual(vcChoice);
		const a5 = notificationAuthenticationRequest(AUTH, { documentNumber: DOC });
		expect(a5.request).toMatchObject({ endpoint: 'A5', path: `authentication/notification/document/${DOC}` });
	});

	it('S1/S2 device-link signature with a nonce', () => {
		const s1 = deviceLinkSignatureRequest({ ...SIGN, ...QR, certificateLevel: 'QSCD' }, { semanticsIdentifier: EE });
		expect(s1.request).toMatchObject({ endpoint: 'S1', path: `signature/device-link/etsi/${EE}`, retry: 'maintenance' });
		expect(s1.request.body).toMatchObject({
			certificateLevel: 'QSCD',
			signatureProtocol: 'RAW_DIGEST_SIGNATURE',
			signatureProtocolParameters: {
				digest: DIGEST512,
				signatureAlgorithm: 'rsassa-pss',
				signatureAlgorithmParameters: { hashAlgorithm: 'SHA-512' },
			},
			nonce: s1.nonce,
		});
		expect(s1.nonce.length).toBeGreaterThanOrEqual(1);
		expect(s1.nonce.length).toBeLessThanOrEqual(30);
		const s2 = deviceLinkSignatureRequest({ ...SIGN, ...WEB }, { documentNumber: DOC });
		expect(s2.request).toMatchObject({ endpoint: 'S2', path: `signature/device-link/document/${DOC}` });
		expect(s2.request.body).toHaveProperty('initialCallbackUrl', WEB.initialCallbackUrl);
	});

	it('S3/S4 notification signature, S5 linked', () => {
		const s3 = notificationSignatureRequest({ ...SIGN, nonce: 'abc' }, { semanticsIdentifier: EE });
		expect(s3.request).toMatchObject({ endpoint: 'S3', path: `signature/notification/etsi/${EE}` });
		expect(s3.request.body).toHaveProperty('nonce', 'abc');
		const s4 = notificationSignatureRequest(SIGN, { documentNumber: DOC });
		expect(s4.request).toMatchObject({ endpoint: 'S4', path: `signature/notification/document/${DOC}` });
		const s5 = linkedSignatureRequest(SIGN, DOC, '00000000-0000-0000-0000-000000000001');
		expect(s5.request).toMatchObject({ endpoint: 'S5', path: `signature/notification/linked/${DOC}` });
		expect(s5.request.body).toHaveProperty('linkedSessionID', '00000000-0000-0000-0000-000000000001');
	});

	it('C1/C2/C3/Q1', () => {
		const c1 = deviceLinkCertificateChoiceRequest({ ...RP, ...QR });
		expect(c1.request).toMatchObject({ endpoint: 'C1', path: 'signature/certificate-choice/device-link/anonymous' });
		expect(c1.request.body).toEqual({ ...RP, certificateLevel: 'QUALIFIED', nonce: c1.nonce });
		const c2 = notificationCertificateChoiceRequest({ ...RP, certificateLevel: 'QSCD' }, EE);
		expect(c2.request).toMatchObject({ endpoint: 'C2', path: `signature/certificate-choice/notification/etsi/${EE}` });
		const c3 = signingCertificateRequest(RP, DOC);
		expect(c3).toMatchObject({ endpoint: 'C3', path: `signature/certificate/${DOC}`, retry: 'idempotent' });
		expect(c3.body).toEqual({ ...RP, certificateLevel: 'QUALIFIED' });
		const q1 = sessionStatusRequest('abc-123', 1000);
		expect(q1).toMatchObject({ endpoint: 'Q1', method: 'GET', path: 'session/abc-123', query: { timeoutMs: '1000' } });
	});
});

describe('refusals', () => {
	it('RP UUID format', () => refused(() => notificationAuthenticationRequest({ ...AUTH, relyingPartyUUID: 'demo' }, { semanticsIdentifier: EE }), /relyingPartyUUID is not a UUID/));
	it('RP name empty', () => refused(() => notificationAuthenticationRequest({ ...AUTH, relyingPartyName: ' ' }, { semanticsIdentifier: EE }), /relyingPartyName is empty/));
	it('RP name > 32 UTF-8 bytes (counted in bytes, not characters)', () => {
		expect(() => notificationAuthenticationRequest({ ...AUTH, relyingPartyName: 'Ä'.repeat(16) }, { semanticsIdentifier: EE })).not.toThrow();
		refused(() => notificationAuthenticationRequest({ ...AUTH, relyingPartyName: 'Ä'.repeat(17) }, { semanticsIdentifier: EE }), /34 UTF-8 bytes/);
	});
	it('auth certificateLevel QSCD', () => refused(() => notificationAuthenticationRequest({ ...AUTH, certificateLevel: 'QSCD' as 'QUALIFIED' }, { semanticsIdentifier: EE }), /not allowed for authentication/));
	it('unknown certificateLevel for signing', () => refused(() => notificationSignatureRequest({ ...SIGN, certificateLevel: 'HIGH' as 'QSCD' }, { semanticsIdentifier: EE }), /not allowed for signing/));
	it('unknown certificateLevel for C3', () => refused(() => signingCertificateRequest({ ...RP, certificateLevel: 'LOW' as 'QSCD' }, DOC), /signing certificate query/));
	it('interactions empty', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [] }, { semanticsIdentifier: EE }), /interactions are empty/));
	it('interaction text empty', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'displayTextAndPIN', displayText60: '' }] }, { semanticsIdentifier: EE }), /displayText60 is empty/));
	it('displayText60 longer than 60', () => {
		expect(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'displayTextAndPIN', displayText60: 'ö'.repeat(60) }] }, { semanticsIdentifier: EE })).not.toThrow();
		refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'displayTextAndPIN', displayText60: 'x'.repeat(61) }] }, { semanticsIdentifier: EE }), /61 characters long; at most 60/);
	});
	it('displayText200 longer than 200', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'confirmationMessage', displayText200: 'x'.repeat(201) }] }, { semanticsIdentifier: EE }), /at most 200/));
	it('wrong text field for the type', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'displayTextAndPIN', displayText200: 'Log in?' } as unknown as Interaction] }, { semanticsIdentifier: EE }), /takes displayText60, not displayText200/));
	it('duplicate interaction types', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [...PIN, ...PIN] }, { semanticsIdentifier: EE }), /listed twice/));
	it('unknown interaction type (legacy verificationCodeChoice)', () => refused(() => notificationAuthenticationRequest({ ...AUTH, interactions: [{ type: 'verificationCodeChoice', displayText60: 'x' } as unknown as Interaction] }, { semanticsIdentifier: EE }), /unknown type "verificationCodeChoice"/));
	const vcChoice: Interaction[] = [{ type: 'confirmationMessageAndVerificationCodeChoice', displayText200: 'Sign?' }];
	it('VC choice on device-link', () => refused(() => deviceLinkAuthenticationRequest({ ...AUTH, ...QR, interactions: vcChoice }, { anonymous: true }), /not allowed in device-link sessions/));
	it('VC choice on linked signature', () => refused(() => linkedSignatureRequest({ ...SIGN, interactions: vcChoice }, DOC, 'abc'), /not allowed in linked signature sessions/));
	it('callback URL required for Web2App', () => refused(() => deviceLinkAuthenticationRequest({ ...AUTH, deviceLinkTypes: ['Web2App'] }, { anonymous: true }), /initialCallbackUrl is missing/));
	it('callback URL required for App2App (C1)', () => refused(() => deviceLinkCertificateChoiceRequest({ ...RP, deviceLinkTypes: ['App2App'] }), /initialCallbackUrl is missing/));
	it('callback URL must be absent for QR-only', () => refused(() => deviceLinkAuthenticationRequest({ ...AUTH, ...QR, initialCallbackUrl: 'https://rp.example.com/cb' }, { anonymous: true }), /must be left out for QR-only/));
	it('callback URL must be https', () => refused(() => deviceLinkSignatureRequest({ ...SIGN, deviceLinkTypes: ['Web2App'], initialCallbackUrl: 'http://rp.example.com/cb' }, { documentNumber: DOC }), /must start with https/));
	it('callback URL must not contain |', () => refused(() => deviceLinkSignatureRequest({ ...SIGN, deviceLinkTypes: ['Web2App'], initialCallbackUrl: 'https://rp.example.com/cb?a=1|2' }, { documentNumber: DOC }), /%7C/));
	it('callback URL must not contain a fragment', () => refused(() => deviceLinkSignatureRequest({ ...SIGN, deviceLinkTypes: ['Web2App'], initialCallbackUrl: 'https://rp.example.com/cb#x' }, { documentNumber: DOC }), /fragment/));
	it('device link types empty / unknown', () => {
		refused(() => deviceLinkAuthenticationRequest({ ...AUTH, deviceLinkTypes: [] }, { anonymous: true }), /deviceLinkTypes is empty/);
		refused(() => deviceLinkAuthenticationRequest({ ...AUTH, deviceLinkTypes: ['NFC' as 'QR'] }, { anonymous: true }), /unknown type "NFC"/);
	});
	it('caller rpChallenge must be 32..64 bytes of strict Base64', () => {
		refused(() => notificationAuthenticationRequest({ ...AUTH, rpChallenge: Buffer.alloc(31).toString('base64') }, { semanticsIdentifier: EE }), /31 bytes/);
		refused(() => notificationAuthenticationRequest({ ...AUTH, rpChallenge: 'not base64!' }, { semanticsIdentifier: EE }), /not strict Base64/);
	});
	it('unknown hash algorithm', () => refused(() => notificationAuthenticationRequest({ ...AUTH, hashAlgorithm: 'SHA-1' as 'SHA-256' }, { semanticsIdentifier: EE }), /SHA-1" is not supported/));
	it('digest length does not match the hash algorithm', () => refused(() => notificationSignatureRequest({ ...SIGN, hashAlgorithm: 'SHA-256' }, { semanticsIdentifier: EE }), /64 bytes but SHA-256 digests are 32 bytes/));
	it('digest not Base64', () => refused(() => notificationSignatureRequest({ ...SIGN, digest: DIGEST512.replace(/=*$/, '') }, { semanticsIdentifier: EE }), /not strict Base64/));
	it('nonce 1..30 chars', () => {
		refused(() => notificationSignatureRequest({ ...SIGN, nonce: '' }, { semanticsIdentifier: EE }), /nonce must be 1 to 30/);
		refused(() => notificationCertificateChoiceRequest({ ...RP, nonce: 'x'.repeat(31) }, EE), /nonce must be 1 to 30/);
	});
	it('linkedSessionID required for S5', () => {
		refused(() => linkedSignatureRequest(SIGN, DOC, ''), /linkedSessionID is missing/);
		refused(() => linkedSignatureRequest(SIGN, DOC, '../x'), /linkedSessionID is not a Smart-ID session id/);
	});
	it('signing is never anonymous', () => refused(() => deviceLinkSignatureRequest({ ...SIGN, ...QR }, { anonymous: true } as never), /needs a person/));
	it('bad identifiers are refused before sending', () => {
		refused(() => notificationAuthenticationRequest(AUTH, { semanticsIdentifier: 'PNOEE-40504040002' }), /wrong check digit/);
		refused(() => signingCertificateRequest(RP, 'PNOEE-40504040001'), /not of the form/);
	});
	it('status timeoutMs 1000..120000', () => {
		refused(() => sessionStatusRequest('abc', 999), /between 1000 and 120000/);
		refused(() => sessionStatusRequest('abc', 120001), /between 1000 and 120000/);
		refused(() => sessionStatusRequest('a/b', 5000), /not a Smart-ID session id/);
	});
	it('capabilities must be non-empty strings', () => refused(() => notificationAuthenticationRequest({ ...AUTH, capabilities: [''] }, { semanticsIdentifier: EE }), /capabilities/));
});
