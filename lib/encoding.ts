import { InvalidRequestError } from './errors';

/** Strict standard Base64 (with padding), as the RP API uses for every binary field. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `value` is canonical, padded, standard Base64 (no whitespace, no URL-safe alphabet). */
export function isStrictBase64(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && BASE64.test(value);
}

/**
 * Decode standard Base64, refusing anything that is not canonical Base64. Node's own decoder silently
 * skips bad characters, which would let a malformed value through; `what` names the field in the error.
 */
export function decodeBase64Strict(value: unknown, what: string): Buffer {
	if (!isStrictBase64(value)) {
		// A typed error: stored values (sessionSecret in a pending-session store) reach this as untrusted input too.
		throw new InvalidRequestError(`${what} is not valid Base64`, { field: what });
	}
	return Buffer.from(value, 'base64');
}

/** Base64 of the UTF-8 bytes of `text` (used for relyingPartyName inside signed payloads). */
export function base64OfUtf8(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64');
}

/** Base64url without padding (authCode, sessionSecretDigest, userChallenge). */
export function base64UrlNoPad(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString('base64url');
}
