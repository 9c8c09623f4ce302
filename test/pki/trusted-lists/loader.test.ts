import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { EU_LOTL_URL, TrustedListError, TrustedListLoader, httpFetcher, type TrustedListFetcher } from '../../../lib/pki/trusted-lists';
import { AT, OJ_2019, OJ_PIVOT_SIGNER, TERRITORIES, lotlUnverified, tlBytes } from './helpers';

/** How the loopback server answers one path. */
type Route = { file: string } | { status: number } | { truncated: string } | { slow: string };

let server: http.Server;
let base = '';
const routes = new Map<string, Route>();
const sockets = new Set<import('node:net').Socket>();
let requests = 0;

function defaults(): void {
	routes.clear();
	routes.set('/lotl.xml', { file: 'eu-lotl.xml' });
	for (const t of TERRITORIES) routes.set(`/${t}.xml`, { file: `${t}.xml` });
}

beforeAll(async () => {
	server = http.createServer((req, res) => {
		requests++;
		const r = routes.get(req.url ?? '');
		if (!r) {
			res.writeHead(404).end();
		} else if ('status' in r) {
			res.writeHead(r.status, { 'content-type': 'text/plain' }).end('server error');
		} else if ('file' in r) {
			const body = tlBytes(r.file);
			res.writeHead(200, { 'content-type': 'application/vnd.etsi.tsl+xml', 'content-length': body.length }).end(body);
		} else if ('truncated' in r) {
			const body = tlBytes(r.truncated);
			res.writeHead(200, { 'content-length': body.length });
			res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
		} else {
			const body = tlBytes(r.slow);
			res.writeHead(200, { 'content-length': body.length });
			res.write(body.subarray(0, 1000)); // ...and nothing more until the client gives up
		}
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const s of sockets) s.destroy();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	defaults();
	requests = 0;
});

/** Real HTTP to the loopback server: the official LOTL address and each list's TSLLocation map to a fixture path. */
const locations = new Map<string, string>([[EU_LOTL_URL, '/lotl.xml']]);
for (const p of lotlUnverified().pointers) if ((TERRITORIES as readonly string[]).includes(p.territory)) locations.set(p.location, `/${p.territory}.xml`);
const loopback: TrustedListFetcher = (url, o) => httpFetcher(`${base}${locations.get(url) ?? '/unknown'}`, o);
const offline: TrustedListFetcher = () => Promise.reject(new TrustedListError('TL_FETCH_FAILED', 'offline (test)'));

function tmpDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'tl-cache-'));
}

function loader(cacheDir: string | undefined, clock: { now: Date }, extra: Partial<ConstructorParameters<typeof TrustedListLoader>[0]> = {}): TrustedListLoader {
	// No ojCertificates: the loader anchors the LOTL in the OJ set bundled with the package (tl-mp1 signed 248).
	return new TrustedListLoader({
		territories: TERRITORIES as unknown as string[],
		cacheDir,
		fetcher: loopback,
		timeoutMs: 2000,
		validationTime: () => AT,
		now: () => clock.now,
		...extra,
	});
}

/** SHA-256 of each cached list file. */
function cacheFiles(dir: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.xml')) out[f] = createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
	return out;
}

const HOUR = 3600_000;
jest.setTimeout(60_000);

async function coldLoad(dir: string, clock: { now: Date }) {
	const snap = await loader(dir, clock).load();
	expect(snap.problems).toEqual([]);
	return snap;
}

describe('TrustedListLoader over a real loopback HTTP server', () => {
	it('cold load: downloads and verifies the LOTL and LV/LT/BE/SE, writes them to the cache', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		const snap = await coldLoad(dir, clock);
		expect(snap.lotl?.origin).toBe('network');
		expect(snap.lotl?.list.sequenceNumber).toBe(248);
		expect([...snap.lists.keys()].sort()).toEqual([...TERRITORIES].sort());
		expect([...snap.lists.values()].every((l) => l.origin === 'network')).toBe(true);
		expect(snap.trustedLists).toHaveLength(4);
		expect(snap.ageMs).toBe(0);
		expect(requests).toBe(5);
		expect(Object.keys(cacheFiles(dir))).toEqual(['BE.xml', 'LT.xml', 'LV.xml', 'SE.xml', 'lotl.xml']);
		expect(fs.readFileSync(path.join(dir, 'lotl.xml')).equals(tlBytes('eu-lotl.xml'))).toBe(true);
		expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
	});

	it('warm start: a fresh cache is used without any network and reports its age; refresh at most daily unless forced', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		await coldLoad(dir, clock);
		clock.now = new Date(clock.now.getTime() + HOUR);
		let fetches = 0;
		const l = loader(dir, clock, { fetcher: (u, o) => (fetches++, offline(u, o)) });
		const snap = await l.load();
		expect(fetches).toBe(0);
		expect(snap.lotl?.origin).toBe('cache');
		expect([...snap.lists.values()].every((x) => x.origin === 'cache')).toBe(true);
		expect(snap.ageMs).toBe(HOUR);
		expect(await l.refresh()).toBe(snap);
		expect(fetches).toBe(0);
		const forced = await l.refresh({ force: true });
		expect(fetches).toBe(5);
		// Offline: every list keeps its verified cached copy, each failure is reported.
		expect(forced.lotl?.origin).toBe('cache');
		expect(forced.lists.size).toBe(4);
		expect(forced.problems.map((p) => [p.territory, p.code, p.outcome])).toEqual(
			expect.arrayContaining([['EU', 'TL_FETCH_FAILED', 'used-cache'], ['LV', 'TL_FETCH_FAILED', 'used-cache']]),
		);
	});

	it('a server answering 500, a broken or removed signature, or a list signed by the wrong TSP never replaces the cached lists', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		await coldLoad(dir, clock);
		const before = cacheFiles(dir);
		const cases: Array<[Route, string, string, string]> = [
			[{ status: 500 }, '/lotl.xml', 'EU', 'TL_FETCH_FAILED'],
			[{ file: 'eu-lotl-broken-sig.xml' }, '/lotl.xml', 'EU', 'TL_DIGEST_MISMATCH'],
			[{ file: 'eu-lotl-no-sig.xml' }, '/lotl.xml', 'EU', 'TL_SIGNATURE_MISSING'],
			[{ file: 'CZ_broken-sig.xml' }, '/LV.xml', 'LV', 'TL_DIGEST_MISMATCH'],
			[{ file: 'LT.xml' }, '/BE.xml', 'BE', 'TL_SIGNER_NOT_TRUSTED'],
			[{ status: 500 }, '/SE.xml', 'SE', 'TL_FETCH_FAILED'],
		];
		for (const [route, at, territory, code] of cases) {
			defaults();
			routes.set(at, route);
			clock.now = new Date(clock.now.getTime() + 25 * HOUR);
			const l = loader(dir, clock);
			const snap = await l.load();
			expect(snap.problems.map((p) => [p.territory, p.code, p.outcome])).toEqual([[territory, code, 'used-cache']]);
			expect(snap.lotl?.list.sequenceNumber).toBe(248);
			expect(snap.lists.size).toBe(4);
			expect(cacheFiles(dir)).toEqual(before);
		}
	});

	it('a truncated body and a slow body (timeout) are refused by the fetcher and leave the cache alone', async () => {
		routes.set('/trunc.xml', { truncated: 'eu-lotl.xml' });
		routes.set('/slow.xml', { slow: 'eu-lotl.xml' });
		routes.set('/500.xml', { status: 500 });
		const opts = { maxBytes: 10_000_000, timeoutMs: 400 };
		await expect(httpFetcher(`${base}/trunc.xml`, opts)).rejects.toMatchObject({ code: 'TL_FETCH_FAILED', message: expect.stringMatching(/truncated/) });
		const t0 = Date.now();
		await expect(httpFetcher(`${base}/slow.xml`, opts)).rejects.toMatchObject({ code: 'TL_FETCH_FAILED', message: expect.stringMatching(/timeout/) });
		expect(Date.now() - t0).toBeLessThan(3000);
		await expect(httpFetcher(`${base}/500.xml`, opts)).rejects.toMatchObject({ code: 'TL_FETCH_FAILED', details: { status: 500 } });
		await expect(httpFetcher(`${base}/lotl.xml`, { ...opts, maxBytes: 1000 })).rejects.toMatchObject({ code: 'TL_FETCH_FAILED', message: expect.stringMatching(/limit/) });
		expect((await httpFetcher(`${base}/lotl.xml`, opts)).equals(tlBytes('eu-lotl.xml'))).toBe(true);

		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		await coldLoad(dir, clock);
		const before = cacheFiles(dir);
		const pairs: Array<[Route, Route]> = [
			[{ truncated: 'eu-lotl.xml' }, { truncated: 'LT.xml' }],
			[{ slow: 'eu-lotl.xml' }, { slow: 'LT.xml' }],
		];
		for (const [lotlRoute, ltRoute] of pairs) {
			defaults();
			routes.set('/lotl.xml', lotlRoute);
			routes.set('/LT.xml', ltRoute);
			const snap = await loader(dir, clock, { timeoutMs: 400 }).refresh({ force: true });
			expect(snap.problems.map((p) => [p.territory, p.code, p.outcome])).toEqual([
				['EU', 'TL_FETCH_FAILED', 'used-cache'],
				['LT', 'TL_FETCH_FAILED', 'used-cache'],
			]);
			expect(snap.lists.size).toBe(4);
			expect(cacheFiles(dir)).toEqual(before);
		}
	});

	it('a corrupted cache file is refused and the last good copy is used; nothing throws', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		// First the pivot LOTL 247 is the current LOTL, then 248: 247 becomes the last-good copy.
		routes.set('/lotl.xml', { file: 'eu-lotl-pivot.xml' });
		const both = [...OJ_2019(), ...OJ_PIVOT_SIGNER()];
		expect((await loader(dir, clock, { ojCertificates: both }).load()).lotl?.list.sequenceNumber).toBe(247);
		defaults();
		expect((await loader(dir, clock, { ojCertificates: both }).refresh({ force: true })).lotl?.list.sequenceNumber).toBe(248);
		expect(fs.existsSync(path.join(dir, 'lotl.last-good.xml'))).toBe(true);
		// Corrupt the current LOTL (one byte inside the signed content) and truncate the cached LV list.
		const lotlFile = path.join(dir, 'lotl.xml');
		const bytes = fs.readFileSync(lotlFile);
		const i = bytes.indexOf('European Commission');
		bytes[i] = 'e'.charCodeAt(0);
		fs.writeFileSync(lotlFile, bytes);
		const lv = path.join(dir, 'LV.xml');
		fs.writeFileSync(lv, fs.readFileSync(lv).subarray(0, 5000));
		clock.now = new Date(clock.now.getTime() + HOUR);
		let fetches = 0;
		const snap = await loader(dir, clock, { ojCertificates: both, fetcher: (u, o) => (fetches++, offline(u, o)) }).load();
		// A cache with a refused file is not trusted to be complete: the loader tries the network (offline here).
		expect(fetches).toBe(5);
		expect(snap.lotl).toMatchObject({ origin: 'cache-last-good' });
		expect(snap.lotl?.list.sequenceNumber).toBe(247);
		const seen = snap.problems.map((p) => [p.territory, p.code, p.outcome]);
		expect(seen.slice(0, 2)).toEqual([
			['EU', 'TL_CACHE_CORRUPT', 'used-last-good'],
			['LV', 'TL_CACHE_CORRUPT', 'unavailable'],
		]);
		expect(seen.slice(2)).toEqual(
			expect.arrayContaining([
				['EU', 'TL_FETCH_FAILED', 'used-last-good'],
				['LV', 'TL_FETCH_FAILED', 'unavailable'],
				['LT', 'TL_FETCH_FAILED', 'used-cache'],
			]),
		);
		expect(snap.problems[0].message).toMatch(/TL_DIGEST_MISMATCH/);
		expect(snap.problems[1].message).toMatch(/TL_XML_REFUSED/);
		expect(snap.lists.has('LV')).toBe(false);
		expect(snap.lists.size).toBe(3);
		// The refused files are set aside, so they can never become a last-good copy; the next good download replaces them.
		expect(fs.existsSync(`${lotlFile}.refused`)).toBe(true);
		const fresh = await loader(dir, clock, { ojCertificates: both }).refresh({ force: true });
		expect(fresh.problems).toEqual([]);
		expect(fresh.lotl?.list.sequenceNumber).toBe(248);
		expect(fs.readFileSync(lv).equals(tlBytes('LV.xml'))).toBe(true);
	});

	it('a cache read with the wrong OJ set (or too early) is refused but kept on disk: the right settings use it again', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		await coldLoad(dir, clock);
		const before = cacheFiles(dir);
		const wrong = loader(dir, clock, { ojCertificates: OJ_PIVOT_SIGNER() }).fromCacheOnly();
		expect(wrong.lotl).toBeNull();
		expect(wrong.problems).toEqual([expect.objectContaining({ territory: 'EU', code: 'TL_CACHE_CORRUPT', message: expect.stringMatching(/TL_SIGNER_NOT_TRUSTED/) })]);
		const early = loader(dir, clock, { validationTime: () => new Date('2019-01-01T00:00:00Z') }).fromCacheOnly();
		expect(early.problems[0].message).toMatch(/TL_NOT_YET_ISSUED/);
		expect(cacheFiles(dir)).toEqual(before);
		expect(fs.readdirSync(dir).filter((f) => f.endsWith('.refused'))).toEqual([]);
		expect(loader(dir, clock).fromCacheOnly()).toMatchObject({ problems: [], lotl: { origin: 'cache' } });
	});

	it('a cache file changed on disk after it was verified is never promoted to the last-good copy', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		const both = [...OJ_2019(), ...OJ_PIVOT_SIGNER()];
		routes.set('/lotl.xml', { file: 'eu-lotl-pivot.xml' });
		const l = loader(dir, clock, { ojCertificates: both });
		expect((await l.load()).lotl?.list.sequenceNumber).toBe(247);
		fs.appendFileSync(path.join(dir, 'lotl.xml'), '<!-- changed on disk -->');
		defaults();
		expect((await l.refresh({ force: true })).lotl?.list.sequenceNumber).toBe(248);
		expect(fs.existsSync(path.join(dir, 'lotl.last-good.xml'))).toBe(false);
		expect(fs.readFileSync(path.join(dir, 'lotl.xml')).equals(tlBytes('eu-lotl.xml'))).toBe(true);
	});

	it('a replayed older LOTL (pivot 247 after 248) is refused and the newer one stays in use', async () => {
		const dir = tmpDir();
		const clock = { now: new Date('2019-09-04T12:00:00Z') };
		const both = [...OJ_2019(), ...OJ_PIVOT_SIGNER()];
		expect((await loader(dir, clock, { ojCertificates: both }).load()).lotl?.list.sequenceNumber).toBe(248);
		const before = cacheFiles(dir);
		routes.set('/lotl.xml', { file: 'eu-lotl-pivot.xml' });
		const snap = await loader(dir, clock, { ojCertificates: both }).refresh({ force: true });
		expect(snap.problems.map((p) => [p.territory, p.code, p.outcome])).toEqual([['EU', 'TL_OLDER_THAN_CACHED', 'used-cache']]);
		expect(snap.lotl?.list.sequenceNumber).toBe(248);
		expect(cacheFiles(dir)).toEqual(before);
	});

	it('a LOTL not signed by an OJ certificate whose pivots cannot be fetched is refused (TL_PIVOT_FAILED)', async () => {
		routes.set('/lotl.xml', { file: 'eu-lotl-pivot.xml' });
		const snap = await loader(undefined, { now: new Date('2019-09-04T12:00:00Z') }).load();
		expect(snap.lotl).toBeNull();
		expect(snap.problems).toEqual([expect.objectContaining({ territory: 'EU', code: 'TL_PIVOT_FAILED', outcome: 'unavailable' })]);
	});

	it('without cache and network there is no list, a reported problem and no exception', async () => {
		routes.set('/lotl.xml', { status: 500 });
		const snap = await loader(undefined, { now: new Date('2019-09-04T12:00:00Z') }).load();
		expect(snap.lotl).toBeNull();
		expect(snap.lists.size).toBe(0);
		expect(snap.ageMs).toBeNull();
		expect(snap.problems).toEqual([expect.objectContaining({ territory: 'EU', code: 'TL_FETCH_FAILED', outcome: 'unavailable' })]);
	});

	it('concurrent refreshes share one download', async () => {
		const l = loader(undefined, { now: new Date('2019-09-04T12:00:00Z') });
		const [a, b] = await Promise.all([l.refresh({ force: true }), l.refresh({ force: true })]);
		expect(a).toBe(b);
		expect(requests).toBe(5);
	});
});
