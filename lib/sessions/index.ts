/**
 * Pending sessions and their lifecycle: where sessions started in "Start and Continue" mode (or by device link)
 * wait, and the engine steps that start, store, complete, continue and poll them (docs/ARCHITECTURE.md "Asynchronous
 * completion", docs/DECISIONS.md 9). No n8n imports here; nodes/ only reads parameters and builds items.
 */

/** Store envelope, lease, filter and helpers to check them. */
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
/** The strict, format-tagged, kind-discriminated pending session and its parser. */
export {
	PENDING_SESSION_FORMAT,
	parsePendingSession,
	PendingSessionInvalidError,
	type PendingSession,
	type PendingAuthentication,
	type PendingSignatureSession,
	type PendingCertificateChoice,
	type PendingAsiceSignature,
	type PendingSessionExpectation,
	type AsicePendingState,
	type PdfPendingState,
	type PdfInputReference,
	type PendingPdfSignature,
	type PendingDocumentSignature,
	type LinkedAsiceRequest,
	type SignatureOptions,
	type ResultSummary,
} from './pending-session';
/** Record authentication: HKDF-derived key, canonical JSON, HMAC-SHA256 seal and constant-time check. */
export {
	canonicalJson,
	deriveRecordKey,
	sealPendingSession,
	openPendingSession,
	PendingSessionForgedError,
	RecordKeyMissingError,
} from './record-seal';
/** The store contract both implementations follow (claim → work → remove-after-emit). */
export type { PendingSessionStore } from './store';
/** Ordering of `list` (creation or least recently checked first) and extra effects of `release`. */
export type { ListOptions, ReleaseOptions } from './store';
/** One JSON file per session under a folder; safe for several processes on one disk. */
export { FileSessionStore, type FileSessionStoreOptions } from './file-store';
/** Redis-backed store for n8n queue mode; ioredis is loaded lazily. */
export { RedisSessionStore, redactRedisSecrets, type RedisSessionStoreOptions } from './redis-store';
/** Build a store from plain settings (what the credential holds). */
export { createSessionStore, defaultSessionFolder, type SessionStoreSettings } from './factory';
/** Credential fields → engine settings, and the runtime (client, trust, store, record key) built from them. */
export { settingsFromCredential, type RuntimeSettings, type HostSettings } from './settings';
export { SessionRuntime, trustFor, clientFor } from './runtime';
/** Results: plain JSON + files; error, expired and rejected-record outcomes. */
export { baseJson, errorOutcome, expiredOutcome, rejectedOutcome, statusJson, type SessionOutcome, type ResultFile, type ResultJson } from './outcome';
export { isSampleKind, kindOfPending, sampleOutcome, SAMPLE_KINDS, type SampleKind } from './trigger-samples';
export { certificateJson, authenticationJson, signatureJson } from './result-json';
/** Store / read one session of a credential (sealed on write, checked on read). */
export {
	PENDING_LIFETIME_MS,
	newPendingSession,
	savePendingSession,
	readPendingSession,
	type StartedSession,
	type SessionLabels,
} from './stored-sessions';
/** Start-or-store ("Start and Continue" vs "Wait for Completion") and device-link sessions. */
export { startOrStore, type StartOptions } from './start';
export { storeDeviceLinkSession, deviceLinkFiles } from './device-link-session';
/** Complete a session; continue a certificate choice into its linked signature; finish a container. */
export { completeSession, type CompleteOptions } from './complete';
export { completeStoredSession, type StoredCompletion } from './complete-stored';
export { continueWithLinkedSignature, linkedAsiceRequest } from './linked-signature';
export { prepareContainer, finalizeContainer, type ContainerInput } from './container';
export { preparePdf, finalizePdf, signedPdfFacts, type PdfSignatureSettings } from './pdf';
export { selfContainedPdfState, writeReferencedPartial, type BinaryInputAccess, type PdfSource } from './pdf-input';
export { isLtServiceOutage, keepSignedStatus } from './lt-outage';
/** One trigger pass over a credential's sessions with leases and a time budget. */
export { pollSessions, triggerPassTiming, DEFAULT_POLL_BUDGET_MS, type PollSessionsOptions, type PollSessionsResult, type FinishedSession } from './poll';
/** Web2App/App2App: check the callback the browser returned to, then complete the stored session with it. */
export { completeSameDeviceCallback } from './same-device';
