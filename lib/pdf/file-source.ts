import { promises as fsp } from 'node:fs';
import { malformed } from './errors';
import { NeedMoreData, PdfParser } from './parser';
import type { PdfIndirect } from './objects';

/** Largest window read to parse one object or one cross-reference table (a 3-million-object table is 60 MB). */
const MAX_WINDOW = 96 * 1024 * 1024;

/**
 * Random access to a PDF on disk: only the parts that are parsed are ever read into memory. With `appended`, the
 * PDF is the file followed by those bytes (an input kept elsewhere plus a prepared update, never joined on disk).
 */
export class PdfFileSource {
	private constructor(
		private readonly handle: fsp.FileHandle,
		readonly size: number,
		private readonly fileSize: number,
		private readonly appended?: Buffer,
	) {}

	/** Open `path` (then `appended`); with `limit`, only the first `limit` bytes are seen (an earlier revision, for the verifier). */
	static async open(path: string, limit?: number, appended?: Buffer): Promise<PdfFileSource> {
		const handle = await fsp.open(path, 'r');
		try {
			const { size } = await handle.stat();
			const total = size + (appended?.length ?? 0);
			return new PdfFileSource(handle, limit === undefined ? total : Math.min(total, limit), size, appended);
		} catch (error) {
			await handle.close();
			throw error;
		}
	}

	async close(): Promise<void> {
		await this.handle.close();
	}

	/** Up to `length` bytes from `offset` (fewer at the end of the file). */
	async read(offset: number, length: number): Promise<Buffer> {
		const n = Math.max(0, Math.min(length, this.size - offset));
		const buf = Buffer.alloc(n);
		const fromFile = Math.max(0, Math.min(n, this.fileSize - offset));
		let done = 0;
		while (done < fromFile) {
			const { bytesRead } = await this.handle.read(buf, done, fromFile - done, offset + done);
			if (bytesRead === 0) break;
			done += bytesRead;
		}
		if (done === fromFile && n > fromFile && this.appended) {
			const start = offset + fromFile - this.fileSize;
			done += this.appended.copy(buf, done, start, start + n - fromFile);
		}
		return buf.subarray(0, done);
	}

	/** Run `parse` on a window starting at `offset`, growing the window while the parser runs off its end. */
	async parseAt<T>(offset: number, parse: (p: PdfParser) => T, window = 4096): Promise<T> {
		if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.size) malformed(`an offset (${offset}) points outside the file.`, { offset });
		for (let size = window; ; size *= 4) {
			const buf = await this.read(offset, size);
			const atEof = offset + buf.length >= this.size;
			try {
				return parse(new PdfParser(buf, 0, offset, atEof));
			} catch (error) {
				if (!(error instanceof NeedMoreData)) throw error;
				if (atEof || size >= MAX_WINDOW) malformed(`a structure at offset ${offset} is larger than ${MAX_WINDOW} bytes or cut off.`, { offset });
			}
		}
	}

	/** The indirect object at `offset`. */
	indirectAt(offset: number): Promise<PdfIndirect> {
		return this.parseAt(offset, (p) => p.indirect());
	}
}
