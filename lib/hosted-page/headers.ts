import { randomBytes } from 'node:crypto';

/**
 * The sandbox n8n puts on HTML it serves from webhooks (n8n-core getHtmlSandboxCSP, 2.x): the page is written to
 * work inside it (opaque origin: no cookies or storage; its requests to itself are cross-origin and answered
 * with CORS), so it needs no switch that disables n8n's sandbox.
 */
export const N8N_HTML_SANDBOX =
	'sandbox allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock allow-popups ' +
	'allow-popups-to-escape-sandbox allow-presentation allow-scripts allow-top-navigation-by-user-activation ' +
	'allow-top-navigation-to-custom-protocols';

/** A fresh CSP nonce for one HTML response. */
export function newNonce(): string {
	return randomBytes(18).toString('base64');
}

/** Never cached anywhere: every answer is about a live session and the URL is a capability. */
const NO_STORE = {
	'Cache-Control': 'no-store, max-age=0',
	Pragma: 'no-cache',
	Expires: '0',
	'Referrer-Policy': 'no-referrer',
	'X-Content-Type-Options': 'nosniff',
};

/**
 * Headers of the page: n8n's sandbox plus a strict policy (only the nonce'd inline style and script, images and
 * requests only to this server, no framing, no base or form target elsewhere).
 */
export function pageHeaders(nonce: string): Record<string, string> {
	const csp = [
		N8N_HTML_SANDBOX,
		"default-src 'none'",
		`script-src 'nonce-${nonce}'`,
		`style-src 'nonce-${nonce}'`,
		"img-src 'self' data:",
		"connect-src 'self'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	].join('; ');
	return { ...NO_STORE, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY' };
}

/**
 * Headers of the page's own sub-resources (state JSON, QR image). The sandboxed page has an opaque origin, so
 * its requests arrive with `Origin: null`; `*` without credentials is the only CORS answer that fits, and it
 * grants nothing: the capability is the URL, which the caller must already hold.
 */
export function resourceHeaders(contentType: string): Record<string, string> {
	return { ...NO_STORE, 'Content-Type': contentType, 'Access-Control-Allow-Origin': '*', 'Content-Security-Policy': "default-src 'none'" };
}
