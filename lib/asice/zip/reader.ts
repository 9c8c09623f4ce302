import { crc32, inflateRawSync } from 'node:zlib';
import { ContainerReadError } from './reader-error';

/** Hard limits for reading untrusted ZIP archives. */
export interface ZipLimits {
	/** Maximum number of central-directory entries (default 1000). */
	maxEntries?: number;
	/** Maximum uncompressed size of one entry in bytes (default 100 MiB). */
	maxEntryBytes?: number;
	/** Maximum total uncompressed size in bytes (default 500 MiB). */
	maxTotalBytes?: number;
	/** Maximum uncompressed/compressed ratio for entries above `ratioThresholdBytes` (default 100). */
	maxCompressionRatio?: number;
	/** Entries smaller than this are not ratio-checked (default 1 MiB; tiny files compress well legitimately). */
	ratioThresholdBytes?: number;
}

const DEFAULT_LIMITS: Required<ZipLimits> = {
	maxEntries: 1000,
	maxEntryBytes: 100 * 1024 * 1024,
	maxTotalBytes: 500 * 1024 * 1024,
	maxCompressionRatio: 100,
	ratioThresholdBytes: 1024 * 1024,
};

/** One file in the archive, as described by the central directory. */
export interface ZipEntry {
	name: string;
	/** 0 = stored, 8 = deflated. */
	method: number;
	compressedSize: number;
	size: number;
	crc32: number;
	/** Index in central-directory order. */
	index: number;
	/** True for directory entries (name ends with '/'). */
	directory: boolean;
	/** Length of the local header's extra field (the mimetype entry should have none). */
	localExtraLength: number;
	/** Offset of the local file header. */
	offset: number;
	/** General-purpose flag bit 3 (sizes in a data descriptor). */
	dataDescriptor: boolean;
}

/** A parsed archive: entries in central-directory order plus a bounded reader. */
export interface ZipArchive {
	entries: ZipEntry[];
	/** Entry by exact name (names are unique; duplicates are refused). */
	get(name: string): ZipEntry | undefined;
	/** Uncompressed bytes of an entry, inflated with the size caps and checked against its CRC-32. */
	read(entry: ZipEntry): Buffer;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

/**
 * Why a name is unsafe, or null. Refuses empty names, absolute paths, backslashes, control characters and
 * '.', '..' or empty segments (zip-slip, spec §1.5). A single trailing '/' marks a directory and is allowed.
 */
export function entryNameProblem(name: string): string | null {
	if (name.length === 0) return 'the name is empty';
	if (name.startsWith('/')) return 'it is an absolute path';
	if (name.includes('\\')) return 'it contains a backslash';
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
	if (/^[A-Za-z]:/.test(name)) return 'it starts with a drive letter';
	const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
	for (const seg of segments) {
		if (seg === '') return 'it contains an empty path segment';
		if (seg === '.' || seg === '..') return `it contains a "${seg}" path segment`;
	}
	return null;
}

function findEocd(buf: Buffer): number {
	if (buf.length < 22) {
		throw new ContainerReadError('ZIP_NOT_A_ZIP', 'The file is too short to be a ZIP/ASiC-E container.');
	}
	const stop = Math.max(0, buf.length - 22 - 0xffff);
	for (let i = buf.length - 22; i >= stop; i--) {
		if (buf.readUInt32LE(i) === EOCD_SIG && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
	}
	for (let i = buf.length - 22; i >= stop; i--) {
		if (buf.readUInt32LE(i) !== EOCD_SIG) continue;
		if (i + 22 + buf.readUInt16LE(i + 20) > buf.length) {
			throw new ContainerReadError('ZIP_TRUNCATED', 'The ZIP container is truncated (its end record is cut off); re-download or re-export it.');
		}
		return i;
	}
	const looksZip = buf.readUInt32LE(0) === LOC_SIG;
	throw new ContainerReadError(
		looksZip ? 'ZIP_TRUNCATED' : 'ZIP_NOT_A_ZIP',
		looksZip
			? 'The ZIP container is truncated (no end-of-central-directory record); re-download or re-export it.'
			: 'The file is not a ZIP/ASiC-E container (no ZIP end record found).',
	);
}

function decodeName(raw: Buffer, utf8Flag: boolean): string {
	const isAscii = raw.every((b) => b < 0x80);
	if (isAscii) return raw.toString('latin1');
	const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
	if (text.includes('\uFFFD')) {
		throw new ContainerReadError('ZIP_BAD_ENTRY_NAME', 'A ZIP entry name is not valid UTF-8; container names must be UTF-8.', {
			utf8Flag,
		});
	}
	return text;
}

/**
 * Parse the central directory of an untrusted ZIP held in memory. Nothing is inflated here; {@link ZipArchive.read}
 * inflates one entry at a time with hard output caps. ZIP64, encryption and methods other than stored/deflate
 * are refused.
 * @throws ContainerReadError with a specific `reason`.
 */
export function readZip(buf: Buffer, limits: ZipLimits = {}): ZipArchive {
	const lim = { ...DEFAULT_LIMITS, ...limits };
	const eocd = findEocd(buf);
	const total = buf.readUInt16LE(eocd + 10);
	const cdSize = buf.readUInt32LE(eocd + 12);
	const cdOffset = buf.readUInt32LE(eocd + 16);
	if (total === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
		throw new ContainerReadError('ZIP_UNSUPPORTED', 'ZIP64 archives are not supported for ASiC-E containers.');
	}
	if (total > lim.maxEntries) {
		throw new ContainerReadError('ZIP_TOO_MANY_ENTRIES', `The container has ${total} entries, above the limit of ${lim.maxEntries}.`, {
			entries: total,
		});
	}
	if (cdOffset + cdSize > eocd) {
		throw new ContainerReadError('ZIP_TRUNCATED', 'The ZIP central directory points outside the file; the container is truncated or corrupt.');
	}
	const entries: ZipEntry[] = [];
	const byName = new Map<string, ZipEntry>();
	let declaredTotal = 0;
	let p = cdOffset;
	for (let i = 0; i < total; i++) {
		if (p + 46 > eocd || buf.readUInt32LE(p) !== CEN_SIG) {
			throw new ContainerReadError('ZIP_TRUNCATED', `ZIP central directory entry ${i} is corrupt or missing.`);
		}
		const flags = buf.readUInt16LE(p + 8);
		const method = buf.readUInt16LE(p + 10);
		const crc = buf.readUInt32LE(p + 16);
		const compressedSize = buf.readUInt32LE(p + 20);
		const size = buf.readUInt32LE(p + 24);
		const nameLen = buf.readUInt16LE(p + 28);
		const extraLen = buf.readUInt16LE(p + 30);
		const commentLen = buf.readUInt16LE(p + 32);
		const offset = buf.readUInt32LE(p + 42);
		if (p + 46 + nameLen + extraLen + commentLen > eocd) {
			throw new ContainerReadError('ZIP_TRUNCATED', `ZIP central directory entry ${i} runs past the directory end.`);
		}
		const rawName = buf.subarray(p + 46, p + 46 + nameLen);
		const name = decodeName(rawName, (flags & 0x800) !== 0);
		p += 46 + nameLen + extraLen + commentLen;
		const problem = entryNameProblem(name);
		if (problem) {
			throw new ContainerReadError('ZIP_BAD_ENTRY_NAME', `Container entry "${name}" has an invalid path: ${problem}.`, { name });
		}
		if (byName.has(name)) {
			throw new ContainerReadError('ZIP_DUPLICATE_ENTRY', `Container holds entry "${name}" more than once; duplicate names are not allowed.`, {
				name,
			});
		}
		if (size === 0xffffffff || compressedSize === 0xffffffff || offset === 0xffffffff) {
			throw new ContainerReadError('ZIP_UNSUPPORTED', `Entry "${name}" uses ZIP64 sizes, which are not supported.`, { name });
		}
		if ((flags & 0x1) !== 0) {
			throw new ContainerReadError('ZIP_UNSUPPORTED', `Entry "${name}" is encrypted; ASiC-E entries must not be encrypted.`, { name });
		}
		if (method !== 0 && method !== 8) {
			throw new ContainerReadError('ZIP_UNSUPPORTED', `Entry "${name}" uses compression method ${method}; only stored and deflate are supported.`, {
				name,
			});
		}
		if (size > lim.maxEntryBytes) {
			throw new ContainerReadError('ZIP_ENTRY_TOO_LARGE', `Entry "${name}" is ${size} bytes uncompressed, above the ${lim.maxEntryBytes}-byte limit.`, {
				name,
			});
		}
		if (size >= lim.ratioThresholdBytes && size > lim.maxCompressionRatio * Math.max(compressedSize, 1)) {
			throw new ContainerReadError('ZIP_COMPRESSION_RATIO', `Entry "${name}" expands ${Math.round(size / Math.max(compressedSize, 1))}:1, which looks like a ZIP bomb.`, {
				name,
			});
		}
		declaredTotal += size;
		if (declaredTotal > lim.maxTotalBytes) {
			throw new ContainerReadError('ZIP_TOTAL_TOO_LARGE', `The container expands to more than ${lim.maxTotalBytes} bytes; refusing it.`);
		}
		if (offset + 30 > buf.length || buf.readUInt32LE(offset) !== LOC_SIG) {
			throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `The local header of entry "${name}" is missing or corrupt.`, { name });
		}
		// Tools that read local headers must see the same name as tools that read the central directory.
		const localNameLen = buf.readUInt16LE(offset + 26);
		if (offset + 30 + localNameLen > buf.length || !buf.subarray(offset + 30, offset + 30 + localNameLen).equals(rawName)) {
			throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Entry "${name}" has a different name in its local header; the archive is inconsistent.`, { name });
		}
		const entry: ZipEntry = {
			name,
			method,
			compressedSize,
			size,
			crc32: crc,
			index: i,
			directory: name.endsWith('/'),
			localExtraLength: buf.readUInt16LE(offset + 28),
			offset,
			dataDescriptor: (flags & 0x8) !== 0,
		};
		entries.push(entry);
		byName.set(name, entry);
	}
	return {
		entries,
		get: (name) => byName.get(name),
		read: (entry) => readEntry(buf, entry),
	};
}

function readEntry(buf: Buffer, e: ZipEntry): Buffer {
	const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
	const end = start + e.compressedSize;
	if (end > buf.length) {
		throw new ContainerReadError('ZIP_TRUNCATED', `The data of entry "${e.name}" is cut off; the container is truncated.`, { name: e.name });
	}
	const raw = buf.subarray(start, end);
	let data: Buffer;
	if (e.method === 0) {
		if (e.compressedSize !== e.size) {
			throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Stored entry "${e.name}" has inconsistent sizes.`, { name: e.name });
		}
		data = Buffer.from(raw);
	} else {
		try {
			// maxOutputLength aborts inflation as soon as the declared size is exceeded (zip bombs lie about sizes).
			data = inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1) });
		} catch (err) {
			const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
			throw new ContainerReadError(
				tooBig ? 'ZIP_ENTRY_TOO_LARGE' : 'ZIP_CORRUPT_ENTRY',
				tooBig
					? `Entry "${e.name}" inflates beyond its declared size of ${e.size} bytes; refusing it.`
					: `Entry "${e.name}" cannot be decompressed: the container is corrupt.`,
				{ name: e.name },
			);
		}
	}
	if (data.length !== e.size) {
		throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Entry "${e.name}" has ${data.length} bytes but declares ${e.size}.`, { name: e.name });
	}
	if (crc32(data) >>> 0 !== e.crc32) {
		throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Entry "${e.name}" fails its CRC-32 check: the container is corrupt.`, { name: e.name });
	}
	return data;
}
