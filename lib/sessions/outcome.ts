import type { Readable } from 'node:stream';

import { SmartIdError } from '../errors';
import type { SessionStatus } from '../rp-api/types';
import type { PendingSession } from './pending-session';

/** Plain JSON of a result (the adapter turns it into an item). */
export type ResultJson = Record<string, unknown>;

/** A file the finished result carries (the signed container, a QR code). */
export interface ResultFile {
	propertyName: string;
	/** The bytes, or a stream of a large file (a signed PDF) that n8n's binary store takes as a stream. */
	data: Buffer | Readable;
	fileName: string;
	mimeType: string;
}

/** A finished step: JSON output (never secrets) plus optional files. */
export interface SessionOutcome {
	json: ResultJson;
	files?: ResultFile[];
	/**
	 * Set when the session was not the last step: it continued as this new pending session (a certificate choice
	 * followed by its linked signature). Not a result to emit; the old record is done.
	 */
	continuedAs?: string;
}

/** Base JSON every session result starts with (identifies it for dedup, carries the user's correlation data). */
export function baseJson(session: Pick<PendingSession, 'sessionId' | 'kind' | 'tag' | 'correlation'>): ResultJson {
	return {
		sessionId: session.sessionId,
		kind: session.kind,
		...(session.tag ? { tag: session.tag } : {}),
		...(session.correlation !== undefined ? { correlation: session.correlation } : {}),
	};
}

/** An error result for a session that ended without a usable result (refused, timeout, failed validation...). */
export function errorOutcome(session: PendingSession, error: unknown): SessionOutcome {
	const details = error instanceof SmartIdError ? error.details : {};
	return {
		json: {
			...baseJson(session),
			state: 'COMPLETE',
			...(typeof details.endResult === 'string' ? { endResult: details.endResult } : {}),
			...(typeof details.interaction === 'string' ? { interaction: details.interaction } : {}),
			...(typeof details.rule === 'string' ? { validationRule: details.rule } : {}),
			error: error instanceof Error ? error.message : String(error),
			code: error instanceof SmartIdError ? error.code : 'SMARTID_UNEXPECTED_ERROR',
		},
	};
}

/** The session ran out of time, or Smart-ID no longer knows it. */
export function expiredOutcome(session: PendingSession, reason: 'expired' | 'unknown'): SessionOutcome {
	return {
		json: {
			...baseJson(session),
			state: reason === 'expired' ? 'EXPIRED' : 'UNKNOWN',
			code: reason === 'expired' ? 'SMARTID_SESSION_EXPIRED' : 'SMARTID_SESSION_NOT_FOUND',
			error:
				reason === 'expired'
					? `Session ${session.sessionId} did not complete before ${session.expiresAt}; start a new one`
					: `Smart-ID no longer knows session ${session.sessionId} (expired or never existed); start a new one`,
		},
	};
}

/**
 * A stored record that failed its MAC or the strict parser: reported (never as a success, never silently
 * dropped) with the code and field, and nothing from the record except its id (its tag and correlation data are
 * as untrusted as the rest).
 */
export function rejectedOutcome(sessionId: string, error: unknown): SessionOutcome {
	const code = error instanceof SmartIdError ? error.code : 'SMARTID_UNEXPECTED_ERROR';
	const field = error instanceof SmartIdError && typeof error.details.field === 'string' ? error.details.field : undefined;
	return {
		json: {
			sessionId,
			state: 'REJECTED',
			code,
			...(field ? { field } : {}),
			error: error instanceof Error ? error.message : String(error),
			action:
				'The record was removed from the session store and nothing from it was used. If nobody edited the store on purpose, ' +
				'check who can write the session folder or Redis database; then start the session again.',
		},
	};
}

/** The plain facts of a status answer (Session → Get Status without validation). */
export function statusJson(sessionId: string, status: SessionStatus): ResultJson {
	return {
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
}
