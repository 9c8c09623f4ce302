import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	FileSessionStore,
	RedisSessionStore,
	createSessionStore,
	defaultSessionFolder,
	type PendingSessionRecord,
	type PendingSessionStore,
} from '../../lib/sessions';
import { startRedis, type TestRedis } from './redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function record(i: number, overrides: Partial<PendingSessionRecord> = {}): PendingSessionRecord {
	const created = new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000);
	return {
		sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
		kind: 'authentication',
		credentialKey: i % 2 === 0 ? 'cred-even' : 'cred-odd',
		tag: i % 3 === 0 ? 'three' : undefined,
		correlation: { order: i, nested: { ok: true } },
		createdAt: created.toISOString(),
		expiresAt: new Date(created.getTime() + 180_000).toISOString(),
		context: {
			schemeName: 'smart-id-demo',
			relyingPartyName: 'DEMO',
			rpChallenge: Buffer.alloc(32, i).toString('base64'),
			interactions: 'W10=',
			requestedCertificateLevel: 'QUALIFIED',
			hashAlgorithm: 'SHA-512',
			allowedFlowTypes: ['Notification'],
		},
		...overrides,
	};
}

interface Backend {
	name: string;
	/** A fresh, empty store location. */
	fresh(): Promise<string>;
	/** A new store instance (as another process would open it) on a location. */
	open(location: string): PendingSessionStore;
}

let redis: TestRedis;
const opened: PendingSessionStore[] = [];
const tmpRoot = path.join(os.tmpdir(), `smartid-sessions-${process.pid}-${Date.now()}`);
let counter = 0;

const backends: Backend[] = [
	{
		name: 'FileSessionStore',
		fresh: async () => path.join(tmpRoot, `store-${++counter}`),
		open: (folder) => new FileSessionStore({ folder }),
	},
	{
		name: 'RedisSessionStore',
		fresh: async () => `test:${++counter}:`,
		open: (prefix) => new RedisSessionStore({ url: redis.url, keyPrefix: prefix }),
	},
];

beforeAll(async () => {
	redis = await startRedis();
}, 20_000);

afterEach(async () => {
	await Promise.all(opened.splice(0).map((s) => s.close()));
});

afterAll(async () => {
	await redis?.stop();
	await fs.rm(tmpRoot, { recursive: true, force: true });
});

describe.each(backends)('$name contract', (backend) => {
	async function storePair(): Promise<[PendingSessionStore, PendingSessionStore]> {
		const location = await backend.fresh();
		const a = backend.open(location);
		const b = backend.open(location);
		opened.push(a, b);
		return [a, b];
	}

	test('put/get round-trips the whole record, including correlation JSON', async () => {
		const [store, other] = await storePair();
		const rec = record(7, {
			secrets: {
				sessionID: record(7).sessionId,
				sessionToken: 'tok',
				sessionSecret: 'c2VjcmV0',
				deviceLinkBase: 'https://sid.demo.sk.ee/device-link',
				receivedAt: 1,
				sessionType: 'auth',
				schemeName: 'smart-id-demo',
				relyingPartyName: 'DEMO',
				signatureProtocol: 'ACSP_V2',
				digestOrRpChallenge: 'AA==',
				interactions: 'W10=',
				deviceLinkTypes: ['QR'],
			},
			asicePending: { a: [1, 2] } });
		await store.put(rec);
		expect(await other.get(rec.sessionId)).toEqual(JSON.parse(JSON.stringify(rec)));
		expect(await store.get(record(8).sessionId)).toBeUndefined();
	});

	test('put replaces an existing record (and moves it between credentials)', async () => {
		const [store] = await storePair();
		await store.put(record(2));
		await store.put(record(2, { credentialKey: 'cred-other', tag: 'new' }));
		expect((await store.get(record(2).sessionId))?.tag).toBe('new');
		expect(await store.list({ credentialKey: 'cred-even' })).toEqual([]);
		expect((await store.list({ credentialKey: 'cred-other' })).map((r) => r.sessionId)).toEqual([record(2).sessionId]);
	});

	test('list filters by credential key and tag, oldest first', async () => {
		const [store] = await storePair();
		for (const i of [5, 1, 4, 3, 6, 2]) await store.put(record(i));
		expect((await store.list()).map((r) => r.correlation)).toEqual([1, 2, 3, 4, 5, 6].map((i) => record(i).correlation));
		expect((await store.list({ credentialKey: 'cred-even' })).map((r) => (r.correlation as { order: number }).order)).toEqual([2, 4, 6]);
		expect((await store.list({ credentialKey: 'cred-odd', tag: 'three' })).map((r) => (r.correlation as { order: number }).order)).toEqual([3]);
		expect((await store.list({ tag: 'three' })).length).toBe(2);
		expect(await store.list({ credentialKey: 'nobody' })).toEqual([]);
	});

	test('a claimed record cannot be claimed again until released', async () => {
		const [a, b] = await storePair();
		const rec = record(1);
		await a.put(rec);
		const lease = await a.claim(rec.sessionId, 30_000);
		expect(lease).toBeDefined();
		expect(await b.claim(rec.sessionId, 30_000)).toBeUndefined();
		expect(await a.claim(rec.sessionId, 30_000)).toBeUndefined();
		expect((await b.list()).length).toBe(1); // leased records stay listed (and stored)
		await a.release(lease!);
		const second = await b.claim(rec.sessionId, 30_000);
		expect(second).toBeDefined();
		expect(second!.token).not.toBe(lease!.token);
		// the released lease cannot remove the record any more
		expect(await a.remove(rec.sessionId, lease!)).toBe(false);
		expect(await b.remove(rec.sessionId, second!)).toBe(true);
		expect(await a.get(rec.sessionId)).toBeUndefined();
	});

	test('claiming a missing record gives nothing; removing twice reports false', async () => {
		const [store] = await storePair();
		expect(await store.claim(record(9).sessionId, 1000)).toBeUndefined();
		await store.put(record(9));
		expect(await store.remove(record(9).sessionId)).toBe(true);
		expect(await store.remove(record(9).sessionId)).toBe(false);
		expect(await store.claim(record(9).sessionId, 1000)).toBeUndefined();
	});

	test('crash recovery: a dead holder keeps the record; its lease expires and another process takes over', async () => {
		const location = await backend.fresh();
		const crashed = backend.open(location);
		const rec = record(11);
		await crashed.put(rec);
		const lost = await crashed.claim(rec.sessionId, 300);
		expect(lost).toBeDefined();
		await crashed.close(); // "crash": no release, no remove
		const restarted = backend.open(location);
		opened.push(restarted);
		expect(await restarted.claim(rec.sessionId, 10_000)).toBeUndefined(); // lease still alive
		await sleep(450);
		const taken = await restarted.claim(rec.sessionId, 10_000);
		expect(taken).toBeDefined();
		expect(await restarted.get(rec.sessionId)).toEqual(JSON.parse(JSON.stringify(rec)));
		// a slow holder that comes back late must learn that it lost the lease
		const zombie = backend.open(location);
		opened.push(zombie);
		expect(await zombie.remove(rec.sessionId, lost!)).toBe(false);
		expect(await restarted.get(rec.sessionId)).toBeDefined();
		expect(await restarted.remove(rec.sessionId, taken!)).toBe(true);
	});

	test('two stores on one location racing over the same records: every record processed exactly once', async () => {
		const [a, b] = await storePair();
		const records = Array.from({ length: 60 }, (_, i) => record(100 + i));
		for (const r of records) await a.put(r);
		const processed: string[] = [];
		const worker = async (store: PendingSessionStore) => {
			for (const r of await store.list()) {
				const lease = await store.claim(r.sessionId, 30_000);
				if (!lease) continue;
				processed.push(r.sessionId);
				await sleep(1);
				expect(await store.remove(r.sessionId, lease)).toBe(true);
			}
		};
		await Promise.all([worker(a), worker(b), worker(a), worker(b)]);
		expect(processed.length).toBe(records.length);
		expect(new Set(processed).size).toBe(records.length);
		expect(await a.list()).toEqual([]);
	});

	test('concurrent takeover of one expired lease has a single winner', async () => {
		const [a, b] = await storePair();
		const rec = record(12);
		await a.put(rec);
		await a.claim(rec.sessionId, 50);
		await sleep(120);
		const winners = (await Promise.all([a, b, a, b, a, b].map((s) => s.claim(rec.sessionId, 10_000)))).filter(Boolean);
		expect(winners.length).toBe(1);
	});

	test('refuses session ids that could escape the store and records without required fields', async () => {
		const [store] = await storePair();
		await expect(store.get('../etc/passwd')).rejects.toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
		await expect(store.put(record(1, { sessionId: 'a/b' }))).rejects.toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
		await expect(store.put(record(1, { credentialKey: '' }))).rejects.toThrow(/credentialKey/);
		await expect(store.put(record(1, { expiresAt: 'soon' }))).rejects.toThrow(/expiresAt/);
		await expect(store.put(record(1, { kind: 'other' as never }))).rejects.toThrow(/kind/);
	});

	test('removeMany removes each record only while its own lease is held, answering in the given order', async () => {
		const [a, b] = await storePair();
		const recs = [1, 2, 3, 4, 5, 6].map((i) => record(200 + i));
		for (const r of recs) await a.put(r);
		const held1 = (await a.claim(recs[0].sessionId, 30_000))!;
		const held2 = (await a.claim(recs[1].sessionId, 30_000))!;
		const released = (await a.claim(recs[2].sessionId, 30_000))!;
		await a.release(released);
		const expired = (await a.claim(recs[3].sessionId, 80))!;
		const takenOver = (await a.claim(recs[4].sessionId, 80))!;
		const gone = (await a.claim(recs[5].sessionId, 30_000))!;
		await sleep(150);
		const newHolder = (await b.claim(recs[4].sessionId, 30_000))!;
		expect(newHolder).toBeDefined();
		expect(await b.remove(recs[5].sessionId)).toBe(true); // removed by someone else meanwhile
		expect(await a.removeMany([held1, released, expired, held2, takenOver, gone])).toEqual([true, false, false, true, false, false]);
		// an expired lease removes nothing, even when nobody took the record over
		expect((await b.list()).map((r) => r.sessionId)).toEqual([recs[2], recs[3], recs[4]].map((r) => r.sessionId));
		expect(await b.removeMany([newHolder])).toEqual([true]);
		expect(await a.removeMany([])).toEqual([]);
		await expect(a.removeMany([{ ...held1, token: '' }])).rejects.toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
		await expect(a.removeMany([{ ...held1, sessionId: '../x' }])).rejects.toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
	});

	test('removeMany of 400 leased records is one batch, faster than 400 single removals', async () => {
		const [store] = await storePair();
		const claimAll = async (base: number) => {
			const recs = Array.from({ length: 400 }, (_, i) => record(base + i));
			await Promise.all(recs.map((r) => store.put(r)));
			return Promise.all(recs.map(async (r) => (await store.claim(r.sessionId, 60_000))!));
		};
		const single = await claimAll(10_000);
		let t = Date.now();
		for (const lease of single) expect(await store.remove(lease.sessionId, lease)).toBe(true);
		const singleMs = Date.now() - t;
		const batch = await claimAll(20_000);
		t = Date.now();
		const removed = await store.removeMany(batch);
		const batchMs = Date.now() - t;
		expect(removed).toEqual(batch.map(() => true));
		expect(await store.list()).toEqual([]);
		expect(batchMs).toBeLessThan(singleMs);
	}, 60_000);

	test("list order 'lastChecked': least recently stored or checked first; a lost lease records nothing", async () => {
		const [a, b] = await storePair();
		const recs = [1, 2, 3, 4].map((i) => record(300 + i));
		for (const r of recs) {
			await a.put(r);
			await sleep(5); // distinct store times
		}
		const t = Date.now() + 1000;
		const l1 = (await a.claim(recs[0].sessionId, 30_000))!;
		const l2 = (await a.claim(recs[1].sessionId, 30_000))!;
		await a.release(l2, { checkedAt: t });
		await a.release(l1, { checkedAt: t + 1000 });
		const ids = (list: PendingSessionRecord[]) => list.map((r) => (r.correlation as { order: number }).order);
		expect(ids(await b.list(undefined, { order: 'lastChecked' }))).toEqual([303, 304, 302, 301]);
		expect(ids(await b.list())).toEqual([301, 302, 303, 304]); // default order unchanged
		// a lease lost to expiry does not move the record
		const stale = (await a.claim(recs[2].sessionId, 50))!;
		await sleep(100);
		await a.release(stale, { checkedAt: t + 5000 });
		await a.put(record(305));
		expect(ids(await b.list({ credentialKey: 'cred-odd' }, { order: 'lastChecked' }))).toEqual([303, 305, 301]);
		expect(ids(await b.list(undefined, { order: 'lastChecked' }))).toEqual([303, 304, 305, 302, 301]);
		// removed records leave nothing behind that would reorder a new record with the same id
		expect(await a.remove(recs[0].sessionId)).toBe(true);
		await a.put(recs[0]);
		expect(ids(await b.list(undefined, { order: 'lastChecked' }))).toEqual([303, 304, 305, 301, 302]);
	});

	test('10 000 records: list of one credential stays fast', async () => {
		const [store] = await storePair();
		const all = Array.from({ length: 10_000 }, (_, i) => record(i));
		const started = Date.now();
		for (let i = 0; i < all.length; i += 200) {
			await Promise.all(all.slice(i, i + 200).map((r) => store.put(r)));
		}
		const putMs = Date.now() - started;
		const t0 = Date.now();
		const even = await store.list({ credentialKey: 'cred-even' });
		const listMs = Date.now() - t0;
		expect(even.length).toBe(5000);
		expect(even[0].sessionId).toBe(record(0).sessionId);
		expect(even.every((r) => r.credentialKey === 'cred-even')).toBe(true);
		// Reference on this machine (2 shared cores): file list ≈ 0.5 s, Redis ≈ 0.1 s. Budget leaves room for load.
		expect(listMs).toBeLessThan(5000);
		expect(putMs).toBeLessThan(40_000);
	}, 60_000);
});

describe('FileSessionStore specifics', () => {
	test('writes records with owner-only permissions and leaves no temp files', async () => {
		const folder = path.join(tmpRoot, 'perm');
		const store = new FileSessionStore({ folder });
		await store.put(record(1));
		const stat = await fs.stat(path.join(folder, 'records', `${record(1).sessionId}.json`));
		expect(stat.mode & 0o077).toBe(0);
		expect(await fs.readdir(path.join(folder, 'tmp'))).toEqual([]);
	});

	test('temp files left by a crashed writer are swept after an hour, fresh ones are kept', async () => {
		const folder = path.join(tmpRoot, 'sweep');
		const store = new FileSessionStore({ folder });
		await store.put(record(1));
		const old = path.join(folder, 'tmp', 'crashed.tmp');
		const fresh = path.join(folder, 'tmp', 'writing.tmp');
		await fs.writeFile(old, 'x');
		await fs.writeFile(fresh, 'y');
		const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
		await fs.utimes(old, twoHoursAgo, twoHoursAgo);
		expect((await store.list()).length).toBe(1);
		expect((await fs.readdir(path.join(folder, 'tmp'))).sort()).toEqual(['writing.tmp']);
	});

	test('a corrupt file is skipped by list but reported by get', async () => {
		const folder = path.join(tmpRoot, 'corrupt');
		const store = new FileSessionStore({ folder });
		await store.put(record(1));
		await fs.writeFile(path.join(folder, 'records', 'broken-1.json'), '{"sessionId":');
		expect((await store.list()).map((r) => r.sessionId)).toEqual([record(1).sessionId]);
		await expect(store.get('broken-1')).rejects.toMatchObject({ code: 'SMARTID_SESSION_STORE_CORRUPT' });
	});

	test('an unwritable folder gives an actionable error', async () => {
		const file = path.join(tmpRoot, 'not-a-folder');
		await fs.mkdir(tmpRoot, { recursive: true });
		await fs.writeFile(file, 'x');
		const store = new FileSessionStore({ folder: path.join(file, 'sub') });
		await expect(store.put(record(1))).rejects.toThrow(/Session Store Folder/);
	});

	test('factory and default folder', () => {
		expect(defaultSessionFolder('/home/n8n')).toBe(path.join('/home/n8n', '.n8n', 'smart-id-sessions'));
		expect(createSessionStore({ type: 'file', folder: '/tmp/x' })).toBeInstanceOf(FileSessionStore);
		expect(createSessionStore({ type: 'redis', url: 'redis://127.0.0.1:1' })).toBeInstanceOf(RedisSessionStore);
		expect(() => createSessionStore({ type: 'redis', url: 'http://x' })).toThrow(/redis:\/\//);
		expect(() => createSessionStore({ type: 'nope' } as never)).toThrow(/file" or "redis/);
	});
});

describe('RedisSessionStore specifics', () => {
	test("'lastChecked' order also works where ZMSCORE is missing (Redis < 6.2, or an ACL user without it)", async () => {
		const { Redis } = await import('ioredis');
		const admin = new Redis(redis.url);
		await admin.call('ACL', 'SETUSER', 'nozmscore', 'on', '>pw-for-test', '~*', '&*', '+@all', '-zmscore');
		await admin.quit();
		const url = redis.url.replace('redis://', 'redis://nozmscore:pw-for-test@');
		const store = new RedisSessionStore({ url, keyPrefix: `acl:${++counter}:` });
		opened.push(store);
		const recs = [1, 2, 3].map((i) => record(400 + i));
		for (const r of recs) await store.put(r);
		const lease = (await store.claim(recs[0].sessionId, 30_000))!;
		await store.release(lease, { checkedAt: Date.now() + 1000 });
		const order = (await store.list(undefined, { order: 'lastChecked' })).map((r) => r.sessionId);
		expect(order).toEqual([recs[1], recs[2], recs[0]].map((r) => r.sessionId));
	});

	test('an unreachable Redis gives an actionable error without the password', async () => {
		const store = new RedisSessionStore({ url: 'redis://user:hunter2@127.0.0.1:1/0', connectTimeoutMs: 500 });
		const error = await store.list().catch((e: Error) => e);
		expect(error).toMatchObject({ code: 'SMARTID_SESSION_STORE_UNAVAILABLE' });
		expect((error as Error).message).not.toContain('hunter2');
		expect((error as Error).message).toContain('127.0.0.1:1');
		await store.close();
	});
});
