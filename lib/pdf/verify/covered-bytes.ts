import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { nodeHashName, type KnownHashAlgorithm } from '../../hash-algorithm';
import { hashRanges } from '../stream-hash';

/** The two signed ranges of a /ByteRange as [start, length] pairs. */
export function rangesOf(br: readonly [number, number, number, number]): [number, number][] {
	return [
		[br[0], br[1]],
		[br[2], br[3]],
	];
}

/**
 * Digests of the signed bytes, computed once per (ByteRange, hash) and streamed from the file: a CMS and a
 * timestamp over the same range, or a second look at the same signature, cost one pass.
 */
export class CoveredBytes {
	private readonly digests = new Map<string, Buffer>();
	constructor(readonly path: string) {}

	async digest(br: readonly [number, number, number, number], hash: KnownHashAlgorithm): Promise<Buffer> {
		const key = `${br.join(',')}:${hash}`;
		let d = this.digests.get(key);
		if (!d) {
			const h = createHash(nodeHashName(hash));
			await hashRanges(this.path, rangesOf(br), h);
			d = h.digest();
			this.digests.set(key, d);
		}
		return d;
	}

	/** The signed bytes themselves (only for legacy CMS without signed attributes, which sign the content directly). */
	async bytes(br: readonly [number, number, number, number]): Promise<Buffer> {
		const handle = await fsp.open(this.path, 'r');
		try {
			const parts: Buffer[] = [];
			for (const [start, length] of rangesOf(br)) {
				const buf = Buffer.alloc(length);
				const { bytesRead } = await handle.read(buf, 0, length, start);
				parts.push(buf.subarray(0, bytesRead));
			}
			return Buffer.concat(parts);
		} finally {
			await handle.close();
		}
	}
}
