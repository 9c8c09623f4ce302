import { ZipWriteError } from './writer-error';

/** ZIP stores the name length in 16 bits. */
const MAX_NAME_BYTES = 0xffff;

function refuse(name: string, reason: string, advice: string): never {
	throw new ZipWriteError(`Refused ZIP entry name ${JSON.stringify(name)}: ${reason}. ${advice}`, { name, reason }, 'ASICE_ZIP_BAD_NAME');
}

/**
 * Check a ZIP entry name against the rules Estonian readers enforce (libdigidocpp refuses the container
 * otherwise, spec §1.5): non-empty, well-formed UTF-8 text, no control characters, no backslash, no leading
 * or trailing `/`, no empty, `.` or `..` segments. Throws {@link ZipWriteError} with code `ASICE_ZIP_BAD_NAME`.
 */
export function validateZipEntryName(name: string): void {
	if (typeof name !== 'string' || name.length === 0) {
		refuse(String(name), 'the name is empty', 'Give every file a name.');
	}
	if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
		refuse(name, 'the name contains an unpaired UTF-16 surrogate', 'Use a name that is valid Unicode text.');
	}
	// C0 controls, DEL and C1 controls are invisible in every file manager and break some readers.
	if ([...name].some((ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f))) {
		refuse(name, 'the name contains a control character', 'Remove tabs, newlines and other control characters.');
	}
	if (name.includes('\\')) {
		refuse(name, 'the name contains a backslash', 'Use "/" (or nothing) instead of "\\".');
	}
	if (name.startsWith('/')) {
		refuse(name, 'the name is absolute (starts with "/")', 'Use a relative name.');
	}
	if (name.endsWith('/')) {
		refuse(name, 'the name ends with "/" (a directory)', 'Only files can be added.');
	}
	for (const segment of name.split('/')) {
		if (segment === '' || segment === '.' || segment === '..') {
			refuse(name, `the path has an empty, "." or ".." segment`, 'Use a plain file name without path tricks.');
		}
	}
	if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
		refuse(name, 'the name is longer than 65535 UTF-8 bytes', 'Use a shorter name.');
	}
}
