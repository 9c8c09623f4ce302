import { createReadStream, promises as fsp } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ZipWriteError } from './writer-error';
import { MAX32, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR } from './writer-format';

/** One central directory entry of an existing archive, with its header kept byte for byte. */
export interface ExistingZipEntry {
	name: string;
	method: number;
	flags: number;
	crc32: number;
	compressedSize: number;
	size: number;
	offset: number;
	/** The complete central directory header as found in the file. */
	central: Buffer;
}

/** Layout of an existing archive: its entries and where the central directory starts. */
export interface ExistingZipLayout {
	entries: ExistingZipEntry[];
	/** Everything before this offset (local headers + data) is kept verbatim when appending. */
	centralDirectoryOffset: number;
	fileSize: number;
}

const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

function bad(path: string, what: string): never {
	throw new ZipWriteError(`${path} is not a ZIP archive this tool can extend: ${what}.`, { reason: 'badArchive' });
}

async function readAt(handle: fsp.FileHandle, position: number, length: number): Promise<Buffer> {
	const buffer = Buffer.alloc(length);
	let done = 0;
	while (done < length) {
		const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
		if (bytesRead === 0) break;
		done += bytesRead;
	}
	return done === length ? buffer : buffer.subarray(0, done);
}

function safeNumber(value: bigint, path: string): number {
	if (value > BigInt(Number.MAX_SAFE_INTEGER)) bad(path, 'a ZIP64 value is out of range');
	return Number(value);
}

/**
 * Read the central directory of the ZIP file at `path` (classic or ZIP64, single disk, no encryption).
 * Only the tail of the file is read; entry data is not touched.
 */
export async function readZipLayout(path: string): Promise<ExistingZipLayout> {
	const handle = await fsp.open(path, 'r');
	try {
		const { size: fileSize } = await handle.stat();
		if (fileSize < 22) bad(path, 'the file is too short');
		const tailLength = Math.min(fileSize, 22 + 0xffff);
		const tailStart = fileSize - tailLength;
		const tail = await readAt(handle, tailStart, tailLength);
		let eocdAt = -1;
		for (let i = tail.length - 22; i >= 0; i--) {
			if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
				eocdAt = i;
				break;
			}
		}
		if (eocdAt < 0) bad(path, 'no end-of-central-directory record');
		if (tail.readUInt16LE(eocdAt + 4) !== 0 || tail.readUInt16LE(eocdAt + 6) !== 0) bad(path, 'multi-disk archives are not supported');
		let count = tail.readUInt16LE(eocdAt + 10);
		let cdSize = tail.readUInt32LE(eocdAt + 12);
		let cdOffset = tail.readUInt32LE(eocdAt + 16);
		const eocdPosition = tailStart + eocdAt;
		let cdEnd = eocdPosition;
		if (eocdPosition >= 20) {
			const locator = await readAt(handle, eocdPosition - 20, 20);
			if (locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
				const recordAt = safeNumber(locator.readBigUInt64LE(8), path);
				const record = await readAt(handle, recordAt, 56);
				if (record.length < 56 || record.readUInt32LE(0) !== SIG_ZIP64_EOCD) bad(path, 'broken ZIP64 end record');
				count = safeNumber(record.readBigUInt64LE(32), path);
				cdSize = safeNumber(record.readBigUInt64LE(40), path);
				cdOffset = safeNumber(record.readBigUInt64LE(48), path);
				cdEnd = recordAt;
			}
		}
		if (cdSize > MAX_CENTRAL_DIRECTORY) bad(path, 'the central directory is larger than 64 MiB');
		if (cdOffset + cdSize !== cdEnd) bad(path, 'the central directory is not where the end record says');
		const cd = await readAt(handle, cdOffset, cdSize);
		if (cd.length !== cdSize) bad(path, 'the central directory is truncated');
		const entries: ExistingZipEntry[] = [];
		let at = 0;
		for (let n = 0; n < count; n++) {
			if (at + 46 > cd.length || cd.readUInt32LE(at) !== SIG_CENTRAL) bad(path, `central directory entry ${n} is malformed`);
			const flags = cd.readUInt16LE(at + 8);
			const nameLength = cd.readUInt16LE(at + 28);
			const extraLength = cd.readUInt16LE(at + 30);
			const commentLength = cd.readUInt16LE(at + 32);
			const total = 46 + nameLength + extraLength + commentLength;
			if (at + total > cd.length) bad(path, `central directory entry ${n} is truncated`);
			if (flags & 0x0001) bad(path, 'the archive contains encrypted entries');
			let compressedSize = cd.readUInt32LE(at + 20);
			let size = cd.readUInt32LE(at + 24);
			let offset = cd.readUInt32LE(at + 42);
			const nameBytes = cd.subarray(at + 46, at + 46 + nameLength);
			const name = new TextDecoder('utf-8', { fatal: false }).decode(nameBytes);
			// ZIP64 extended information: only the fields that are 0xffffffff in the fixed part, in this order.
			const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
			for (let e = 0; e + 4 <= extra.length; ) {
				const id = extra.readUInt16LE(e);
				const length = extra.readUInt16LE(e + 2);
				if (id === 0x0001) {
					let v = e + 4;
					const next = (): number => {
						if (v + 8 > e + 4 + length) bad(path, `ZIP64 field of ${JSON.stringify(name)} is too short`);
						const value = safeNumber(extra.readBigUInt64LE(v), path);
						v += 8;
						return value;
					};
					if (size === MAX32) size = next();
					if (compressedSize === MAX32) compressedSize = next();
					if (offset === MAX32) offset = next();
				}
				e += 4 + length;
			}
			entries.push({
				name,
				method: cd.readUInt16LE(at + 10),
				flags,
				crc32: cd.readUInt32LE(at + 16),
				compressedSize,
				size,
				offset,
				central: Buffer.from(cd.subarray(at, at + total)),
			});
			at += total;
		}
		return { entries, centralDirectoryOffset: cdOffset, fileSize };
	} finally {
		await handle.close();
	}
}

/**
 * Stream the uncompressed bytes of one entry (stored or deflated), checking size and CRC-32 at the end.
 * `maxSize` guards against zip bombs.
 */
export async function openZipEntry(path: string, entry: ExistingZipEntry, maxSize = Number.MAX_SAFE_INTEGER): Promise<Readable> {
	if (entry.method !== 0 && entry.method !== 8) {
		throw new ZipWriteError(`${JSON.stringify(entry.name)} uses ZIP compression method ${entry.method}; only stored and deflated entries are supported.`, { reason: 'method' });
	}
	if (entry.size > maxSize) {
		throw new ZipWriteError(`${JSON.stringify(entry.name)} is larger than the allowed ${maxSize} bytes.`, { reason: 'tooLarge' });
	}
	const handle = await fsp.open(path, 'r');
	let header: Buffer;
	try {
		header = await readAt(handle, entry.offset, 30);
	} finally {
		await handle.close();
	}
	if (header.length < 30 || header.readUInt32LE(0) !== SIG_LOCAL) bad(path, `the local header of ${JSON.stringify(entry.name)} is missing`);
	const dataStart = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
	const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1, highWaterMark: 1 << 20 });
	let crc = 0;
	let size = 0;
	const check = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			size += chunk.length;
			if (size > entry.size || size > maxSize) {
				callback(new ZipWriteError(`${JSON.stringify(entry.name)} inflates to more bytes than its header says.`, { reason: 'sizeMismatch' }));
				return;
			}
			crc = zlib.crc32(chunk, crc);
			callback(null, chunk);
		},
		flush(callback) {
			if (size !== entry.size || crc >>> 0 !== entry.crc32 >>> 0) {
				callback(new ZipWriteError(`${JSON.stringify(entry.name)} is corrupt (size or CRC-32 mismatch).`, { reason: 'crc' }));
				return;
			}
			callback();
		},
	});
	if (entry.compressedSize === 0 && entry.method === 0) {
		raw.destroy();
		check.end();
		return check;
	}
	const decoded: Readable = entry.method === 8 ? raw.pipe(zlib.createInflateRaw()) : raw;
	raw.on('error', (error) => check.destroy(error));
	decoded.on('error', (error: Error) => check.destroy(error));
	return decoded.pipe(check);
}
