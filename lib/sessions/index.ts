/**
 * Pending-session store: where sessions started in "Start and continue" mode wait until the Smart-ID Trigger
 * finishes them (docs/ARCHITECTURE.md "Asynchronous completion", docs/DECISIONS.md 9). No n8n imports here.
 */

/** Record shape, lease, filter and helpers to check them. */
export {
	PENDING_SESSION_KINDS,
	assertLease,
	assertSessionId,
	checkRecord,
	matchesFilter,
	type PendingSessionFilter,
	type PendingSessionKind,
	type PendingSessionRecord,
	type PendingSessionSecrets,
	type SessionLease,
} from './record';
/** The store contract both implementations follow (claim → work → remove-after-emit). */
export type { PendingSessionStore } from './store';
/** Ordering of `list` (creation or least recently checked first) and extra effects of `release`. */
export type { ListOptions, ReleaseOptions } from './store';
/** One JSON file per session under a folder; safe for several processes on one disk. */
export { FileSessionStore, type FileSessionStoreOptions } from './file-store';
/** Redis-backed store for n8n queue mode; ioredis is loaded lazily. */
export { RedisSessionStore, redactUrl, type RedisSessionStoreOptions } from './redis-store';
/** Build a store from plain settings (what the credential holds). */
export { createSessionStore, defaultSessionFolder, type SessionStoreSettings } from './factory';
