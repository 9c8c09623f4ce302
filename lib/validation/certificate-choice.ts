import { ValidationError } from '../errors';
import type { CertificateByDocumentResponse, SessionStatus } from '../rp-api/types';
import { checkSigningPurpose } from './certificate-purpose';
import { SessionEndedError } from './session-ended-error';
import { checkFlowType, checkIdentityExpectations, checkUserCertificate, requireCompleteOk } from './session-checks';
import type { CertificateChoiceContext, CertificateChoiceResult, ValidationOptions } from './types';

/**
 * Validate a completed certificate-choice session (C1/C2): signing certificate chain, level, nonRepudiation
 * (+ QC esign when qualified), identity expectations, and the flowType when the answer carries one.
 * @throws SessionEndedError when the session ended without success.
 * @throws ValidationError (incl. ChainError) naming the first broken rule.
 */
export function validateCertificateChoice(
	status: SessionStatus,
	context: CertificateChoiceContext,
	options: ValidationOptions,
): CertificateChoiceResult {
	const documentNumber = requireCompleteOk(status);
	const flowType =
		status.signature?.flowType !== undefined ? checkFlowType(status.signature.flowType, context.allowedFlowTypes) : undefined;
	const validated = checkUserCertificate(status, documentNumber, context.requestedCertificateLevel, options, (cert, level) =>
		checkSigningPurpose(cert, level),
	);
	checkIdentityExpectations(validated, context);
	const { parsed: _parsed, ...certificatePart } = validated;
	void _parsed;
	return { ...certificatePart, ...(flowType !== undefined ? { flowType } : {}) };
}

/**
 * Validate the synchronous `signature/certificate/{documentNumber}` answer (C3) for the document that was asked.
 * @throws SessionEndedError (`SMARTID_DOCUMENT_UNUSABLE`) when the state is not OK.
 */
export function validateCertificateByDocument(
	response: CertificateByDocumentResponse,
	documentNumber: string,
	context: Omit<CertificateChoiceContext, 'allowedFlowTypes'>,
	options: ValidationOptions,
): CertificateChoiceResult {
	if (!response || response.state !== 'OK') {
		throw new SessionEndedError(typeof response?.state === 'string' ? response.state : 'DOCUMENT_UNUSABLE');
	}
	if (!response.cert) throw new ValidationError('certificate.parse', 'The answer has no certificate.');
	const validated = checkUserCertificate(response, documentNumber, context.requestedCertificateLevel, options, (cert, level) =>
		checkSigningPurpose(cert, level),
	);
	checkIdentityExpectations(validated, { ...context, expectedDocumentNumber: context.expectedDocumentNumber ?? documentNumber });
	const { parsed: _parsed, ...certificatePart } = validated;
	void _parsed;
	return certificatePart;
}
