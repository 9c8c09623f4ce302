import type { IExecuteFunctions } from 'n8n-workflow';

import { completeStoredSession, statusJson, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { str } from '../../shared/params';

/**
 * Session → Get Status: one status request (no waiting). With "Validate With Stored Request" and a pending
 * record of this credential, a completed session is validated and its result returned; the record stays, so
 * the Smart-ID Trigger still emits it. A completed "Let the Signer Choose the Certificate" choice is continued at
 * once with its linked signature (the output names it in signatureSessionId).
 */
export async function getStatus(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const sessionId = str(this, 'sessionId', i);
	const status = await runtime.client.getSessionStatus(sessionId, 1000, { signal: this.getExecutionCancelSignal?.() });
	const raw = statusJson(sessionId, status);
	if (status.state !== 'COMPLETE' || this.getNodeParameter('validateStored', i, true) !== true) return { json: raw };
	const verifier = str(this, 'userChallengeVerifier', i);
	const done = await completeStoredSession(runtime, sessionId, status, verifier ? { userChallengeVerifier: verifier } : {});
	if (!done.validated) return { json: { ...raw, validated: false, note: done.note } };
	return { ...done.outcome, json: { ...done.outcome.json, validated: true } };
}
