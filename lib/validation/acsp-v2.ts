import { ValidationError } from '../errors';
import { isStrictBase64 } from '../encoding';
import { hashBytes } from '../hash-algorithm';
import type { AuthenticationContext, SessionStatus } from '../rp-api/types';
import { userChallengeOf } from '../flows/callback-digests';
import { acspV2Payload } from './acsp-v2-payload';
import { checkAuthenticationPurpose } from './certificate-purpose';
import {
	checkFlowType,
	checkIdentityExpectations,
	checkInteractionTypeUsed,
	checkUserCertificate,
	requireSignedAnswer,
	safeEqual,
} from './session-checks';
import { checkSignatureParameters, signatureValueOf, verifyWithParameters } from './signature-parameters';
import type { AuthenticationResult, ValidationOptions } from './types';

const USER_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Validate a completed ACSP_V2 authentication session (spec §5.4, items 1-9) against what the RP stored when it
 * started the session. Returns the authenticated identity only when every check passes.
 * @throws SessionEndedError when the session ended without success (user refused, timeout, ...).
 * @throws ValidationError (incl. ChainError) naming the first broken rule.
 */
export function validateAuthentication(
	status: SessionStatus,
	context: AuthenticationContext,
	options: ValidationOptions,
): AuthenticationResult {
	// 1. completion; 2. protocol (then downgrade protection)
	const { documentNumber, signature } = requireSignedAnswer(status, 'ACSP_V2');
	const legacy = options.allowLegacyPkcs1 === true || (context as { allowLegacyPkcs1?: boolean }).allowLegacyPkcs1 === true;
	const scheme = checkSignatureParameters(signature, context.hashAlgorithm, { allowLegacyPkcs1: legacy });
	// 3. response fields
	const serverRandom = signature.serverRandom;
	if (!isStrictBase64(serverRandom) || serverRandom.length < 24) {
		throw new ValidationError('signature.serverRandom', 'serverRandom is missing, not Base64 or shorter than 24 characters.');
	}
	const userChallenge = signature.userChallenge;
	if (typeof userChallenge !== 'string' || !USER_CHALLENGE.test(userChallenge)) {
		throw new ValidationError('signature.userChallenge', 'userChallenge is missing or not 43 base64url characters.');
	}
	const flowType = checkFlowType(signature.flowType, context.allowedFlowTypes);
	const interactionTypeUsed = checkInteractionTypeUsed(status.interactionTypeUsed, context.interactions);
	// 7. same-device callback binding
	if (flowType === 'Web2App' || flowType === 'App2App') {
		const verifier = options.userChallengeVerifier;
		if (typeof verifier !== 'string' || verifier.length === 0) {
			throw new ValidationError(
				'callback.userChallengeVerifier.missing',
				`A ${flowType} authentication needs the userChallengeVerifier from the callback URL; pass it to the validation.`,
			);
		}
		if (!safeEqual(userChallengeOf(verifier), userChallenge)) {
			throw new ValidationError(
				'callback.userChallenge.mismatch',
				'The userChallengeVerifier from the callback does not belong to this authentication (possible session mix-up or forgery).',
			);
		}
	}
	// 4-6. certificate: chain, not CA, level, purpose
	const validated = checkUserCertificate(status, documentNumber, context.requestedCertificateLevel, options, (cert) =>
		checkAuthenticationPurpose(cert),
	);
	// 8. signature over the payload rebuilt from the RP's own stored values
	const payload = acspV2Payload({
		schemeName: context.schemeName,
		serverRandom,
		rpChallenge: context.rpChallenge,
		userChallenge,
		relyingPartyName: context.relyingPartyName,
		brokeredRpName: context.brokeredRpName,
		interactions: context.interactions,
		interactionTypeUsed,
		initialCallbackUrl: context.initialCallbackUrl,
		flowType,
	});
	const signatureBytes = signatureValueOf(signature);
	const digest = hashBytes(scheme.hashAlgorithm, Buffer.from(payload, 'utf8'));
	if (!verifyWithParameters(validated.certificate.publicKey, scheme, digest, signatureBytes)) {
		throw new ValidationError(
			'signature.invalid',
			'The authentication signature does not verify. The answer does not belong to this session request (or was altered).',
		);
	}
	// 9. identity
	checkIdentityExpectations(validated, context);
	const { parsed: _parsed, ...certificatePart } = validated;
	void _parsed;
	return {
		...certificatePart,
		flowType,
		interactionTypeUsed,
		signatureScheme: scheme.scheme,
		hashAlgorithm: scheme.hashAlgorithm,
		...(typeof status.deviceIpAddress === 'string' ? { deviceIpAddress: status.deviceIpAddress } : {}),
	};
}
