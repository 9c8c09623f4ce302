/**
 * Minimal HTTP(S) POST of DER bytes to an OCSP responder or a TSA, with a hard timeout, a size limit and
 * errors that name the peer and its URL (the usual failure is "that service did not answer", and the
 * ops person needs to know which one).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { SmartIdError } from '../errors';

/** Which kind of peer we talk to; decides the error code and the wording. */
export type TokenPeer = 'OCSP responder' | 'TSA';

/** Transport failure talking to an OCSP responder (`SMARTID_OCSP_UNAVAILABLE`) or a TSA (`SMARTID_TSA_UNAVAILABLE`). */
export class TokenServiceError extends SmartIdError {
	/** The URL that failed. */
	readonly url: string;
	constructor(peer: TokenPeer, url: string, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
		super(peer === 'TSA' ? 'SMARTID_TSA_UNAVAILABLE' : 'SMARTID_OCSP_UNAVAILABLE', message, { ...details, url }, { cause });
		this.url = url;
	}
}

/** Options of {@link postDer}. */
export interface PostDerOptions {
	peer: TokenPeer;
	contentType: string;
	/** Expected response Content-Type; a different one is refused (a proxy's HTML error page, say). */
	accept: string;
	timeoutMs: number;
	signal?: AbortSignal;
	/** Largest accepted response body. */
	maxBytes?: number;
	/** Extra agent, e.g. with TLS pinning. */
	agent?: http.Agent;
}

/** Parse and check an OCSP/TSA URL: http or https only, no credentials in it. */
export function checkServiceUrl(peer: TokenPeer, url: string): URL {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new TokenServiceError(peer, String(url), `The ${peer} URL "${String(url)}" is not a valid URL; use http://host/path or https://host/path.`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new TokenServiceError(peer, url, `The ${peer} URL must use http or https, not ${parsed.protocol}`);
	}
	if (parsed.username || parsed.password) {
		throw new TokenServiceError(peer, parsed.origin, `The ${peer} URL must not contain a user name or password.`);
	}
	return parsed;
}

function seconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** POST `body` and return the response body; every failure is a {@link TokenServiceError} naming the peer. */
export function postDer(url: string, body: Uint8Array, options: PostDerOptions): Promise<Buffer> {
	const target = checkServiceUrl(options.peer, url);
	const { peer, timeoutMs } = options;
	const maxBytes = options.maxBytes ?? 1024 * 1024;
	const where = `${peer} at ${target.href}`;
	return new Promise<Buffer>((resolve, reject) => {
		let settled = false;
		const finish = (error: Error | undefined, value?: Buffer): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
			if (error) {
				request.destroy();
				reject(error);
			} else resolve(value as Buffer);
		};
		const onAbort = (): void =>
			finish(new TokenServiceError(peer, target.href, `The request to the ${where} was cancelled.`, { reason: 'aborted' }));
		const transport = target.protocol === 'https:' ? https : http;
		const request = transport.request(
			target,
			{
				method: 'POST',
				agent: options.agent,
				headers: { 'Content-Type': options.contentType, Accept: options.accept, 'Content-Length': body.length },
			},
			(response) => {
				const status = response.statusCode ?? 0;
				if (status !== 200) {
					response.resume();
					finish(new TokenServiceError(peer, target.href, `The ${where} answered HTTP ${status}; expected 200. Check the URL and the service status.`, { status }));
					return;
				}
				const type = (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
				if (type !== options.accept) {
					response.resume();
					finish(
						new TokenServiceError(peer, target.href, `The ${where} answered with Content-Type "${type || 'none'}"; expected ${options.accept}. Is the URL right?`, {
							contentType: type,
						}),
					);
					return;
				}
				const chunks: Buffer[] = [];
				let size = 0;
				response.on('data', (chunk: Buffer) => {
					size += chunk.length;
					if (size > maxBytes) {
						finish(new TokenServiceError(peer, target.href, `The ${where} sent more than ${maxBytes} bytes; refusing the answer.`, { maxBytes }));
						return;
					}
					chunks.push(chunk);
				});
				response.on('end', () => finish(undefined, Buffer.concat(chunks)));
				response.on('error', (error) => finish(new TokenServiceError(peer, target.href, `The ${where} broke off its answer (${error.message}).`, {}, error)));
			},
		);
		const timer = setTimeout(
			() =>
				finish(
					new TokenServiceError(peer, target.href, `The ${where} did not answer within ${seconds(timeoutMs)}. Try again later or check the URL and the network.`, {
						timeoutMs,
					}),
				),
			timeoutMs,
		);
		request.on('error', (error: NodeJS.ErrnoException) =>
			finish(
				new TokenServiceError(peer, target.href, `Could not reach the ${where} (${error.code ?? error.message}). Check the URL and the network.`, {
					errno: error.code,
				}, error),
			),
		);
		if (options.signal?.aborted) {
			onAbort();
			return;
		}
		options.signal?.addEventListener('abort', onAbort);
		request.end(Buffer.from(body));
	});
}
