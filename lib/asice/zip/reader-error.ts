import { SmartIdError } from '../../errors';

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
