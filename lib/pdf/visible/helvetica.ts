/**
 * Text for the standard 14 font Helvetica (no font file embedded): WinAnsiEncoding bytes and the AFM advance
 * widths, so a line can be sized to fit its box before it is written.
 */

/** Helvetica advance widths (1/1000 em) of the printable ASCII characters 0x20..0x7E (Adobe AFM). */
const ASCII_WIDTHS = [
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** Characters of WinAnsiEncoding outside Latin-1, with their codes (PDF 32000-1 Annex D). */
const WIN_ANSI_EXTRA: Record<string, number> = {
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

/** One character as a WinAnsi byte: Latin-1 and the extras as they are, other letters without their accents, else '?'. */
function winAnsiByte(ch: string): number {
	const code = ch.codePointAt(0)!;
	if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) return code;
	if (WIN_ANSI_EXTRA[ch] !== undefined) return WIN_ANSI_EXTRA[ch];
	// Baltic letters such as ā, ė, ų, č are not in WinAnsi: the base letter keeps the name readable.
	const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
	if (base.length === 1 && base !== ch) return winAnsiByte(base);
	return 0x3f;
}

/** `text` as WinAnsiEncoding bytes (one per character; control characters become spaces). */
export function winAnsi(text: string): Buffer {
	return Buffer.from([...text].map((ch) => (ch.charCodeAt(0) < 0x20 || ch === '\u007f' ? 0x20 : winAnsiByte(ch))));
}

/** Width of WinAnsi bytes in Helvetica at `size` points (accented and other non-ASCII letters counted as 556). */
export function textWidth(bytes: Buffer, size: number, bold = false): number {
	let units = 0;
	for (const b of bytes) units += b >= 0x20 && b <= 0x7e ? ASCII_WIDTHS[b - 0x20] : 556;
	// Helvetica-Bold is at most about 10 % wider than the regular face for these characters.
	return (units * size * (bold ? 1.1 : 1)) / 1000;
}

/** Largest size from `size` down to `min` at which the text fits `width`; at `min`, the text is cut and ends with "...". */
export function fitText(text: string, width: number, size: number, min: number, bold = false): { bytes: Buffer; size: number } {
	let bytes = winAnsi(text);
	for (let s = size; s >= min; s -= 0.5) if (textWidth(bytes, s, bold) <= width) return { bytes, size: s };
	while (bytes.length > 1 && textWidth(Buffer.concat([bytes, Buffer.from('...')]), min, bold) > width) bytes = bytes.subarray(0, bytes.length - 1);
	return { bytes: Buffer.concat([bytes, Buffer.from('...')]), size: min };
}

/** A PDF literal string of WinAnsi bytes, for a content stream. */
export function literal(bytes: Buffer): string {
	let out = '(';
	for (const b of bytes) {
		if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
		else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, '0')}`;
		else out += String.fromCharCode(b);
	}
	return `${out})`;
}
