import { X509Certificate, timingSafeEqual } from 'node:crypto';
import { ValidationError, InvalidRequestError } from '../errors';
import { isStrictBase64 } from '../encoding';
import { FLOW_TYPES, type FlowType, type RequestedCertificateLevel, type SessionStatus } from '../rp-api/types';
import { CertificateParseError, parseCertificate, type ParsedCertificate } from '../pki/certificate';
import { buildChain } from '../pki/chain';
import { checkCertificateLevel } from './certificate-level';
import { identityFromCertificate } from './identity';
import { SessionEndedError } from './session-ended-error';
import type { ValidatedCertificate, ValidationOptions } from './types';

// Checks shared by the three validators; each throws ValidationError with a named rule.

/** state COMPLETE, endResult OK (else SessionEndedError), documentNumber present. Returns the documentNumber. */
export function requireCompleteOk(status: SessionStatus): string {
	if (!status || status.state !== 'COMPLETE') {
		throw new ValidationError('session.state', 'The session is not complete yet; poll the session status again.');
	}
	const result = status.result;
	if (!result || typeof result.endResult !== 'string') {
		throw new ValidationError('session.result', 'The completed session has no result.endResult.');
	}
	if (result.endResult !== 'OK') {
		throw new SessionEndedError(result.endResult, result.details?.interaction);
	}
	if (typeof result.documentNumber !== 'string' || result.documentNumber.length === 0) {
		throw new ValidationError('session.documentNumber', 'The successful session has no result.documentNumber.');
	}
	return result.documentNumber;
}

const ANSWER_WORDS = {
	ACSP_V2: { protocol: 'an ACSP_V2 authentication', answer: 'authentication' },
	RAW_DIGEST_SIGNATURE: { protocol: 'a RAW_DIGEST_SIGNATURE signature', answer: 'signing' },
} as const;

/**
 * COMPLETE + OK (see {@link requireCompleteOk}), the expected signature protocol, and a signature object present.
 * Returns the documentNumber and the signature.
 */
export function requireSignedAnswer(
	status: SessionStatus,
	protocol: keyof typeof ANSWER_WORDS,
): { documentNumber: string; signature: NonNullable<SessionStatus['signature']> } {
	const documentNumber = requireCompleteOk(status);
	const words = ANSWER_WORDS[protocol];
	if (status.signatureProtocol !== protocol) {
		throw new ValidationError('session.signatureProtocol', `The session answer is not ${words.protocol}.`, {
			signatureProtocol: String(status.signatureProtocol).slice(0, 30),
		});
	}
	const signature = status.signature;
	if (!signature || typeof signature !== 'object') {
		throw new ValidationError('signature.missing', `The ${words.answer} answer has no signature.`);
	}
	return { documentNumber, signature };
}

/** flowType is one of the four values and one the RP offered (spec §5.4-3, §10.8). */
export function checkFlowType(flowType: unknown, allowed: readonly FlowType[] | undefined): FlowType {
	if (typeof flowType !== 'string' || !(FLOW_TYPES as readonly string[]).includes(flowType)) {
		throw new ValidationError('signature.flowType', 'The response flowType is missing or unknown.', {
			flowType: typeof flowType === 'string' ? flowType.slice(0, 20) : null,
		});
	}
	if (allowed && !allowed.includes(flowType as FlowType)) {
		throw new ValidationError(
			'signature.flowType.notOffered',
			`The user completed the session with flow ${flowType}, which was not offered (${allowed.join(', ')}).`,
			{ flowType, allowed },
		);
	}
	return flowType as FlowType;
}

/** Interaction types in the Base64 interactions string the RP sent. */
export function interactionTypesOf(interactions: string): string[] {
	let parsed: unknown;
	try {
		if (!isStrictBase64(interactions)) throw new Error('not Base64');
		parsed = JSON.parse(Buffer.from(interactions, 'base64').toString('utf8'));
	} catch {
		throw new InvalidRequestError('The stored interactions value is not Base64 of a JSON array; pass the exact string that was sent.');
	}
	if (!Array.isArray(parsed)) {
		throw new InvalidRequestError('The stored interactions value is not a JSON array; pass the exact string that was sent.');
	}
	return parsed.map((i: unknown) => (typeof i === 'object' && i !== null ? String((i as { type?: unknown }).type) : ''));
}

/** interactionTypeUsed is one of the types that were sent (spec §5.4-3). */
export function checkInteractionTypeUsed(used: unknown, interactions: string): string {
	const sent = interactionTypesOf(interactions);
	if (typeof used !== 'string' || !sent.includes(used)) {
		throw new ValidationError(
			'session.interactionTypeUsed',
			'The app reports an interaction type that was not requested.',
			{ interactionTypeUsed: typeof used === 'string' ? used.slice(0, 60) : null, sent },
		);
	}
	return used;
}

/** Parse `cert.value` (strict Base64 DER). */
export function readResponseCertificate(status: { cert?: { value?: string } }): { parsed: ParsedCertificate; base64: string } {
	const value = status.cert?.value;
	if (!isStrictBase64(value)) {
		throw new ValidationError('certificate.parse', 'The response has no certificate or it is not Base64.');
	}
	try {
		return { parsed: parseCertificate(new X509Certificate(Buffer.from(value, 'base64'))), base64: value };
	} catch (err) {
		const detail = err instanceof CertificateParseError ? err.message : 'not a readable X.509 certificate';
		throw new ValidationError('certificate.parse', `The response certificate cannot be read: ${detail}`);
	}
}

/** Chain to a Smart-ID issuing CA of `trust` at `now` (rule `chain.anchorUse` when it reaches another kind of anchor), not a CA, level (derived, agreeing, sufficient), purpose; reads the identity. */
export function checkUserCertificate(
	status: SessionStatus | { cert?: { value?: string; certificateLevel?: string } },
	documentNumber: string,
	requestedLevel: RequestedCertificateLevel | undefined,
	options: ValidationOptions,
	purposeCheck: (cert: ParsedCertificate, level: ValidatedCertificate['certificateLevel']) => void,
): ValidatedCertificate & { parsed: ParsedCertificate } {
	const now = options.now ?? new Date();
	const { parsed, base64 } = readResponseCertificate(status);
	// Smart-ID answers chain only to the environment's Smart-ID issuing CAs, never to TSA/OCSP or other CA entries.
	const { chain } = buildChain(parsed.x509, { trust: options.trust, at: now, intermediates: options.intermediates, use: 'smart-id' });
	if (parsed.basicConstraints?.ca) {
		throw new ValidationError('certificate.basicConstraints', 'The user certificate is a CA certificate; refused.');
	}
	const level = checkCertificateLevel(parsed, status.cert?.certificateLevel, requestedLevel);
	purposeCheck(parsed, level);
	const identity = identityFromCertificate(parsed, now);
	return { parsed, certificate: parsed.x509, certificateBase64: base64, certificateLevel: level, chain, identity, documentNumber };
}

/** Identity expectations of identified sessions (spec §5.4-9); SAN CN must name the returned documentNumber. */
export function checkIdentityExpectations(
	validated: ValidatedCertificate & { parsed: ParsedCertificate },
	expectations: { expectedDocumentNumber?: string; expectedSemanticsIdentifier?: string },
): void {
	const { identity, documentNumber, parsed } = validated;
	if (expectations.expectedSemanticsIdentifier !== undefined && identity.semanticsIdentifier !== expectations.expectedSemanticsIdentifier) {
		throw new ValidationError(
			'identity.semanticsIdentifier.matchesRequest',
			'The certificate belongs to a different person than the one the session was started for.',
			{ expected: expectations.expectedSemanticsIdentifier, received: identity.semanticsIdentifier },
		);
	}
	if (expectations.expectedDocumentNumber !== undefined && documentNumber !== expectations.expectedDocumentNumber) {
		throw new ValidationError(
			'identity.documentNumber.matchesRequest',
			'The session was completed with a different Smart-ID document than the one requested.',
			{ expected: expectations.expectedDocumentNumber, received: documentNumber },
		);
	}
	const sanCns = parsed.subjectAltNameDirectoryCns;
	if (sanCns.length > 0 && !sanCns.includes(documentNumber)) {
		throw new ValidationError(
			'identity.documentNumber.matchesCertificate',
			'The documentNumber in the response is not the one named in the certificate.',
			{ documentNumber, certificate: sanCns },
		);
	}
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
	const x = Buffer.from(a, 'utf8');
	const y = Buffer.from(b, 'utf8');
	return x.length === y.length && timingSafeEqual(x, y);
}
