import type { SessionStatus } from '../rp-api/types';
import type { PendingDocumentSignature } from './pending-session';
import type { SessionRuntime } from './runtime';
import { savePendingSession } from './stored-sessions';

/**
 * True when finishing failed only because a TSA or OCSP responder could not be reached or answered with an HTTP
 * error (`SMARTID_TSA_UNAVAILABLE` / `SMARTID_OCSP_UNAVAILABLE`, possibly wrapped as the cause of an ASiC-E build
 * error). The person has already signed: keep the session and finish it later.
 */
export function isLtServiceOutage(error: unknown): boolean {
	for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
		const code = (e as { code?: unknown }).code;
		if (code === 'SMARTID_TSA_UNAVAILABLE' || code === 'SMARTID_OCSP_UNAVAILABLE') return true;
	}
	return false;
}

/**
 * Store a signed-but-unfinished container session with Smart-ID's COMPLETE answer, so the trigger finishes it
 * later without Smart-ID still having to know the session. Only a document signature (ASiC-E or PDF) can keep an answer.
 */
export async function keepSignedStatus(runtime: SessionRuntime, session: PendingDocumentSignature, status: SessionStatus): Promise<void> {
	await savePendingSession(runtime, { ...session, keptStatus: status });
}
