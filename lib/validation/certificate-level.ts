import { ValidationError } from '../errors';
import type { CertificateLevel, RequestedCertificateLevel } from '../rp-api/types';
import type { ParsedCertificate } from '../pki/certificate';
import { OID } from '../pki/oids';

const RANK: Record<CertificateLevel, number> = { ADVANCED: 1, QUALIFIED: 2 };

/**
 * Level a certificate really has, from its policies (spec §5.4-5, §10.9): QUALIFIED = SK Smart-ID qualified policy
 * plus ETSI NCP+ or QCP-n-qscd; ADVANCED = SK non-qualified policy plus ETSI NCP. Null when neither matches
 * (e.g. legacy TEST policy 1.3.6.1.4.1.10015.3.17.2).
 */
export function certificateLevelOf(cert: ParsedCertificate): CertificateLevel | null {
	const p = cert.policies;
	if (p.includes(OID.policySkSmartIdQualified) && (p.includes(OID.policyEtsiNcpPlus) || p.includes(OID.policyEtsiQcpNQscd))) {
		return 'QUALIFIED';
	}
	if (p.includes(OID.policySkSmartIdNonQualified) && p.includes(OID.policyEtsiNcp)) return 'ADVANCED';
	return null;
}

/** QSCD is a signing alias of QUALIFIED (spec §7.4). */
export function normaliseRequestedLevel(level: RequestedCertificateLevel | undefined): CertificateLevel {
	return level === 'ADVANCED' ? 'ADVANCED' : 'QUALIFIED';
}

/**
 * The certificate's level derived from policies must exist, agree with the JSON `cert.certificateLevel` (when
 * given) and be at least the requested level. Returns the derived level.
 * @throws ValidationError `certificate.level.unknown`, `certificate.level.mismatch` or `certificate.level.insufficient`.
 */
export function checkCertificateLevel(
	cert: ParsedCertificate,
	reported: string | undefined,
	requested: RequestedCertificateLevel | undefined,
): CertificateLevel {
	const derived = certificateLevelOf(cert);
	if (derived === null) {
		throw new ValidationError(
			'certificate.level.unknown',
			'The certificate carries no Smart-ID QUALIFIED or ADVANCED certificate policy, so its level cannot be trusted.',
			{ policies: cert.policies },
		);
	}
	if (reported !== undefined && reported !== derived) {
		throw new ValidationError(
			'certificate.level.mismatch',
			`The response says the certificate level is ${String(reported).slice(0, 20)} but the certificate policies say ${derived}.`,
			{ reported: String(reported).slice(0, 20), derived },
		);
	}
	const wanted = normaliseRequestedLevel(requested);
	if (RANK[derived] < RANK[wanted]) {
		throw new ValidationError(
			'certificate.level.insufficient',
			`A ${wanted} certificate was requested but the user's certificate is ${derived}.`,
			{ requested: wanted, derived },
		);
	}
	return derived;
}
