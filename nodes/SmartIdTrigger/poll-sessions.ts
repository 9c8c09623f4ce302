import type { IDataObject } from 'n8n-workflow';

import { SmartIdError } from '../../lib/errors';
import { SessionNotFoundError } from '../../lib/rp-api/errors';
import type { PendingSessionRecord, SessionLease } from '../../lib/sessions';
import { KEPT_STATUS_META, baseJson, completeSession, isLtServiceOutage, keptStatusOf, type SessionOutcome } from '../shared/complete';
import type { SmartIdRuntime } from '../shared/runtime';

/** Options of one poll over the pending sessions of a credential. */
export interface PollSessionsOptions {
	tag?: string;
	/** Parallel status requests. */
	concurrency: number;
	/**
	 * How long a claimed record is reserved for this poll (then another process may take it over). Each record is
	 * claimed just before it is checked; keep it longer than `budgetMs` + the longest single check + emission.
	 */
	leaseMs: number;
	/**
	 * Time budget of the pass, ms (default 45 000): no record is claimed after it; the records not reached stay
	 * for the next poll, which starts with the least recently checked, so every session is eventually checked.
	 */
	budgetMs?: number;
	/**
	 * A finished session is handed back (and checked again next poll) instead of emitted when its lease has less
	 * than this left at the end of the pass, so it is never removed after its lease expired.
	 * Default: min(30 000, leaseMs / 10).
	 */
	emitMarginMs?: number;
	/** Long-poll length of each status request (1000 = minimum the API allows). */
	statusTimeoutMs?: number;
	now?: () => number;
}

/** A finished session, ready to emit, with the lease that lets us remove it afterwards. */
export interface FinishedSession {
	record: PendingSessionRecord;
	lease: SessionLease;
	outcome: SessionOutcome;
}

/** What a poll found. */
export interface PollSessionsResult {
	finished: FinishedSession[];
	stillRunning: number;
	/** Records another process is working on. */
	busy: number;
	/** Records left for the next poll because Smart-ID could not be asked (network, 5xx); their messages. */
	deferred: string[];
	statusRequests: number;
	/** Records not checked because the time budget ran out; the next poll starts with them. */
	notReached: number;
}

/** Default time budget of one pass when the caller gives none (n8n polls every minute at the shortest). */
export const DEFAULT_POLL_BUDGET_MS = 45_000;

/** Errors that say nothing about the session itself: keep the record and try again next poll. */
function isTransient(error: unknown): boolean {
	if (isLtServiceOutage(error)) return true;
	const code = error instanceof SmartIdError ? error.code : '';
	return [
		'SMARTID_HTTP_TIMEOUT',
		'SMARTID_CONNECTION_FAILED',
		'SMARTID_SERVER_ERROR',
		'SMARTID_MAINTENANCE',
		'SMARTID_ABORTED',
		'SMARTID_SESSION_STORE_UNAVAILABLE',
		'SMARTID_RP_UNAUTHORIZED',
		'SMARTID_TLS_PIN_MISMATCH',
	].includes(code);
}

/** An error result for a session that ended without a usable result (refused, timeout, failed validation...). */
export function errorOutcome(record: PendingSessionRecord, error: unknown): SessionOutcome {
	const details = error instanceof SmartIdError ? error.details : {};
	return {
		json: {
			...baseJson(record),
			state: 'COMPLETE',
			...(typeof details.endResult === 'string' ? { endResult: details.endResult } : {}),
			...(typeof details.interaction === 'string' ? { interaction: details.interaction } : {}),
			...(typeof details.rule === 'string' ? { validationRule: details.rule } : {}),
			error: error instanceof Error ? error.message : String(error),
			code: error instanceof SmartIdError ? error.code : 'SMARTID_UNEXPECTED_ERROR',
		} as IDataObject,
	};
}

function expiredOutcome(record: PendingSessionRecord, reason: 'expired' | 'unknown'): SessionOutcome {
	return {
		json: {
			...baseJson(record),
			state: reason === 'expired' ? 'EXPIRED' : 'UNKNOWN',
			code: reason === 'expired' ? 'SMARTID_SESSION_EXPIRED' : 'SMARTID_SESSION_NOT_FOUND',
			error:
				reason === 'expired'
					? `Session ${record.sessionId} did not complete before ${record.expiresAt}; start a new one`
					: `Smart-ID no longer knows session ${record.sessionId} (expired or never existed); start a new one`,
		},
	};
}

/**
 * One pass: claim each pending session of the credential just before checking it (leases keep two processes
 * apart), least recently checked first, ask Smart-ID with bounded concurrency until the time budget is spent,
 * and build the result of every finished one. Finished records are not removed here: the caller removes them
 * with their leases (`store.removeMany`) only after the items exist (at-least-once; consumers dedupe by
 * sessionId). Only a certificate choice that continued as its linked signature is removed here (its successor
 * is stored).
 */
export async function pollSessions(runtime: SmartIdRuntime, options: PollSessionsOptions): Promise<PollSessionsResult> {
	const now = options.now ?? Date.now;
	const started = Date.now();
	const budgetMs = positive(options.budgetMs) ?? DEFAULT_POLL_BUDGET_MS;
	const emitMarginMs = options.emitMarginMs ?? Math.min(30_000, options.leaseMs / 10);
	const records = await runtime.store.list(
		{ credentialKey: runtime.config.credentialKey, tag: options.tag || undefined },
		{ order: 'lastChecked' },
	);
	const result: PollSessionsResult = { finished: [], stillRunning: 0, busy: 0, deferred: [], statusRequests: 0, notReached: 0 };
	let next = 0;
	const worker = async () => {
		while (next < records.length) {
			// Out of time: leave the rest (the most recently checked) for the next poll, unclaimed.
			if (Date.now() - started >= budgetMs) break;
			const record = records[next++];
			const lease = await runtime.store.claim(record.sessionId, options.leaseMs);
			if (!lease) {
				result.busy++;
				continue;
			}
			let outcome: SessionOutcome | undefined;
			try {
				// A signed container waiting for TSA/OCSP carries Smart-ID's answer: it never expires, nothing to ask.
				const kept = keptStatusOf(record);
				if (!kept && Date.parse(record.expiresAt) <= now()) {
					outcome = expiredOutcome(record, 'expired');
				} else {
					if (!kept) result.statusRequests++;
					// The API's shortest long poll: a RUNNING session costs 1 s, not more.
					const status = kept ?? (await runtime.client.getSessionStatus(record.sessionId, options.statusTimeoutMs ?? 1000));
					if (status.state === 'COMPLETE') {
						// A transient failure (e.g. TSA down while finishing a container) keeps the record for the next poll.
						const done = await completeSession(record, status, runtime).then(
							(value) => ({ value, transient: undefined as unknown }),
							(error: unknown) => ({ value: isTransient(error) ? undefined : errorOutcome(record, error), transient: error }),
						);
						outcome = done.value;
						if (!outcome) result.deferred.push(`${record.sessionId}: ${(done.transient as Error)?.message ?? String(done.transient)}`);
						if (!outcome && !kept && isLtServiceOutage(done.transient)) {
							// Keep the signature itself: finishing later must not depend on Smart-ID still knowing the session.
							await runtime.store.put({ ...record, meta: { ...record.meta, [KEPT_STATUS_META]: status } }).catch(() => undefined);
						}
					} else {
						result.stillRunning++;
					}
				}
			} catch (error) {
				if (error instanceof SessionNotFoundError) {
					outcome = expiredOutcome(record, 'unknown');
				} else {
					result.deferred.push(`${record.sessionId}: ${error instanceof Error ? error.message : String(error)}`);
				}
			}
			if (outcome?.continuedAs) {
				// A certificate choice that went on as its linked signature: nothing to emit yet; the new record
				// (already stored) is emitted when the signature completes.
				await runtime.store.remove(record.sessionId, lease);
				result.stillRunning++;
			} else if (outcome) result.finished.push({ record, lease, outcome });
			else await runtime.store.release(lease, { checkedAt: Date.now() }); // to the back of the queue
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, records.length)) }, worker));
	result.notReached = records.length - next;
	// A result whose lease is (nearly) gone may already be another process's: hand it back unemitted, so it is
	// emitted once, by whoever holds it next, and never removed after its lease expired.
	const end = Date.now();
	const safe: FinishedSession[] = [];
	for (const entry of result.finished) {
		if (entry.lease.expiresAt - end > emitMarginMs) safe.push(entry);
		else {
			await runtime.store.release(entry.lease);
			result.deferred.push(`${entry.record.sessionId}: its lease ran out during the pass; it is emitted by the next poll`);
		}
	}
	result.finished = safe.sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt));
	return result;
}

function positive(value: number | undefined): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
