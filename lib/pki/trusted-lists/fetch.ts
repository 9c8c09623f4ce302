import * as http from 'node:http';
import * as https from 'node:https';
import { TrustedListError } from './errors';

/** Gets the bytes at a URL; injectable so tests, proxies and offline set-ups can supply their own. */
export type TrustedListFetcher = (url: string, options: { maxBytes: number; timeoutMs: number }) => Promise<Buffer>;

/**
 * The default fetcher: node:http/https GET, no redirects beyond 3, a hard overall timeout (connect + body), a size
 * limit enforced while reading, and a check that the body is as long as Content-Length says.
 * @throws TrustedListError TL_FETCH_FAILED (non-2xx, timeout, truncated or oversize body, network error), naming the URL.
 */
export const httpFetcher: TrustedListFetcher = (url, options) => get(url, options, 0);

function get(url: string, options: { maxBytes: number; timeoutMs: number }, redirects: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		let u: URL;
		try {
			u = new URL(url);
		} catch {
			reject(new TrustedListError('TL_FETCH_FAILED', `"${url}" is not a URL.`, { url }));
			return;
		}
		if (u.protocol !== 'http:' && u.protocol !== 'https:') {
			reject(new TrustedListError('TL_FETCH_FAILED', `Trusted lists are fetched over http(s) only, not "${u.protocol}".`, { url }));
			return;
		}
		let settled = false;
		const done = (err: Error | null, body?: Buffer): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (err) {
				req.destroy();
				reject(err);
			} else resolve(body!);
		};
		const failed = (why: string, details: Record<string, unknown> = {}): TrustedListError =>
			new TrustedListError('TL_FETCH_FAILED', `Downloading the trusted list ${url} failed: ${why}. The last verified copy stays in use.`, { url, ...details });
		const lib = u.protocol === 'https:' ? https : http;
		const req = lib.get(u, { headers: { accept: 'application/vnd.etsi.tsl+xml, application/xml, text/xml' } }, (res) => {
			const status = res.statusCode ?? 0;
			if (status >= 300 && status < 400 && res.headers.location && redirects < 3) {
				res.resume();
				clearTimeout(timer);
				settled = true;
				get(new URL(res.headers.location, u).toString(), options, redirects + 1).then(resolve, reject);
				return;
			}
			if (status < 200 || status >= 300) {
				res.resume();
				done(failed(`HTTP ${status}`, { status }));
				return;
			}
			const declared = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
			if (declared !== null && declared > options.maxBytes) {
				done(failed(`the body is ${declared} bytes, above the ${options.maxBytes}-byte limit`, { size: declared }));
				return;
			}
			const chunks: Buffer[] = [];
			let size = 0;
			res.on('data', (c: Buffer) => {
				size += c.length;
				if (size > options.maxBytes) done(failed(`the body exceeds the ${options.maxBytes}-byte limit`));
				else chunks.push(c);
			});
			res.on('aborted', () => done(failed('the connection closed before the body was complete (truncated)')));
			res.on('error', (e) => done(failed(`the body could not be read (${e.message})`)));
			res.on('end', () => {
				const body = Buffer.concat(chunks);
				if (declared !== null && body.length !== declared) done(failed(`the body is ${body.length} bytes but Content-Length said ${declared} (truncated)`));
				else done(null, body);
			});
			res.on('close', () => {
				if (!res.complete) done(failed('the connection closed before the body was complete (truncated)'));
			});
		});
		req.on('error', (e) => done(failed(`network error (${e.message})`)));
		const timer = setTimeout(() => done(failed(`no complete answer within ${options.timeoutMs} ms (timeout)`)), options.timeoutMs);
	});
}
