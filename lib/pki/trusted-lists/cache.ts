import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** Where a cached entry came from. */
export type CacheSlot = 'current' | 'last-good';

/** One cached list: its bytes and when they were downloaded. */
export interface CachedEntry {
	slot: CacheSlot;
	bytes: Buffer;
	/** When the bytes were fetched (sidecar metadata; the file's mtime when the sidecar is unreadable). */
	fetchedAt: Date;
	source: string;
}

interface Meta {
	fetchedAt: string;
	source: string;
	sha256?: string;
}

/**
 * On-disk cache of verified list bytes, one file per key (`lotl`, `LV`, `pivot-…`), with the previous verified copy
 * kept as `<key>.last-good.xml`. Only bytes that verified are ever written (the loader's rule); every write is a
 * temporary file in the same directory, fsync, then rename, so a crash leaves either the old or the new file, never
 * a torn one. Readers get raw bytes and must verify them again: a file changed on disk is just a refused copy.
 */
export class TrustedListCache {
	constructor(readonly dir: string) {}

	private file(key: string, slot: CacheSlot): string {
		if (!/^[A-Za-z0-9._-]{1,100}$/.test(key) || key.startsWith('.')) throw new Error(`Invalid cache key "${key}".`);
		return path.join(this.dir, slot === 'current' ? `${key}.xml` : `${key}.last-good.xml`);
	}

	private metaFile(key: string, slot: CacheSlot): string {
		return this.file(key, slot).replace(/\.xml$/, '.json');
	}

	/** Read one slot; null when absent or unreadable (never throws for I/O). */
	read(key: string, slot: CacheSlot, maxBytes: number): CachedEntry | null {
		const f = this.file(key, slot);
		try {
			const st = fs.statSync(f);
			if (!st.isFile() || st.size > maxBytes) return null;
			const bytes = fs.readFileSync(f);
			let fetchedAt = st.mtime;
			let source = '';
			try {
				const meta = JSON.parse(fs.readFileSync(this.metaFile(key, slot), 'utf8')) as Meta;
				const d = new Date(meta.fetchedAt);
				if (!Number.isNaN(d.getTime())) fetchedAt = d;
				source = typeof meta.source === 'string' ? meta.source : '';
			} catch {
				// No or broken sidecar: the file time is the best age we have.
			}
			return { slot, bytes, fetchedAt, source };
		} catch {
			return null;
		}
	}

	/**
	 * Store newly verified bytes as the current copy. The previous current copy becomes the last-good copy only when
	 * its SHA-256 is `inUseSha256`, the hash of the copy the caller verified and is using: a file changed on disk since
	 * is never promoted. Identical bytes only refresh the metadata.
	 */
	write(key: string, bytes: Buffer, meta: { fetchedAt: Date; source: string; sha256?: string }, inUseSha256?: string): void {
		fs.mkdirSync(this.dir, { recursive: true });
		const cur = this.file(key, 'current');
		const metaJson = Buffer.from(JSON.stringify({ fetchedAt: meta.fetchedAt.toISOString(), source: meta.source, sha256: meta.sha256 } satisfies Meta));
		let same = false;
		try {
			same = fs.readFileSync(cur).equals(bytes);
		} catch {
			same = false;
		}
		let previous: Buffer | null = null;
		try {
			previous = fs.readFileSync(cur);
		} catch {
			previous = null;
		}
		if (!same && previous && inUseSha256 && createHash('sha256').update(previous).digest('hex') === inUseSha256) {
			atomicWrite(this.file(key, 'last-good'), previous);
			try {
				atomicWrite(this.metaFile(key, 'last-good'), fs.readFileSync(this.metaFile(key, 'current')));
			} catch {
				// The previous copy had no sidecar; its age falls back to the file time.
			}
		}
		if (!same) atomicWrite(cur, bytes);
		atomicWrite(this.metaFile(key, 'current'), metaJson);
	}

	/** Remove a corrupted current copy so the next start does not retry it (the last-good copy stays). */
	discardCurrent(key: string): void {
		for (const f of [this.file(key, 'current'), this.metaFile(key, 'current')]) {
			try {
				fs.renameSync(f, `${f}.refused`);
			} catch {
				// Already gone.
			}
		}
	}
}

/** Write a file so that readers see the old or the new content, never a partial one: temp + fsync + rename. */
export function atomicWrite(file: string, data: Buffer): void {
	const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
	const fd = fs.openSync(tmp, 'wx', 0o644);
	try {
		fs.writeSync(fd, data, 0, data.length, 0);
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
	try {
		fs.renameSync(tmp, file);
	} catch (err) {
		fs.rmSync(tmp, { force: true });
		throw err;
	}
	try {
		const dfd = fs.openSync(path.dirname(file), 'r');
		try {
			fs.fsyncSync(dfd);
		} finally {
			fs.closeSync(dfd);
		}
	} catch {
		// Directory fsync is not available on every platform; the rename is still atomic.
	}
}
