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
	/** Records matching the filter, oldest first. Leased records are listed too. */
	list(filter?: PendingSessionFilter): Promise<PendingSessionRecord[]>;
	/**
	 * Take the record for `leaseMs`. Undefined when another live lease holds it or the record is gone.
	 * An expired lease (its holder crashed or is too slow) is taken over.
	 */
	claim(sessionId: string, leaseMs: number): Promise<SessionLease | undefined>;
	/** Give a lease back without removing the record; a lost lease is ignored. */
	release(lease: SessionLease): Promise<void>;
	/**
	 * Delete the record. With a lease, deletes only while that lease is still held (returns false when it was
	 * lost, so the caller knows someone else may emit it too). Returns false when nothing was deleted.
	 */
	remove(sessionId: string, lease?: SessionLease): Promise<boolean>;
	/** Free connections / handles. */
	close(): Promise<void>;
}
