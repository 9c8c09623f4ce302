import type { SessionStatus } from '../rp-api/types';
import { completeSession, type CompleteOptions } from './complete';
import { baseJson, type SessionOutcome } from './outcome';
import type { SessionRuntime } from './runtime';
import { readPendingSession } from './stored-sessions';

/** How long a certificate choice is reserved while its linked signature is started outside the trigger. */
const CONTINUE_LEASE_MS = 60_000;

/** Finished with the stored request, or why the answer could not be validated. */
export type StoredCompletion = { validated: true; outcome: SessionOutcome } | { validated: false; note: string };

/**
 * Validate a COMPLETE status with the stored (checked) session of this credential, outside the trigger (Session →
 * Get Status). The record stays, so the trigger still emits it, except for a certificate choice that continues into
 * its linked signature: that one is claimed first (so the trigger cannot start the signature a second time) and
 * removed once the signature was started. A record that fails its checks throws (code and field name it).
 */
export async function completeStoredSession(
	runtime: SessionRuntime,
	sessionId: string,
	status: SessionStatus,
	options: CompleteOptions = {},
): Promise<StoredCompletion> {
	const session = await readPendingSession(runtime, sessionId);
	if (!session) return { validated: false, note: 'No pending record of this credential: the result is not validated' };
	if (session.kind === 'certificateChoice' && session.linkedSignature) {
		const lease = await runtime.store.claim(sessionId, CONTINUE_LEASE_MS);
		if (!lease) return { validated: false, note: 'The Smart-ID Trigger is continuing this session right now; ask again in a second' };
		let outcome: SessionOutcome | undefined;
		try {
			outcome = await completeSession(session, status, runtime);
		} finally {
			// A refused or invalid choice throws; its record is kept for the trigger to report it.
			if (!outcome) await runtime.store.release(lease);
		}
		await runtime.store.remove(sessionId, lease);
		return { validated: true, outcome: { json: outcome.json } };
	}
	const outcome = await completeSession(session, status, runtime, options);
	return { validated: true, outcome: { ...outcome, json: { ...baseJson(session), ...outcome.json } } };
}
