import { ValidationError } from '../errors';
import type { CertificateLevel } from '../rp-api/types';
import type { ParsedCertificate } from '../pki/certificate';
import { OID } from '../pki/oids';

/**
 * Authentication certificate (spec §5.4-6): KU digitalSignature + EKU Smart-ID authentication
 * (1.3.6.1.4.1.62306.5.7.0, certificates since 2025-04), or the older profile KU digitalSignature +
 * keyEncipherment + dataEncipherment + EKU clientAuth.
 * @throws ValidationError `certificate.purpose.authentication`.
 */
export function checkAuthenticationPurpose(cert: ParsedCertificate): void {
	const ku = cert.keyUsage;
	const eku = cert.extendedKeyUsages;
	const current = ku?.digitalSignature === true && eku.includes(OID.ekuSmartIdAuthentication);
	const older =
		ku?.digitalSignature === true &&
		ku.keyEncipherment &&
		ku.dataEncipherment &&
		eku.includes(OID.ekuClientAuth);
	if (!current && !older) {
		throw new ValidationError(
			'certificate.purpose.authentication',
			'The certificate is not a Smart-ID authentication certificate (key usage / extended key usage do not allow authentication).',
			{ extendedKeyUsages: eku },
		);
	}
}

/**
 * Signing certificate (spec §6.2): KU nonRepudiation; a QUALIFIED one must declare QcType esign.
 * @throws ValidationError `certificate.purpose.signing` or `certificate.purpose.qcEsign`.
 */
export function checkSigningPurpose(cert: ParsedCertificate, level: CertificateLevel): void {
	if (cert.keyUsage?.nonRepudiation !== true) {
		throw new ValidationError(
			'certificate.purpose.signing',
			'The certificate is not a signing certificate (key usage nonRepudiation is missing).',
		);
	}
	if (level === 'QUALIFIED' && !cert.qcStatements.esign) {
		throw new ValidationError(
			'certificate.purpose.qcEsign',
			'The qualified signing certificate does not declare the QC type for electronic signatures (esign).',
			{ qcTypes: cert.qcStatements.types },
		);
	}
}
