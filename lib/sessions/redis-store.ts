import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';

import { SmartIdError } from '../errors';
import { redactUrl } from '../redact-url';
import {
	assertLease,
	assertSessionId,
	checkListed,
	checkRecord,
	matchesFilter,
	type PendingSessionFilter,
	type PendingSessionRecord,
	type SessionLease,
} from './record';
import type { ListOptions, PendingSessionStore, ReleaseOptions } from './store';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
	/** `redis://[user:password@]host:port/db` or `rediss://...` (TLS). */
	url: string;
	/** Prefix of every key, so several installations can share one Redis. */
	keyPrefix?: string;
	/** Connect timeout, ms. */
	connectTimeoutMs?: number;
}

// Claim only while the record exists, and only when no live lease holds it (SET NX PX).
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

// Delete the lease only while it is still ours; with a check time, remember it (only for a record that exists).
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
return redis.call('DEL', KEYS[1])`;

// Remove record + index entries (+ lease); with a token, only while that lease is still held.
const REMOVE = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local raw = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
if not raw then return 0 end
local ok, rec = pcall(cjson.decode, raw)
if ok and type(rec) == 'table' and type(rec.credentialKey) == 'string' then
  redis.call('ZREM', ARGV[3] .. rec.credentialKey, ARGV[2])
end
redis.call('DEL', KEYS[1])
return 1`;

// Store the record and move it between credential indexes if its credentialKey changed.
const PUT = `
local old = redis.call('GET', KEYS[1])
if old then
  local ok, rec = pcall(cjson.decode, old)
  if ok and type(rec) == 'table' and type(rec.credentialKey) == 'string' then
    redis.call('ZREM', ARGV[4] .. rec.credentialKey, ARGV[1])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
return 1`;

/**
 * Pending sessions in Redis, for n8n queue mode (workers and main do not share a disk). Same semantics as the
 * file store: `<prefix>rec:<id>` holds the JSON, `<prefix>idx` and `<prefix>idx:cred:<credentialKey>` are
 * sorted sets (score = createdAt) for listing, `<prefix>checked` (score = last stored or checked, epoch ms) orders
 * `list({ order: 'lastChecked' })`, `<prefix>lease:<id>` is the lease (SET NX PX, so it expires on its own when
 * the holder dies). ioredis is an optional dependency, loaded on first use.
 */
export class RedisSessionStore implements PendingSessionStore {
	private readonly prefix: string;
	private client: Promise<Redis> | undefined;

	constructor(private readonly options: RedisSessionStoreOptions) {
		if (!options || typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url)) {
			throw new SmartIdError(
				'SMARTID_SESSION_STORE_CONFIG',
				'The Redis session store needs a URL like redis://host:6379/0 (or rediss:// for TLS)',
			);
		}
		this.prefix = options.keyPrefix ?? 'smart-id:sessions:';
	}

	private connection(): Promise<Redis> {
		this.client ??= (async () => {
			const RedisClass = await loadIoredis();
			const redisOptions: RedisOptions = {
				lazyConnect: true,
				connectTimeout: this.options.connectTimeoutMs ?? 5000,
				maxRetriesPerRequest: 2,
			};
			const client = new RedisClass(this.options.url, redisOptions);
			// The server's own reason (e.g. WRONGPASS) arrives as an 'error' event while connect() only rejects with
			// "Connection is closed."; keep it for the message. An unhandled 'error' event would crash the process.
			let serverReason: string | undefined;
			client.on('error', (error: Error) => {
				serverReason = error.message;
			});
			try {
				await client.connect();
			} catch (error) {
				client.disconnect();
				this.client = undefined;
				const reason = (error as Error).message;
				const said = serverReason && serverReason !== reason ? `${serverReason} (${reason})` : reason;
				// The cause is not kept: ioredis errors can carry the AUTH command with its arguments (the password).
				throw new SmartIdError(
					'SMARTID_SESSION_STORE_UNAVAILABLE',
					`Cannot connect to the Redis session store at ${redactUrl(this.options.url)}: ${redactRedisSecrets(said, this.options.url)}. ` +
						'Check the Redis URL in the credential and that Redis is reachable from every n8n process.',
				);
			}
			return client;
		})();
		return this.client;
	}

	private key(kind: 'rec' | 'lease', sessionId: string): string {
		return `${this.prefix}${kind}:${sessionId}`;
	}

	private checkedKey(): string {
		return `${this.prefix}checked`;
	}

	private credIndexPrefix(): string {
		return `${this.prefix}idx:cred:`;
	}

	async put(record: PendingSessionRecord): Promise<void> {
		checkRecord(record);
		const redis = await this.connection();
		await redis.eval(
			PUT,
			4,
			this.key('rec', record.sessionId),
			`${this.prefix}idx`,
			this.credIndexPrefix() + record.credentialKey,
			this.checkedKey(),
			record.sessionId,
			JSON.stringify(record),
			String(Date.parse(record.createdAt)),
			this.credIndexPrefix(),
			String(Date.now()),
		);
	}

	async get(sessionId: string): Promise<PendingSessionRecord | undefined> {
		assertSessionId(sessionId);
		const redis = await this.connection();
		const raw = await redis.get(this.key('rec', sessionId));
		return raw === null ? undefined : parseRecord(raw, sessionId);
	}

	async list(filter?: PendingSessionFilter, options?: ListOptions): Promise<PendingSessionRecord[]> {
		const redis = await this.connection();
		const byChecked = options?.order === 'lastChecked';
		const index =
			filter?.credentialKey !== undefined ? this.credIndexPrefix() + filter.credentialKey : `${this.prefix}idx`;
		const ids = await redis.zrange(index, 0, -1);
		const out: Array<{ record: PendingSessionRecord; checked: number }> = [];
		for (let start = 0; start < ids.length; start += 500) {
			const chunk = ids.slice(start, start + 500);
			const values = await redis.mget(chunk.map((id) => this.key('rec', id)));
			const scores = byChecked ? await this.checkTimes(redis, chunk) : [];
			values.forEach((raw, i) => {
				if (raw === null) return; // removed between ZRANGE and MGET
				let record: PendingSessionRecord;
				try {
					record = parseRecord(raw, chunk[i], checkListed);
				} catch {
					return; // one corrupt entry must not hide every other session
				}
				if (!matchesFilter(record, filter)) return;
				// A record stored before check times were kept counts as checked when it was created.
				const score = scores[i];
				out.push({ record, checked: byChecked ? (score === null || score === undefined ? Date.parse(record.createdAt) : Number(score)) : 0 });
			});
		}
		return out
			.sort((a, b) => a.checked - b.checked || a.record.createdAt.localeCompare(b.record.createdAt) || a.record.sessionId.localeCompare(b.record.sessionId))
			.map((entry) => entry.record);
	}

	/** Scores in `<prefix>checked`; ZMSCORE needs Redis 6.2, older servers get one pipelined ZSCORE per id. */
	private async checkTimes(redis: Redis, ids: string[]): Promise<Array<string | null>> {
		try {
			return await redis.zmscore(this.checkedKey(), ...ids);
		} catch (error) {
			// Older server (unknown command) or an ACL user without it (NOPERM): the same answer, more round trips.
			if (!/unknown command|NOPERM/i.test((error as Error).message)) throw error;
			const pipeline = redis.pipeline();
			for (const id of ids) pipeline.zscore(this.checkedKey(), id);
			return ((await pipeline.exec()) ?? []).map(([, value]) => (typeof value === 'string' ? value : null));
		}
	}

	async claim(sessionId: string, leaseMs: number): Promise<SessionLease | undefined> {
		assertSessionId(sessionId);
		const redis = await this.connection();
		const token = randomBytes(16).toString('hex');
		const expiresAt = Date.now() + leaseMs;
		const won = await redis.eval(
			CLAIM,
			2,
			this.key('rec', sessionId),
			this.key('lease', sessionId),
			token,
			String(Math.max(1, Math.round(leaseMs))),
		);
		return won === 1 ? { sessionId, token, expiresAt } : undefined;
	}

	async release(lease: SessionLease, options?: ReleaseOptions): Promise<void> {
		assertSessionId(lease?.sessionId);
		const redis = await this.connection();
		const checkedAt = options?.checkedAt;
		await redis.eval(
			RELEASE,
			3,
			this.key('lease', lease.sessionId),
			this.checkedKey(),
			this.key('rec', lease.sessionId),
			lease.token,
			checkedAt !== undefined && Number.isFinite(checkedAt) ? String(Math.round(checkedAt)) : '',
			lease.sessionId,
		);
	}

	async remove(sessionId: string, lease?: SessionLease): Promise<boolean> {
		assertSessionId(sessionId);
		if (lease && lease.sessionId !== sessionId) return false;
		if (lease) assertLease(lease);
		const redis = await this.connection();
		return (await redis.eval(REMOVE, 4, ...this.removeArgs(sessionId, lease?.token ?? ''))) === 1;
	}

	/** One pipeline per 500 leases: the per-record script stays atomic, the round trips are shared. */
	async removeMany(leases: readonly SessionLease[]): Promise<boolean[]> {
		for (const lease of leases) assertLease(lease);
		if (leases.length === 0) return [];
		const redis = await this.connection();
		const removed: boolean[] = [];
		for (let start = 0; start < leases.length; start += 500) {
			const pipeline = redis.pipeline();
			for (const lease of leases.slice(start, start + 500)) {
				pipeline.eval(REMOVE, 4, ...this.removeArgs(lease.sessionId, lease.token));
			}
			const replies = (await pipeline.exec()) ?? [];
			for (const [error, value] of replies) {
				if (error) {
					throw new SmartIdError(
						'SMARTID_SESSION_STORE_UNAVAILABLE',
						`Cannot remove pending sessions from the Redis session store: ${redactRedisSecrets(error.message, this.options.url)}`,
						{},
						{ cause: error },
					);
				}
				removed.push(value === 1);
			}
		}
		return removed;
	}

	private removeArgs(sessionId: string, token: string): string[] {
		return [
			this.key('rec', sessionId),
			this.key('lease', sessionId),
			`${this.prefix}idx`,
			this.checkedKey(),
			token,
			sessionId,
			this.credIndexPrefix(),
		];
	}

	async close(): Promise<void> {
		const pending = this.client;
		this.client = undefined;
		if (!pending) return;
		const redis = await pending.catch(() => undefined);
		if (redis) await redis.quit().catch(() => redis.disconnect());
	}
}

type RedisConstructor = new (url: string, options: RedisOptions) => Redis;

/** Load ioredis on first use: it is optional, and n8n strips optional dependencies when it installs a package. */
async function loadIoredis(): Promise<RedisConstructor> {
	try {
		const mod = (await import('ioredis')) as unknown as { default?: RedisConstructor; Redis?: RedisConstructor };
		const ctor = mod.Redis ?? mod.default;
		if (typeof ctor !== 'function') throw new Error('ioredis exports no Redis class');
		return ctor;
	} catch (error) {
		throw new SmartIdError(
			'SMARTID_REDIS_MISSING',
			'The Redis session store needs the "ioredis" package, which is not installed. Install it next to this ' +
				'package (e.g. `npm install ioredis` in ~/.n8n/nodes) or switch the credential to the file store.',
			{},
			{ cause: error },
		);
	}
}

function parseRecord(raw: string, sessionId: string, check = checkRecord): PendingSessionRecord {
	try {
		return check(JSON.parse(raw) as PendingSessionRecord);
	} catch (error) {
		throw new SmartIdError(
			'SMARTID_SESSION_STORE_CORRUPT',
			`Pending session ${sessionId} in Redis is not a valid record; delete the key if it is not needed`,
			{ sessionId },
			{ cause: error },
		);
	}
}

/** Text with every Redis URL redacted, and every secret part of `url` (password, query values) replaced by `***`. */
export function redactRedisSecrets(text: string, url?: string): string {
	let out = text.replace(/rediss?:\/\/[^\s"'<>]+/gi, (found) => redactUrl(found));
	if (!url) return out;
	const secrets = new Set<string>();
	try {
		const parsed = new URL(url);
		const password = parsed.password || parsed.username;
		if (password) secrets.add(password).add(decodeURIComponent(password));
		for (const value of parsed.searchParams.values()) if (value) secrets.add(value);
	} catch {
		// An unparseable URL was never used to connect; the regex above already covers it in the text.
	}
	// Longest first, so a secret that contains a shorter one is replaced whole; very short ones would hit ordinary words.
	for (const secret of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
	return out;
}
