import { malformed, PdfSignError } from './errors';
import type { PdfFileSource } from './file-source';
import { intOf, isArray, isDict, isName, isNumber, PdfNumber, type PdfDict, type PdfObject } from './objects';
import { decodeStream } from './stream-decode';

/** Where an object lives. */
export type XrefEntry = { type: 'free' } | { type: 'offset'; offset: number; gen: number } | { type: 'compressed'; stream: number; index: number };

/** The merged cross-reference of a file: newest entry of each object, newest trailer, and the last section. */
export interface XrefInfo {
	entries: Map<number, XrefEntry>;
	/** The newest trailer (for an xref stream: its dictionary). */
	trailer: PdfDict;
	/** Largest /Size of all sections. */
	size: number;
	/** Offset in the last `startxref`. */
	startxref: number;
	/** Whether the newest section is a table or a stream; an update continues in the same form. */
	lastKind: 'table' | 'stream';
	/** Number of sections read (revisions, linearization parts, hybrid streams). */
	sections: number;
}

const MAX_SECTIONS = 10_000;

/** Find the offset after the last `startxref` keyword in the tail of the file. */
async function findStartxref(file: PdfFileSource): Promise<number> {
	for (const tailSize of [2048, 65536, 1048576]) {
		const start = Math.max(0, file.size - tailSize);
		const tail = await file.read(start, tailSize);
		const at = tail.lastIndexOf('startxref');
		if (at >= 0) {
			const m = /^startxref[\0\t\n\f\r ]+(\d+)/.exec(tail.toString('latin1', at, at + 40));
			if (!m) malformed('the "startxref" at the end of the file is not followed by an offset.');
			return Number(m[1]);
		}
		if (start === 0) break;
	}
	malformed('no "startxref" found near the end of the file; it is not a PDF or it is cut off.');
}

function setIfNew(entries: Map<number, XrefEntry>, num: number, entry: XrefEntry): void {
	if (!entries.has(num)) entries.set(num, entry);
}

/** Parse a classic `xref` table at `offset`; returns the trailer. */
async function readTable(file: PdfFileSource, offset: number, entries: Map<number, XrefEntry>): Promise<PdfDict> {
	const section: [number, XrefEntry][] = [];
	const trailer = await file.parseAt(offset, (p) => {
		section.length = 0;
		p.expectWord('xref');
		for (;;) {
			const word = p.peekWord();
			if (word === 'trailer') {
				p.word();
				const t = p.object();
				if (!isDict(t)) malformed(`the trailer after the table at ${offset} is not a dictionary.`);
				return t;
			}
			const first = Number(p.word());
			const count = Number(p.word());
			if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0) malformed(`a cross-reference subsection header at ${offset} is invalid.`);
			for (let i = 0; i < count; i++) {
				const a = p.word();
				const g = p.word();
				const kind = p.word();
				if (!/^\d+$/.test(a) || !/^\d+$/.test(g) || (kind !== 'n' && kind !== 'f')) malformed(`entry ${first + i} of the cross-reference table at ${offset} is invalid.`);
				section.push([first + i, kind === 'n' ? { type: 'offset', offset: Number(a), gen: Number(g) } : { type: 'free' }]);
			}
		}
	}, 65536);
	for (const [num, entry] of section) {
		// Some writers put object 0 at offset 0 as "n"; a free head never points anywhere.
		if (entry.type === 'offset' && entry.offset === 0) setIfNew(entries, num, { type: 'free' });
		else setIfNew(entries, num, entry);
	}
	return trailer;
}

/** Parse a cross-reference stream at `offset`; returns its dictionary (it doubles as the trailer). */
async function readStream(file: PdfFileSource, offset: number, entries: Map<number, XrefEntry>): Promise<PdfDict> {
	const obj = await file.indirectAt(offset);
	const dict = obj.value;
	if (!isDict(dict) || obj.streamStart === undefined || !isName(dict.get('Type'), 'XRef')) {
		malformed(`"startxref" or /Prev points to offset ${offset}, which holds neither an xref table nor an xref stream.`, { offset });
	}
	const length = intOf(dict.get('Length'));
	if (length === undefined) malformed(`the xref stream at ${offset} has no direct /Length.`);
	const data = decodeStream(dict, await file.read(obj.streamStart, length));
	const w = dict.get('W');
	if (!isArray(w) || w.length !== 3 || !w.every((x) => intOf(x) !== undefined && intOf(x)! <= 8)) malformed(`the xref stream at ${offset} has an invalid /W.`);
	const widths = w.map((x) => intOf(x)!);
	const size = intOf(dict.get('Size'));
	if (size === undefined) malformed(`the xref stream at ${offset} has no /Size.`);
	const index: PdfObject = dict.get('Index') ?? [PdfNumber.of(0), PdfNumber.of(size)];
	if (!isArray(index) || index.length % 2 !== 0 || !index.every(isNumber)) malformed(`the xref stream at ${offset} has an invalid /Index.`);
	const rowLength = widths[0] + widths[1] + widths[2];
	let pos = 0;
	const field = (width: number, dflt: number): number => {
		if (width === 0) return dflt;
		let v = 0;
		for (let i = 0; i < width; i++) v = v * 256 + data[pos++];
		return v;
	};
	for (let i = 0; i < index.length; i += 2) {
		const first = intOf(index[i])!;
		const count = intOf(index[i + 1])!;
		for (let j = 0; j < count; j++) {
			if (pos + rowLength > data.length) malformed(`the xref stream at ${offset} is shorter than its /Index says.`);
			const type = field(widths[0], 1);
			const a = field(widths[1], 0);
			const b = field(widths[2], 0);
			const num = first + j;
			if (type === 0) setIfNew(entries, num, { type: 'free' });
			else if (type === 1) setIfNew(entries, num, { type: 'offset', offset: a, gen: b });
			else if (type === 2) setIfNew(entries, num, { type: 'compressed', stream: a, index: b });
			// other types: ignored as the specification says
		}
	}
	return dict;
}

/**
 * Read every cross-reference section from the last `startxref` back through /Prev (and /XRefStm of hybrid files).
 * Refuses encrypted files with `PDF_ENCRYPTED`.
 */
export async function readXref(file: PdfFileSource): Promise<XrefInfo> {
	const startxref = await findStartxref(file);
	const entries = new Map<number, XrefEntry>();
	const visited = new Set<number>();
	let trailer: PdfDict | undefined;
	let lastKind: XrefInfo['lastKind'] = 'table';
	let size = 0;
	let next: number | undefined = startxref;
	let sections = 0;
	while (next !== undefined) {
		if (visited.has(next)) malformed(`the cross-reference chain loops back to offset ${next}.`);
		if (++sections > MAX_SECTIONS) malformed('the file has too many cross-reference sections.');
		visited.add(next);
		const head = (await file.read(next, 4)).toString('latin1');
		let section: PdfDict;
		if (head === 'xref') {
			section = await readTable(file, next, entries);
			const stm = intOf(section.get('XRefStm'));
			if (stm !== undefined && !visited.has(stm)) {
				visited.add(stm);
				await readStream(file, stm, entries);
			}
			if (!trailer) lastKind = 'table';
		} else {
			section = await readStream(file, next, entries);
			if (!trailer) lastKind = 'stream';
		}
		trailer ??= section;
		size = Math.max(size, intOf(section.get('Size')) ?? 0);
		const prev = section.get('Prev');
		next = prev === undefined ? undefined : intOf(prev);
		if (prev !== undefined && next === undefined) malformed('a /Prev entry is not an offset.');
	}
	if (!trailer) malformed('no trailer.');
	if (trailer.has('Encrypt')) {
		throw new PdfSignError('PDF_ENCRYPTED', 'The PDF is encrypted (its trailer has /Encrypt). Signing would need its password and a full rewrite; decrypt it first (e.g. qpdf --decrypt) and sign the decrypted copy.');
	}
	if (!trailer.has('Root')) malformed('the trailer has no /Root (document catalog).');
	for (const num of entries.keys()) if (num >= size) size = num + 1;
	return { entries, trailer, size, startxref, lastKind, sections };
}
