/**
 * One way to show a URL in errors, logs and node output without leaking what authenticates it (issue 11 item 9):
 * the password of the user info (`https://user:pass@host`, `redis://:pass@host`), a user info without a password
 * (`https://APIKEY@host`; ioredis takes `redis://secret@host` as the password too) and every query value (`?key=`,
 * `?token=`, signed URLs) are replaced by `***`; the fragment is dropped. Scheme, host, port, path, query names
 * and a user name next to a password stay: that is what a reader needs to tell which peer (or ACL user) failed.
 */
export const REDACTED = '***';

/** `url` with credentials and query values replaced by `***`; never throws. */
export function redactUrl(url: unknown): string {
	const text = String(url ?? '');
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return redactUnparsed(text);
	}
	if (parsed.password) parsed.password = REDACTED;
	else if (parsed.username) parsed.username = REDACTED;
	parsed.hash = '';
	if (parsed.search) {
		const names = [...new Set(parsed.searchParams.keys())];
		parsed.search = names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&');
	}
	return parsed.toString();
}

/** Best effort for text that is not a URL: cut user info and everything after `?` or `#`, and bound the length. */
function redactUnparsed(text: string): string {
	const cut = text
		.replace(/^([^\s/?#]*:\/\/)[^/?#\s]*@/, `$1${REDACTED}@`)
		.replace(/[?#][\s\S]*$/, (rest) => (rest.startsWith('?') ? `?${REDACTED}` : ''));
	return cut.length > 200 ? `${cut.slice(0, 200)}…` : cut;
}
