import { InvalidRequestError } from '../errors';
import type { DeviceLinkSecrets } from '../flows/device-link';

import type { PendingSessionKind } from './pending-session';

export type { PendingSessionKind } from './pending-session';

/** All kinds, for the envelope check of records read back from disk or Redis. */
export const PENDING_SESSION_KINDS: readonly PendingSessionKind[] = [
	'authentication',
	'signature',
	'certificateChoice',
	'asiceSignature',
	'pdfSignature',
];

/**
 * Device-link secrets kept so links / QR codes can be re-made while the session runs (lib/flows DeviceLinkSecrets).
 * SENSITIVE: whoever holds `sessionSecret` can compute valid authCodes; it is never emitted by a node,
 * never logged and never put into an error message.
 */
export type PendingSessionSecrets = DeviceLinkSecrets;

/**
 * A record as a store holds it: the envelope the store itself needs (id, credential, tag, times, kind) and
 * whatever else the writer put there. Stores check only the envelope; the content is read ONLY through
 * `openPendingSession` (MAC, then the strict parser of `PendingSession`), because anyone who can write the
 * store can write a record.
 */
export interface PendingSessionRecord {
	sessionId: string;
	kind: PendingSessionKind;
	credentialKey: string;
	tag?: string;
	correlation?: unknown;
	createdAt: string;
	expiresAt: string;
	context: object;
	/** As stored, unchecked (use the opened PendingSession's). SENSITIVE. */
	secrets?: PendingSessionSecrets;
	[field: string]: unknown;
}

/** Which records `list` returns. */
export interface PendingSessionFilter {
	credentialKey?: string;
	tag?: string;
}

/** Proof that the holder may finish (and then remove) one record; expires on its own after a crash. */
export interface SessionLease {
	sessionId: string;
	/** Random per claim; a lease whose token no longer matches was lost (expired and taken over). */
	token: string;
	/** Epoch ms after which other processes may take the record over. */
	expiresAt: number;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Refuse session ids that could escape a folder or a Redis key space. Real Smart-ID ids are UUIDs; the
 * allowed alphabet is a little wider so other id shapes (simulator, tests) still work.
 */
export function assertSessionId(sessionId: unknown): asserts sessionId is string {
	if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId) || sessionId.includes('..')) {
		throw new InvalidRequestError(
			'Session id must be 1-128 characters of letters, digits, ".", "_", ":" or "-" (a Smart-ID sessionID is a UUID)',
			{ sessionId: typeof sessionId === 'string' ? sessionId.slice(0, 140) : typeof sessionId },
		);
	}
}

/** Refuse a lease that is not one a store handed out (an empty token would mean "remove without a lease"). */
export function assertLease(lease: unknown): asserts lease is SessionLease {
	const candidate = lease as Partial<SessionLease> | null | undefined;
	assertSessionId(candidate?.sessionId);
	if (typeof candidate?.token !== 'string' || candidate.token === '') {
		throw new InvalidRequestError('A session lease needs the token its claim returned', { sessionId: candidate?.sessionId });
	}
}

/** Check a record before it is stored; returns it unchanged when it is well-formed. */
export function checkRecord(record: PendingSessionRecord): PendingSessionRecord {
	assertSessionId(record?.sessionId);
	if (!PENDING_SESSION_KINDS.includes(record.kind)) {
		throw new InvalidRequestError(`Pending session kind must be one of ${PENDING_SESSION_KINDS.join(', ')}`, {
			kind: String(record.kind),
		});
	}
	if (typeof record.credentialKey !== 'string' || record.credentialKey.length === 0) {
		throw new InvalidRequestError('Pending session needs a credentialKey (which credential started it)');
	}
	if (record.tag !== undefined && typeof record.tag !== 'string') {
		throw new InvalidRequestError('Pending session tag must be a string');
	}
	for (const field of ['createdAt', 'expiresAt'] as const) {
		if (typeof record[field] !== 'string' || Number.isNaN(Date.parse(record[field]))) {
			throw new InvalidRequestError(`Pending session ${field} must be an ISO-8601 date`);
		}
	}
	if (typeof record.context !== 'object' || record.context === null) {
		throw new InvalidRequestError('Pending session needs its request context (what validation checks against)');
	}
	return record;
}

/**
 * The part of {@link checkRecord} `list` needs (id, credential, tag, creation time as text): a record that has it
 * but fails the rest is still listed, so the trigger reports it (the strict parser names the field) instead of
 * leaving it unreported in the store.
 */
export function checkListed(record: PendingSessionRecord): PendingSessionRecord {
	assertSessionId(record?.sessionId);
	if (typeof record.credentialKey !== 'string' || record.credentialKey.length === 0) {
		throw new InvalidRequestError('Pending session needs a credentialKey (which credential started it)');
	}
	if (record.tag !== undefined && typeof record.tag !== 'string') throw new InvalidRequestError('Pending session tag must be a string');
	if (typeof record.createdAt !== 'string') throw new InvalidRequestError('Pending session createdAt must be an ISO-8601 date');
	return record;
}

/** True when `record` passes `filter`. */
export function matchesFilter(record: PendingSessionRecord, filter: PendingSessionFilter | undefined): boolean {
	if (!filter) return true;
	if (filter.credentialKey !== undefined && record.credentialKey !== filter.credentialKey) return false;
	if (filter.tag !== undefined && filter.tag !== '' && record.tag !== filter.tag) return false;
	return true;
}
