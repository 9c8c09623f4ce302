import { ZIP_TRUTH_CODES, type ZipTruthCode } from '../zip/reader-error';

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
	/** The SignedProperties reference is not a same-document "#id" reference, or "#id" names a SignedProperties without the XAdES Type. */
	SIGNED_PROPERTIES_REFERENCE_INVALID: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	/** Two data references of one signature resolve to the same container entry. */
	REFERENCE_DUPLICATE: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	/** More references than the secure-validation limit ({@link MAX_REFERENCES} in context.ts). */
	TOO_MANY_REFERENCES: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	/** A reference carries more transforms than the secure-validation limit. */
	TOO_MANY_TRANSFORMS: { severity: 'failed', subIndication: 'FORMAT_FAILURE' },
	/** The container's budget of canonicalized bytes ran out before this signature was fully checked. */
	WORK_BUDGET_EXCEEDED: { severity: 'indeterminate', subIndication: 'FORMAT_FAILURE' },
	/** The verifier itself failed on this signature (a bug or an input it cannot handle); never a pass. */
	VERIFIER_ERROR: { severity: 'indeterminate', subIndication: 'FORMAT_FAILURE' },
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
	/**
	 * The timestamp proving when the signature existed can no longer be checked at the validation time (a certificate
	 * of its TSA path, other than a listed anchor, has expired) and no valid archive timestamp made before that
	 * expiry covers it: extend the signature (LTA) before the TSA certificate expires.
	 */
	TIMESTAMP_POE_EXPIRED: { severity: 'indeterminate', subIndication: 'OUT_OF_BOUNDS_NO_POE' },
	// revocation
	OCSP_MISSING: { severity: 'indeterminate', subIndication: 'TRY_LATER' },
	OCSP_INVALID: { severity: 'indeterminate', subIndication: 'CERTIFICATE_CHAIN_GENERAL_FAILURE' },
	OCSP_BEFORE_TIMESTAMP: { severity: 'indeterminate', subIndication: 'TIMESTAMP_ORDER_FAILURE' },
	/**
	 * No revocation data issued at or after best-signature-time (DSS RevocationIssuedAfterBestSignatureTime; OCSP
	 * producedAt and thisUpdate). Without a valid timestamp or time-mark best-signature-time is the validation time, so an old GOOD
	 * answer cannot make the signature pass.
	 */
	REVOCATION_BEFORE_BEST_SIGNATURE_TIME: { severity: 'indeterminate', subIndication: 'TRY_LATER' },
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
	/** The signer's chain ends in an anchor only the EU trusted lists provide, and that service was not granted at the best-signature-time. */
	TRUSTED_LIST_SERVICE_NOT_GRANTED: { severity: 'indeterminate', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND_NO_POE' },
	/** The signer certificate has a KeyUsage without nonRepudiation (libdigidocpp rule; DSS "not expected key-usage"). */
	SIGNER_KEY_USAGE: { severity: 'indeterminate', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' },
	CERTIFICATE_NOT_VALID_AT_SIGNING_TIME: { severity: 'indeterminate', subIndication: 'OUT_OF_BOUNDS_NO_POE' },
	WEAK_ALGORITHM: { severity: 'indeterminate', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' },
	SIGNING_TIME_MISSING: { severity: 'warning' },
} as const satisfies Record<string, CodeInfo>;

/** A stable finding code. */
export type FindingCode = keyof typeof CODES;

/** Container-level code: `error` makes the container TOTAL-FAILED (or refuses it), `warning` is informational. */
interface ContainerCodeInfo {
	severity: 'error' | 'warning';
	/** True when the container is refused outright: nothing in it is verified. */
	refused?: boolean;
}

const ZIP_TRUTH: Record<ZipTruthCode, ContainerCodeInfo> = Object.fromEntries(ZIP_TRUTH_CODES.map((c) => [c, { severity: 'error', refused: true }])) as Record<
	ZipTruthCode,
	ContainerCodeInfo
>;

/**
 * Stable container-level codes. The ZIP-consistency ones (a streaming and a central-directory reader would extract
 * different bytes) come from the ZIP reader, {@link ZIP_TRUTH_CODES}: ZIP_LOCAL_HEADER_MISMATCH,
 * ZIP_DATA_DESCRIPTOR_MISMATCH, ZIP_ENTRIES_OVERLAP, ZIP_UNLISTED_DATA, ZIP_AMBIGUOUS_NAME.
 */
export const CONTAINER_CODES = {
	...ZIP_TRUTH,
	/** The ZIP or the ASiC structure cannot be read safely; `reason` has the ZIP reader's specific cause. */
	CONTAINER_UNREADABLE: { severity: 'error', refused: true },
	/** The verifier itself failed; the report says nothing about the signatures. */
	VERIFIER_ERROR: { severity: 'error', refused: true },
	NO_SIGNATURES: { severity: 'error' },
	TOO_MANY_SIGNATURES: { severity: 'error' },
	/** The signature files together exceed the per-container XML budget; the rest are not parsed. */
	SIGNATURE_XML_BUDGET_EXCEEDED: { severity: 'error' },
	SIGNATURE_FILE_INVALID: { severity: 'error' },
	/** A data file that some signature does not cover by a reference resolved exactly to it. */
	DATAFILE_NOT_SIGNED: { severity: 'error' },
	MANIFEST_FILE_NOT_SIGNED: { severity: 'error' },
	MANIFEST_MIMETYPE_MISMATCH: { severity: 'error' },
	SIGNED_FILE_NOT_IN_MANIFEST: { severity: 'error' },
	MANIFEST_FILE_MISSING: { severity: 'error' },
	NO_DATAFILES: { severity: 'error' },
	/** Two entries extract to the same path on a case-folding / normalising file system (case, NFC/NFD, trailing dot or space). */
	ENTRY_NAME_COLLISION: { severity: 'error' },
	/** "mimetype" is not the entry at offset 0 (libdigidocpp refuses; DigiDoc4j reads it). */
	MIMETYPE_NOT_FIRST: { severity: 'error' },
	/**
	 * A META-INF/ entry that is neither manifest.xml nor a signature file. DigiDoc4j keeps such files as unsigned
	 * "ASiC entries" (libdigidocpp skips them); no XAdES signature covers them, so an extractor would hand out a
	 * file nobody signed: an error here.
	 */
	META_INF_UNSIGNED_ENTRY: { severity: 'error' },
	// warnings
	DATAFILE_EMPTY: { severity: 'warning' },
	MIMETYPE_COMPRESSED: { severity: 'warning' },
	MIMETYPE_EXTRA_FIELD: { severity: 'warning' },
	MANIFEST_NO_ROOT_ENTRY: { severity: 'warning' },
} as const satisfies Record<string, ContainerCodeInfo>;

/** A stable container-level code. */
export type ContainerFindingCode = keyof typeof CONTAINER_CODES;

/** Severity and sub-indication of a signature finding code. */
export function codeInfo(code: FindingCode): CodeInfo {
	return CODES[code];
}
