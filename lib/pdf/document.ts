import { malformed } from './errors';
import { PdfFileSource } from './file-source';
import { intOf, isArray, isDict, isName, isRef, PdfRef, type PdfDict, type PdfIndirect, type PdfObject } from './objects';
import { PdfParser } from './parser';
import { decodeStream } from './stream-decode';
import { readXref, type XrefInfo } from './xref';

const MAX_PAGE_DEPTH = 64;
const MAX_CACHED_OBJECT_STREAMS = 8;

/** A value with where it came from (an indirect object's reference, or none for a direct value). */
export interface Located<T extends PdfObject = PdfObject> {
	value: T;
	ref?: PdfRef;
}

/**
 * An opened PDF: cross-reference, trailer, and lazy access to objects (from the file or from object streams).
 * Nothing but the structure that is asked for is read.
 */
export class PdfDocument {
	private readonly cache = new Map<number, PdfIndirect>();
	private readonly objectStreams = new Map<number, { data: Buffer; offsets: Map<number, number>; first: number }>();

	private constructor(
		readonly file: PdfFileSource,
		readonly xref: XrefInfo,
	) {}

	/**
	 * Open `path` (or only its first `limit` bytes: an earlier revision; or the file followed by `appended` bytes) and
	 * read its cross-reference; the caller closes it with {@link close}.
	 */
	static async open(path: string, limit?: number, appended?: Buffer): Promise<PdfDocument> {
		const file = await PdfFileSource.open(path, limit, appended);
		try {
			const head = (await file.read(0, 1024)).toString('latin1');
			if (!head.includes('%PDF-')) malformed('it does not start with a %PDF- header.');
			return new PdfDocument(file, await readXref(file));
		} catch (error) {
			await file.close();
			throw error;
		}
	}

	close(): Promise<void> {
		return this.file.close();
	}

	get trailer(): PdfDict {
		return this.xref.trailer;
	}

	/** The indirect object `num` (null value when free or missing, as the specification says). */
	async getIndirect(num: number): Promise<PdfIndirect> {
		const cached = this.cache.get(num);
		if (cached) return cached;
		const entry = this.xref.entries.get(num);
		let obj: PdfIndirect;
		if (!entry || entry.type === 'free') obj = { num, gen: 0, value: null };
		else if (entry.type === 'offset') {
			obj = await this.file.indirectAt(entry.offset);
			if (obj.num !== num) malformed(`the cross-reference says object ${num} is at offset ${entry.offset}, but object ${obj.num} is there.`, { offset: entry.offset });
		} else {
			obj = { num, gen: 0, value: await this.fromObjectStream(entry.stream, entry.index, num) };
		}
		this.cache.set(num, obj);
		return obj;
	}

	private async fromObjectStream(streamNum: number, index: number, num: number): Promise<PdfObject> {
		let os = this.objectStreams.get(streamNum);
		if (!os) {
			const holder = await this.getIndirect(streamNum);
			const dict = holder.value;
			if (!isDict(dict) || holder.streamStart === undefined || !isName(dict.get('Type'), 'ObjStm')) malformed(`object ${num} is said to be in object stream ${streamNum}, which is not an object stream.`);
			const data = await this.streamData(holder);
			const n = intOf(dict.get('N'));
			const first = intOf(dict.get('First'));
			if (n === undefined || first === undefined || first > data.length || n > first) malformed(`object stream ${streamNum} has an invalid /N or /First.`);
			const header = new PdfParser(data.subarray(0, first), 0, 0, true);
			const offsets = new Map<number, number>();
			for (let i = 0; i < n; i++) {
				const objNum = Number(header.word());
				const off = Number(header.word());
				if (!Number.isSafeInteger(objNum) || !Number.isSafeInteger(off)) malformed(`the header of object stream ${streamNum} is invalid.`);
				if (!offsets.has(objNum)) offsets.set(objNum, off);
			}
			os = { data, offsets, first };
			if (this.objectStreams.size >= MAX_CACHED_OBJECT_STREAMS) this.objectStreams.delete(this.objectStreams.keys().next().value as number);
			this.objectStreams.set(streamNum, os);
		}
		const off = os.offsets.get(num);
		if (off === undefined) malformed(`object ${num} is not in object stream ${streamNum} (index ${index}).`);
		return new PdfParser(os.data, os.first + off, 0, true).object();
	}

	/** Raw (still encoded) data of a stream object, using its /Length (direct or indirect). */
	async rawStreamData(obj: PdfIndirect): Promise<Buffer> {
		if (obj.streamStart === undefined || !isDict(obj.value)) malformed(`object ${obj.num} is not a stream.`);
		const length = intOf(await this.resolve(obj.value.get('Length')));
		if (length === undefined) malformed(`stream object ${obj.num} has no valid /Length.`);
		return this.file.read(obj.streamStart, length);
	}

	/** Decoded data of a structure stream (object streams; Flate only). */
	async streamData(obj: PdfIndirect): Promise<Buffer> {
		return decodeStream(obj.value as PdfDict, await this.rawStreamData(obj));
	}

	/** Follow references until a direct value (undefined stays undefined). */
	async resolve(value: PdfObject | undefined): Promise<PdfObject | undefined> {
		let v = value;
		for (let i = 0; i < 32 && isRef(v); i++) v = (await this.getIndirect(v.num)).value;
		if (isRef(v)) malformed('a chain of references is too long.');
		return v;
	}

	/** A dictionary value (direct or referenced) with its reference; undefined when absent or not a dictionary. */
	async dictOf(value: PdfObject | undefined): Promise<Located<PdfDict> | undefined> {
		if (isRef(value)) {
			const obj = await this.getIndirect(value.num);
			if (!isDict(obj.value)) return undefined;
			return { value: obj.value, ref: new PdfRef(value.num, obj.gen) };
		}
		return isDict(value) ? { value } : undefined;
	}

	/** The document catalog. */
	async catalog(): Promise<Located<PdfDict> & { ref: PdfRef }> {
		const root = this.trailer.get('Root');
		const located = await this.dictOf(root);
		if (!located || !located.ref) malformed('/Root in the trailer is not a reference to a dictionary.');
		return located as Located<PdfDict> & { ref: PdfRef };
	}

	/** References of the pages in order (depth-first through the page tree). */
	async pageRefs(limit = Number.MAX_SAFE_INTEGER): Promise<PdfRef[]> {
		const catalog = await this.catalog();
		const out: PdfRef[] = [];
		const seen = new Set<number>();
		const walk = async (node: PdfObject | undefined, depth: number): Promise<void> => {
			if (out.length >= limit) return;
			if (depth > MAX_PAGE_DEPTH) malformed('the page tree is nested too deeply.');
			if (!isRef(node)) malformed('the page tree holds a page that is not an indirect object.');
			if (seen.has(node.num)) malformed('the page tree loops.');
			seen.add(node.num);
			const dict = (await this.dictOf(node))?.value;
			if (!dict) malformed(`page tree node ${node.num} is not a dictionary.`);
			const kids = await this.resolve(dict.get('Kids'));
			if (isName(dict.get('Type'), 'Pages') || (isArray(kids) && !isName(dict.get('Type'), 'Page'))) {
				if (!isArray(kids)) malformed(`page tree node ${node.num} has no /Kids.`);
				for (const kid of kids) await walk(kid, depth + 1);
			} else {
				out.push(new PdfRef(node.num, (await this.getIndirect(node.num)).gen));
			}
		};
		await walk(catalog.value.get('Pages'), 0);
		return out;
	}
}
