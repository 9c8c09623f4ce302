import type { IExecuteFunctions } from 'n8n-workflow';

import { completeSession, baseJson, type SessionOutcome } from '../../shared/complete';
import { str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';

/**
 * Session → Get Status: one status request (no waiting). With "Validate With Stored Request" and a pending
 * record of this credential, a completed session is validated and its result returned; the record stays, so
 * the Smart-ID Trigger still emits it.
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
	const outcome = await completeSession(record, status, runtime, verifier ? { userChallengeVerifier: verifier } : {});
	return { ...outcome, json: { ...baseJson(record), ...outcome.json, validated: true } };
}
