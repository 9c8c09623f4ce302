import { malformed } from './errors';
import { PdfDict, PdfName, PdfNumber, PdfRef, PdfString, type PdfIndirect, type PdfObject } from './objects';

/** Thrown when the buffer ends inside an object: the caller reads a larger window and tries again. */
export class NeedMoreData extends Error {}

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const MAX_DEPTH = 64;

export const isWhite = (b: number): boolean => WHITE.has(b);

/**
 * A tokenizer/parser over one buffer (a window of the file). `base` is the file offset of `buf[0]`, so
 * stream positions come out as file offsets. Running off the end throws {@link NeedMoreData}.
 */
export class PdfParser {
	pos: number;
	constructor(
		readonly buf: Buffer,
		pos = 0,
		readonly base = 0,
		/** True when `buf` reaches the end of the file (then running off the end is an error, not a retry). */
		readonly atEof = false,
	) {
		this.pos = pos;
	}

	private more(): never {
		if (this.atEof) malformed('an object runs past the end of the file.', { offset: this.base + this.pos });
		throw new NeedMoreData();
	}

	skipSpace(): void {
		const { buf } = this;
		for (;;) {
			if (this.pos >= buf.length) return;
			const b = buf[this.pos];
			if (WHITE.has(b)) this.pos++;
			else if (b === 0x25) {
				while (this.pos < buf.length && buf[this.pos] !== 0x0a && buf[this.pos] !== 0x0d) this.pos++;
			} else return;
		}
	}

	/** A bare keyword or number token at the current position (after spaces), without consuming it. */
	peekWord(): string {
		this.skipSpace();
		let end = this.pos;
		while (end < this.buf.length && !WHITE.has(this.buf[end]) && !DELIM.has(this.buf[end])) end++;
		if (end === this.buf.length && !this.atEof) this.more();
		return this.buf.toString('latin1', this.pos, end);
	}

	/** The next keyword or number; an empty token (a delimiter where a word belongs) is malformed, never a no-op. */
	word(): string {
		const w = this.peekWord();
		if (w.length === 0) malformed(`expected a keyword or number at offset ${this.base + this.pos}, found "${this.buf.toString('latin1', this.pos, this.pos + 1)}".`, { offset: this.base + this.pos });
		this.pos += w.length;
		return w;
	}

	expectWord(expected: string): void {
		const at = this.base + this.pos;
		const w = this.word();
		if (w !== expected) malformed(`expected "${expected}" at offset ${at}, found "${w.slice(0, 20)}".`, { offset: at });
	}

	/** Parse one direct object (references resolved as PdfRef). */
	object(depth = 0): PdfObject {
		if (depth > MAX_DEPTH) malformed('objects are nested too deeply.');
		this.skipSpace();
		const { buf } = this;
		if (this.pos >= buf.length) this.more();
		const b = buf[this.pos];
		if (b === 0x2f) return this.nameToken();
		if (b === 0x28) return this.literalString();
		if (b === 0x3c) {
			if (this.pos + 1 >= buf.length) this.more();
			if (buf[this.pos + 1] === 0x3c) return this.dict(depth);
			return this.hexString();
		}
		if (b === 0x5b) {
			this.pos++;
			const items: PdfObject[] = [];
			for (;;) {
				this.skipSpace();
				if (this.pos >= buf.length) this.more();
				if (buf[this.pos] === 0x5d) {
					this.pos++;
					return items;
				}
				items.push(this.object(depth + 1));
			}
		}
		const at = this.base + this.pos;
		const w = this.word();
		if (w === 'true') return true;
		if (w === 'false') return false;
		if (w === 'null') return null;
		if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) {
			if (/^\d+$/.test(w)) {
				// `num gen R`?
				const save = this.pos;
				const gen = this.tryWord();
				if (gen !== undefined && /^\d+$/.test(gen)) {
					const r = this.tryWord();
					if (r === 'R') return new PdfRef(Number(w), Number(gen));
				}
				this.pos = save;
			}
			return new PdfNumber(w);
		}
		malformed(`unexpected "${w.slice(0, 20) || String.fromCharCode(b)}" at offset ${at}.`, { offset: at });
	}

	private tryWord(): string | undefined {
		this.skipSpace();
		if (this.pos >= this.buf.length) this.more();
		if (DELIM.has(this.buf[this.pos])) return undefined;
		return this.word();
	}

	private nameToken(): PdfName {
		this.pos++;
		const start = this.pos;
		const { buf } = this;
		while (this.pos < buf.length && !WHITE.has(buf[this.pos]) && !DELIM.has(buf[this.pos])) this.pos++;
		if (this.pos === buf.length && !this.atEof) this.more();
		const raw = buf.toString('latin1', start, this.pos);
		return new PdfName(raw.replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
	}

	private dict(depth: number): PdfDict {
		this.pos += 2;
		const dict = new PdfDict();
		for (;;) {
			this.skipSpace();
			if (this.pos + 1 >= this.buf.length) this.more();
			if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
				this.pos += 2;
				return dict;
			}
			const at = this.base + this.pos;
			const key = this.object(depth + 1);
			if (!(key instanceof PdfName)) malformed(`a dictionary key at offset ${at} is not a name.`, { offset: at });
			dict.set(key.name, this.object(depth + 1));
		}
	}

	private hexString(): PdfString {
		const start = ++this.pos;
		const end = this.buf.indexOf(0x3e, start);
		if (end < 0) this.more();
		const hex = this.buf.toString('latin1', start, end).replace(/[\0\t\n\f\r ]/g, '');
		if (!/^[0-9a-fA-F]*$/.test(hex)) malformed(`a hex string at offset ${this.base + start} has non-hex characters.`);
		this.pos = end + 1;
		return new PdfString(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'), true);
	}

	private literalString(): PdfString {
		const { buf } = this;
		this.pos++;
		const out: number[] = [];
		let depth = 1;
		for (;;) {
			if (this.pos >= buf.length) this.more();
			const b = buf[this.pos++];
			if (b === 0x5c) {
				if (this.pos >= buf.length) this.more();
				const e = buf[this.pos++];
				const simple: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
				if (e in simple) out.push(simple[e]);
				else if (e >= 0x30 && e <= 0x37) {
					let v = e - 0x30;
					for (let i = 0; i < 2 && this.pos < buf.length && buf[this.pos] >= 0x30 && buf[this.pos] <= 0x37; i++) v = v * 8 + (buf[this.pos++] - 0x30);
					out.push(v & 0xff);
				} else if (e === 0x0d) {
					if (buf[this.pos] === 0x0a) this.pos++;
				} else if (e !== 0x0a) out.push(e);
			} else if (b === 0x28) {
				depth++;
				out.push(b);
			} else if (b === 0x29) {
				if (--depth === 0) return new PdfString(Buffer.from(out));
				out.push(b);
			} else out.push(b);
		}
	}

	/**
	 * `num gen obj <object> [stream ...] endobj` at the current position. For a stream, only the dictionary is
	 * parsed: `streamStart` says where the data begins (the data itself is read separately, when needed).
	 */
	indirect(): PdfIndirect {
		const at = this.base + this.pos;
		const num = this.word();
		const gen = this.word();
		const kw = this.word();
		if (!/^\d+$/.test(num) || !/^\d+$/.test(gen) || kw !== 'obj') malformed(`no object header ("n g obj") at offset ${at}.`, { offset: at });
		const value = this.object();
		this.skipSpace();
		let streamStart: number | undefined;
		if (this.buf.toString('latin1', this.pos, this.pos + 6) === 'stream') {
			this.pos += 6;
			if (this.pos + 2 > this.buf.length) this.more();
			if (this.buf[this.pos] === 0x0d) this.pos++;
			if (this.buf[this.pos] === 0x0a) this.pos++;
			streamStart = this.base + this.pos;
			if (!(value instanceof PdfDict)) malformed(`the stream at offset ${at} has no dictionary.`);
		} else if (this.pos + 6 > this.buf.length && !this.atEof) {
			this.more();
		}
		return { num: Number(num), gen: Number(gen), value, ...(streamStart !== undefined ? { streamStart } : {}) };
	}
}
