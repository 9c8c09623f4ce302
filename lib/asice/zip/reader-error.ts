import { SmartIdError } from '../../errors';

/**
 * Reasons that mean two ZIP readers would not extract the same bytes (the central directory says one thing, the
 * local headers a streaming reader follows say another, or bytes hide between entries). The verifier reports
 * these under their own code, not under CONTAINER_UNREADABLE.
 */
export const ZIP_TRUTH_CODES = [
	'ZIP_LOCAL_HEADER_MISMATCH',
	'ZIP_DATA_DESCRIPTOR_MISMATCH',
	'ZIP_ENTRIES_OVERLAP',
	'ZIP_UNLISTED_DATA',
	'ZIP_AMBIGUOUS_NAME',
] as const;

/** One of {@link ZIP_TRUTH_CODES}. */
export type ZipTruthCode = (typeof ZIP_TRUTH_CODES)[number];

/** True for a reason from {@link ZIP_TRUTH_CODES}. */
export function isZipTruthCode(reason: string): reason is ZipTruthCode {
	return (ZIP_TRUTH_CODES as readonly string[]).includes(reason);
}

/** Stable reasons a container is refused while reading the ZIP or the ASiC structure. */
export type ContainerErrorCode =
	| 'ZIP_TRUNCATED'
	| 'ZIP_NOT_A_ZIP'
	| 'ZIP_UNSUPPORTED'
	| 'ZIP_TOO_MANY_ENTRIES'
	| 'ZIP_ENTRY_TOO_LARGE'
	| 'ZIP_TOTAL_TOO_LARGE'
	| 'ZIP_COMPRESSION_RATIO'
	| 'ZIP_BAD_ENTRY_NAME'
	| 'ZIP_DUPLICATE_ENTRY'
	| 'ZIP_CORRUPT_ENTRY'
	| ZipTruthCode
	| 'ASICE_MIMETYPE_MISSING'
	| 'ASICE_MIMETYPE_INVALID'
	| 'ASICE_MANIFEST_MISSING'
	| 'ASICE_MANIFEST_INVALID';

/**
 * The container cannot be opened safely (broken/hostile ZIP or missing/invalid ASiC-E structure). `code` is
 * `ASICE_CONTAINER_UNREADABLE`; `reason` is the stable specific cause.
 */
export class ContainerReadError extends SmartIdError {
	readonly reason: ContainerErrorCode;
	constructor(reason: ContainerErrorCode, message: string, details: Record<string, unknown> = {}) {
		super('ASICE_CONTAINER_UNREADABLE', message, { ...details, reason });
		this.reason = reason;
	}
}
