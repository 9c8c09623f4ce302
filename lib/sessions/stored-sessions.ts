import type { PendingSession } from './pending-session';
import { openPendingSession, sealPendingSession } from './record-seal';
import type { SessionRuntime } from './runtime';

/** How long a stored session may stay pending before the trigger reports it as expired. */
export const PENDING_LIFETIME_MS = 15 * 60 * 1000;

type WithoutCommon<T> = T extends unknown ? Omit<T, 'format' | 'credentialKey' | 'tag' | 'correlation' | 'createdAt' | 'expiresAt'> : never;

/** A session that was started: its kind, id, request context and kind-specific state, before it is stored. */
export type StartedSession = WithoutCommon<PendingSession>;

/** Where a stored session belongs (trigger tag) and what it carries back (correlation data). */
export interface SessionLabels {
	tag?: string;
	correlation?: unknown;
}

/** The full pending session of this credential for a started one: credential key, tag, correlation, times. */
export function newPendingSession(runtime: SessionRuntime, started: StartedSession, labels: SessionLabels = {}, now = Date.now()): PendingSession {
	return {
		...started,
		format: 'smart-id-pending-session/1',
		credentialKey: runtime.config.credentialKey,
		...(labels.tag ? { tag: labels.tag } : {}),
		...(labels.correlation !== undefined ? { correlation: labels.correlation } : {}),
		createdAt: new Date(now).toISOString(),
		expiresAt: new Date(now + PENDING_LIFETIME_MS).toISOString(),
	} as PendingSession;
}

/** Seal (MAC with this credential's record key) and store; fails with SMARTID_SESSION_KEY_MISSING when there is no key. */
export async function savePendingSession(runtime: SessionRuntime, session: PendingSession): Promise<void> {
	await runtime.store.put(sealPendingSession(session, runtime.recordKey));
}

/**
 * The stored session of this credential with this id, checked (MAC, then the strict parser), or undefined when
 * there is none for this credential. A record that fails a check throws (code and field say which).
 */
export async function readPendingSession(runtime: SessionRuntime, sessionId: string): Promise<PendingSession | undefined> {
	const raw = await runtime.store.get(sessionId);
	if (!raw || raw.credentialKey !== runtime.config.credentialKey) return undefined;
	return openPendingSession(raw, runtime.recordKey, runtime.expectation);
}
