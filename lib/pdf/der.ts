/**
 * A minimal DER writer and reader for the few ASN.1 structures a PAdES signature needs (CMS SignedData,
 * signed attributes, ESS signing-certificate-v2). Writing by hand keeps every byte under our control: the
 * signed attributes are hashed exactly as they are encoded.
 */

function lengthBytes(length: number): Buffer {
	if (length < 0x80) return Buffer.from([length]);
	const bytes: number[] = [];
	for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given tag byte. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
	const body = Buffer.concat(content);
	return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
/** SET OF in DER order (elements sorted by their encodings). */
export const setOf = (...items: Buffer[]): Buffer => tlv(0x31, ...[...items].sort(Buffer.compare));
export const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
/** [n] constructed context tag (EXPLICIT, or IMPLICIT over a constructed type). */
export const contextConstructed = (n: number, ...items: Buffer[]): Buffer => tlv(0xa0 | n, ...items);

/** INTEGER from a small non-negative number. */
export function integer(value: number): Buffer {
	const bytes: number[] = [];
	let n = value;
	do {
		bytes.unshift(n & 0xff);
		n = Math.floor(n / 256);
	} while (n > 0);
	if (bytes[0] & 0x80) bytes.unshift(0);
	return tlv(0x02, Buffer.from(bytes));
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
	const parts = dotted.split('.').map(Number);
	const out: number[] = [parts[0] * 40 + parts[1]];
	for (const part of parts.slice(2)) {
		const chunk: number[] = [];
		let n = part;
		do {
			chunk.unshift((n & 0x7f) | (chunk.length ? 0x80 : 0));
			n = Math.floor(n / 128);
		} while (n > 0);
		out.push(...chunk);
	}
	return tlv(0x06, Buffer.from(out));
}

/** One element read by {@link readTlv}. */
export interface DerElement {
	tag: number;
	/** Offset of the tag byte. */
	start: number;
	/** Offset of the content. */
	contentStart: number;
	/** Offset just after the element. */
	end: number;
}

/** Read one definite-length TLV at `pos`; throws on anything truncated or indefinite. */
export function readTlv(buf: Buffer, pos: number): DerElement {
	if (pos + 2 > buf.length) throw new Error('DER element truncated');
	const tag = buf[pos];
	let length = buf[pos + 1];
	let contentStart = pos + 2;
	if (length & 0x80) {
		const count = length & 0x7f;
		if (count === 0 || count > 4) throw new Error('DER length form not supported');
		length = 0;
		for (let i = 0; i < count; i++) length = length * 256 + buf[contentStart + i];
		contentStart += count;
	}
	const end = contentStart + length;
	if (end > buf.length) throw new Error('DER element truncated');
	return { tag, start: pos, contentStart, end };
}

/** The children of a constructed element. */
export function children(buf: Buffer, element: DerElement): DerElement[] {
	const out: DerElement[] = [];
	for (let pos = element.contentStart; pos < element.end; ) {
		const child = readTlv(buf, pos);
		out.push(child);
		pos = child.end;
	}
	return out;
}

/** The whole encoding of an element. */
export const bytesOf = (buf: Buffer, element: DerElement): Buffer => buf.subarray(element.start, element.end);
