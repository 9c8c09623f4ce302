import { SmartIdError } from '../../errors';

/**
 * A ZIP container could not be written or appended to: a bad entry name, a source that changed while it was
 * read, an existing container whose ZIP structure cannot be reused. `code` is `ASICE_ZIP_WRITE_FAILED`
 * (or `ASICE_ZIP_BAD_NAME` for refused names) and `details.reason` says which check failed.
 */
export class ZipWriteError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}, code = 'ASICE_ZIP_WRITE_FAILED', cause?: unknown) {
		super(code, message, details, cause === undefined ? undefined : { cause });
	}
}
