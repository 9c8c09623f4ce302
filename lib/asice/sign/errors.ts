import { SmartIdError } from '../../errors';

/**
 * Building or extending an ASiC-E container failed. `code` is one of `ASICE_BUILD_INVALID_INPUT` (a file,
 * name, media type, certificate or option was refused before anything was written), `ASICE_BUILD_PENDING_INVALID`
 * (the pending state does not belong to this signature or was altered), `ASICE_BUILD_SIGNATURE_INVALID` (the
 * returned signature value does not verify), `ASICE_BUILD_TIMESTAMP_FAILED`, `ASICE_BUILD_OCSP_FAILED`.
 */
export class AsiceBuildError extends SmartIdError {
	constructor(code: AsiceBuildErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
		super(code, message, details, cause === undefined ? undefined : { cause });
	}
}

/** Stable codes of {@link AsiceBuildError}. */
export type AsiceBuildErrorCode =
	| 'ASICE_BUILD_INVALID_INPUT'
	| 'ASICE_BUILD_PENDING_INVALID'
	| 'ASICE_BUILD_SIGNATURE_INVALID'
	| 'ASICE_BUILD_TIMESTAMP_FAILED'
	| 'ASICE_BUILD_OCSP_FAILED';
