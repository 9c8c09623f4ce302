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
	/** Offset of the first data byte (after the local header, name and extra field). */
	dataStart: number;
	/** Offset just past the entry (data plus data descriptor, if any): where the next local header must start. */
	end: number;
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
const DESC_SIG = 0x08074b50;
const DESC_SIG_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const MAX32 = 0xffffffff;
/** Extra-field ids that give an entry a second name (Info-ZIP Unicode Path) some extractors prefer. */
const NAME_EXTRA_IDS = new Set([0x7075]);

/** (id, data) pairs of a ZIP extra field; null when the field is malformed. */
function extraFields(extra: Buffer): Array<{ id: number; data: Buffer }> | null {
	const out: Array<{ id: number; data: Buffer }> = [];
	let p = 0;
	while (p < extra.length) {
		if (p + 4 > extra.length) return null;
		const id = extra.readUInt16LE(p);
		const len = extra.readUInt16LE(p + 2);
		if (p + 4 + len > extra.length) return null;
		out.push({ id, data: extra.subarray(p + 4, p + 4 + len) });
		p += 4 + len;
	}
	return out;
}

function mismatch(name: string, what: string): ContainerReadError {
	return new ContainerReadError(
		'ZIP_LOCAL_HEADER_MISMATCH',
		`Entry "${name}": ${what}. A streaming extractor and a central-directory reader would not extract the same file; the container is refused.`,
		{ name },
	);
}

/**
 * Check the local header of `e` against its central-directory record (name, flags, method, CRC, sizes; the data
 * descriptor when bit 3 is set) and return where the entry's data starts and where the entry ends.
 */
function checkLocalHeader(buf: Buffer, e: { name: string; rawName: Buffer; flags: number; method: number; crc: number; compressedSize: number; size: number; offset: number }): {
	dataStart: number;
	end: number;
	localExtraLength: number;
} {
	const o = e.offset;
	if (o + 30 > buf.length || buf.readUInt32LE(o) !== LOC_SIG) {
		throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `The local header of entry "${e.name}" is missing or corrupt.`, { name: e.name });
	}
	const flags = buf.readUInt16LE(o + 6);
	const method = buf.readUInt16LE(o + 8);
	const crc = buf.readUInt32LE(o + 14);
	let csize = buf.readUInt32LE(o + 18);
	let size = buf.readUInt32LE(o + 22);
	const nameLen = buf.readUInt16LE(o + 26);
	const extraLen = buf.readUInt16LE(o + 28);
	const dataStart = o + 30 + nameLen + extraLen;
	if (dataStart > buf.length) throw new ContainerReadError('ZIP_TRUNCATED', `The local header of entry "${e.name}" runs past the end of the file.`, { name: e.name });
	// Tools that read local headers must see the same name as tools that read the central directory.
	if (!buf.subarray(o + 30, o + 30 + nameLen).equals(e.rawName)) throw mismatch(e.name, 'its local header carries a different name');
	if (flags !== e.flags) throw mismatch(e.name, `its local header flags (0x${flags.toString(16)}) differ from the central directory (0x${e.flags.toString(16)})`);
	if (method !== e.method) throw mismatch(e.name, `its local header says compression method ${method}, the central directory ${e.method}`);
	const extras = extraFields(buf.subarray(o + 30 + nameLen, dataStart));
	if (!extras) throw mismatch(e.name, 'its local extra field is malformed');
	if (extras.some((x) => NAME_EXTRA_IDS.has(x.id))) throw mismatch(e.name, 'its local header carries a second (Unicode path) name');
	// The project's streaming writer reserves a ZIP64 extra field (sizes 0xffffffff here, real ones in the extra).
	let zip64 = false;
	if (csize === MAX32 || size === MAX32) {
		const z = extras.find((x) => x.id === 0x0001);
		if (!z || z.data.length < 16) throw mismatch(e.name, 'its local header announces ZIP64 sizes without a ZIP64 extra field');
		const zSize = Number(z.data.readBigUInt64LE(0));
		const zCsize = Number(z.data.readBigUInt64LE(8));
		size = zSize;
		csize = zCsize;
		zip64 = true;
	}
	const descriptor = (flags & 0x8) !== 0;
	const dataEnd = dataStart + e.compressedSize;
	if (dataEnd > buf.length) throw new ContainerReadError('ZIP_TRUNCATED', `The data of entry "${e.name}" is cut off; the container is truncated.`, { name: e.name });
	if (descriptor && method === 0 && buf.subarray(dataStart, dataEnd).includes(DESC_SIG_BYTES)) {
		// Stored data whose size only follows it: a streaming reader finds its end by scanning for the descriptor
		// signature, so that signature inside the data would end the entry early (the project's streaming writer
		// stores incompressible files this way; Java's ZipInputStream refuses such entries outright).
		throw mismatch(e.name, 'it is stored with its sizes in a data descriptor and its data contains a data-descriptor signature, so a streaming reader would cut it short');
	}
	if (!descriptor) {
		if (crc !== e.crc || csize !== e.compressedSize || size !== e.size) {
			throw mismatch(e.name, 'its local header CRC/sizes differ from the central directory');
		}
		return { dataStart, end: dataEnd, localExtraLength: extraLen };
	}
	// Bit 3: the local CRC/sizes may be zero; when given they must agree. The descriptor follows the data.
	if ((crc !== 0 && crc !== e.crc) || (csize !== 0 && csize !== e.compressedSize) || (size !== 0 && size !== e.size)) {
		throw mismatch(e.name, 'its local header CRC/sizes differ from the central directory');
	}
	let p = dataEnd;
	if (p + 4 <= buf.length && buf.readUInt32LE(p) === DESC_SIG) p += 4;
	const width = zip64 ? 8 : 4;
	if (p + 4 + 2 * width > buf.length) {
		throw new ContainerReadError('ZIP_DATA_DESCRIPTOR_MISMATCH', `Entry "${e.name}" has no complete data descriptor after its data.`, { name: e.name });
	}
	const dCrc = buf.readUInt32LE(p);
	const dCsize = zip64 ? Number(buf.readBigUInt64LE(p + 4)) : buf.readUInt32LE(p + 4);
	const dSize = zip64 ? Number(buf.readBigUInt64LE(p + 4 + width)) : buf.readUInt32LE(p + 4 + width);
	if (dCrc !== e.crc || dCsize !== e.compressedSize || dSize !== e.size) {
		throw new ContainerReadError(
			'ZIP_DATA_DESCRIPTOR_MISMATCH',
			`Entry "${e.name}": its data descriptor CRC/sizes differ from the central directory; a streaming extractor would not extract the same file.`,
			{ name: e.name },
		);
	}
	return { dataStart, end: p + 4 + 2 * width, localExtraLength: extraLen };
}

/**
 * Walk the archive from offset 0 to the central directory: entries must follow each other without gaps or overlaps,
 * the first at offset 0 and the last ending exactly where the central directory starts, so nothing unlisted hides
 * between them (a streaming reader extracts every local header it meets).
 */
function checkContiguous(buf: Buffer, entries: ZipEntry[], cdOffset: number): void {
	const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
	let pos = 0;
	for (const e of byOffset) {
		if (e.offset < pos) {
			throw new ContainerReadError('ZIP_ENTRIES_OVERLAP', `Entry "${e.name}" starts inside the previous entry (offset ${e.offset} < ${pos}); overlapping entries are refused.`, {
				name: e.name,
			});
		}
		if (e.offset > pos) throw unlisted(buf, pos, e.offset, `before entry "${e.name}"`);
		pos = e.end;
	}
	if (pos > cdOffset) throw new ContainerReadError('ZIP_ENTRIES_OVERLAP', 'The last entry runs into the central directory; overlapping data is refused.');
	if (pos < cdOffset) throw unlisted(buf, pos, cdOffset, 'between the last entry and the central directory');
}

function unlisted(buf: Buffer, from: number, to: number, where: string): ContainerReadError {
	const hidden = buf.subarray(from, to).indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04])) >= 0;
	return new ContainerReadError(
		'ZIP_UNLISTED_DATA',
		`${to - from} byte(s) at offset ${from} ${where} belong to no listed entry${hidden ? ' (they hold a local file header the central directory does not list)' : ''}; ` +
			'a streaming extractor could see a file that was never verified, so the container is refused.',
		{ offset: from, length: to - from },
	);
}

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
	if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0 || buf.readUInt16LE(eocd + 8) !== total) {
		throw new ContainerReadError('ZIP_UNSUPPORTED', 'Multi-disk (split) ZIP archives are not supported; readers disagree on which entries such an end record lists.');
	}
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
	if (cdOffset + cdSize !== eocd) {
		// Other readers may follow what sits there (a ZIP64 end record and locator name another central directory).
		throw new ContainerReadError(
			'ZIP_UNLISTED_DATA',
			`${eocd - cdOffset - cdSize} byte(s) sit between the central directory and its end record; readers could follow a different directory there.`,
		);
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
		const centralExtras = extraFields(buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
		p += 46 + nameLen + extraLen + commentLen;
		if (!centralExtras || centralExtras.some((x) => NAME_EXTRA_IDS.has(x.id))) {
			throw new ContainerReadError('ZIP_AMBIGUOUS_NAME', `Entry "${name}" carries a malformed extra field or a second (Unicode path) name; extractors could name it differently.`, { name });
		}
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
		if (name.endsWith('/') && size !== 0) {
			// Extractors create a folder and drop the bytes: data nobody would see, so nothing may hide there.
			throw new ContainerReadError('ZIP_UNLISTED_DATA', `Directory entry "${name}" carries ${size} bytes of data; directory entries must be empty.`, { name });
		}
		const local = checkLocalHeader(buf, { name, rawName, flags, method, crc, compressedSize, size, offset });
		const entry: ZipEntry = {
			name,
			method,
			compressedSize,
			size,
			crc32: crc,
			index: i,
			directory: name.endsWith('/'),
			localExtraLength: local.localExtraLength,
			offset,
			dataDescriptor: (flags & 0x8) !== 0,
			dataStart: local.dataStart,
			end: local.end,
		};
		entries.push(entry);
		byName.set(name, entry);
	}
	if (p !== cdOffset + cdSize) {
		throw new ContainerReadError('ZIP_UNLISTED_DATA', 'The central directory size does not match its entries; bytes inside it belong to no entry.');
	}
	checkContiguous(buf, entries, cdOffset);
	return {
		entries,
		get: (name) => byName.get(name),
		read: (entry) => readEntry(buf, entry),
	};
}

function readEntry(buf: Buffer, e: ZipEntry): Buffer {
	const start = e.dataStart;
	const end = start + e.compressedSize;
	if (end > buf.length) {
		throw new ContainerReadError('ZIP_TRUNCATED', `The data of entry "${e.name}" is cut off; the container is truncated.`, { name: e.name });
	}
	const raw = buf.subarray(start, end);
	let data: Buffer;
	let consumed = raw.length;
	if (e.method === 0) {
		if (e.compressedSize !== e.size) {
			throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Stored entry "${e.name}" has inconsistent sizes.`, { name: e.name });
		}
		data = Buffer.from(raw);
	} else {
		try {
			// maxOutputLength aborts inflation as soon as the declared size is exceeded (zip bombs lie about sizes).
			const out = inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1), info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
			data = out.buffer;
			consumed = out.engine.bytesWritten;
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
	if (consumed !== raw.length) {
		// A streaming extractor stops at the end of the deflate stream and reads the rest as the next header.
		throw new ContainerReadError(
			'ZIP_UNLISTED_DATA',
			`Entry "${e.name}": its deflate stream ends ${raw.length - consumed} byte(s) before its declared compressed size; those bytes belong to no entry.`,
			{ name: e.name },
		);
	}
	if (data.length !== e.size) {
		throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Entry "${e.name}" has ${data.length} bytes but declares ${e.size}.`, { name: e.name });
	}
	if (crc32(data) >>> 0 !== e.crc32) {
		throw new ContainerReadError('ZIP_CORRUPT_ENTRY', `Entry "${e.name}" fails its CRC-32 check: the container is corrupt.`, { name: e.name });
	}
	return data;
}
