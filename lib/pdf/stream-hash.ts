import type { Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

const CHUNK = 1 << 20;

/**
 * Read a whole file one chunk at a time, the next read overlapping with `each` on the current chunk (two buffers
 * in memory, whatever the file's size). `each` must be done with its chunk when its promise settles. Returns the size.
 */
async function forEachChunk(from: string, each: (chunk: Buffer, position: number) => Promise<void> | void): Promise<number> {
	const input = await fsp.open(from, 'r');
	try {
		let position = 0;
		let bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
		let pending = input.read(bufs[0], 0, CHUNK, 0);
		for (;;) {
			const { bytesRead } = await pending;
			if (bytesRead === 0) return position;
			const chunk = bufs[0].subarray(0, bytesRead);
			pending = input.read(bufs[1], 0, CHUNK, position + bytesRead);
			await each(chunk, position);
			position += bytesRead;
			bufs = [bufs[1], bufs[0]];
		}
	} finally {
		await input.close();
	}
}

/** Copy `from` to the open `out` handle (at its start) while hashing every byte into `hash`; returns the size. */
export async function copyAndHash(from: string, out: fsp.FileHandle, hash: Hash): Promise<number> {
	return forEachChunk(from, async (chunk, position) => {
		hash.update(chunk);
		await out.write(chunk, 0, chunk.length, position);
	});
}

/** Feed the byte ranges `[start, length]...` of a file into `hash`, streaming. */
export async function hashRanges(path: string, ranges: [number, number][], hash: Hash): Promise<void> {
	const handle = await fsp.open(path, 'r');
	try {
		const buf = Buffer.allocUnsafe(CHUNK);
		for (const [start, length] of ranges) {
			for (let done = 0; done < length; ) {
				const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, length - done), start + done);
				if (bytesRead === 0) throw new Error(`${path} is shorter than its byte range`);
				hash.update(buf.subarray(0, bytesRead));
				done += bytesRead;
			}
		}
	} finally {
		await handle.close();
	}
}

/** Feed a whole file into each of `hashes`, streaming; returns its size. */
export async function hashFile(from: string, hashes: Hash[]): Promise<number> {
	return forEachChunk(from, (chunk) => {
		for (const hash of hashes) hash.update(chunk);
	});
}
