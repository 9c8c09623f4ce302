import { createHash, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { nodeHashName, type HashAlgorithm } from '../../hash-algorithm';
import { ZipWriteError } from './writer-error';
import { validateZipEntryName } from './writer-names';
import {
	FLAG_DESCRIPTOR,
	FLAG_UTF8,
	LOCAL_ZIP64_EXTRA_LENGTH,
	MAX32,
	centralHeader,
	dataDescriptor,
	dosDateTime,
	endOfCentralDirectory,
	localHeader,
	type ZipEntryRecord,
} from './writer-format';

export type { ZipEntryRecord } from './writer-format';

/** Where the archive bytes go. `patch` (random-access sinks only) lets the writer fill in local headers. */
export interface ZipSink {
	/** Number of bytes written so far (= offset of the next byte in the archive). */
	readonly position: number;
	write(chunk: Buffer): Promise<void>;
	patch?(position: number, bytes: Buffer): Promise<void>;
	close(): Promise<void>;
}

const COALESCE_LIMIT = 1 << 20;

/**
 * A file opened for writing at a given position. Local headers are patched in place afterwards, so the
 * archive needs no data descriptors (the layout DigiDoc4j and libdigidocpp write).
 */
export class FileSink implements ZipSink {
	private pending: Buffer[] = [];
	private pendingBytes = 0;
	private constructor(
		private readonly handle: fsp.FileHandle,
		private written: number,
	) {}

	/** Create/truncate `path`, or with `resumeAt` keep its first `resumeAt` bytes and continue after them. */
	static async open(path: string, options: { resumeAt?: number } = {}): Promise<FileSink> {
		if (options.resumeAt === undefined) {
			return new FileSink(await fsp.open(path, 'w'), 0);
		}
		const handle = await fsp.open(path, 'r+');
		const { size } = await handle.stat();
		if (size < options.resumeAt) {
			await handle.close();
			throw new ZipWriteError(`The partial container ${path} is shorter (${size} bytes) than recorded (${options.resumeAt} bytes); it was changed or truncated. Prepare the signature again.`, {
				reason: 'partialTruncated',
			});
		}
		await handle.truncate(options.resumeAt);
		return new FileSink(handle, options.resumeAt);
	}

	get position(): number {
		return this.written + this.pendingBytes;
	}

	async write(chunk: Buffer): Promise<void> {
		if (chunk.length < 65536) {
			this.pending.push(Buffer.from(chunk));
			this.pendingBytes += chunk.length;
			if (this.pendingBytes >= COALESCE_LIMIT) await this.flush();
			return;
		}
		await this.flush();
		await this.writeAt(chunk, this.written);
		this.written += chunk.length;
	}

	async patch(position: number, bytes: Buffer): Promise<void> {
		await this.flush();
		await this.writeAt(bytes, position);
	}

	async close(): Promise<void> {
		try {
			await this.flush();
			await this.handle.sync();
		} finally {
			await this.handle.close();
		}
	}

	private async flush(): Promise<void> {
		if (this.pendingBytes === 0) return;
		const data = Buffer.concat(this.pending, this.pendingBytes);
		this.pending = [];
		this.pendingBytes = 0;
		await this.writeAt(data, this.written);
		this.written += data.length;
	}

	private async writeAt(data: Buffer, position: number): Promise<void> {
		let done = 0;
		while (done < data.length) {
			const { bytesWritten } = await this.handle.write(data, done, data.length - done, position + done);
			done += bytesWritten;
		}
	}
}

/** Any Writable (HTTP response, pipe). Not seekable, so streamed entries get data descriptors. */
export class StreamSink implements ZipSink {
	private written: number;
	constructor(
		private readonly out: Writable,
		startPosition = 0,
		private readonly endStream = true,
	) {
		this.written = startPosition;
	}

	get position(): number {
		return this.written;
	}

	async write(chunk: Buffer): Promise<void> {
		this.written += chunk.length;
		if (!this.out.write(chunk)) {
			await Promise.race([
				once(this.out, 'drain'),
				once(this.out, 'error').then(([error]) => {
					throw error;
				}),
			]);
		}
	}

	async close(): Promise<void> {
		if (!this.endStream) return;
		await new Promise<void>((resolve, reject) => {
			this.out.once('error', reject);
			this.out.end(() => resolve());
		});
	}
}

/**
 * `store` keeps bytes as they are (already-compressed media), `deflate` compresses (raw DEFLATE, method 8),
 * `auto` deflates unless a sample of the first bytes does not compress (zlib crawls at ~20 MB/s over random data).
 */
export type ZipCompression = 'store' | 'deflate' | 'auto';

const SAMPLE_BYTES = 256 * 1024;

/** True when DEFLATE saves at least 3 % on `sample` (small samples: always worth trying). */
function compressible(sample: Buffer): boolean {
	if (sample.length < 4096) return true;
	const probe = sample.subarray(0, SAMPLE_BYTES);
	return zlib.deflateRawSync(probe, { level: 1 }).length < probe.length * 0.97;
}

function toBuffer(piece: Buffer | Uint8Array | string): Buffer {
	return typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
}

/** Per-entry options. */
export interface ZipEntryOptions {
	compression?: ZipCompression;
	/** Digests to compute over the uncompressed bytes in the same pass (for XAdES references). */
	digests?: readonly HashAlgorithm[];
	/** Size announced by the caller (e.g. from `stat`); checked after reading, decides ZIP64 up front. */
	expectedSize?: number;
	/** zlib level 0-9 for `deflate` (default 6). */
	level?: number;
}

/** What {@link ZipWriter.addStream} / {@link ZipWriter.addBuffer} return. */
export interface ZipAddedEntry {
	record: ZipEntryRecord;
	/** Digest per requested algorithm, over the uncompressed bytes. */
	digests: Partial<Record<HashAlgorithm, Buffer>>;
}

/** Resumable writer state (JSON-serializable): where the archive ends and what the central directory lists. */
export interface ZipWriterState {
	position: number;
	entries: ZipEntryRecord[];
	/** Central directory headers copied verbatim from an existing archive (base64), listed first. */
	rawCentral: string[];
	names: string[];
}

/** Entries bigger than this (or of unknown size) get a ZIP64 extra field reserved in their local header. */
const ZIP64_RESERVE_THRESHOLD = 0xf0000000;

/**
 * Streaming ZIP writer: entries are read once, hashed, CRC'd and (optionally) deflated in one pass and never
 * held whole in memory. Writes UTF-8 names (flag bit 11), ZIP64 when sizes or offsets need it.
 */
export class ZipWriter {
	private readonly entries: ZipEntryRecord[];
	private readonly rawCentral: Buffer[];
	private readonly names: Set<string>;
	private readonly time: { dosTime: number; dosDate: number };
	private busy = false;
	private finished = false;

	constructor(
		private readonly sink: ZipSink,
		options: { date?: Date; state?: ZipWriterState } = {},
	) {
		this.time = dosDateTime(options.date ?? new Date());
		this.entries = options.state ? options.state.entries.map((e) => ({ ...e })) : [];
		this.rawCentral = options.state ? options.state.rawCentral.map((b) => Buffer.from(b, 'base64')) : [];
		this.names = new Set(options.state ? options.state.names : []);
		if (options.state && options.state.position !== sink.position) {
			throw new ZipWriteError('Internal error: the ZIP writer state does not match the output position.', { reason: 'stateMismatch' });
		}
	}

	/** Snapshot for resuming later with `new ZipWriter(sink, { state })` on the same file. */
	state(): ZipWriterState {
		return {
			position: this.sink.position,
			entries: this.entries.map((e) => ({ ...e })),
			rawCentral: this.rawCentral.map((b) => b.toString('base64')),
			names: [...this.names],
		};
	}

	/** Stop without writing the central directory and close the sink; resume later from the returned state. */
	async suspend(): Promise<ZipWriterState> {
		if (this.busy || this.finished) {
			throw new ZipWriteError('Internal error: suspend() called while an entry is being written or after finish().', { reason: 'misuse' });
		}
		this.finished = true;
		const snapshot = this.state();
		await this.sink.close();
		return snapshot;
	}

	/** Give up: close the sink without writing anything more (the output is then an incomplete archive). */
	async abort(): Promise<void> {
		this.finished = true;
		await this.sink.close().catch(() => undefined);
	}

	/** Names already in the archive. */
	hasEntry(name: string): boolean {
		return this.names.has(name);
	}

	/**
	 * The ASiC `mimetype` entry: must be the first entry, stored, with no extra field and no data descriptor,
	 * so that the value starts at byte 38 (the IANA magic number).
	 */
	async addMimetype(value: string): Promise<ZipEntryRecord> {
		if (this.sink.position !== 0 || this.entries.length > 0 || this.rawCentral.length > 0) {
			throw new ZipWriteError('The mimetype entry must be the first entry of the container.', { reason: 'mimetypeNotFirst' });
		}
		return (await this.addBuffer('mimetype', Buffer.from(value, 'ascii'), { compression: 'store' })).record;
	}

	/** Add a small in-memory entry; sizes and CRC go straight into the local header. */
	async addBuffer(name: string, data: Buffer, options: ZipEntryOptions = {}): Promise<ZipAddedEntry> {
		this.begin(name);
		try {
			const method = options.compression === 'store' || (options.compression === 'auto' && !compressible(data)) ? 0 : 8;
			const body = method === 8 ? zlib.deflateRawSync(data, { level: options.level ?? 6 }) : data;
			const crc = zlib.crc32(data) >>> 0;
			const zip64 = body.length >= ZIP64_RESERVE_THRESHOLD || data.length >= ZIP64_RESERVE_THRESHOLD;
			const record: ZipEntryRecord = {
				name,
				method,
				crc32: crc,
				compressedSize: body.length,
				size: data.length,
				offset: this.sink.position,
				...this.time,
				flags: FLAG_UTF8,
			};
			await this.sink.write(localHeader(Buffer.from(name, 'utf8'), record, zip64));
			await this.sink.write(body);
			const digests: ZipAddedEntry['digests'] = {};
			for (const alg of options.digests ?? []) digests[alg] = createHash(nodeHashName(alg)).update(data).digest();
			this.entries.push(record);
			return { record, digests };
		} finally {
			this.busy = false;
		}
	}

	/**
	 * Add an entry read from `source` in one pass. With a patchable sink the local header is completed in
	 * place; otherwise a data descriptor follows the data.
	 */
	async addStream(name: string, source: Readable | AsyncIterable<Buffer | Uint8Array | string>, options: ZipEntryOptions = {}): Promise<ZipAddedEntry> {
		this.begin(name);
		try {
			return await this.streamEntry(name, source, options);
		} finally {
			this.busy = false;
		}
	}

	/**
	 * Register an entry that is already in the output (the bytes before the resume position of an existing
	 * archive): its central header is kept verbatim.
	 */
	adoptExisting(name: string, central: Buffer): void {
		if (this.names.has(name)) {
			throw new ZipWriteError(`The existing container has two entries named ${JSON.stringify(name)}; refusing to modify it.`, { name, reason: 'duplicate' }, 'ASICE_ZIP_BAD_NAME');
		}
		this.names.add(name);
		this.rawCentral.push(Buffer.from(central));
	}

	/** Write the central directory and end record, then close the sink. Returns the archive size. */
	async finish(comment = ''): Promise<number> {
		if (this.busy || this.finished) {
			throw new ZipWriteError('Internal error: finish() called while an entry is being written or twice.', { reason: 'misuse' });
		}
		this.finished = true;
		const cdOffset = this.sink.position;
		let cdSize = 0;
		for (const raw of this.rawCentral) {
			await this.sink.write(raw);
			cdSize += raw.length;
		}
		for (const entry of this.entries) {
			const header = centralHeader(entry);
			await this.sink.write(header);
			cdSize += header.length;
		}
		await this.sink.write(endOfCentralDirectory(this.rawCentral.length + this.entries.length, cdOffset, cdSize, Buffer.from(comment, 'utf8')));
		const size = this.sink.position;
		await this.sink.close();
		return size;
	}

	private begin(name: string): void {
		if (this.busy || this.finished) {
			throw new ZipWriteError('Internal error: entries must be added one at a time and before finish().', { reason: 'misuse' });
		}
		validateZipEntryName(name);
		if (this.names.has(name)) {
			throw new ZipWriteError(`Two files are named ${JSON.stringify(name)}; names in a container must be unique.`, { name, reason: 'duplicate' }, 'ASICE_ZIP_BAD_NAME');
		}
		this.names.add(name);
		this.busy = true;
	}

	private async streamEntry(name: string, source: Readable | AsyncIterable<Buffer | Uint8Array | string>, options: ZipEntryOptions): Promise<ZipAddedEntry> {
		// Read a first sample before the header is written, so `auto` can still choose the method.
		const iterator = (source as AsyncIterable<Buffer | Uint8Array | string>)[Symbol.asyncIterator]();
		const head: Buffer[] = [];
		let headBytes = 0;
		let exhausted = false;
		try {
			while (headBytes < SAMPLE_BYTES) {
				const next = await iterator.next();
				if (next.done) {
					exhausted = true;
					break;
				}
				const chunk = toBuffer(next.value);
				head.push(chunk);
				headBytes += chunk.length;
			}
		} catch (error) {
			await Promise.resolve(iterator.return?.()).catch(() => undefined);
			throw new ZipWriteError(`Reading ${JSON.stringify(name)} failed: ${(error as Error).message}`, { name, reason: 'io' }, 'ASICE_ZIP_WRITE_FAILED', error);
		}
		const method: 0 | 8 = options.compression === 'store' || (options.compression === 'auto' && !compressible(Buffer.concat(head, headBytes))) ? 0 : 8;
		const replay = async function* (): AsyncGenerator<Buffer> {
			yield* head;
			if (exhausted) return;
			for (;;) {
				const next = await iterator.next();
				if (next.done) return;
				yield toBuffer(next.value);
			}
		};
		const nameBytes = Buffer.from(name, 'utf8');
		const zip64 = options.expectedSize === undefined || options.expectedSize >= ZIP64_RESERVE_THRESHOLD;
		const patchable = typeof this.sink.patch === 'function';
		const offset = this.sink.position;
		const flags = FLAG_UTF8 | (patchable ? 0 : FLAG_DESCRIPTOR);
		await this.sink.write(localHeader(nameBytes, { method, flags, ...this.time, crc32: 0, compressedSize: 0, size: 0 }, zip64));

		const hashes: [HashAlgorithm, Hash][] = (options.digests ?? []).map((alg) => [alg, createHash(nodeHashName(alg))]);
		let crc = 0;
		let size = 0;
		let compressedSize = 0;
		const sink = this.sink;
		const tap = async function* (input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
			for await (const chunk of input) {
				if (chunk.length === 0) continue;
				size += chunk.length;
				crc = zlib.crc32(chunk, crc);
				for (const [, hash] of hashes) hash.update(chunk);
				yield chunk;
			}
		};
		const write = async (input: AsyncIterable<Buffer>): Promise<void> => {
			for await (const chunk of input) {
				compressedSize += chunk.length;
				await sink.write(chunk);
			}
		};
		try {
			if (method === 8) {
				await pipeline(replay(), tap, zlib.createDeflateRaw({ level: options.level ?? 6 }), write);
			} else {
				await pipeline(replay(), tap, write);
			}
		} catch (error) {
			await Promise.resolve(iterator.return?.()).catch(() => undefined);
			throw new ZipWriteError(`Reading or writing ${JSON.stringify(name)} failed: ${(error as Error).message}`, { name, reason: 'io' }, 'ASICE_ZIP_WRITE_FAILED', error);
		}
		crc >>>= 0;
		if (options.expectedSize !== undefined && options.expectedSize !== size) {
			throw new ZipWriteError(`${JSON.stringify(name)} changed while it was read: expected ${options.expectedSize} bytes, read ${size}. Retry when the file is no longer being written.`, {
				name,
				reason: 'sizeChanged',
			});
		}
		if (!zip64 && (size >= MAX32 || compressedSize >= MAX32)) {
			throw new ZipWriteError(`${JSON.stringify(name)} grew past 4 GiB without a ZIP64 header.`, { name, reason: 'zip64' });
		}
		if (patchable && this.sink.patch) {
			const fixed = Buffer.alloc(12);
			fixed.writeUInt32LE(crc, 0);
			fixed.writeUInt32LE(zip64 ? MAX32 : compressedSize, 4);
			fixed.writeUInt32LE(zip64 ? MAX32 : size, 8);
			await this.sink.patch(offset + 14, fixed);
			if (zip64) {
				const extra = Buffer.alloc(LOCAL_ZIP64_EXTRA_LENGTH - 4);
				extra.writeBigUInt64LE(BigInt(size), 0);
				extra.writeBigUInt64LE(BigInt(compressedSize), 8);
				await this.sink.patch(offset + 30 + nameBytes.length + 4, extra);
			}
		} else {
			await this.sink.write(dataDescriptor(crc, compressedSize, size, zip64));
		}
		const record: ZipEntryRecord = { name, method, crc32: crc, compressedSize, size, offset, ...this.time, flags };
		this.entries.push(record);
		const digests: ZipAddedEntry['digests'] = {};
		for (const [alg, hash] of hashes) digests[alg] = hash.digest();
		return { record, digests };
	}
}
