/**
 * Validation of Smart-ID RP API v3 answers: nothing from a session status is trusted before these functions
 * accept it (spec §5.4, §6.2). Every failure is a typed error: `SessionEndedError` for non-OK end results,
 * `ValidationError` (with `.rule`) for a broken check, `ChainError` for certificate paths.
 */

/** Validate a completed ACSP_V2 authentication (spec §5.4 items 1-9). */
export { validateAuthentication } from './acsp-v2';
/** Validate a completed RAW_DIGEST_SIGNATURE signature (spec §6.2), PSS with mHash = the digest sent. */
export { validateSignature } from './raw-digest';
/** Validate a certificate-choice session (C1/C2) or a certificate-by-document answer (C3). */
export { validateCertificateChoice, validateCertificateByDocument } from './certificate-choice';
/** The exact ACSP_V2 payload string the user's key signs (spec §5.2). */
export { acspV2Payload, type AcspV2PayloadInput } from './acsp-v2-payload';
/** Error for non-OK end results, code `SMARTID_<ENDRESULT>`. */
export { SessionEndedError } from './session-ended-error';
/** Downgrade protection of `signatureAlgorithm` / `signatureAlgorithmParameters`. */
export { checkSignatureParameters, type AcceptedSignatureParameters } from './signature-parameters';
/** Certificate level from policies, and the level check against the response and the request. */
export { certificateLevelOf, checkCertificateLevel, normaliseRequestedLevel } from './certificate-level';
/** Key usage / EKU / QC checks for authentication and signing certificates. */
export { checkAuthenticationPurpose, checkSigningPurpose } from './certificate-purpose';
/** Identity (semantics identifier, names, document number, date of birth, age) from a certificate. */
export { identityFromCertificate, dateOfBirthFromPersonalCode, ageAt, type Identity } from './identity';
/** RSASSA-PSS and PKCS#1 v1.5 verification of a precomputed digest (no double hashing). */
export { verifyPssPrehashed, verifyPkcs1Prehashed } from './rsa-prehashed';
/** Options and result types of the validators. */
export type {
	ValidationOptions,
	CertificateChoiceContext,
	AuthenticationResult,
	SignatureResult,
	CertificateChoiceResult,
	ValidatedCertificate,
	AnswerSignatureScheme,
} from './types';
