import { SmartIdError } from '../errors';
import { completeSession } from './complete';
import { isLtServiceOutage, keepSignedStatus } from './lt-outage';
import { selfContainedPdfState, type BinaryInputAccess } from './pdf-input';
import type { ResultJson, SessionOutcome } from './outcome';
import type { SessionRuntime } from './runtime';
import { newPendingSession, savePendingSession, type SessionLabels, type StartedSession } from './stored-sessions';

/** How a started session goes on. */
export interface StartOptions extends SessionLabels {
	/** `start`: store it for the trigger and return at once; `wait`: long-poll until it completes, then validate. */
	mode: 'wait' | 'start';
	/** Wait mode: how long to wait (ms). */
	timeoutMs: number;
	/** Wait mode: cancels the long poll (n8n's cancel button). */
	signal?: AbortSignal;
	/** Added to the output in either mode (e.g. the verification code or the device link); never a secret. */
	extra?: ResultJson;
	/** Wait mode: reads n8n binaries by id, for a streamed PDF state (its input by reference). */
	binaryInput?: BinaryInputAccess;
}

/** Mark an error with the session it belongs to, so the adapter's error item names it. */
function withSessionId(error: unknown, sessionId: string): unknown {
	if (error instanceof SmartIdError) error.details.sessionId ??= sessionId;
	else if (error instanceof Error && !('details' in error)) Object.assign(error, { details: { sessionId } });
	return error;
}

/**
 * "Start and Continue": seal and store the session, return at once (state RUNNING, expiresAt). "Wait for
 * Completion": long-poll, validate and finish; a container whose finishing failed on a TSA/OCSP outage is kept
 * for the trigger with Smart-ID's answer (the person has signed) and the error says so. Never outputs `secrets`.
 */
export async function startOrStore(runtime: SessionRuntime, started: StartedSession, options: StartOptions): Promise<SessionOutcome> {
	const extra = options.extra ?? {};
	const labels = { tag: options.tag, correlation: options.correlation };
	if (options.mode === 'start') {
		const session = newPendingSession(runtime, started, labels);
		await savePendingSession(runtime, session);
		return {
			json: {
				sessionId: session.sessionId,
				kind: session.kind,
				state: 'RUNNING',
				...extra,
				...(session.tag ? { tag: session.tag } : {}),
				...(session.correlation !== undefined ? { correlation: session.correlation } : {}),
				expiresAt: session.expiresAt,
			},
		};
	}
	try {
		const status = await runtime.client.pollUntilComplete(started.sessionId, { deadline: Date.now() + options.timeoutMs, signal: options.signal });
		const outcome = await completeSession(newPendingSession(runtime, started), status, runtime, { binaryInput: options.binaryInput }).catch(async (error: unknown) => {
			const session = newPendingSession(runtime, started, labels);
			if ((session.kind === 'asiceSignature' || session.kind === 'pdfSignature') && isLtServiceOutage(error) && error instanceof Error) {
				try {
					// The trigger may run after this execution and its binaries are gone: keep the PDF self-contained.
					if (session.kind === 'pdfSignature') session.pdf = await selfContainedPdfState(session.pdf, options.binaryInput);
					await keepSignedStatus(runtime, session, status);
					error.message += ` The signed session ${started.sessionId} was kept in the session store; a Smart-ID Trigger on this credential finishes the ${session.kind === 'pdfSignature' ? 'PDF' : 'container'} once the service answers again.`;
				} catch (storeError) {
					error.message += ` Keeping the signed session for the Smart-ID Trigger failed too (${storeError instanceof Error ? storeError.message : String(storeError)}).`;
				}
			}
			throw error;
		});
		return { ...outcome, json: { ...outcome.json, ...extra } };
	} catch (error) {
		throw withSessionId(error, started.sessionId);
	}
}
