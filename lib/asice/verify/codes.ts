/** Signature indication (ETSI EN 319 102-1, SiVa spelling). */
export type Indication = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';

/** How a finding affects the signature: fail it, leave it undecided, or only warn. */
export type Severity = 'failed' | 'indeterminate' | 'warning';

interface CodeInfo {
	severity: Severity;
	/** EN 319 102-1 sub-indication for failed / indeterminate findings. */
	subIndication?: string;
}

/**
 * Stable finding codes of the verifier. Messages carry the details; the code never changes meaning.
 * DigiDoc4j/DSS wording is kept in the messages where one exists so fixture expectations can be read side by side.
 */
export const CODES = {
	// signature format
	FORMAT_ERROR: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	SIGNED_PROPERTIES_MISSING: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	MULTIPLE_SIGNED_PROPERTIES: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	UNSUPPORTED_ALGORITHM: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	// data and signature value
	REFERENCE_NOT_FOUND: { severity: 'indeterminate', subIndication: 'SIGNED_DATA_NOT_FOUND' },
	REFERENCE_DIGEST_MISMATCH: { severity: 'failed', subIndication: 'HASH_FAILURE' },
	SIGNATURE_VALUE_INVALID: { severity: 'failed', subIndication: 'SIG_CRYPTO_FAILURE' },
	// signer identification
	SIGNING_CERTIFICATE_MISSING: { severity: 'indeterminate', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' },
	SIGNING_CERTIFICATE_MISMATCH: { severity: 'indeterminate', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' },
	SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH: { severity: 'indeterminate', subIndication: 'NO_SIGNING_CERTIFICATE_FOUND' },
	// timestamps
	TIMESTAMP_INVALID: { severity: 'indeterminate', subIndication: 'NO_POE' },
	TIMESTAMP_IMPRINT_MISMATCH: { severity: 'failed', subIndication: 'HASH_FAILURE' },
	TIMESTAMP_CORRUPT: { severity: 'failed', subIndication: 'SIG_CRYPTO_FAILURE' },
	ARCHIVE_TIMESTAMP_INVALID: { severity: 'indeterminate', subIndication: 'NO_POE' },
	ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH: { severity: 'failed', subIndication: 'HASH_FAILURE' },
	// revocation
	OCSP_MISSING: { severity: 'indeterminate', subIndication: 'TRY_LATER' },
	OCSP_INVALID: { severity: 'indeterminate', subIndication: 'CERTIFICATE_CHAIN_GENERAL_FAILURE' },
	OCSP_BEFORE_TIMESTAMP: { severity: 'indeterminate', subIndication: 'TIMESTAMP_ORDER_FAILURE' },
	OCSP_NOT_FRESH: { severity: 'warning' },
	CERTIFICATE_REVOKED: { severity: 'indeterminate', subIndication: 'REVOKED_NO_POE' },
	CERTIFICATE_STATUS_UNKNOWN: { severity: 'failed', subIndication: 'REVOKED' },
	// BDOC time-mark
	TM_NONCE_INVALID: { severity: 'failed', subIndication: 'SIG_CONSTRAINTS_FAILURE' },
	TM_POLICY_INVALID: { severity: 'failed', subIndication: 'POLICY_PROCESSING_ERROR' },
	POLICY_IMPLIED: { severity: 'warning' },
	// certificate chain and constraints
	CHAIN_UNTRUSTED: { severity: 'failed', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' },
	CHAIN_INVALID: { severity: 'failed', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' },
	CERTIFICATE_NOT_VALID_AT_SIGNING_TIME: { severity: 'indeterminate', subIndication: 'OUT_OF_BOUNDS_NO_POE' },
	WEAK_ALGORITHM: { severity: 'indeterminate', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' },
	SIGNING_TIME_MISSING: { severity: 'warning' },
} as const satisfies Record<string, CodeInfo>;

/** A stable finding code. */
export type FindingCode = keyof typeof CODES;

/** Stable container-level codes (errors make the container invalid; DATAFILE_EMPTY and layout codes are warnings). */
export type ContainerFindingCode =
	| 'CONTAINER_UNREADABLE'
	| 'NO_SIGNATURES'
	| 'TOO_MANY_SIGNATURES'
	| 'SIGNATURE_FILE_INVALID'
	| 'DATAFILE_NOT_SIGNED'
	| 'MANIFEST_FILE_NOT_SIGNED'
	| 'MANIFEST_MIMETYPE_MISMATCH'
	| 'SIGNED_FILE_NOT_IN_MANIFEST'
	| 'MANIFEST_FILE_MISSING'
	| 'DATAFILE_EMPTY'
	| 'NO_DATAFILES';

/** Severity and sub-indication of a signature finding code. */
export function codeInfo(code: FindingCode): CodeInfo {
	return CODES[code];
}
