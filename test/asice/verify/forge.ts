import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * An attacker's ZIP toolkit for the forged-container tests, written independently of the product's reader/writer:
 * split a real container into entries, then write it back with per-entry lies (local header fields that differ from
 * the central directory, unlisted local entries, gap bytes, overlapping offsets, data descriptors, extra fields).
 * Plus the two ways an archive gets extracted: by the central directory and by walking local headers (what Java's
 * ZipInputStream and other streaming extractors do).
 */

/** One entry: name and uncompressed data, plus the attacker's knobs. */
export interface ForgeEntry {
	name: string;
	data: Buffer;
	/** Deflate (default) or store. */
	deflate?: boolean;
	/** Written as a local entry but not listed in the central directory. */
	unlisted?: boolean;
	/** Listed in the central directory but with no local entry of its own: points at `alias`'s offset. */
	alias?: string;
	/** Field values written in the local header instead of the true ones. */
	local?: { name?: string; crc?: number; csize?: number; size?: number; method?: number; flags?: number; extra?: Buffer };
	/** Field values written in the central header instead of the true ones. */
	central?: { extra?: Buffer; offsetDelta?: number };
	/** Bit 3: zeros in the local header, sizes in a data descriptor (optionally lying). */
	descriptor?: boolean | { crc?: number; csize?: number; size?: number };
	/** Compressed body to write instead of deflate(data) (e.g. a short deflate stream plus hidden bytes). */
	body?: Buffer;
	/** Bytes written right after this entry (before the next local header). */
	after?: Buffer;
}

/** Entries of a container in central-directory order, data inflated (assumes a well-formed, non-ZIP64 archive). */
export function splitZip(buf: Buffer): ForgeEntry[] {
	let eocd = buf.length - 22;
	while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
	const count = buf.readUInt16LE(eocd + 10);
	let p = buf.readUInt32LE(eocd + 16);
	const out: ForgeEntry[] = [];
	for (let i = 0; i < count; i++) {
		const method = buf.readUInt16LE(p + 10);
		const csize = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		const off = buf.readUInt32LE(p + 42);
		p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
		const start = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
		const raw = buf.subarray(start, start + csize);
		out.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw), deflate: method === 8 });
	}
	return out;
}

/** Unicode Path extra field (0x7075) naming the entry `name`. */
export function unicodePathExtra(name: string, headerName: string): Buffer {
	const n = Buffer.from(name, 'utf8');
	const x = Buffer.alloc(4 + 5 + n.length);
	x.writeUInt16LE(0x7075, 0);
	x.writeUInt16LE(5 + n.length, 2);
	x.writeUInt8(1, 4);
	x.writeUInt32LE(crc32(Buffer.from(headerName, 'utf8')) >>> 0, 5);
	n.copy(x, 9);
	return x;
}

/** Write a ZIP with the attacker's knobs applied. `prefix` is written before the first entry. */
export function forgeZip(entries: ForgeEntry[], opts: { prefix?: Buffer; cdExtra?: Buffer } = {}): Buffer {
	const parts: Buffer[] = [];
	const central: Buffer[] = [];
	const offsets = new Map<string, number>();
	let offset = 0;
	if (opts.prefix) {
		parts.push(opts.prefix);
		offset += opts.prefix.length;
	}
	const listed: Array<{ e: ForgeEntry; crc: number; csize: number; method: number; flags: number; off: number }> = [];
	for (const e of entries) {
		const method = e.deflate === false ? 0 : 8;
		const body = e.body ?? (method === 8 ? deflateRawSync(e.data) : e.data);
		const crc = crc32(e.data) >>> 0;
		const desc = e.descriptor ? (e.descriptor === true ? {} : e.descriptor) : null;
		const flags = 0x800 | (desc ? 0x8 : 0);
		if (e.alias) {
			listed.push({ e, crc, csize: body.length, method, flags, off: offsets.get(e.alias)! + (e.central?.offsetDelta ?? 0) });
			continue;
		}
		const lname = Buffer.from(e.local?.name ?? e.name, 'utf8');
		const lextra = e.local?.extra ?? Buffer.alloc(0);
		const lh = Buffer.alloc(30);
		lh.writeUInt32LE(0x04034b50, 0);
		lh.writeUInt16LE(20, 4);
		lh.writeUInt16LE(e.local?.flags ?? flags, 6);
		lh.writeUInt16LE(e.local?.method ?? method, 8);
		lh.writeUInt32LE(e.local?.crc ?? (desc ? 0 : crc), 14);
		lh.writeUInt32LE(e.local?.csize ?? (desc ? 0 : body.length), 18);
		lh.writeUInt32LE(e.local?.size ?? (desc ? 0 : e.data.length), 22);
		lh.writeUInt16LE(lname.length, 26);
		lh.writeUInt16LE(lextra.length, 28);
		offsets.set(e.name, offset);
		const piece = [lh, lname, lextra, body];
		if (desc) {
			const d = Buffer.alloc(16);
			d.writeUInt32LE(0x08074b50, 0);
			d.writeUInt32LE(desc.crc ?? crc, 4);
			d.writeUInt32LE(desc.csize ?? body.length, 8);
			d.writeUInt32LE(desc.size ?? e.data.length, 12);
			piece.push(d);
		}
		if (e.after) piece.push(e.after);
		const bytes = Buffer.concat(piece);
		parts.push(bytes);
		if (!e.unlisted) listed.push({ e, crc, csize: body.length, method, flags, off: offset + (e.central?.offsetDelta ?? 0) });
		offset += bytes.length;
	}
	for (const { e, crc, csize, method, flags, off } of listed) {
		const name = Buffer.from(e.name, 'utf8');
		const cextra = e.central?.extra ?? Buffer.alloc(0);
		const ch = Buffer.alloc(46);
		ch.writeUInt32LE(0x02014b50, 0);
		ch.writeUInt16LE(20, 4);
		ch.writeUInt16LE(20, 6);
		ch.writeUInt16LE(flags, 8);
		ch.writeUInt16LE(method, 10);
		ch.writeUInt32LE(crc, 16);
		ch.writeUInt32LE(csize, 20);
		ch.writeUInt32LE(e.data.length, 24);
		ch.writeUInt16LE(name.length, 28);
		ch.writeUInt16LE(cextra.length, 30);
		ch.writeUInt32LE(off, 42);
		central.push(ch, name, cextra);
	}
	if (opts.cdExtra) central.push(opts.cdExtra);
	const cd = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(listed.length, 8);
	eocd.writeUInt16LE(listed.length, 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, cd, eocd]);
}

/** What a central-directory reader extracts: name → bytes (null when it cannot). */
export function extractByCentralDirectory(buf: Buffer): Map<string, Buffer> | null {
	try {
		let eocd = buf.length - 22;
		while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
		if (eocd < 0) return null;
		const count = buf.readUInt16LE(eocd + 10);
		let p = buf.readUInt32LE(eocd + 16);
		const out = new Map<string, Buffer>();
		for (let i = 0; i < count; i++) {
			if (buf.readUInt32LE(p) !== 0x02014b50) return null;
			const method = buf.readUInt16LE(p + 10);
			const csize = buf.readUInt32LE(p + 20);
			const nameLen = buf.readUInt16LE(p + 28);
			const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
			const off = buf.readUInt32LE(p + 42);
			p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
			const start = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
			const raw = buf.subarray(start, start + csize);
			out.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
		}
		return out;
	} catch {
		return null;
	}
}

/**
 * What a streaming extractor extracts, walking local headers from offset 0 until something that is not a local
 * header: deflated data ends where the deflate stream ends; bit 3 means a data descriptor follows.
 */
export function extractByStreaming(buf: Buffer): Map<string, Buffer> | null {
	try {
		const out = new Map<string, Buffer>();
		let p = 0;
		while (p + 30 <= buf.length && buf.readUInt32LE(p) === 0x04034b50) {
			const flags = buf.readUInt16LE(p + 6);
			const method = buf.readUInt16LE(p + 8);
			const csize = buf.readUInt32LE(p + 18);
			const nameLen = buf.readUInt16LE(p + 26);
			const name = buf.subarray(p + 30, p + 30 + nameLen).toString('utf8');
			const start = p + 30 + nameLen + buf.readUInt16LE(p + 28);
			let data: Buffer;
			let end: number;
			if (method === 8) {
				const r = inflateRawSync(buf.subarray(start), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
				data = r.buffer;
				end = start + r.engine.bytesWritten;
			} else if (flags & 0x8) {
				// Stored with a descriptor: scan for the descriptor signature (what scanning extractors do).
				const at = buf.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]), start);
				if (at < 0) return null;
				data = Buffer.from(buf.subarray(start, at));
				end = at;
			} else {
				data = Buffer.from(buf.subarray(start, start + csize));
				end = start + csize;
			}
			if (flags & 0x8) end += buf.readUInt32LE(end) === 0x08074b50 ? 16 : 12;
			out.set(name, data);
			p = end;
		}
		return out;
	} catch {
		return null;
	}
}

/** Same names and bytes. */
export function sameFiles(a: Map<string, Buffer> | null, b: Map<string, Buffer> | null): boolean {
	if (!a || !b || a.size !== b.size) return false;
	for (const [k, v] of a) if (!b.get(k)?.equals(v)) return false;
	return true;
}
