/**
 * Bounded caches for certificate parsing keyed by the certificate's bytes. The certificates that matter (the
 * user's in every session status, the TSA's in every token, the OCSP responder's in every response) arrive as
 * fresh bytes each time, so a cache keyed by object identity never hits; parsing them with pkijs costs
 * milliseconds. Keys are the SHA-256 of the DER, so a single changed byte is a different entry.
 */
import { createHash, type X509Certificate } from 'node:crypto';

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

/** The forms the engine builds of one certificate: the typed view (`parsed`) and the raw pkijs view (`view`). */
type CertificateForms = { parsed?: object; view?: object };

// THE certificate cache (issue 12 item 3): one bounded LRU of forms per DER SHA-256, plus one identity map per
// X509Certificate object (trust stores hand out the same objects), for every certificate form the engine builds.
const formsByDer = new LruCache<string, CertificateForms>(CERTIFICATE_CACHE_SIZE);
const formsByObject = new WeakMap<X509Certificate, CertificateForms>();

/**
 * The cached `kind` form of a certificate, built once by `build` (which may throw: nothing is cached then).
 * `key` is the DER cache key of the input bytes (undefined: not cacheable by bytes); `object` the node certificate
 * the caller passed, if any. `build` returns the form and the node certificate it was made from.
 */
export function cachedCertificateForm<T extends object>(
	kind: keyof CertificateForms,
	key: string | undefined,
	object: X509Certificate | undefined,
	build: () => { form: T; x509: X509Certificate },
): T {
	const own = object ? formsByObject.get(object) : undefined;
	if (own?.[kind]) return own[kind] as T;
	let forms = key ? formsByDer.get(key) : undefined;
	if (forms?.[kind]) {
		if (object) formsByObject.set(object, forms);
		return forms[kind] as T;
	}
	const { form, x509 } = build();
	forms ??= own ?? {};
	forms[kind] = form;
	if (key) formsByDer.set(key, forms);
	formsByObject.set(x509, forms);
	if (object) formsByObject.set(object, forms);
	return form;
}

/** Number of certificates in the byte-keyed cache (all forms together). */
export function certificateCacheEntries(): number {
	return formsByDer.size;
}

/** Forget the byte-keyed cache (tests, or to release memory). */
export function clearCertificateForms(): void {
	formsByDer.clear();
}
