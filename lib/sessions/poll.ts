import { SmartIdError } from '../errors';
import { SessionNotFoundError } from '../rp-api/errors';
import { completeSession } from './complete';
import { isLtServiceOutage, keepSignedStatus } from './lt-outage';
import { errorOutcome, expiredOutcome, rejectedOutcome, type SessionOutcome } from './outcome';
import type { PendingSession } from './pending-session';
import type { PendingSessionRecord, SessionLease } from './record';
import { openPendingSession, RecordKeyMissingError } from './record-seal';
import type { SessionRuntime } from './runtime';

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
	/** The record as stored (only its envelope: a rejected record's content was not used). */
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

/**
 * A claimed session is reserved for the pass budget plus this: enough for the last check started within the
 * budget (a 1 s long poll, or finishing a container with TSA/OCSP) and for emitting and removing. After a crash
 * the next poll takes it over once the lease has expired.
 */
const LEASE_MARGIN_MS = 2 * 60 * 1000;
/** A finished session whose lease has less than this left is not emitted now (the next poll emits it). */
const EMIT_MARGIN_MS = 60 * 1000;

/**
 * Budget, lease and emit margin of a trigger pass: the engine's budget for the tick minus room to build items and
 * remove records, or {@link DEFAULT_POLL_BUDGET_MS} when the engine gives none.
 */
export function triggerPassTiming(engineBudgetMs: number | undefined): Pick<PollSessionsOptions, 'budgetMs' | 'leaseMs' | 'emitMarginMs'> {
	const engine = Number(engineBudgetMs);
	const budgetMs = !Number.isFinite(engine) || engine <= 0 ? DEFAULT_POLL_BUDGET_MS : Math.max(1000, engine - Math.min(15_000, engine / 4));
	return { budgetMs, leaseMs: budgetMs + LEASE_MARGIN_MS, emitMarginMs: EMIT_MARGIN_MS };
}

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

/**
 * One pass: claim each pending session of the credential just before checking it (leases keep two processes
 * apart), least recently checked first, ask Smart-ID with bounded concurrency until the time budget is spent,
 * and build the result of every finished one. Finished records are not removed here: the caller removes them
 * with their leases (`store.removeMany`) only after the items exist (at-least-once; consumers dedupe by
 * sessionId). Only a certificate choice that continued as its linked signature is removed here (its successor
 * is stored).
 */
export async function pollSessions(runtime: SessionRuntime, options: PollSessionsOptions): Promise<PollSessionsResult> {
	const now = options.now ?? Date.now;
	const started = Date.now();
	const budgetMs = positive(options.budgetMs) ?? DEFAULT_POLL_BUDGET_MS;
	const emitMarginMs = options.emitMarginMs ?? Math.min(30_000, options.leaseMs / 10);
	const records = await runtime.store.list(
		{ credentialKey: runtime.config.credentialKey, tag: options.tag || undefined },
		{ order: 'lastChecked' },
	);
	// Without the record key nothing stored can be trusted: say what to set instead of rejecting every record.
	if (records.length > 0 && !runtime.recordKey) throw new RecordKeyMissingError();
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
			let session: PendingSession;
			try {
				session = openPendingSession(record, runtime.recordKey, runtime.expectation);
			} catch (error) {
				// Edited, planted or damaged: reported once as an error item (never a success), then removed.
				result.finished.push({ record, lease, outcome: rejectedOutcome(record.sessionId, error) });
				continue;
			}
			try {
				outcome = await checkSession(session, runtime, result, options, now);
			} catch (error) {
				if (error instanceof SessionNotFoundError) {
					outcome = expiredOutcome(session, 'unknown');
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

/**
 * Ask Smart-ID about one checked session (or use the answer kept after a TSA/OCSP outage) and finish it. Undefined
 * when it is still running or a transient failure keeps it for the next poll.
 */
async function checkSession(
	session: PendingSession,
	runtime: SessionRuntime,
	result: PollSessionsResult,
	options: PollSessionsOptions,
	now: () => number,
): Promise<SessionOutcome | undefined> {
	// A signed container waiting for TSA/OCSP carries Smart-ID's answer: it never expires, nothing to ask.
	const kept = session.kind === 'asiceSignature' || session.kind === 'pdfSignature' ? session.keptStatus : undefined;
	if (!kept && Date.parse(session.expiresAt) <= now()) return expiredOutcome(session, 'expired');
	if (!kept) result.statusRequests++;
	// The API's shortest long poll: a RUNNING session costs 1 s, not more.
	const status = kept ?? (await runtime.client.getSessionStatus(session.sessionId, options.statusTimeoutMs ?? 1000));
	if (status.state !== 'COMPLETE') {
		result.stillRunning++;
		return undefined;
	}
	try {
		return await completeSession(session, status, runtime);
	} catch (error) {
		if (!isTransient(error)) return errorOutcome(session, error);
		// A transient failure (e.g. TSA down while finishing a container) keeps the record for the next poll.
		result.deferred.push(`${session.sessionId}: ${error instanceof Error ? error.message : String(error)}`);
		if (!kept && (session.kind === 'asiceSignature' || session.kind === 'pdfSignature') && isLtServiceOutage(error)) {
			// Keep the signature itself: finishing later must not depend on Smart-ID still knowing the session.
			await keepSignedStatus(runtime, session, status).catch(() => undefined);
		}
		return undefined;
	}
}

function positive(value: number | undefined): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
