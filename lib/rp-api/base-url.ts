import { InvalidRequestError } from '../errors';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True for 127.0.0.1, ::1 and localhost (the embedded simulator). */
export function isLoopbackUrl(url: URL): boolean {
	return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Check an RP API base URL: absolute, ends with `/` (paths are appended), no credentials, query or fragment,
 * https — plain http only for a loopback host (the offline simulator).
 */
export function validateBaseUrl(value: unknown): URL {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new InvalidRequestError('the Smart-ID base URL is empty: choose an environment or enter the RP API v3 URL', {
			field: 'baseUrl',
		});
	}
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new InvalidRequestError(`the Smart-ID base URL "${value}" is not a valid URL`, { field: 'baseUrl' });
	}
	if (!value.endsWith('/')) {
		throw new InvalidRequestError(`the Smart-ID base URL must end with "/" (e.g. ${value}/)`, { field: 'baseUrl' });
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new InvalidRequestError('the Smart-ID base URL must not contain credentials, a query or a fragment', {
			field: 'baseUrl',
		});
	}
	if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
		throw new InvalidRequestError(
			'the Smart-ID base URL must use https; plain http is only allowed for the local simulator (127.0.0.1, ::1, localhost)',
			{ field: 'baseUrl' },
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InvalidRequestError('the Smart-ID base URL must be an https URL', { field: 'baseUrl' });
	}
	return url;
}
