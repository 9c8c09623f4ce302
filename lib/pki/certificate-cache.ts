/**
 * Bounded caches for certificate parsing keyed by the certificate's bytes. The certificates that matter (the
 * user's in every session status, the TSA's in every token, the OCSP responder's in every response) arrive as
 * fresh bytes each time, so a cache keyed by object identity never hits; parsing them with pkijs costs
 * milliseconds. Keys are the SHA-256 of the DER, so a single changed byte is a different entry.
 */
import { createHash } from 'node:crypto';

/** Default number of entries of each certificate cache: far more than the certificates one deployment sees. */
export const CERTIFICATE_CACHE_SIZE = 512;

/** A small least-recently-used map (Map keeps insertion order: re-inserting on access moves a key to the end). */
export class LruCache<K, V> {
	private readonly entries = new Map<K, V>();
	constructor(readonly maxEntries: number = CERTIFICATE_CACHE_SIZE) {
		if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive whole number.');
	}

	/** The value for `key`, marking it most recently used. */
	get(key: K): V | undefined {
		const value = this.entries.get(key);
		if (value === undefined) return undefined;
		this.entries.delete(key);
		this.entries.set(key, value);
		return value;
	}

	/** Store `value`, evicting the least recently used entry when full. */
	set(key: K, value: V): void {
		this.entries.delete(key);
		this.entries.set(key, value);
		if (this.entries.size > this.maxEntries) {
			const oldest = this.entries.keys().next();
			if (!oldest.done) this.entries.delete(oldest.value);
		}
	}

	/** Whether `key` is cached (does not change the order). */
	has(key: K): boolean {
		return this.entries.has(key);
	}

	/** Number of entries. */
	get size(): number {
		return this.entries.size;
	}

	/** Drop everything. */
	clear(): void {
		this.entries.clear();
	}
}

/** Cache key of DER bytes: lowercase hex SHA-256. */
export function derCacheKey(der: Uint8Array): string {
	return createHash('sha256').update(der).digest('hex');
}

/**
 * Freeze a parsed view and everything plain inside it (objects, arrays), so a cached view shared by many callers
 * cannot be changed by one of them. Buffers cannot be frozen and node/pkijs objects stay as they are; callers
 * must treat those as read-only.
 */
export function deepFreeze<T>(value: T): T {
	if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
	const proto = Object.getPrototypeOf(value) as unknown;
	if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
	for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
	return Object.freeze(value);
}
