import { ZipWriter, type ZipSink } from '../zip/writer';
import type { ZipArchive } from '../zip/reader';
import { ExtendError } from './errors';

/** Collects the archive in memory (containers are read whole by the verifier anyway, within its size limit). */
class MemorySink implements ZipSink {
	private readonly chunks: Buffer[] = [];
	position = 0;
	async write(chunk: Buffer): Promise<void> {
		this.chunks.push(chunk);
		this.position += chunk.length;
	}
	async close(): Promise<void> {}
	bytes(): Buffer {
		return Buffer.concat(this.chunks, this.position);
	}
}

/** Central directory headers of a (non-ZIP64, already validated) archive, by entry name, byte for byte. */
function centralHeaders(buf: Buffer): Map<string, Buffer> {
	const EOCD = 0x06054b50;
	let eocd = -1;
	for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
		if (buf.readUInt32LE(i) === EOCD) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) throw new ExtendError('EXTEND_CONTAINER_INVALID', 'The container has no ZIP end-of-central-directory record.');
	const count = buf.readUInt16LE(eocd + 10);
	let at = buf.readUInt32LE(eocd + 16);
	const out = new Map<string, Buffer>();
	for (let n = 0; n < count; n++) {
		if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw new ExtendError('EXTEND_CONTAINER_INVALID', 'The ZIP central directory is damaged.');
		const len = 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
		const header = buf.subarray(at, at + len);
		out.set(header.subarray(46, 46 + header.readUInt16LE(28)).toString('utf8'), header);
		at += len;
	}
	return out;
}

/**
 * A copy of the archive with some entries' contents replaced: every other entry (mimetype, manifest, data files)
 * is copied byte for byte, local header and compressed data included, in the original order; only its offset in
 * the central directory changes. Replaced entries are written deflated at their original position.
 */
export async function rewriteEntries(buf: Buffer, zip: ZipArchive, replace: ReadonlyMap<string, Buffer>, date = new Date()): Promise<Buffer> {
	const central = centralHeaders(buf);
	const sink = new MemorySink();
	const writer = new ZipWriter(sink, { date });
	for (const entry of [...zip.entries].sort((a, b) => a.offset - b.offset)) {
		const fresh = replace.get(entry.name);
		if (fresh) {
			await writer.addBuffer(entry.name, fresh, { compression: 'deflate' });
			continue;
		}
		const header = central.get(entry.name);
		if (!header) throw new ExtendError('EXTEND_CONTAINER_INVALID', `Entry "${entry.name}" is missing from the ZIP central directory.`);
		const moved = Buffer.from(header);
		moved.writeUInt32LE(sink.position, 42);
		await sink.write(buf.subarray(entry.offset, entry.end));
		writer.adoptExisting(entry.name, moved);
	}
	await writer.finish();
	return sink.bytes();
}
