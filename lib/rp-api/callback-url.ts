import { InvalidRequestError } from '../errors';

/** Spec §2.1: `^https://[^|]+$` (a literal `|` must be sent as `%7C`). */
const CALLBACK_RE = /^https:\/\/[^|]+$/;
/** Our own limit: the server's maximum is unpublished; links and payloads stay sane below it. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * Refuse an `initialCallbackUrl` the RP API (or the app appending `&sessionSecretDigest=…`) would not handle:
 * not https, contains `|`, white space or a fragment, unparsable, or too long.
 */
export function validateInitialCallbackUrl(url: unknown): string {
	if (typeof url !== 'string' || url === '') {
		throw new InvalidRequestError('initialCallbackUrl is missing: Web2App/App2App flows need the https URL the app returns to', {
			field: 'initialCallbackUrl',
		});
	}
	if (!CALLBACK_RE.test(url)) {
		throw new InvalidRequestError(
			'initialCallbackUrl must start with https:// and must not contain "|" (write it as %7C)',
			{ field: 'initialCallbackUrl' },
		);
	}
	if (url.length > MAX_CALLBACK_URL_LENGTH) {
		throw new InvalidRequestError(`initialCallbackUrl is longer than ${MAX_CALLBACK_URL_LENGTH} characters`, {
			field: 'initialCallbackUrl',
		});
	}
	if (/\s/.test(url) || url.includes('#')) {
		throw new InvalidRequestError(
			'initialCallbackUrl must not contain white space or a #fragment: the app appends its parameters to the end',
			{ field: 'initialCallbackUrl' },
		);
	}
	try {
		new URL(url);
	} catch {
		throw new InvalidRequestError('initialCallbackUrl is not a valid URL', { field: 'initialCallbackUrl' });
	}
	return url;
}
