import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors';
import { isStrictBase64 } from '../encoding';
import { digestLength, HASH_ALGORITHMS, isHashAlgorithm, type HashAlgorithm } from '../hash-algorithm';
import type { RequestedCertificateLevel } from './types';

/** Levels authentication may request (spec §2.1). */
export const AUTH_CERTIFICATE_LEVELS = ['ADVANCED', 'QUALIFIED'] as const;
/** Levels signing, certificate choice and C3 may request; QSCD is a QUALIFIED alias. */
export const SIGNING_CERTIFICATE_LEVELS = ['ADVANCED', 'QUALIFIED', 'QSCD'] as const;

/** Check the requested certificate level against what the endpoint kind allows; default QUALIFIED. */
export function validateCertificateLevel<L extends RequestedCertificateLevel>(
	value: unknown,
	allowed: readonly L[],
	purpose: string,
): L {
	if (value === undefined || value === null || value === '') return 'QUALIFIED' as L;
	if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
		throw new InvalidRequestError(
			`certificateLevel ${JSON.stringify(value)} is not allowed for ${purpose}; use one of ${allowed.join(', ')}`,
			{ field: 'certificateLevel' },
		);
	}
	return value as L;
}

/** Check a hash algorithm name (exact RP API spelling). */
export function validateHashAlgorithm(value: unknown, fallback: HashAlgorithm): HashAlgorithm {
	if (value === undefined || value === null || value === '') return fallback;
	if (!isHashAlgorithm(value)) {
		throw new InvalidRequestError(
			`hashAlgorithm ${JSON.stringify(value)} is not supported; use one of ${HASH_ALGORITHMS.join(', ')}`,
			{ field: 'hashAlgorithm' },
		);
	}
	return value;
}

/** Check that a Base64 digest has exactly the length of the declared hash algorithm. */
export function validateDigest(digest: unknown, hashAlgorithm: HashAlgorithm): string {
	if (!isStrictBase64(digest)) {
		throw new InvalidRequestError('digest is not strict Base64 (standard alphabet, with padding)', { field: 'digest' });
	}
	const got = Buffer.from(digest, 'base64').length;
	const want = digestLength(hashAlgorithm);
	if (got !== want) {
		throw new InvalidRequestError(
			`digest is ${got} bytes but ${hashAlgorithm} digests are ${want} bytes: hash the data with the declared algorithm`,
			{ field: 'digest', bytes: got, expected: want },
		);
	}
	return digest;
}

/** Maximum nonce length (spec §2.1). */
export const MAX_NONCE_LENGTH = 30;

/**
 * A fresh nonce (20 URL-safe characters). Every logical request gets its own, so two deliberate requests
 * never collapse into one session, while a retry of the same body stays idempotent (spec §10-13).
 */
export function generateNonce(): string {
	return randomBytes(15).toString('base64url');
}

/** Check a caller-supplied nonce: 1..30 characters. */
export function validateNonce(value: unknown): string {
	if (typeof value !== 'string' || value.length < 1 || value.length > MAX_NONCE_LENGTH) {
		throw new InvalidRequestError(`nonce must be 1 to ${MAX_NONCE_LENGTH} characters long`, { field: 'nonce' });
	}
	return value;
}

/** Check optional `capabilities` (only when agreed with SK). */
export function validateCapabilities(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value) || value.some((c) => typeof c !== 'string' || c.trim() === '' || c.length > 100)) {
		throw new InvalidRequestError('capabilities must be a list of non-empty strings agreed with SK', {
			field: 'capabilities',
		});
	}
	return value.length > 0 ? [...(value as string[])] : undefined;
}

/** Long-poll bounds of `session/{id}?timeoutMs=` (spec §3). */
export const MIN_STATUS_TIMEOUT_MS = 1000;
export const MAX_STATUS_TIMEOUT_MS = 120000;

/** Check a long-poll timeout: whole milliseconds in 1000..120000. */
export function validateStatusTimeout(value: unknown): number {
	if (
		typeof value !== 'number' ||
		!Number.isInteger(value) ||
		value < MIN_STATUS_TIMEOUT_MS ||
		value > MAX_STATUS_TIMEOUT_MS
	) {
		throw new InvalidRequestError(
			`timeoutMs must be a whole number of milliseconds between ${MIN_STATUS_TIMEOUT_MS} and ${MAX_STATUS_TIMEOUT_MS}`,
			{ field: 'timeoutMs' },
		);
	}
	return value;
}

/** Shape of a Smart-ID session id (RP API v3): checked in requests and in answers. */
export const SESSION_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Check a session id before it goes into a URL path. */
export function validateSessionId(value: unknown, field = 'sessionID'): string {
	if (typeof value !== 'string' || !SESSION_ID_RE.test(value)) {
		throw new InvalidRequestError(`${field} is not a Smart-ID session id (letters, digits, - and _)`, { field });
	}
	return value;
}
