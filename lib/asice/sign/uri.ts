/** Characters a data-file URI keeps as they are (RFC 3986 unreserved, plus "/" for sub-folders). */
const KEEP = /[A-Za-z0-9\-._~/]/;

/**
 * The ds:Reference URI of a data file: every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~ /` becomes `%XX` with
 * two upper-case hex digits (libdigidocpp's rule, spec §4.1). A space becomes `%20`, never `+` (a `+` in a
 * URI is a literal plus for DigiDoc4j, so "Faili+nimi.txt" would not match "Faili nimi.txt").
 */
export function dataFileUri(name: string): string {
	let out = '';
	for (const ch of name) {
		if (KEEP.test(ch)) {
			out += ch;
			continue;
		}
		for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
	}
	return out;
}
