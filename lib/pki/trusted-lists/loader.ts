import { createHash, type X509Certificate } from 'node:crypto';
import { TrustedListCache, type CacheSlot } from './cache';
import { TrustedListError, type TrustedListErrorCode } from './errors';
import { httpFetcher, type TrustedListFetcher } from './fetch';
import type { TrustedList } from './model';
import { bundledOjCertificates } from './oj-certificates';
import { parseTrustedListXml, readTrustedList, resolveLimits, type TrustedListLimits } from './parse';
import { EU_LOTL_URL, TSL_MIME_XML, TSL_TYPE } from './uris';
import { nationalPointer, pivotUrls, verifyLotl, verifyNationalList, type VerifiedLotl, type VerifiedTrustedList } from './verify';

/** Where a list in a snapshot came from. */
export type ListOrigin = 'network' | 'cache' | 'cache-last-good';

/** A verified list in a snapshot, with its origin and age. */
export interface LoadedList extends VerifiedTrustedList {
	origin: ListOrigin;
	/** When its bytes were downloaded. */
	fetchedAt: Date;
}

/** Something that went wrong while loading; the list concerned kept its last verified copy when there was one. */
export interface LoadProblem {
	/** `EU` for the LOTL, the territory code for a national list, `pivot` for a pivot LOTL. */
	territory: string;
	code: TrustedListErrorCode | 'ERROR';
	message: string;
	/** What happened in the end: the list in use is from the cache, or no verified copy is available. */
	outcome: 'used-cache' | 'used-last-good' | 'unavailable';
}

/** The verified LOTL and national lists in use, and what went wrong getting them. */
export interface TrustedListSnapshot {
	lotl: (VerifiedLotl & { origin: ListOrigin; fetchedAt: Date }) | null;
	/** Territory → verified national list. */
	lists: Map<string, LoadedList>;
	problems: LoadProblem[];
	/** When this snapshot was made. */
	loadedAt: Date;
	/** Download time of the oldest list in use (null when nothing is in use). */
	oldestFetchedAt: Date | null;
	/** Milliseconds between `oldestFetchedAt` and `loadedAt`: how old the trust data is. */
	ageMs: number | null;
	/** The national lists, for {@link servicesAt} and friends. */
	trustedLists: TrustedList[];
}

/** Options of {@link TrustedListLoader}. */
export interface TrustedListLoaderOptions {
	/** LOTL address (default the official {@link EU_LOTL_URL}). */
	lotlUrl?: string;
	/**
	 * LOTL signing certificates published in the Official Journal: the root of trust (see `verifyLotl`). Default: the
	 * set bundled with the package ({@link bundledOjCertificates}); a given set replaces it.
	 */
	ojCertificates?: (Buffer | X509Certificate)[];
	/** Territories to load (default every XML pointer of the LOTL). */
	territories?: string[];
	/** Cache directory; no cache when absent (every start downloads). */
	cacheDir?: string;
	/** Bytes getter (default {@link httpFetcher}). */
	fetcher?: TrustedListFetcher;
	/** Per-download timeout (default 30 s). */
	timeoutMs?: number;
	/** Refresh at most this often unless forced (default 24 h). */
	refreshIntervalMs?: number;
	/** Validation time for the list signatures (default now); tests set the lists' issue date. */
	validationTime?: () => Date;
	/** Clock for ages and the refresh interval (default `new Date()`). */
	now?: () => Date;
	/** Parallel national-list downloads (default 4). */
	concurrency?: number;
	limits?: TrustedListLimits;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function sha256(b: Buffer): string {
	return createHash('sha256').update(b).digest('hex');
}

function pivotKey(url: string): string {
	return `pivot-${sha256(Buffer.from(url)).slice(0, 16)}`;
}

function codeOf(err: unknown): TrustedListErrorCode | 'ERROR' {
	return err instanceof TrustedListError ? err.code : 'ERROR';
}

function messageOf(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/**
 * Loads the EU LOTL and the national lists it points to, verifies each (LOTL against the Official Journal
 * certificates, directly or through pivot LOTLs; each national list against the certificates the LOTL names for its
 * territory), and keeps a verified on-disk cache. A failed download, a bad signature or a corrupted cache file never
 * replaces a good list and never throws out of {@link load}/{@link refresh}: the list keeps its last verified copy and
 * the snapshot reports the problem. Downloads happen at most once per refresh interval unless forced; with a fresh
 * cache a start needs no network.
 */
export class TrustedListLoader {
	private readonly opts: Required<Omit<TrustedListLoaderOptions, 'cacheDir' | 'territories'>> & Pick<TrustedListLoaderOptions, 'cacheDir' | 'territories'>;
	private readonly cache: TrustedListCache | null;
	private current: TrustedListSnapshot | null = null;
	private lastRefresh: Date | null = null;
	private inFlight: Promise<TrustedListSnapshot> | null = null;

	constructor(options: TrustedListLoaderOptions) {
		this.opts = {
			lotlUrl: EU_LOTL_URL,
			fetcher: httpFetcher,
			timeoutMs: 30_000,
			refreshIntervalMs: DAY_MS,
			validationTime: () => new Date(),
			now: () => new Date(),
			concurrency: 4,
			limits: {},
			...options,
			ojCertificates: options.ojCertificates ?? bundledOjCertificates(),
		};
		this.cache = options.cacheDir ? new TrustedListCache(options.cacheDir) : null;
	}

	/** The snapshot in use, or null before the first load. */
	snapshot(): TrustedListSnapshot | null {
		return this.current;
	}

	/**
	 * The lists to use now: the in-memory snapshot when refreshed within the interval; else, on first use, the cache
	 * when every list in it verified and it is younger than the interval (no network); else a refresh (which falls
	 * back to the verified cached copies, and also reports what was wrong with the cache).
	 */
	async load(): Promise<TrustedListSnapshot> {
		const now = this.opts.now().getTime();
		if (this.current && this.lastRefresh && now - this.lastRefresh.getTime() < this.opts.refreshIntervalMs) return this.current;
		if (!this.current && this.cache) {
			const fromCache = this.fromCacheOnly();
			if (fromCache.lotl) {
				// Stale or not, the verified cached copies are what a failed download falls back to.
				this.current = fromCache;
				const fresh = fromCache.oldestFetchedAt !== null && now - fromCache.oldestFetchedAt.getTime() < this.opts.refreshIntervalMs;
				if (fresh && fromCache.problems.length === 0) {
					this.lastRefresh = fromCache.oldestFetchedAt;
					return fromCache;
				}
			}
			if (fromCache.problems.length > 0) {
				const snap = await this.refresh({ force: true });
				snap.problems.unshift(...fromCache.problems);
				return snap;
			}
		}
		return this.refresh({ force: true });
	}

	/**
	 * Download and verify the LOTL and the national lists (at most once per interval unless `force`); anything that
	 * fails falls back to its last verified copy. Concurrent calls share one refresh.
	 */
	async refresh(options: { force?: boolean } = {}): Promise<TrustedListSnapshot> {
		const now = this.opts.now().getTime();
		if (!options.force && this.current && this.lastRefresh && now - this.lastRefresh.getTime() < this.opts.refreshIntervalMs) return this.current;
		if (this.inFlight) return this.inFlight;
		this.inFlight = this.doRefresh().finally(() => {
			this.inFlight = null;
		});
		return this.inFlight;
	}

	/** Build a snapshot from the cache alone (offline start); problems say what could not be used. */
	fromCacheOnly(): TrustedListSnapshot {
		const problems: LoadProblem[] = [];
		const lotl = this.lotlFromCache(problems);
		const lists = new Map<string, LoadedList>();
		if (lotl) {
			for (const t of this.territories(lotl.list)) {
				const l = this.nationalFromCache(t, lotl.list, problems);
				if (l) lists.set(t, l);
			}
		}
		return this.makeSnapshot(lotl, lists, problems);
	}

	private territories(lotl: TrustedList): string[] {
		if (this.opts.territories) return [...this.opts.territories];
		const all = lotl.pointers.filter((p) => p.mimeType === TSL_MIME_XML && p.tslType !== TSL_TYPE.euLotl && p.territory !== 'EU').map((p) => p.territory);
		return [...new Set(all)];
	}

	private async fetch(url: string): Promise<Buffer> {
		const lim = resolveLimits(this.opts.limits);
		return this.opts.fetcher(url, { maxBytes: lim.maxBytes, timeoutMs: this.opts.timeoutMs });
	}

	private async verifyLotlBytes(bytes: Buffer, source: string, allowNetwork: boolean): Promise<VerifiedLotl> {
		const at = this.opts.validationTime();
		try {
			return verifyLotl(bytes, { ojCertificates: this.opts.ojCertificates, at, limits: this.opts.limits, source });
		} catch (err) {
			if (codeOf(err) !== 'TL_SIGNER_NOT_TRUSTED') throw err;
			// Not signed by an OJ certificate: anchor it through the pivots it lists (unverified list only used for URLs).
			const urls = pivotUrls(readTrustedList(parseTrustedListXml(bytes, this.opts.limits), this.opts.limits)).slice(-10);
			if (urls.length === 0) throw err;
			const pivots: { source: string; bytes: Buffer }[] = [];
			for (const url of urls) pivots.push({ source: url, bytes: await this.pivotBytes(url, allowNetwork) });
			const v = verifyLotl(bytes, { ojCertificates: this.opts.ojCertificates, at, limits: this.opts.limits, source, pivots });
			if (this.cache) {
				for (const p of pivots) this.cache.write(pivotKey(p.source), p.bytes, { fetchedAt: this.opts.now(), source: p.source });
			}
			return v;
		}
	}

	private async pivotBytes(url: string, allowNetwork: boolean): Promise<Buffer> {
		// Pivots never change once published: the cached copy is as good as a download (it is verified again anyway).
		const lim = resolveLimits(this.opts.limits);
		const cached = this.cache?.read(pivotKey(url), 'current', lim.maxBytes);
		if (cached) return cached.bytes;
		if (!allowNetwork) throw new TrustedListError('TL_PIVOT_FAILED', `Pivot LOTL ${url} is not in the cache and the network is not used now.`, { pivot: url });
		try {
			return await this.fetch(url);
		} catch (err) {
			throw new TrustedListError('TL_PIVOT_FAILED', `Pivot LOTL ${url} could not be downloaded: ${messageOf(err)}`, { pivot: url }, { cause: err });
		}
	}

	private lotlFromCache(problems: LoadProblem[]): TrustedListSnapshot['lotl'] {
		if (!this.cache) return null;
		const lim = resolveLimits(this.opts.limits);
		const mark = problems.length;
		for (const slot of ['current', 'last-good'] as CacheSlot[]) {
			const entry = this.cache.read('lotl', slot, lim.maxBytes);
			if (!entry) continue;
			try {
				const v = verifyLotl(entry.bytes, {
					ojCertificates: this.opts.ojCertificates,
					at: this.opts.validationTime(),
					limits: this.opts.limits,
					source: entry.source,
					pivots: this.cachedPivots(entry.bytes),
				});
				this.settle(problems, mark, 'used-last-good');
				return { ...v, origin: slot === 'current' ? 'cache' : 'cache-last-good', fetchedAt: entry.fetchedAt };
			} catch (err) {
				problems.push({ territory: 'EU', code: 'TL_CACHE_CORRUPT', message: `Cached LOTL (${slot}) refused: ${codeOf(err)}: ${messageOf(err)}`, outcome: 'unavailable' });
				if (slot === 'current' && bytesAtFault(err)) this.cache.discardCurrent('lotl');
			}
		}
		return null;
	}

	private cachedPivots(bytes: Buffer): { source: string; bytes: Buffer }[] | undefined {
		if (!this.cache) return undefined;
		try {
			const lim = resolveLimits(this.opts.limits);
			const urls = pivotUrls(readTrustedList(parseTrustedListXml(bytes, this.opts.limits), this.opts.limits)).slice(-10);
			const out: { source: string; bytes: Buffer }[] = [];
			for (const url of urls) {
				const e = this.cache.read(pivotKey(url), 'current', lim.maxBytes);
				if (!e) return undefined;
				out.push({ source: url, bytes: e.bytes });
			}
			return out;
		} catch {
			return undefined;
		}
	}

	private nationalFromCache(territory: string, lotl: TrustedList, problems: LoadProblem[]): LoadedList | null {
		if (!this.cache) return null;
		const lim = resolveLimits(this.opts.limits);
		const mark = problems.length;
		for (const slot of ['current', 'last-good'] as CacheSlot[]) {
			const entry = this.cache.read(territory, slot, lim.maxBytes);
			if (!entry) continue;
			try {
				const v = verifyNationalList(entry.bytes, lotl, territory, { at: this.opts.validationTime(), limits: this.opts.limits, source: entry.source });
				this.settle(problems, mark, 'used-last-good');
				return { ...v, origin: slot === 'current' ? 'cache' : 'cache-last-good', fetchedAt: entry.fetchedAt };
			} catch (err) {
				problems.push({ territory, code: 'TL_CACHE_CORRUPT', message: `Cached ${territory} list (${slot}) refused: ${codeOf(err)}: ${messageOf(err)}`, outcome: 'unavailable' });
				if (slot === 'current' && bytesAtFault(err)) this.cache.discardCurrent(territory);
			}
		}
		return null;
	}

	private settle(problems: LoadProblem[], from: number, outcome: LoadProblem['outcome']): void {
		for (let i = from; i < problems.length; i++) problems[i].outcome = outcome;
	}

	private async doRefresh(): Promise<TrustedListSnapshot> {
		const problems: LoadProblem[] = [];
		// What is in use (memory, else the verified cache): the fallback, and the floor for sequence numbers.
		const prior = this.current ?? (this.cache ? this.fromCacheOnly() : null);
		let lotl: TrustedListSnapshot['lotl'] = null;
		// 1. The LOTL.
		const mark = problems.length;
		try {
			const bytes = await this.fetch(this.opts.lotlUrl);
			const v = await this.verifyLotlBytes(bytes, this.opts.lotlUrl, true);
			notOlder(v, prior?.lotl ?? null, 'EU');
			lotl = { ...v, origin: 'network', fetchedAt: this.opts.now() };
			this.cache?.write('lotl', bytes, { fetchedAt: lotl.fetchedAt, source: this.opts.lotlUrl, sha256: v.sha256 }, prior?.lotl?.sha256);
		} catch (err) {
			problems.push({ territory: 'EU', code: codeOf(err), message: messageOf(err), outcome: 'unavailable' });
			lotl = prior?.lotl ?? this.lotlFromCache(problems);
			this.settle(problems, mark, lotl ? (lotl.origin === 'cache-last-good' ? 'used-last-good' : 'used-cache') : 'unavailable');
		}
		const lists = new Map<string, LoadedList>();
		if (lotl) {
			// 2. National lists, a few at a time.
			const queue = [...this.territories(lotl.list)];
			const lotlList = lotl.list;
			const worker = async (): Promise<void> => {
				for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
					const l = await this.refreshNational(t, lotlList, prior, problems);
					if (l) lists.set(t, l);
				}
			};
			await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency) }, worker));
		}
		const snap = this.makeSnapshot(lotl, lists, problems);
		this.current = snap;
		this.lastRefresh = this.opts.now();
		return snap;
	}

	private async refreshNational(territory: string, lotl: TrustedList, prior: TrustedListSnapshot | null, problems: LoadProblem[]): Promise<LoadedList | null> {
		const pointer = nationalPointer(lotl, territory);
		// Several territories run at once: collect this one's problems apart, then append them in one go.
		const local: LoadProblem[] = [];
		try {
			if (!pointer) throw new TrustedListError('TL_UNEXPECTED_LIST', `The LOTL has no XML pointer for ${territory}.`, { territory });
			const bytes = await this.fetch(pointer.location);
			const v = verifyNationalList(bytes, lotl, territory, { at: this.opts.validationTime(), limits: this.opts.limits, source: pointer.location });
			notOlder(v, prior?.lists.get(territory) ?? null, territory);
			const l: LoadedList = { ...v, origin: 'network', fetchedAt: this.opts.now() };
			this.cache?.write(territory, bytes, { fetchedAt: l.fetchedAt, source: pointer.location, sha256: v.sha256 }, prior?.lists.get(territory)?.sha256);
			return l;
		} catch (err) {
			local.push({ territory, code: codeOf(err), message: messageOf(err), outcome: 'unavailable' });
			let l: LoadedList | null = null;
			const before = prior?.lists.get(territory);
			if (before && pointer) {
				// The kept copy must still be signed by a certificate the (possibly new) LOTL names.
				try {
					verifyNationalListAgain(before, lotl, territory);
					l = before;
				} catch {
					l = null;
				}
			}
			l = l ?? this.nationalFromCache(territory, lotl, local);
			this.settle(local, 0, l ? (l.origin === 'cache-last-good' ? 'used-last-good' : 'used-cache') : 'unavailable');
			problems.push(...local);
			return l;
		}
	}

	private makeSnapshot(lotl: TrustedListSnapshot['lotl'], lists: Map<string, LoadedList>, problems: LoadProblem[]): TrustedListSnapshot {
		const loadedAt = this.opts.now();
		const times = [lotl?.fetchedAt, ...[...lists.values()].map((l) => l.fetchedAt)].filter((d): d is Date => !!d);
		const oldest = times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
		return {
			lotl,
			lists,
			problems,
			loadedAt,
			oldestFetchedAt: oldest,
			ageMs: oldest ? loadedAt.getTime() - oldest.getTime() : null,
			trustedLists: [...lists.values()].map((l) => l.list),
		};
	}
}

/**
 * Whether a cached copy was refused for its own bytes (set it aside) rather than for the anchors or the time it was
 * checked with: a wrong --oj-pem set, a LOTL that no longer names the signer or an early validation time must not
 * destroy a good cache that the right settings would accept.
 */
function bytesAtFault(err: unknown): boolean {
	const code = codeOf(err);
	return code !== 'TL_SIGNER_NOT_TRUSTED' && code !== 'TL_PIVOT_FAILED' && code !== 'TL_NOT_YET_ISSUED';
}

/** A verified download must not go back in sequence number from the copy in use (an old list replayed). */
function notOlder(v: VerifiedTrustedList, inUse: VerifiedTrustedList | null, territory: string): void {
	if (inUse && v.list.sequenceNumber < inUse.list.sequenceNumber) {
		throw new TrustedListError(
			'TL_OLDER_THAN_CACHED',
			`The downloaded ${territory} list has sequence number ${v.list.sequenceNumber}, older than ${inUse.list.sequenceNumber} in use; keeping the newer one.`,
			{ territory, downloaded: v.list.sequenceNumber, inUse: inUse.list.sequenceNumber },
		);
	}
}

function verifyNationalListAgain(l: LoadedList, lotl: TrustedList, territory: string): void {
	const pointer = nationalPointer(lotl, territory);
	if (!pointer || !pointer.certificates.some((c) => c.equals(l.signature.signer.raw))) {
		throw new TrustedListError('TL_SIGNER_NOT_TRUSTED', `The LOTL no longer names the signer of the kept ${territory} list.`, { territory });
	}
}
