import { CODES, type Indication, type Severity } from '../../asice/verify/codes';
import type { ByteRangeAnomalyCode } from '../byte-range';

interface CodeInfo {
	severity: Severity;
	subIndication?: string;
}

const FORMAT = { severity: 'failed', subIndication: 'FORMAT_FAILURE' } as const;
/** Content changed after the signature: the signature may be intact over its revision, but it does not sign what is shown now. */
const CHANGED = { severity: 'failed', subIndication: 'SIG_CONSTRAINTS_FAILURE' } as const;

/** ByteRange anomalies (lib/pdf/byte-range.ts): each one refuses the signature; the codes are the checker's own. */
const BYTE_RANGE: Record<ByteRangeAnomalyCode, CodeInfo> = {
	BYTE_RANGE_MALFORMED: FORMAT,
	BYTE_RANGE_NOT_FROM_START: FORMAT,
	BYTE_RANGE_OUTSIDE_FILE: FORMAT,
	BYTE_RANGE_OVERLAP: FORMAT,
	BYTE_RANGE_GAP_NOT_CONTENTS: FORMAT,
	SIGNATURE_DICTIONARY_UNCOVERED: FORMAT,
	COVERAGE_ENDS_INSIDE_REVISION: FORMAT,
};

/**
 * Stable finding codes of the PDF verifier: the container verifier's codes (same meaning; timestamps, OCSP, chain)
 * plus the PDF ones. One difference on purpose: CHAIN_UNTRUSTED is INDETERMINATE here (EN 319 102-1
 * NO_CERTIFICATE_CHAIN_FOUND is an indeterminate sub-indication), because foreign PDF signers are the normal case
 * and become decidable once their anchors or the trusted lists are given.
 */
export const PDF_CODES = {
	...CODES,
	...BYTE_RANGE,
	CHAIN_UNTRUSTED: { severity: 'indeterminate', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' },
	/** /Contents is not a CMS SignedData (or an RFC 3161 token for a document timestamp) that can be read. */
	CMS_MALFORMED: FORMAT,
	/** /SubFilter names a format this verifier does not check (e.g. adbe.x509.rsa_sha1). */
	SUBFILTER_UNSUPPORTED: FORMAT,
	/** The signed attributes' content-type is missing or not id-data. */
	CMS_CONTENT_TYPE_INVALID: FORMAT,
	/** The CMS signs other bytes: message-digest (or, without signed attributes, the signature) is not over the ByteRange. */
	MESSAGE_DIGEST_MISMATCH: { severity: 'failed', subIndication: 'HASH_FAILURE' },
	/** PAdES baseline: the claimed signing time is /M; a CMS signing-time attribute is not allowed (EN 319 142-1 5.3). */
	SIGNING_TIME_ATTRIBUTE_PRESENT: { severity: 'warning' },
	/** A signature without signed attributes (adbe.pkcs7.detached legacy form): no ESS certificate binding. */
	SIGNED_ATTRIBUTES_MISSING: { severity: 'warning' },
	/** The /Contents hole of one signature lies inside bytes that another signature covers. */
	SIGNATURE_RANGES_CONFLICT: FORMAT,
	/** No revocation data for the signer (no DSS OCSP/CRL and none in the CMS): a B-T signature. */
	REVOCATION_DATA_MISSING: { severity: 'warning' },
	/** A CRL of the signer's CA name in the DSS or the CMS cannot be used (unreadable, or not signed by the issuer). */
	CRL_INVALID: { severity: 'indeterminate', subIndication: 'CERTIFICATE_CHAIN_GENERAL_FAILURE' },
	// what later revisions changed
	/** Pages were added, removed or reordered after the signature. */
	REVISION_PAGES_CHANGED: CHANGED,
	/** A page's content stream (or the /Contents entry, /Resources, size) changed after the signature. */
	REVISION_CONTENT_CHANGED: CHANGED,
	/** An annotation other than a signature widget was added after the signature. */
	REVISION_ANNOTATION_ADDED: CHANGED,
	/** An object the signed revision had was replaced by a later revision and is not one a later signature or DSS may change. */
	REVISION_OBJECT_REPLACED: CHANGED,
	/** An object the signed revision had was deleted (freed) by a later revision. */
	REVISION_OBJECT_DELETED: CHANGED,
	/** A later revision hides or shows content (annotation flags, optional content). */
	REVISION_HIDDEN_CONTENT: CHANGED,
	/** Form fields other than signature fields were added, removed or filled after the signature. */
	REVISION_FORM_CHANGED: CHANGED,
	/** Catalog entries that change what the document shows or does (/Pages, /OpenAction, /AA, /Names, /OCProperties...). */
	REVISION_CATALOG_CHANGED: CHANGED,
	/** A later signature was added to a document certified with "no changes allowed" (DocMDP P=1). */
	DOCMDP_VIOLATION: CHANGED,
	/** Document information or XMP metadata changed after the signature (shown, not content). */
	REVISION_METADATA_CHANGED: { severity: 'warning' },
	/** Later revisions that only add signatures, document timestamps or DSS validation data. */
	REVISION_LATER_SIGNATURES_ONLY: { severity: 'warning' },
	/** The later revisions cannot be compared with the signed one (structure unreadable). */
	REVISION_UNCHECKED: { severity: 'indeterminate', subIndication: 'SIG_CONSTRAINTS_FAILURE' },
} as const satisfies Record<string, CodeInfo>;

/** A stable PDF finding code. */
export type PdfFindingCode = keyof typeof PDF_CODES;

export type { Indication };
