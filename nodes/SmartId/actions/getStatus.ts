import type { IExecuteFunctions } from 'n8n-workflow';

import { completeSession, baseJson, type SessionOutcome } from '../../shared/complete';
import { continuesWithSignature } from '../../shared/linked-signature';
import { str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';

/** How long Get Status reserves a certificate choice while it starts the linked signature. */
const CONTINUE_LEASE_MS = 60_000;

/**
 * Session → Get Status: one status request (no waiting). With "Validate With Stored Request" and a pending
 * record of this credential, a completed session is validated and its result returned; the record stays, so
 * the Smart-ID Trigger still emits it. A completed "Let the Signer Choose the Certificate" choice is continued at
 * once with its linked signature (the output names it in signatureSessionId).
 */
export async function getStatus(this: IExecuteFunctions, i: number, runtime: SmartIdRuntime): Promise<SessionOutcome> {
	const sessionId = str(this, 'sessionId', i);
	const status = await runtime.client.getSessionStatus(sessionId, 1000, { signal: this.getExecutionCancelSignal?.() });
	const raw = {
		sessionId,
		state: status.state,
		...(status.result
			? {
					endResult: status.result.endResult,
					...(status.result.details?.interaction ? { interaction: status.result.details.interaction } : {}),
					...(status.result.documentNumber ? { documentNumber: status.result.documentNumber } : {}),
				}
			: {}),
		...(status.interactionTypeUsed ? { interactionTypeUsed: status.interactionTypeUsed } : {}),
		...(status.signature?.flowType ? { flowType: status.signature.flowType } : {}),
	};
	if (status.state !== 'COMPLETE' || this.getNodeParameter('validateStored', i, true) !== true) return { json: raw };
	const record = await runtime.store.get(sessionId);
	if (!record || record.credentialKey !== runtime.config.credentialKey) {
		return { json: { ...raw, validated: false, note: 'No pending record of this credential: the result is not validated' } };
	}
	const verifier = str(this, 'userChallengeVerifier', i);
	if (continuesWithSignature(record)) {
		// Starts the linked signature: claim first so the Smart-ID Trigger cannot start it a second time.
		const lease = await runtime.store.claim(sessionId, CONTINUE_LEASE_MS);
		if (!lease) return { json: { ...raw, validated: false, note: 'The Smart-ID Trigger is continuing this session right now; ask again in a second' } };
		let outcome: SessionOutcome | undefined;
		try {
			outcome = await completeSession(record, status, runtime);
		} finally {
			// A refused or invalid choice throws; its record is kept for the trigger to report it.
			if (!outcome) await runtime.store.release(lease);
		}
		await runtime.store.remove(sessionId, lease);
		return { json: { ...outcome.json, validated: true } };
	}
	const outcome = await completeSession(record, status, runtime, verifier ? { userChallengeVerifier: verifier } : {});
	return { ...outcome, json: { ...baseJson(record), ...outcome.json, validated: true } };
}
