import { ValidationError, InvalidRequestError } from '../errors';
import { decodeBase64Strict } from '../encoding';
import { digestLength } from '../hash-algorithm';
import type { SessionStatus, SignatureContext } from '../rp-api/types';
import { checkSigningPurpose } from './certificate-purpose';
import {
	checkFlowType,
	checkIdentityExpectations,
	checkInteractionTypeUsed,
	checkUserCertificate,
	requireSignedAnswer,
} from './session-checks';
import { checkSignatureParameters, signatureValueOf, verifyWithParameters } from './signature-parameters';
import type { SignatureResult, ValidationOptions } from './types';

/**
 * Validate a completed RAW_DIGEST_SIGNATURE session (spec §6.2): parameters (downgrade protection), flow,
 * signing certificate (chain, level, nonRepudiation, QC esign), binding to the expected document/certificate, and
 * the signature itself as RSASSA-PSS with mHash = the digest that was sent (never hashed again, §10.1).
 * @throws SessionEndedError when the session ended without success.
 * @throws ValidationError (incl. ChainError) naming the first broken rule.
 */
export function validateSignature(status: SessionStatus, context: SignatureContext, options: ValidationOptions): SignatureResult {
	let digest: Buffer;
	try {
		digest = decodeBase64Strict(context.digest, 'digest');
	} catch {
		throw new InvalidRequestError('The stored digest is not Base64; pass the exact digest string that was sent.');
	}
	if (digest.length !== digestLength(context.hashAlgorithm)) {
		throw new InvalidRequestError(`The stored digest is not a ${context.hashAlgorithm} digest (wrong length).`);
	}
	const { documentNumber, signature } = requireSignedAnswer(status, 'RAW_DIGEST_SIGNATURE');
	const legacy = options.allowLegacyPkcs1 === true || context.allowLegacyPkcs1 === true;
	const scheme = checkSignatureParameters(signature, context.hashAlgorithm, { allowLegacyPkcs1: legacy });
	const flowType = checkFlowType(signature.flowType, context.allowedFlowTypes);
	const interactionTypeUsed =
		context.interactions !== undefined ? checkInteractionTypeUsed(status.interactionTypeUsed, context.interactions) : undefined;
	const validated = checkUserCertificate(status, documentNumber, context.requestedCertificateLevel, options, (cert, level) =>
		checkSigningPurpose(cert, level),
	);
	if (context.expectedCertificate !== undefined) {
		let expected: Buffer;
		try {
			expected = decodeBase64Strict(context.expectedCertificate, 'expectedCertificate');
		} catch {
			throw new InvalidRequestError('expectedCertificate is not Base64 DER.');
		}
		if (!expected.equals(validated.certificate.raw)) {
			throw new ValidationError(
				'signature.certificate.matchesExpected',
				'Smart-ID signed with a different certificate than the one the signed document commits to; the signature cannot be used.',
			);
		}
	}
	const signatureBytes = signatureValueOf(signature);
	if (!verifyWithParameters(validated.certificate.publicKey, scheme, digest, signatureBytes)) {
		throw new ValidationError('signature.invalid', 'The signature does not verify over the digest that was sent.');
	}
	checkIdentityExpectations(validated, context);
	const { parsed: _parsed, ...certificatePart } = validated;
	void _parsed;
	return {
		...certificatePart,
		signature: signatureBytes,
		signatureBase64: signature.value as string,
		signatureScheme: scheme.scheme,
		hashAlgorithm: scheme.hashAlgorithm,
		...(scheme.scheme === 'RSASSA-PSS' ? { saltLength: scheme.saltLength } : {}),
		flowType,
		...(interactionTypeUsed !== undefined ? { interactionTypeUsed } : {}),
		...(typeof status.deviceIpAddress === 'string' ? { deviceIpAddress: status.deviceIpAddress } : {}),
	};
}
