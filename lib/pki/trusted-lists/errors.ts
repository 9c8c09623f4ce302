import { SmartIdError } from '../../errors';

/**
 * Why a trusted list (LOTL or national list), its download or its cached copy was refused. Each code names one
 * rule, so a caller (and a test) can branch on it; the message says what to do.
 */
export type TrustedListErrorCode =
	/** The body is larger than the configured limit. */
	| 'TL_TOO_LARGE'
	/** Not well-formed, DTD/entity, non-UTF-8, too deep, too many nodes (the XML parser's reason is in details). */
	| 'TL_XML_REFUSED'
	/** Not an ETSI TS 119 612 TrustServiceStatusList, or a mandatory field is missing or unreadable. */
	| 'TL_MALFORMED'
	/** The list carries no enveloped ds:Signature. */
	| 'TL_SIGNATURE_MISSING'
	/** Algorithm, transform or reference shape this engine does not accept. */
	| 'TL_SIGNATURE_UNSUPPORTED'
	/** No reference covers the whole list, or references are not what an enveloped list signature has. */
	| 'TL_SIGNATURE_NOT_COVERING'
	/** A reference digest does not match (the list or its signed properties were changed after signing). */
	| 'TL_DIGEST_MISMATCH'
	/** The SignatureValue does not verify with the signing certificate's key. */
	| 'TL_SIGNATURE_INVALID'
	/** The signing certificate is not one of the certificates allowed to sign this list. */
	| 'TL_SIGNER_NOT_TRUSTED'
	/** XAdES SigningCertificate does not name the certificate that verified the signature. */
	| 'TL_SIGNING_CERTIFICATE_MISMATCH'
	/** The work budget of canonicalization ran out (hostile nesting of namespaces). */
	| 'TL_WORK_BUDGET_EXCEEDED'
	/** The list is not the kind expected (a LOTL where a national list was expected, wrong territory, ...). */
	| 'TL_UNEXPECTED_LIST'
	/** The list was issued after the validation time (or NextUpdate before issue). */
	| 'TL_NOT_YET_ISSUED'
	/** A downloaded list has a lower sequence number than the verified copy in use (replayed old list). */
	| 'TL_OLDER_THAN_CACHED'
	/** A pivot LOTL listed by the LOTL could not be obtained or verified. */
	| 'TL_PIVOT_FAILED'
	/** Download failed: network error, non-2xx answer, timeout, truncated body. */
	| 'TL_FETCH_FAILED'
	/** A cached copy could not be read or did not verify; the last good copy is used instead when there is one. */
	| 'TL_CACHE_CORRUPT'
	/** No verified copy is available (neither downloaded nor cached). */
	| 'TL_UNAVAILABLE';

/** A trusted list, its download or its cache entry was refused; `code` names the rule. */
export class TrustedListError extends SmartIdError {
	declare readonly code: TrustedListErrorCode;
	constructor(code: TrustedListErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
		super(code, message, details, options);
	}
}
