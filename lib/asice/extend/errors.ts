import { SmartIdError } from '../../errors';

/**
 * Extending signatures to LTA failed; nothing was written. Codes:
 * - `EXTEND_CONTAINER_INVALID`: the container cannot be read as ASiC-E (see the message for the reader's reason);
 * - `EXTEND_NOT_LT`: a signature has no signature timestamp or no OCSP response (only XAdES LT/LTA can be extended);
 * - `EXTEND_SIGNATURE_INVALID`: a signature does not verify (TOTAL-FAILED): stamping it would archive a forgery;
 * - `EXTEND_XML_UNSUPPORTED`: the signature XML cannot be edited without changing existing bytes (not UTF-8, odd layout);
 * - `EXTEND_TIMESTAMP_FAILED`: the TSA did not answer with a token over the archive input;
 * - `EXTEND_SELF_CHECK_FAILED`: the written archive timestamp did not verify against the rewritten signature.
 */
export type ExtendErrorCode =
	| 'EXTEND_CONTAINER_INVALID'
	| 'EXTEND_NOT_LT'
	| 'EXTEND_SIGNATURE_INVALID'
	| 'EXTEND_XML_UNSUPPORTED'
	| 'EXTEND_TIMESTAMP_FAILED'
	| 'EXTEND_SELF_CHECK_FAILED';

export class ExtendError extends SmartIdError {
	declare readonly code: ExtendErrorCode;
	constructor(code: ExtendErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
		super(code, message, details, cause === undefined ? undefined : { cause });
	}
}
