import {
	PENDING_SESSION_FORMAT,
	sealPendingSession,
	type PendingSession,
	type PendingSessionRecord,
	type SessionRuntime,
} from '../../lib/sessions';

/**
 * A record as this package writes it (format tag + MAC with the runtime's record key), for tests that put records
 * into a store themselves or change one on purpose to set up a state (expired, unknown id, wrong challenge).
 */
export function sealed(runtime: Pick<SessionRuntime, 'recordKey'>, record: object): PendingSessionRecord {
	return sealPendingSession({ format: PENDING_SESSION_FORMAT, ...record } as PendingSession, runtime.recordKey);
}
