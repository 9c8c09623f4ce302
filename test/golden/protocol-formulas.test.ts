// Golden vectors for the small protocol formulas every flow and the simulator share (spec §4.3, §4.5, §5.2, §5.5).
import { createHash } from 'node:crypto';
import { authCodePayload, computeAuthCode } from '../../lib/flows/auth-code';
import { sessionSecretDigest, userChallengeOf } from '../../lib/flows/callback-digests';
import { authenticationVerificationCode, verificationCodeOf } from '../../lib/flows/verification-code';
import { acspV2Payload } from '../../lib/validation/acsp-v2-payload';
import { readFixtureJson } from '../helpers/fixtures';

interface AuthCodeVector {
	id: string;
	sessionSecret: string;
	authCodePayload: string;
	expectedAuthCode: string;
	relyingPartyName?: string;
	rpChallenge?: string;
	interactions?: string;
	unprotectedDeviceLink?: string;
	expectedDeviceLink?: string;
}

describe('authCode (spec §4.3)', () => {
	const { vectors } = readFixtureJson<{ vectors: AuthCodeVector[] }>('smartid-v3/authcode-vectors.json');

	it.each(vectors.map((v) => [v.id, v] as const))('HMAC of %s matches', (_id, v) => {
		expect(computeAuthCode(v.sessionSecret, v.authCodePayload)).toBe(v.expectedAuthCode);
	});

	it('assembles the real-parameter QR payload field by field', () => {
		const v = vectors.find((x) => x.id === 'rust-real-params-qr')!;
		const payload = authCodePayload({
			schemeName: 'smart-id-demo',
			signatureProtocol: 'ACSP_V2',
			digestOrRpChallenge: v.rpChallenge!,
			relyingPartyName: v.relyingPartyName!,
			interactions: v.interactions!,
			initialCallbackUrl: '',
			unprotectedDeviceLink: v.unprotectedDeviceLink!,
		});
		expect(payload).toBe(v.authCodePayload);
	});

	it('refuses a sessionSecret that is not Base64', () => {
		expect(() => computeAuthCode('not base64!', 'x')).toThrow(/sessionSecret is not valid Base64/);
	});
});

describe('verification code (spec §5.5)', () => {
	const doc = readFixtureJson<{
		verificationCode: {
			vectors: Array<{ inputHex?: string; text?: string; expectedVC: string }>;
			rpChallengeVCs: Array<{ rpChallenge: string; computedVC: string }>;
		};
		sessionSecretDigest: { sessionSecret: string; expectedSessionSecretDigest: string };
		userChallenge: { userChallengeVerifier: string; expectedUserChallenge: string };
		acspV2DocsExample: { inputs: Record<string, string>; expectedPayload?: string; payload?: string };
	}>('smartid-v3/vc-and-callback-vectors.json');

	it.each(doc.verificationCode.vectors.map((v) => [v.expectedVC, v] as const))('gives %s', (expected, v) => {
		const input = v.inputHex
			? Buffer.from(v.inputHex, 'hex')
			: createHash('sha256').update(v.text!, 'utf8').digest();
		expect(verificationCodeOf(input)).toBe(expected);
	});

	it.each(doc.verificationCode.rpChallengeVCs.map((v) => [v.computedVC, v.rpChallenge] as const))(
		'rpChallenge code %s',
		(expected, rpChallenge) => {
			expect(authenticationVerificationCode(rpChallenge)).toBe(expected);
		},
	);

	it('sessionSecretDigest and userChallenge match', () => {
		expect(sessionSecretDigest(doc.sessionSecretDigest.sessionSecret)).toBe(
			doc.sessionSecretDigest.expectedSessionSecretDigest,
		);
		expect(userChallengeOf(doc.userChallenge.userChallengeVerifier)).toBe(doc.userChallenge.expectedUserChallenge);
	});
});

describe('ACSP_V2 payload (spec §5.2)', () => {
	it('rebuilds the payload string published with a real demo response', () => {
		const v = readFixtureJson<{
			publishedExpectedPayload: string;
			inputs: { schemeName: string; relyingPartyName: string; rpChallenge: string; interactions: string };
			sessionStatus: { signature: { serverRandom: string; userChallenge: string; flowType: string }; interactionTypeUsed: string };
		}>('smartid-v3/vatsake-notification-auth-acsp_v2-pss-sha256.json');
		const payload = acspV2Payload({
			schemeName: v.inputs.schemeName,
			serverRandom: v.sessionStatus.signature.serverRandom,
			rpChallenge: v.inputs.rpChallenge,
			userChallenge: v.sessionStatus.signature.userChallenge,
			relyingPartyName: v.inputs.relyingPartyName,
			interactions: v.inputs.interactions,
			interactionTypeUsed: v.sessionStatus.interactionTypeUsed,
			flowType: v.sessionStatus.signature.flowType,
		});
		expect(payload).toBe(v.publishedExpectedPayload);
	});
});

describe('ACSP_V2 payload, docs Web2App brokered example', () => {
	it('matches the expected payload and its SHA-512', () => {
		const { acspV2DocsExample: ex } = readFixtureJson<{
			acspV2DocsExample: { inputs: Record<string, string>; expectedPayload: string; expectedPayloadSha512Base64: string };
		}>('smartid-v3/vc-and-callback-vectors.json');
		const i = ex.inputs;
		const payload = acspV2Payload({
			schemeName: i.schemeName,
			serverRandom: i.serverRandom,
			rpChallenge: i.rpChallenge,
			userChallenge: i.userChallenge,
			relyingPartyName: i.relyingPartyName,
			brokeredRpName: i.brokeredRpName,
			interactions: i.interactions,
			interactionTypeUsed: i.interactionTypeUsed,
			initialCallbackUrl: i.initialCallbackUrl,
			flowType: i.flowType,
		});
		expect(payload).toBe(ex.expectedPayload);
		expect(createHash('sha512').update(payload, 'utf8').digest('base64')).toBe(ex.expectedPayloadSha512Base64);
		// The same session scanned as QR must not carry the callback URL (spec §10.3).
		expect(acspV2Payload({ ...i, flowType: 'QR' } as never)).not.toContain('callback-url');
	});
});
