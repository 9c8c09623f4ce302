import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import { SmartIdError } from '../errors';
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

/** Options of {@link FileSessionStore}. */
export interface FileSessionStoreOptions {
	/** Folder holding the store; created (mode 0700) when missing. */
	folder: string;
	/** How many record files `list` reads at once. */
	readConcurrency?: number;
	/** How many records `removeMany` deletes at once. */
	removeConcurrency?: number;
}

interface LeaseFile {
	token: string;
	expiresAt: number;
}

/**
 * One JSON file per pending session, safe for several processes on one disk.
 *
 * Layout: `records/<id>.json` (written to `tmp/`, fsynced, then renamed, so a reader never sees half a file),
 * `leases/<id>/<generation>` (lease files). A lease is taken by hard-linking a fully written temp file to the
 * next generation number: `link` fails when the name exists, so exactly one process wins each generation, and
 * a stale lease is taken over by creating generation + 1 (never by deleting someone's file, which would race).
 */
export class FileSessionStore implements PendingSessionStore {
	private readonly records: string;
	private readonly leases: string;
	private readonly tmp: string;
	private readonly readConcurrency: number;
	private readonly removeConcurrency: number;
	private ready: Promise<void> | undefined;

	constructor(options: FileSessionStoreOptions) {
		if (!options || typeof options.folder !== 'string' || options.folder.trim() === '') {
			throw new SmartIdError('SMARTID_SESSION_STORE_CONFIG', 'The file session store needs a folder path');
		}
		const root = path.resolve(options.folder);
		this.records = path.join(root, 'records');
		this.leases = path.join(root, 'leases');
		this.tmp = path.join(root, 'tmp');
		this.readConcurrency = options.readConcurrency ?? 64;
		this.removeConcurrency = options.removeConcurrency ?? 32;
	}

	private init(): Promise<void> {
		this.ready ??= (async () => {
			try {
				for (const dir of [this.records, this.leases, this.tmp]) {
					await fs.mkdir(dir, { recursive: true, mode: 0o700 });
				}
			} catch (error) {
				this.ready = undefined;
				throw new SmartIdError(
					'SMARTID_SESSION_STORE_UNAVAILABLE',
					`Cannot create the session store folder ${path.dirname(this.records)}: ${(error as Error).message}. ` +
						'Choose a writable folder in the credential (Session Store Folder).',
					{},
					{ cause: error },
				);
			}
		})();
		return this.ready;
	}

	private recordPath(sessionId: string): string {
		return path.join(this.records, `${sessionId}.json`);
	}

	private tmpPath(): string {
		return path.join(this.tmp, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
	}

	private async writeTemp(content: string): Promise<string> {
		const file = this.tmpPath();
		const handle = await fs.open(file, 'wx', 0o600);
		try {
			await handle.writeFile(content, 'utf8');
			await handle.sync();
		} finally {
			await handle.close();
		}
		return file;
	}

	async put(record: PendingSessionRecord): Promise<void> {
		checkRecord(record);
		await this.init();
		const tmp = await this.writeTemp(JSON.stringify(record));
		try {
			await fs.rename(tmp, this.recordPath(record.sessionId));
		} catch (error) {
			await fs.rm(tmp, { force: true });
			throw storeError('write', record.sessionId, error);
		}
	}

	async get(sessionId: string): Promise<PendingSessionRecord | undefined> {
		assertSessionId(sessionId);
		await this.init();
		return this.readRecord(this.recordPath(sessionId));
	}

	private async readRecord(file: string, check = checkRecord): Promise<PendingSessionRecord | undefined> {
		let text: string;
		try {
			text = await fs.readFile(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw storeError('read', path.basename(file), error);
		}
		try {
			return check(JSON.parse(text) as PendingSessionRecord);
		} catch (error) {
			throw new SmartIdError(
				'SMARTID_SESSION_STORE_CORRUPT',
				`Pending-session file ${path.basename(file)} is not a valid record; move it out of the store folder`,
				{ file: path.basename(file) },
				{ cause: error },
			);
		}
	}

	/**
	 * With `order: 'lastChecked'` the record file's mtime is the last check: `put` sets it (write), a release with
	 * `checkedAt` moves it forward (utimes, no rewrite), so no extra file is needed.
	 */
	async list(filter?: PendingSessionFilter, options?: ListOptions): Promise<PendingSessionRecord[]> {
		await this.init();
		await this.sweepTemp();
		const byChecked = options?.order === 'lastChecked';
		const names = (await fs.readdir(this.records)).filter((n) => n.endsWith('.json'));
		const out: Array<{ record: PendingSessionRecord; checked: number }> = [];
		let next = 0;
		const worker = async () => {
			while (next < names.length) {
				const file = path.join(this.records, names[next++]);
				// A record removed between readdir and read is simply gone; one that is not even JSON with an id and a
				// credential is skipped, not fatal for every other session of the credential.
				const record = await this.readRecord(file, checkListed).catch(() => undefined);
				if (!record || !matchesFilter(record, filter)) continue;
				const checked = byChecked ? await fs.stat(file).then((st) => st.mtimeMs, () => undefined) : 0;
				if (checked !== undefined) out.push({ record, checked });
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.readConcurrency, names.length) }, worker));
		return out
			.sort((a, b) => a.checked - b.checked || byCreation(a.record, b.record))
			.map((entry) => entry.record);
	}

	/** Delete temp files a crashed writer left behind (older than an hour; a live write takes milliseconds). */
	private async sweepTemp(): Promise<void> {
		const cutoff = Date.now() - 3600_000;
		for (const name of await fs.readdir(this.tmp).catch(() => [] as string[])) {
			const file = path.join(this.tmp, name);
			const stat = await fs.stat(file).catch(() => undefined);
			if (stat && stat.mtimeMs < cutoff) await fs.rm(file, { force: true });
		}
	}

	private async generations(sessionId: string): Promise<number[]> {
		try {
			const names = await fs.readdir(path.join(this.leases, sessionId));
			return names
				.filter((n) => /^\d+$/.test(n))
				.map(Number)
				.sort((a, b) => a - b);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw storeError('read lease of', sessionId, error);
		}
	}

	private async readLease(sessionId: string, generation: number): Promise<LeaseFile | undefined> {
		try {
			const parsed = JSON.parse(await fs.readFile(path.join(this.leases, sessionId, String(generation)), 'utf8'));
			return { token: String(parsed.token), expiresAt: Number(parsed.expiresAt) };
		} catch {
			return undefined;
		}
	}

	async claim(sessionId: string, leaseMs: number): Promise<SessionLease | undefined> {
		assertSessionId(sessionId);
		await this.init();
		if (!(await exists(this.recordPath(sessionId)))) return undefined;
		const generations = await this.generations(sessionId);
		const current = generations.at(-1) ?? 0;
		if (current > 0) {
			const held = await this.readLease(sessionId, current);
			// A lease file that cannot be read was deleted by a concurrent remove/cleanup: treat as busy this round.
			if (!held || held.expiresAt > Date.now()) return undefined;
		}
		const lease: SessionLease = {
			sessionId,
			token: randomBytes(16).toString('hex'),
			expiresAt: Date.now() + leaseMs,
		};
		const dir = path.join(this.leases, sessionId);
		await fs.mkdir(dir, { recursive: true, mode: 0o700 });
		const tmp = await this.writeTemp(JSON.stringify({ token: lease.token, expiresAt: lease.expiresAt }));
		try {
			await fs.link(tmp, path.join(dir, String(current + 1)));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOENT') {
				return undefined; // another process won this generation (or removed the record meanwhile)
			}
			throw storeError('lease', sessionId, error);
		} finally {
			await fs.rm(tmp, { force: true });
		}
		for (const old of generations) {
			await fs.rm(path.join(dir, String(old)), { force: true });
		}
		if (!(await exists(this.recordPath(sessionId)))) {
			// Removed while we were claiming: nothing to work on, and nobody else needs these lease files.
			await removeLeaseDir(dir);
			return undefined;
		}
		return lease;
	}

	/** The generation of a lease still held by `lease.token` (and all generations seen), or undefined when lost. */
	private async heldGeneration(lease: SessionLease): Promise<{ current: number; all: number[] } | undefined> {
		const all = await this.generations(lease.sessionId);
		const current = all.at(-1);
		if (current === undefined) return undefined;
		const held = await this.readLease(lease.sessionId, current);
		if (!held || held.token !== lease.token || held.expiresAt <= Date.now()) return undefined;
		return { current, all };
	}

	async release(lease: SessionLease, options?: ReleaseOptions): Promise<void> {
		assertSessionId(lease?.sessionId);
		await this.init();
		const generation = (await this.heldGeneration(lease))?.current;
		if (generation === undefined) return;
		const checkedAt = options?.checkedAt;
		if (checkedAt !== undefined && Number.isFinite(checkedAt)) {
			// Before the lease is given back, so a record listed as "just checked" is never one still being checked.
			const when = new Date(checkedAt);
			await fs.utimes(this.recordPath(lease.sessionId), when, when).catch(() => undefined);
		}
		// Keep the generation number (deleting it would let an old generation be re-created): rewrite it as expired.
		const tmp = await this.writeTemp(JSON.stringify({ token: lease.token, expiresAt: 0 }));
		await fs.rename(tmp, path.join(this.leases, lease.sessionId, String(generation)));
	}

	async remove(sessionId: string, lease?: SessionLease): Promise<boolean> {
		assertSessionId(sessionId);
		await this.init();
		let leaseFiles: number[] | undefined;
		if (lease) {
			if (lease.sessionId !== sessionId) return false;
			leaseFiles = (await this.heldGeneration(lease))?.all;
			if (leaseFiles === undefined) return false;
		}
		let removed = true;
		try {
			await fs.unlink(this.recordPath(sessionId));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError('remove', sessionId, error);
			removed = false;
		}
		await removeLeaseDir(path.join(this.leases, sessionId), leaseFiles);
		return removed;
	}

	async removeMany(leases: readonly SessionLease[]): Promise<boolean[]> {
		for (const lease of leases) assertLease(lease);
		await this.init();
		const removed = new Array<boolean>(leases.length).fill(false);
		let firstError: unknown;
		let next = 0;
		// Each removal is a few small file operations that mostly wait on the disk: overlap them, bounded.
		const worker = async () => {
			while (next < leases.length) {
				const i = next++;
				try {
					removed[i] = await this.remove(leases[i].sessionId, leases[i]);
				} catch (error) {
					firstError ??= error; // keep going: every record removed now is one less emitted twice later
				}
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.removeConcurrency, leases.length) }, worker));
		if (firstError !== undefined) throw firstError;
		return removed;
	}

	async close(): Promise<void> {
		// Nothing is held open between calls.
	}
}

function byCreation(a: PendingSessionRecord, b: PendingSessionRecord): number {
	return a.createdAt.localeCompare(b.createdAt) || a.sessionId.localeCompare(b.sessionId);
}

async function exists(file: string): Promise<boolean> {
	try {
		await fs.access(file);
		return true;
	} catch {
		return false;
	}
}

/**
 * Best-effort: a concurrent claimer may be adding a file while we delete (ENOTEMPTY). That claimer sees the
 * record gone and deletes the folder itself, so nothing is left behind for long.
 */
async function removeLeaseDir(dir: string, known?: number[]): Promise<void> {
	if (known) {
		// The lease files just read: unlink them and the folder directly (a recursive rm would list it again).
		try {
			for (const generation of known) await fs.unlink(path.join(dir, String(generation))).catch(ignoreMissing);
			await fs.rmdir(dir);
			return;
		} catch {
			// e.g. ENOTEMPTY: a claimer added a file meanwhile; fall back to the recursive removal below.
		}
	}
	await fs.rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 5 }).catch(() => undefined);
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
	if (error.code !== 'ENOENT') throw error;
}

function storeError(action: string, sessionId: string, error: unknown): SmartIdError {
	return new SmartIdError(
		'SMARTID_SESSION_STORE_UNAVAILABLE',
		`Cannot ${action} pending session ${sessionId} in the file store: ${(error as Error).message}`,
		{ sessionId },
		{ cause: error },
	);
}
