/** Escape character data the way canonical XML writes it (`&`, `<`, `>`, CR). */
export function escapeText(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** Escape an attribute value the way canonical XML writes it (`&`, `<`, `"`, TAB, LF, CR). */
export function escapeAttribute(value: string): string {
	return value
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/"/g, '&quot;')
		.replace(/\t/g, '&#x9;')
		.replace(/\n/g, '&#xA;')
		.replace(/\r/g, '&#xD;');
}

/** True when `value` only has characters XML 1.0 allows (no NUL, no other C0 control but TAB/LF/CR). */
export function isXmlText(value: string): boolean {
	for (const ch of value) {
		const c = ch.codePointAt(0) ?? 0;
		if (c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) return false;
		if (c === 0xfffe || c === 0xffff || (c >= 0xd800 && c <= 0xdfff)) return false;
	}
	return true;
}
