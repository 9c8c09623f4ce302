import { crc32, deflateRawSync } from 'node:zlib';

/** One entry for {@link makeZip}; `declaredSize` lets a test lie about the uncompressed size (zip bomb). */
export interface TestEntry {
	name: string;
	data: Buffer;
	deflate?: boolean;
	declaredSize?: number;
}

/** A minimal ZIP writer for hostile-input tests (independent of the product's writer). */
export function makeZip(entries: TestEntry[]): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name, 'utf8');
		const body = e.deflate ? deflateRawSync(e.data) : e.data;
		const size = e.declaredSize ?? e.data.length;
		const crc = crc32(e.data) >>> 0;
		const lh = Buffer.alloc(30);
		lh.writeUInt32LE(0x04034b50, 0);
		lh.writeUInt16LE(20, 4);
		lh.writeUInt16LE(0x800, 6);
		lh.writeUInt16LE(e.deflate ? 8 : 0, 8);
		lh.writeUInt32LE(crc, 14);
		lh.writeUInt32LE(body.length, 18);
		lh.writeUInt32LE(size, 22);
		lh.writeUInt16LE(name.length, 26);
		locals.push(lh, name, body);
		const ch = Buffer.alloc(46);
		ch.writeUInt32LE(0x02014b50, 0);
		ch.writeUInt16LE(20, 4);
		ch.writeUInt16LE(20, 6);
		ch.writeUInt16LE(0x800, 8);
		ch.writeUInt16LE(e.deflate ? 8 : 0, 10);
		ch.writeUInt32LE(crc, 16);
		ch.writeUInt32LE(body.length, 20);
		ch.writeUInt32LE(size, 24);
		ch.writeUInt16LE(name.length, 28);
		ch.writeUInt32LE(offset, 42);
		centrals.push(ch, name);
		offset += 30 + name.length + body.length;
	}
	const cd = Buffer.concat(centrals);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
	eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, cd, eocd]);
}

export const MIMETYPE = { name: 'mimetype', data: Buffer.from('application/vnd.etsi.asic-e+zip') };

/** A manifest.xml listing `files` as text/plain. */
export function manifestXml(files: string[], extra = ''): Buffer {
	return Buffer.from(
		`<?xml version="1.0" encoding="UTF-8"?>${extra}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">` +
			'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>' +
			files.map((f) => `<manifest:file-entry manifest:full-path="${f}" manifest:media-type="text/plain"/>`).join('') +
			'</manifest:manifest>',
	);
}
