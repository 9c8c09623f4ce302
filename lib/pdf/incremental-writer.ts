import { randomBytes } from 'node:crypto';
import { isArray, PdfDict, PdfName, PdfNumber, PdfRef, PdfString, writeObject, type PdfObject } from './objects';
import type { XrefInfo } from './xref';

/** One object of an update: a new object or a new version of an existing one. */
export interface UpdateObject {
	ref: PdfRef;
	/** The value (a dictionary, array, ...); with `stream`, the stream's dictionary (its /Length is set here). */
	value: PdfObject;
	stream?: Buffer;
}

/** A laid-out incremental update. */
export interface IncrementalUpdate {
	bytes: Buffer;
	/** File offset of each object of the update. */
	offsets: Map<number, number>;
	/** The new /Size. */
	size: number;
}

function objectBytes(obj: UpdateObject): Buffer {
	if (!obj.stream) return Buffer.from(`${obj.ref.num} ${obj.ref.gen} obj\n${writeObject(obj.value)}\nendobj\n`, 'latin1');
	const dict = (obj.value as PdfDict).clone().set('Length', PdfNumber.of(obj.stream.length));
	return Buffer.concat([Buffer.from(`${obj.ref.num} ${obj.ref.gen} obj\n${writeObject(dict)}\nstream\n`, 'latin1'), obj.stream, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
}

/** Runs of consecutive object numbers: [first, count][]. */
function runs(nums: number[]): [number, number][] {
	const out: [number, number][] = [];
	for (const n of [...nums].sort((a, b) => a - b)) {
		const last = out[out.length - 1];
		if (last && last[0] + last[1] === n) last[1]++;
		else out.push([n, 1]);
	}
	return out;
}

/** The trailer entries every update carries over: /Root, /Info, and /ID with a fresh second part. */
function trailerBase(xref: XrefInfo, size: number): PdfDict {
	const t = new PdfDict().set('Size', PdfNumber.of(size)).set('Root', xref.trailer.get('Root') as PdfObject);
	const info = xref.trailer.get('Info');
	if (info !== undefined) t.set('Info', info);
	const id = xref.trailer.get('ID');
	// A fresh second /ID part per revision (random: no MD5, which FIPS builds of OpenSSL refuse).
	const fresh = new PdfString(randomBytes(16), true);
	const first = isArray(id) && id[0] instanceof PdfString ? id[0] : fresh;
	t.set('ID', [first, fresh]);
	t.set('Prev', PdfNumber.of(xref.startxref));
	return t;
}

/**
 * Lay out an incremental update that appends `objects` to a file of `fileSize` bytes whose cross-reference is
 * `xref`: the objects, then a cross-reference section of the same kind as the file's newest one (a classic table,
 * or an uncompressed cross-reference stream) and a trailer whose /Prev points to the previous section. The input
 * bytes stay untouched; `needsNewline` says the file does not end with an end-of-line, so one is written first.
 */
export function layoutIncrementalUpdate(xref: XrefInfo, fileSize: number, needsNewline: boolean, objects: UpdateObject[]): IncrementalUpdate {
	const parts: Buffer[] = [];
	let position = fileSize;
	const push = (b: Buffer): void => {
		parts.push(b);
		position += b.length;
	};
	if (needsNewline) push(Buffer.from('\n', 'latin1'));
	const offsets = new Map<number, number>();
	let size = xref.size;
	for (const obj of objects) {
		offsets.set(obj.ref.num, position);
		push(objectBytes(obj));
		size = Math.max(size, obj.ref.num + 1);
	}
	const gens = new Map(objects.map((o) => [o.ref.num, o.ref.gen]));
	if (xref.lastKind === 'table') {
		const xrefAt = position;
		let table = 'xref\n';
		for (const [first, count] of runs([...offsets.keys()])) {
			table += `${first} ${count}\n`;
			for (let n = first; n < first + count; n++) table += `${String(offsets.get(n)).padStart(10, '0')} ${String(gens.get(n)).padStart(5, '0')} n\r\n`;
		}
		push(Buffer.from(`${table}trailer\n${writeObject(trailerBase(xref, size))}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
	} else {
		const xrefNum = size;
		size++;
		const xrefAt = position;
		offsets.set(xrefNum, xrefAt);
		gens.set(xrefNum, 0);
		const width = Math.max(4, Math.ceil(Math.log2(xrefAt + 2) / 8));
		const index: PdfObject[] = [];
		const rows: Buffer[] = [];
		for (const [first, count] of runs([...offsets.keys()])) {
			index.push(PdfNumber.of(first), PdfNumber.of(count));
			for (let n = first; n < first + count; n++) {
				const row = Buffer.alloc(1 + width + 2);
				row[0] = 1;
				row.writeUIntBE(offsets.get(n)!, 1, width);
				row.writeUInt16BE(gens.get(n)!, 1 + width);
				rows.push(row);
			}
		}
		const data = Buffer.concat(rows);
		const dict = trailerBase(xref, size);
		const entries = new PdfDict().set('Type', new PdfName('XRef')).set('W', [PdfNumber.of(1), PdfNumber.of(width), PdfNumber.of(2)]).set('Index', index);
		for (const [key, value] of dict.map) entries.set(key, value);
		push(objectBytes({ ref: new PdfRef(xrefNum, 0), value: entries, stream: data }));
		push(Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
	}
	return { bytes: Buffer.concat(parts), offsets, size };
}

/** The next free object numbers after the file's /Size. */
export function objectNumbers(xref: XrefInfo): () => number {
	let next = Math.max(xref.size, 1);
	return () => next++;
}

