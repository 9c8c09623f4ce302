import { SmartIdError } from '../errors';

/**
 * Signing a PDF failed. `code` is one of:
 * - `PDF_INVALID_INPUT`: an option, certificate or file was refused before anything was written;
 * - `PDF_ENCRYPTED`: the PDF is encrypted (signing it would need its password and would rewrite it);
 * - `PDF_MALFORMED`: the PDF's structure (trailer, cross-reference, objects) cannot be read safely;
 * - `PDF_FIELD`: the requested signature field is missing, not a signature field, or already signed;
 * - `PDF_PENDING_INVALID`: the pending JSON state was damaged or the partial file changed;
 * - `PDF_SIGNATURE_INVALID`: the returned signature value does not verify over the prepared digest;
 * - `PDF_PLACEHOLDER_TOO_SMALL`: the CMS (with timestamp) does not fit the reserved /Contents;
 * - `PDF_TIMESTAMP_FAILED`, `PDF_OCSP_FAILED`: the LT services did not give valid answers;
 * - `PDF_INPUT_CHANGED`: a streamed signature's input (kept by reference) is no longer the bytes that were prepared;
 * - `PDF_INPUT_UNAVAILABLE`: a streamed signature's input cannot be read where it is being finished.
 * In every case the input file is left untouched.
 */
export class PdfSignError extends SmartIdError {
	constructor(code: PdfSignErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
		super(code, message, details, cause === undefined ? undefined : { cause });
	}
}

/** Stable codes of {@link PdfSignError}. */
export type PdfSignErrorCode =
	| 'PDF_INVALID_INPUT'
	| 'PDF_ENCRYPTED'
	| 'PDF_MALFORMED'
	| 'PDF_FIELD'
	| 'PDF_PENDING_INVALID'
	| 'PDF_SIGNATURE_INVALID'
	| 'PDF_PLACEHOLDER_TOO_SMALL'
	| 'PDF_TIMESTAMP_FAILED'
	| 'PDF_OCSP_FAILED'
	| 'PDF_INPUT_CHANGED'
	| 'PDF_INPUT_UNAVAILABLE';

/** Throw a {@link PdfSignError} `PDF_MALFORMED`. */
export function malformed(message: string, details: Record<string, unknown> = {}): never {
	throw new PdfSignError('PDF_MALFORMED', `The PDF's structure cannot be read: ${message}`, details);
}
