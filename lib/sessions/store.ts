import type { PendingSessionFilter, PendingSessionRecord, SessionLease } from './record';

/**
 * Where "Start and continue" sessions wait for the Smart-ID Trigger.
 *
 * Processing protocol (at-least-once, never silently lost):
 * 1. `list` the records of a credential, 2. `claim` one (a lease: no other process works on it while the lease
 * lives), 3. ask the RP API, build the output, 4. `remove(sessionId, lease)` only AFTER the output exists.
 * If a process dies between 2 and 4 the lease expires and another poll takes the record over, so a result can
 * be emitted twice but never lost; consumers deduplicate by `sessionId`. `release` hands a record back early
 * (session still running).
 */
export interface PendingSessionStore {
	/** Create or replace the record with this sessionId. */
	put(record: PendingSessionRecord): Promise<void>;
	/** The record, or undefined when there is none. */
	get(sessionId: string): Promise<PendingSessionRecord | undefined>;
	/**
	 * Records matching the filter, oldest first (or least recently checked first, see {@link ListOptions}).
	 * Leased records are listed too.
	 */
	list(filter?: PendingSessionFilter, options?: ListOptions): Promise<PendingSessionRecord[]>;
	/**
	 * Take the record for `leaseMs`. Undefined when another live lease holds it or the record is gone.
	 * An expired lease (its holder crashed or is too slow) is taken over.
	 */
	claim(sessionId: string, leaseMs: number): Promise<SessionLease | undefined>;
	/**
	 * Give a lease back without removing the record; a lost lease is ignored. With `checkedAt` the store also
	 * remembers when the holder last asked Smart-ID, so a time-bounded poll can check the longest-waiting first.
	 */
	release(lease: SessionLease, options?: ReleaseOptions): Promise<void>;
	/**
	 * Delete the record. With a lease, deletes only while that lease is still held (returns false when it was
	 * lost, so the caller knows someone else may emit it too). Returns false when nothing was deleted.
	 */
	remove(sessionId: string, lease?: SessionLease): Promise<boolean>;
	/**
	 * Batch form of `remove(lease.sessionId, lease)` for many records at once (bounded parallel / pipelined).
	 * Each record is deleted only while its own lease is still held; the answer says, in the order given,
	 * which ones were deleted (false = lease lost or record already gone).
	 */
	removeMany(leases: readonly SessionLease[]): Promise<boolean[]>;
	/** Free connections / handles. */
	close(): Promise<void>;
}

/** Order of {@link PendingSessionStore.list}. */
export interface ListOptions {
	/**
	 * `created` (default): oldest `createdAt` first. `lastChecked`: least recently checked first, where a record
	 * never checked counts as checked when it was last stored; a poll that cannot reach every record in its time
	 * budget then reaches the others next time, so every session is eventually checked.
	 */
	order?: 'created' | 'lastChecked';
}

/** Extra effects of {@link PendingSessionStore.release}. */
export interface ReleaseOptions {
	/** Epoch ms when the session was last asked about (recorded only while the lease is still held). */
	checkedAt?: number;
}
