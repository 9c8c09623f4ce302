import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import { SmartIdError } from '../errors';
import { parsePendingSession, type PendingSession, type PendingSessionExpectation } from './pending-session';
import type { PendingSessionRecord } from './record';

/**
 * Pending-session records are authenticated: HMAC-SHA256 over a canonical serialisation, with a key derived (HKDF)
 * from a secret that whoever can write the session folder or the Redis database does not have (the credential's
 * Session Record Key or n8n's own encryption key). A record someone planted or edited fails the check.
 */

/** A stored record failed its authentication check (`details.field` is `mac`). */
export class PendingSessionForgedError extends SmartIdError {
	constructor(problem: string) {
		super(
			'SMARTID_SESSION_RECORD_UNAUTHENTIC',
			`Pending-session record ${problem}: it was not written by this credential with its session record key (edited, planted, or written before the key changed), so it is not used. Check who can write to the session store, then start the session again.`,
			{ field: 'mac' },
		);
	}
}

/** No secret to derive the record key from: "Start and Continue" cannot store sessions safely. */
export class RecordKeyMissingError extends SmartIdError {
	constructor() {
		super(
			'SMARTID_SESSION_KEY_MISSING',
			'No key to protect stored sessions: set "Session Record Key" in the Smart-ID credential, or run n8n with N8N_ENCRYPTION_KEY (queue mode always has it) or an encryptionKey in the n8n user folder config file.',
		);
	}
}

const SALT = 'n8n-nodes-smart-id';

/** The 32-byte MAC key of one credential's records, derived from `secret` (never stored, never output). */
export function deriveRecordKey(secret: string, credentialKey: string): Buffer {
	if (typeof secret !== 'string' || secret.length === 0) throw new RecordKeyMissingError();
	return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, `smart-id-pending-session/1 record mac\n${credentialKey}`, 32));
}

/** JSON with object keys sorted at every level and no whitespace: the bytes the MAC covers. */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		const text = JSON.stringify(value);
		return text === undefined ? 'null' : text;
	}
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const entries = Object.keys(value)
		.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
	return `{${entries.join(',')}}`;
}

function macOf(record: Record<string, unknown>, key: Buffer): Buffer {
	const { mac: _mac, ...rest } = record;
	return createHmac('sha256', key).update(canonicalJson(rest), 'utf8').digest();
}

/** The record as stored: the session plus its MAC (hex). */
export function sealPendingSession(session: PendingSession, key: Buffer | undefined): PendingSessionRecord {
	if (!key) throw new RecordKeyMissingError();
	const plain = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
	return { ...plain, mac: macOf(plain, key).toString('hex') } as unknown as PendingSessionRecord;
}

/**
 * Check the MAC of a stored record (constant-time), then parse it strictly against the credential that reads it.
 * Throws PendingSessionForgedError (code SMARTID_SESSION_RECORD_UNAUTHENTIC, field `mac`) or the parser's
 * PendingSessionInvalidError (SMARTID_SESSION_RECORD_INVALID, the field named).
 */
export function openPendingSession(raw: unknown, key: Buffer | undefined, expect: PendingSessionExpectation): PendingSession {
	if (!key) throw new RecordKeyMissingError();
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PendingSessionForgedError('is not an object');
	const record = raw as Record<string, unknown>;
	const mac = record.mac;
	if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) throw new PendingSessionForgedError('has no valid mac');
	if (!timingSafeEqual(Buffer.from(mac, 'hex'), macOf(record, key))) throw new PendingSessionForgedError('has a mac that does not match its content');
	return parsePendingSession(record, expect);
}
