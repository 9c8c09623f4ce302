/**
 * Byte layouts of the ZIP records the writer emits (PKWARE APPNOTE 6.3.x §4.3-4.5). Pure functions, no I/O.
 */

/** A written entry as the central directory needs it. Plain numbers and strings: JSON-serializable. */
export interface ZipEntryRecord {
	/** Entry name (UTF-8, validated). */
	name: string;
	/** 0 = stored, 8 = deflated. */
	method: 0 | 8;
	/** CRC-32 of the uncompressed bytes (unsigned). */
	crc32: number;
	compressedSize: number;
	size: number;
	/** Offset of the local file header from the start of the archive. */
	offset: number;
	dosTime: number;
	dosDate: number;
	/** General-purpose flags written in the local header (bit 3 = data descriptor, bit 11 = UTF-8 name). */
	flags: number;
}

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const FLAG_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;
/** Values at or above this do not fit a 32-bit ZIP field (0xffffffff itself means "see ZIP64"). */
export const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** Unix host (3) so external attributes carry a 0644 regular-file mode. */
const MADE_BY_UNIX = 3 << 8;
const UNIX_FILE_MODE = (0o100644 << 16) >>> 0;

/** MS-DOS date/time fields of `date`, taken in UTC so the same input gives the same bytes anywhere. */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
	const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
	return {
		dosTime: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
		dosDate: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
	};
}

/** Size in bytes of the ZIP64 extra field the writer reserves in a local header (id, length, two sizes). */
export const LOCAL_ZIP64_EXTRA_LENGTH = 20;

/**
 * Local file header. `zip64` reserves a ZIP64 extra field (sizes 0xffffffff in the fixed part) for entries
 * that may reach 4 GiB; the caller patches the real sizes later or relies on the data descriptor.
 */
export function localHeader(
	nameBytes: Buffer,
	fields: { method: 0 | 8; flags: number; dosTime: number; dosDate: number; crc32: number; compressedSize: number; size: number },
	zip64: boolean,
): Buffer {
	const extraLength = zip64 ? LOCAL_ZIP64_EXTRA_LENGTH : 0;
	const header = Buffer.alloc(30 + nameBytes.length + extraLength);
	header.writeUInt32LE(SIG_LOCAL, 0);
	header.writeUInt16LE(zip64 ? 45 : 20, 4);
	header.writeUInt16LE(fields.flags, 6);
	header.writeUInt16LE(fields.method, 8);
	header.writeUInt16LE(fields.dosTime, 10);
	header.writeUInt16LE(fields.dosDate, 12);
	header.writeUInt32LE(fields.crc32 >>> 0, 14);
	header.writeUInt32LE(zip64 ? MAX32 : fields.compressedSize, 18);
	header.writeUInt32LE(zip64 ? MAX32 : fields.size, 22);
	header.writeUInt16LE(nameBytes.length, 26);
	header.writeUInt16LE(extraLength, 28);
	nameBytes.copy(header, 30);
	if (zip64) {
		const at = 30 + nameBytes.length;
		header.writeUInt16LE(0x0001, at);
		header.writeUInt16LE(16, at + 2);
		header.writeBigUInt64LE(BigInt(fields.size), at + 4);
		header.writeBigUInt64LE(BigInt(fields.compressedSize), at + 12);
	}
	return header;
}

/** Data descriptor (with signature); 8-byte sizes when the local header announced ZIP64. */
export function dataDescriptor(crc32: number, compressedSize: number, size: number, zip64: boolean): Buffer {
	const out = Buffer.alloc(zip64 ? 24 : 16);
	out.writeUInt32LE(SIG_DESCRIPTOR, 0);
	out.writeUInt32LE(crc32 >>> 0, 4);
	if (zip64) {
		out.writeBigUInt64LE(BigInt(compressedSize), 8);
		out.writeBigUInt64LE(BigInt(size), 16);
	} else {
		out.writeUInt32LE(compressedSize, 8);
		out.writeUInt32LE(size, 12);
	}
	return out;
}

/** Central directory file header for one entry, with a ZIP64 extra field only for the values that overflow. */
export function centralHeader(entry: ZipEntryRecord): Buffer {
	const nameBytes = Buffer.from(entry.name, 'utf8');
	const bigSize = entry.size >= MAX32;
	const bigCompressed = entry.compressedSize >= MAX32;
	const bigOffset = entry.offset >= MAX32;
	const zip64Values: number[] = [];
	if (bigSize) zip64Values.push(entry.size);
	if (bigCompressed) zip64Values.push(entry.compressedSize);
	if (bigOffset) zip64Values.push(entry.offset);
	const extraLength = zip64Values.length > 0 ? 4 + 8 * zip64Values.length : 0;
	const zip64 = extraLength > 0;
	const header = Buffer.alloc(46 + nameBytes.length + extraLength);
	header.writeUInt32LE(SIG_CENTRAL, 0);
	header.writeUInt16LE(MADE_BY_UNIX | (zip64 ? 45 : 20), 4);
	header.writeUInt16LE(zip64 ? 45 : 20, 6);
	header.writeUInt16LE(entry.flags, 8);
	header.writeUInt16LE(entry.method, 10);
	header.writeUInt16LE(entry.dosTime, 12);
	header.writeUInt16LE(entry.dosDate, 14);
	header.writeUInt32LE(entry.crc32 >>> 0, 16);
	header.writeUInt32LE(bigCompressed ? MAX32 : entry.compressedSize, 20);
	header.writeUInt32LE(bigSize ? MAX32 : entry.size, 24);
	header.writeUInt16LE(nameBytes.length, 28);
	header.writeUInt16LE(extraLength, 30);
	header.writeUInt16LE(0, 32); // comment length
	header.writeUInt16LE(0, 34); // disk number start
	header.writeUInt16LE(0, 36); // internal attributes
	header.writeUInt32LE(UNIX_FILE_MODE, 38);
	header.writeUInt32LE(bigOffset ? MAX32 : entry.offset, 42);
	nameBytes.copy(header, 46);
	if (zip64) {
		let at = 46 + nameBytes.length;
		header.writeUInt16LE(0x0001, at);
		header.writeUInt16LE(8 * zip64Values.length, at + 2);
		at += 4;
		for (const value of zip64Values) {
			header.writeBigUInt64LE(BigInt(value), at);
			at += 8;
		}
	}
	return header;
}

/**
 * End of central directory, preceded by the ZIP64 end record and locator when the entry count, the
 * directory size or its offset do not fit the classic fields.
 */
export function endOfCentralDirectory(entryCount: number, cdOffset: number, cdSize: number, comment: Buffer): Buffer {
	const parts: Buffer[] = [];
	const needs64 = entryCount >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
	if (needs64) {
		const record = Buffer.alloc(56);
		record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
		record.writeBigUInt64LE(44n, 4);
		record.writeUInt16LE(MADE_BY_UNIX | 45, 12);
		record.writeUInt16LE(45, 14);
		record.writeUInt32LE(0, 16);
		record.writeUInt32LE(0, 20);
		record.writeBigUInt64LE(BigInt(entryCount), 24);
		record.writeBigUInt64LE(BigInt(entryCount), 32);
		record.writeBigUInt64LE(BigInt(cdSize), 40);
		record.writeBigUInt64LE(BigInt(cdOffset), 48);
		const locator = Buffer.alloc(20);
		locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
		locator.writeUInt32LE(0, 4);
		locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
		locator.writeUInt32LE(1, 16);
		parts.push(record, locator);
	}
	const eocd = Buffer.alloc(22 + comment.length);
	eocd.writeUInt32LE(SIG_EOCD, 0);
	eocd.writeUInt16LE(0, 4);
	eocd.writeUInt16LE(0, 6);
	eocd.writeUInt16LE(needs64 ? MAX16 : entryCount, 8);
	eocd.writeUInt16LE(needs64 ? MAX16 : entryCount, 10);
	eocd.writeUInt32LE(needs64 ? MAX32 : cdSize, 12);
	eocd.writeUInt32LE(needs64 ? MAX32 : cdOffset, 16);
	eocd.writeUInt16LE(comment.length, 20);
	comment.copy(eocd, 22);
	parts.push(eocd);
	return Buffer.concat(parts);
}
