import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { SessionStatus } from '../../lib/rp-api/types';
import type { PendingSessionRecord } from '../../lib/sessions';
import { toNodeError } from './errors';
import { KEPT_STATUS_META, completeSession, isLtServiceOutage, type SessionOutcome } from './complete';
import { PENDING_LIFETIME_MS } from './lifetime';
import { completionMode, correlation, str } from './params';
import type { SmartIdRuntime } from './runtime';

export { PENDING_LIFETIME_MS } from './lifetime';

/** A session that was started, ready to be waited for or stored. */
export type StartedSession = Pick<PendingSessionRecord, 'sessionId' | 'kind' | 'context' | 'secrets' | 'asicePending' | 'meta'>;

/** Build the full pending record for a started session (credential, tag, correlation, times). */
export function pendingRecord(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SmartIdRuntime,
	started: StartedSession,
): PendingSessionRecord {
	const now = Date.now();
	const tag = str(ctx, 'tag', i);
	const data = correlation(ctx, i);
	return {
		...started,
		credentialKey: runtime.config.credentialKey,
		...(tag ? { tag } : {}),
		...(data !== undefined ? { correlation: data } : {}),
		createdAt: new Date(now).toISOString(),
		expiresAt: new Date(now + PENDING_LIFETIME_MS).toISOString(),
	};
}

/**
 * "Start and continue": store the record and return at once; "Wait for completion": long-poll (AbortSignal
 * from n8n's cancel button, deadline = the node timeout) and validate. `extra` (e.g. the verification code) is
 * added to either output. Never puts `secrets` into the output.
 */
export async function startOrWait(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SmartIdRuntime,
	started: StartedSession,
	extra: IDataObject,
	forceStart = false,
): Promise<SessionOutcome> {
	const { mode, timeoutMs } = forceStart ? { mode: 'start' as const, timeoutMs: 0 } : completionMode(ctx, i);
	if (mode === 'start') {
		const record = pendingRecord(ctx, i, runtime, started);
		await runtime.store.put(record);
		return {
			json: {
				sessionId: record.sessionId,
				kind: record.kind,
				state: 'RUNNING',
				...extra,
				...(record.tag ? { tag: record.tag } : {}),
				...(record.correlation !== undefined ? { correlation: record.correlation as IDataObject } : {}),
				expiresAt: record.expiresAt,
			},
		};
	}
	try {
		const status = await runtime.client.pollUntilComplete(started.sessionId, {
			deadline: Date.now() + timeoutMs,
			signal: ctx.getExecutionCancelSignal?.(),
		});
		const record = { ...started, credentialKey: runtime.config.credentialKey, createdAt: '', expiresAt: '' };
		const outcome = await completeSession(record, status, runtime).catch(async (error: unknown) => {
			// The person has signed; a TSA/OCSP outage must not throw that away: keep it for the trigger.
			if (started.kind === 'asiceSignature' && isLtServiceOutage(error)) await keepForTrigger(ctx, i, runtime, started, status, error);
			throw error;
		});
		return { ...outcome, json: { ...outcome.json, ...extra } };
	} catch (error) {
		// Say which session failed (continue-on-fail items and error descriptions show it).
		throw toNodeError(ctx.getNode(), error, i, started.sessionId);
	}
}

/** Store a signed-but-unfinished container session and say so in the error (the trigger finishes it). */
async function keepForTrigger(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SmartIdRuntime,
	started: StartedSession,
	status: SessionStatus,
	error: unknown,
): Promise<void> {
	if (!(error instanceof Error)) return;
	try {
		// With Smart-ID's answer kept, the trigger needs neither Smart-ID nor the session to still be known there.
		await runtime.store.put(pendingRecord(ctx, i, runtime, { ...started, meta: { ...started.meta, [KEPT_STATUS_META]: status } }));
		error.message += ` The signed session ${started.sessionId} was kept in the session store; a Smart-ID Trigger on this credential finishes the container once the service answers again.`;
	} catch (storeError) {
		error.message += ` Keeping the signed session for the Smart-ID Trigger failed too (${storeError instanceof Error ? storeError.message : String(storeError)}).`;
	}
}
