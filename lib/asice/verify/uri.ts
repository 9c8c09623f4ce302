/**
 * Decode a detached ds:Reference URI into a container entry name: RFC 3986 percent-decoding as UTF-8.
 * '+' stays a literal plus (it is not a space in URI paths). Returns null for malformed escapes/UTF-8.
 */
export function decodeReferenceUri(uri: string): string | null {
	if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(uri)) return null;
	const bytes: number[] = [];
	const raw = Buffer.from(uri.replace(/%([0-9A-Fa-f]{2})/g, '\u0000$1'), 'utf8');
	for (let i = 0; i < raw.length; i++) {
		if (raw[i] === 0) {
			bytes.push(parseInt(String.fromCharCode(raw[i + 1], raw[i + 2]), 16));
			i += 2;
		} else bytes.push(raw[i]);
	}
	const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(bytes));
	if (text.includes('\uFFFD') && !uri.includes('\uFFFD')) return null;
	// A "./" prefix is a relative reference to the same name.
	return text.startsWith('./') ? text.slice(2) : text;
}

/**
 * The name DigiDoc4j's manifest cross-check would derive (form decoding, '+' = space). Used only for a reference
 * that resolved to nothing (its signature is already not passing), so that the entry it presumably meant is not
 * reported a second time. It never resolves a reference and never makes an entry count as signed.
 */
export function lenientReferenceName(uri: string): string | null {
	return decodeReferenceUri(uri.replace(/\+/g, '%20'));
}
