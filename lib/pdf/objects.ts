/**
 * The PDF object model of this package: just enough to read the document structure and to write the few
 * dictionaries a signature adds or changes. Numbers keep their source text so a rewritten dictionary
 * says exactly what the original said.
 */

/** /Name (decoded: `#xx` escapes resolved to bytes, kept as latin1 text). */
export class PdfName {
	constructor(readonly name: string) {}
}

/** A number, with the text it was written as. */
export class PdfNumber {
	constructor(readonly text: string) {}
	get value(): number {
		return Number(this.text);
	}
	static of(value: number): PdfNumber {
		return new PdfNumber(String(value));
	}
}

/** A string: its bytes, and whether it was written in hex. */
export class PdfString {
	constructor(
		readonly bytes: Buffer,
		readonly hex = false,
	) {}
}

/** Indirect reference `num gen R`. */
export class PdfRef {
	constructor(
		readonly num: number,
		readonly gen: number,
	) {}
	equals(other: PdfRef): boolean {
		return other.num === this.num && other.gen === this.gen;
	}
}

/** Text written verbatim (placeholders such as the signature's /Contents and /ByteRange). */
export class PdfRaw {
	constructor(readonly text: string) {}
}

/** A dictionary; insertion order is kept when written. */
export class PdfDict {
	readonly map: Map<string, PdfObject>;
	constructor(entries: Iterable<[string, PdfObject]> = []) {
		this.map = new Map(entries);
	}
	get(key: string): PdfObject | undefined {
		return this.map.get(key);
	}
	set(key: string, value: PdfObject): this {
		this.map.set(key, value);
		return this;
	}
	has(key: string): boolean {
		return this.map.has(key);
	}
	clone(): PdfDict {
		return new PdfDict(this.map);
	}
}

/** Any PDF value. */
export type PdfObject = null | boolean | PdfNumber | PdfName | PdfString | PdfRef | PdfDict | PdfRaw | PdfObject[];

/** An indirect object as read: its value, and for a stream where the data starts and how long it is said to be. */
export interface PdfIndirect {
	num: number;
	gen: number;
	value: PdfObject;
	/** Stream objects only: absolute file offset of the first data byte. */
	streamStart?: number;
}

const name = (n: string): PdfName => new PdfName(n);
export { name as pdfName };

/** Type guards. */
export const isDict = (v: PdfObject | undefined): v is PdfDict => v instanceof PdfDict;
export const isRef = (v: PdfObject | undefined): v is PdfRef => v instanceof PdfRef;
export const isName = (v: PdfObject | undefined, n?: string): v is PdfName => v instanceof PdfName && (n === undefined || v.name === n);
export const isNumber = (v: PdfObject | undefined): v is PdfNumber => v instanceof PdfNumber;
export const isArray = (v: PdfObject | undefined): v is PdfObject[] => Array.isArray(v);

/** Whole non-negative number value, or undefined. */
export function intOf(v: PdfObject | undefined): number | undefined {
	if (!(v instanceof PdfNumber)) return undefined;
	const n = v.value;
	return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const REGULAR_NAME = /^[!-~]$/;
const NAME_ESCAPE = new Set([...'()<>[]{}/%#']);

function writeName(n: string): string {
	let out = '/';
	for (const ch of n) {
		const code = ch.charCodeAt(0);
		if (REGULAR_NAME.test(ch) && !NAME_ESCAPE.has(ch)) out += ch;
		else out += `#${code.toString(16).padStart(2, '0')}`;
	}
	return out;
}

function writeString(s: PdfString): string {
	if (s.hex) return `<${s.bytes.toString('hex').toUpperCase()}>`;
	let out = '(';
	for (const byte of s.bytes) {
		if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
		else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
		else out += String.fromCharCode(byte);
	}
	return `${out})`;
}

/** Serialize a value (latin1 text: every character is one byte). */
export function writeObject(v: PdfObject): string {
	if (v === null) return 'null';
	if (v === true) return 'true';
	if (v === false) return 'false';
	if (v instanceof PdfNumber) return v.text;
	if (v instanceof PdfName) return writeName(v.name);
	if (v instanceof PdfString) return writeString(v);
	if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
	if (v instanceof PdfRaw) return v.text;
	if (Array.isArray(v)) return `[${v.map(writeObject).join(' ')}]`;
	const parts: string[] = [];
	for (const [key, value] of v.map) parts.push(`${writeName(key)} ${writeObject(value)}`);
	return `<<${parts.join(' ')}>>`;
}

/** A text string as PDF text: ASCII as is, anything else UTF-16BE with BOM. */
export function textString(text: string): PdfString {
	if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
	const utf16 = Buffer.from(text, 'utf16le').swap16();
	return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]), true);
}

/** PDF date `D:YYYYMMDDHHmmSS+00'00'` of a UTC time. */
export function pdfDate(date: Date): PdfString {
	const p = (n: number, w = 2): string => String(n).padStart(w, '0');
	const text = `D:${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}+00'00'`;
	return new PdfString(Buffer.from(text, 'latin1'));
}
