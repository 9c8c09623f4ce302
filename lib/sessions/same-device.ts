import { InvalidRequestError, SmartIdError } from '../errors';
import { verifySameDeviceCallback, type CallbackInput } from '../flows/same-device-callback';
import { completeSession } from './complete';
import type { SessionOutcome } from './outcome';
import type { SessionRuntime } from './runtime';
import { readPendingSession } from './stored-sessions';

/** How long the callback completion reserves the record (the trigger leaves it alone meanwhile). */
const CALLBACK_LEASE_MS = 60_000;
/** The app opens the callback after it has answered, so the session is COMPLETE or about to be. */
const CALLBACK_WAIT_MS = 10_000;

/**
 * A Web2App/App2App session's callback arrived (spec §4.5): check it against the stored session (the `value`
 * token of the Callback URL the session was started with, `sessionSecretDigest`, and for authentication the
 * `userChallengeVerifier`), then complete the session with the verifier and remove its record, so each callback
 * is used once. A callback that fails a check throws (ValidationError with its rule) and leaves the record; a
 * session that fails validation keeps its record for the trigger to report.
 */
export async function completeSameDeviceCallback(
	runtime: SessionRuntime,
	sessionId: string,
	callback: CallbackInput,
	options: { signal?: AbortSignal } = {},
): Promise<SessionOutcome> {
	const session = await readPendingSession(runtime, sessionId);
	if (!session?.secrets) {
		throw new InvalidRequestError(
			`No pending device-link session ${sessionId} of this credential: it was completed already (by this operation or the Smart-ID Trigger), expired, or was started with another credential`,
			{ sessionId },
		);
	}
	const stored = session.secrets.initialCallbackUrl;
	const tokens = stored ? new URL(stored).searchParams.getAll('value') : [];
	if (tokens.length !== 1 || !tokens[0]) {
		throw new InvalidRequestError(
			'This session was not started with a Callback URL carrying a value=<token> parameter (a random token bound to the browser session, spec §4.5): start it again with one',
			{ sessionId },
		);
	}
	const { userChallengeVerifier } = verifySameDeviceCallback(callback, {
		token: tokens[0],
		sessionSecret: session.secrets.sessionSecret,
		sessionType: session.secrets.sessionType,
	});
	const lease = await runtime.store.claim(sessionId, CALLBACK_LEASE_MS);
	if (!lease) {
		throw new SmartIdError('SMARTID_SESSION_BUSY', `The Smart-ID Trigger is working on session ${sessionId} right now; it emits the result`, { sessionId });
	}
	let outcome: SessionOutcome | undefined;
	try {
		const status = await runtime.client.pollUntilComplete(sessionId, { deadline: Date.now() + CALLBACK_WAIT_MS, signal: options.signal });
		outcome = await completeSession(session, status, runtime, userChallengeVerifier ? { userChallengeVerifier } : {});
	} finally {
		if (!outcome) await runtime.store.release(lease);
	}
	await runtime.store.remove(sessionId, lease);
	return { ...outcome, json: { ...outcome.json, callback: 'verified' } };
}
