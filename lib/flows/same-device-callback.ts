import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError, ValidationError } from '../errors';
import { validateInitialCallbackUrl } from '../rp-api/callback-url';
import { sessionSecretDigest } from './callback-digests';

/** A same-device callback (spec §4.5) did not pass a check; `rule` says which. */
export class CallbackMismatchError extends ValidationError {
	constructor(rule: string, message: string) {
		super(rule, message);
	}
}

/** A new unguessable callback token: 32 CSPRNG bytes, base64url (43 characters). */
export function newCallbackToken(): string {
	return randomBytes(32).toString('base64url');
}

/**
 * Put `token` into `callbackUrl` as the `value` query parameter (spec §4.5) and check the result as an
 * `initialCallbackUrl`. Bind the token to the browser session (cookie) and store it with the pending session.
 */
export function callbackUrlWithToken(callbackUrl: string, token: string): string {
	if (!/^[A-Za-z0-9_-]{22,86}$/.test(token)) {
		throw new InvalidRequestError('callback token must be 22..86 URL-safe characters; use newCallbackToken()', {
			field: 'token',
		});
	}
	const url = new URL(validateInitialCallbackUrl(callbackUrl));
	if (url.searchParams.has('value')) {
		throw new InvalidRequestError('callback URL already has a "value" parameter; it is reserved for the token', {
			field: 'initialCallbackUrl',
		});
	}
	const q = callbackUrl.indexOf('?');
	const query = q < 0 ? null : callbackUrl.slice(q + 1);
	// Only an empty query or one ending in '&' can take the parameter directly ("https://a/??" has the query "?").
	const sep = query === null ? '?' : query === '' || query.endsWith('&') ? '' : '&';
	const out = validateInitialCallbackUrl(`${callbackUrl}${sep}value=${token}`);
	if (new URL(out).searchParams.getAll('value').join() !== token) {
		throw new InvalidRequestError('callback URL query cannot carry the token as its "value" parameter; simplify the query', {
			field: 'initialCallbackUrl',
		});
	}
	return out;
}

/** The callback request as received: a full URL, its query string, or already-parsed query parameters. */
export type CallbackInput = string | URL | URLSearchParams | Record<string, string | string[] | undefined>;

/** What the RP stored when it created the session. `sessionSecret` is SECRET (from DeviceLinkSecrets). */
export interface CallbackExpectation {
	token: string;
	sessionSecret: string;
	/** Authentication callbacks must carry `userChallengeVerifier`. */
	sessionType: 'auth' | 'sign' | 'cert';
}

/** Result of a passed callback check. */
export interface CallbackCheckResult {
	/** Present for authentication: pass it to validation, which compares SHA-256 of it with `signature.userChallenge`. */
	userChallengeVerifier?: string;
}

function toParams(input: CallbackInput): URLSearchParams {
	if (input instanceof URLSearchParams) return input;
	if (input instanceof URL) return input.searchParams;
	if (typeof input === 'string') {
		const query = input.includes('?') ? input.slice(input.indexOf('?') + 1) : input;
		return new URLSearchParams(query.split('#')[0]);
	}
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(input ?? {})) {
		if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
		else if (typeof value === 'string') params.append(key, value);
	}
	return params;
}

function single(params: URLSearchParams, name: string): string | undefined {
	const values = params.getAll(name);
	if (values.length > 1) {
		throw new CallbackMismatchError(`callback.${name}.repeated`, `the callback carries "${name}" more than once; refused`);
	}
	return values[0];
}

/** Constant-time string equality (hashes first so lengths do not leak either). */
export function constantTimeEquals(a: string, b: string): boolean {
	const ha = createHash('sha256').update(a, 'utf8').digest();
	const hb = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Check a Web2App/App2App callback (spec §4.5): (1) `value` equals the stored token, (2) `sessionSecretDigest`
 * equals base64url(SHA-256(sessionSecret)), (3) authentication callbacks carry a `userChallengeVerifier`, which
 * is returned for validation. All compares are constant-time. The caller must make the token single-use.
 */
export function verifySameDeviceCallback(input: CallbackInput, expected: CallbackExpectation): CallbackCheckResult {
	const params = toParams(input);
	const value = single(params, 'value');
	if (!value || !constantTimeEquals(value, expected.token)) {
		throw new CallbackMismatchError(
			'callback.value.matchesSession',
			'the callback token does not belong to this browser session: the link may have been opened elsewhere; start again',
		);
	}
	const digest = single(params, 'sessionSecretDigest');
	if (!digest || !constantTimeEquals(digest, sessionSecretDigest(expected.sessionSecret))) {
		throw new CallbackMismatchError(
			'callback.sessionSecretDigest.matchesSession',
			'the callback does not come from this Smart-ID session (sessionSecretDigest differs); start again',
		);
	}
	const verifier = single(params, 'userChallengeVerifier');
	if (expected.sessionType === 'auth') {
		if (!verifier) {
			throw new CallbackMismatchError(
				'callback.userChallengeVerifier.present',
				'the authentication callback has no userChallengeVerifier; the Smart-ID app must be updated, or the URL was cut',
			);
		}
		if (!/^[A-Za-z0-9_-]{1,256}$/.test(verifier)) {
			throw new CallbackMismatchError(
				'callback.userChallengeVerifier.format',
				'the callback userChallengeVerifier has characters outside base64url; refused',
			);
		}
		return { userChallengeVerifier: verifier };
	}
	return {};
}
