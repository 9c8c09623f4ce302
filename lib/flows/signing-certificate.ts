import { SmartIdError } from '../errors';
import { signingCertificateRequest } from '../rp-api/requests';
import { validateCertificateByDocument } from '../validation/certificate-choice';
import type { CertificateChoiceResult, ValidationOptions } from '../validation/types';
import type { FlowCallOptions, FlowClient, RelyingPartyFlowConfig } from './flow-config';

/** The signing certificate of a document, as C3 returned it (not yet validated: chain and level are lib/validation's job). */
export interface SigningCertificate {
	documentNumber: string;
	/** Base64 DER. */
	certificate: string;
	/** As reported by the server; derive the real level from the certificate's policies. */
	certificateLevel?: string;
}

/** C3 answered that the document cannot be used for signing. */
export class DocumentUnusableError extends SmartIdError {
	constructor(documentNumber: string, state: string) {
		super(
			state === 'DOCUMENT_UNUSABLE' ? 'SMARTID_DOCUMENT_UNUSABLE' : 'SMARTID_CERTIFICATE_UNAVAILABLE',
			state === 'DOCUMENT_UNUSABLE'
				? `Smart-ID says document ${documentNumber} cannot be used for signing; ask the person to check their ` +
						'Smart-ID app, or let them choose a certificate (certificate choice) instead'
				: `Smart-ID returned no signing certificate for ${documentNumber} (state ${state}); try a certificate choice instead`,
			{ documentNumber, state },
		);
	}
}

/**
 * C3: get the signing certificate of a known document number (e.g. from an earlier authentication), NOT validated;
 * for a certificate to sign with use {@link fetchValidatedSigningCertificate}.
 */
export async function getSigningCertificate(
	client: FlowClient,
	config: RelyingPartyFlowConfig,
	documentNumber: string,
	params: { certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD' } = {},
	options: FlowCallOptions = {},
): Promise<SigningCertificate> {
	const request = signingCertificateRequest({ ...config, ...params }, documentNumber);
	const response = await client.send(request, options);
	if (response.state !== 'OK' || !response.cert) throw new DocumentUnusableError(documentNumber, response.state);
	const out: SigningCertificate = { documentNumber, certificate: response.cert.value };
	if (response.cert.certificateLevel) out.certificateLevel = response.cert.certificateLevel;
	return out;
}

/**
 * THE certificate lookup by document number: C3 ({@link getSigningCertificate}: request, DOCUMENT_UNUSABLE as
 * {@link DocumentUnusableError}) plus validation (chain to the environment's Smart-ID issuing CAs, level, signing
 * purpose, the document number the certificate names). Nodes, the CLI and the ASiC-E signer all use this one.
 */
export async function fetchValidatedSigningCertificate(
	client: FlowClient,
	config: RelyingPartyFlowConfig,
	documentNumber: string,
	params: { certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD' },
	validation: ValidationOptions,
	options: FlowCallOptions = {},
): Promise<CertificateChoiceResult> {
	const answer = await getSigningCertificate(client, config, documentNumber, params, options);
	return validateCertificateByDocument(
		{ state: 'OK', cert: { value: answer.certificate, ...(answer.certificateLevel !== undefined ? { certificateLevel: answer.certificateLevel } : {}) } },
		documentNumber,
		{ requestedCertificateLevel: params.certificateLevel ?? 'QUALIFIED' },
		validation,
	);
}
