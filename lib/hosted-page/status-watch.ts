import type { SmartIdClient } from '../rp-api/client';
import type { SessionStatus } from '../rp-api/types';

/** Long-poll length of one status request while a page is open: SK answers at once when the session completes. */
const POLL_MS = 5_000;
/** A session nobody asked about for this long is dropped from the watch. */
const IDLE_MS = 120_000;

interface Entry {
	status?: SessionStatus;
	error?: unknown;
	polling: boolean;
	lastHit: number;
}

/**
 * What Smart-ID last said about each session a hosted page shows, kept per process. A page hit never waits for
 * Smart-ID: it reads the latest answer and, when no long poll is running for that session, starts one. So ten open
 * tabs of one page cost one long poll at a time, and a completion is seen as soon as SK answers.
 */
export class StatusWatch {
	private readonly entries = new Map<string, Entry>();

	constructor(private readonly pollMs = POLL_MS) {}

	/** Latest status (undefined until the first answer) or the error of the last poll. */
	peek(client: SmartIdClient, sessionId: string, now = Date.now()): { status?: SessionStatus; error?: unknown } {
		this.sweep(now);
		let entry = this.entries.get(sessionId);
		if (!entry) {
			entry = { polling: false, lastHit: now };
			this.entries.set(sessionId, entry);
		}
		entry.lastHit = now;
		if (!entry.polling && entry.status?.state !== 'COMPLETE') this.poll(client, sessionId, entry);
		return { status: entry.status, error: entry.error };
	}

	/** Stop tracking a session (finished or replaced). */
	forget(sessionId: string): void {
		this.entries.delete(sessionId);
	}

	/** Sessions tracked now (tests, bench). */
	get size(): number {
		return this.entries.size;
	}

	private poll(client: SmartIdClient, sessionId: string, entry: Entry): void {
		entry.polling = true;
		client.getSessionStatus(sessionId, this.pollMs).then(
			(status) => {
				entry.status = status;
				entry.error = undefined;
				entry.polling = false;
			},
			(error: unknown) => {
				entry.error = error;
				entry.polling = false;
			},
		);
	}

	private sweep(now: number): void {
		for (const [id, entry] of this.entries) if (now - entry.lastHit > IDLE_MS && !entry.polling) this.entries.delete(id);
	}
}
