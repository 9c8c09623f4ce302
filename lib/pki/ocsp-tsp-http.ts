/**
 * Minimal HTTP(S) POST of DER bytes to an OCSP responder or a TSA, with a hard timeout, a size limit and
 * errors that name the peer and its URL (the usual failure is "that service did not answer", and the
 * ops person needs to know which one).
 */
import { redactUrl } from '../redact-url';
import * as http from 'node:http';
import * as https from 'node:https';
import { SmartIdError } from '../errors';

/** Which kind of peer we talk to; decides the error code and the wording. */
export type TokenPeer = 'OCSP responder' | 'TSA';

/** Transport failure talking to an OCSP responder (`SMARTID_OCSP_UNAVAILABLE`) or a TSA (`SMARTID_TSA_UNAVAILABLE`). */
export class TokenServiceError extends SmartIdError {
	/** The URL that failed, redacted (no user info, no query values: they may be keys). */
	readonly url: string;
	constructor(peer: TokenPeer, url: string, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
		const shown = redactUrl(url);
		super(peer === 'TSA' ? 'SMARTID_TSA_UNAVAILABLE' : 'SMARTID_OCSP_UNAVAILABLE', message, { ...details, url: shown }, { cause });
		this.url = shown;
	}
}

/** Options of {@link postDer}. */
export interface PostDerOptions {
	peer: TokenPeer;
	contentType: string;
	/** Expected response Content-Type; a different one is refused (a proxy's HTML error page, say). */
	accept: string;
	/** Time the peer gets, counted from the moment a connection is assigned to the request (not while queued). */
	timeoutMs: number;
	signal?: AbortSignal;
	/** Largest accepted response body. */
	maxBytes?: number;
	/** Extra agent, e.g. with TLS pinning; default the shared {@link tokenServiceAgent}. */
	agent?: http.Agent;
	/** Longest wait for a free connection of the agent's pool before the request counts as failed (default 60 s + timeoutMs). */
	queueTimeoutMs?: number;
}

/*
 * Keep-alive pool of the OCSP/TSA clients. Node's global agent keeps idle sockets for 5 s, exactly the default
 * idle timeout of Node servers (and close to Apache's), so a busy client regularly reuses a socket that the server
 * is closing at that moment (ECONNRESET). Idle sockets are dropped after 2 s here, well below usual server idle
 * timeouts; 'lifo' reuses the most recently used socket (the least likely to be closed); maxSockets bounds the
 * connections per responder.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 32, maxFreeSockets: 16, timeout: 2_000, scheduling: 'lifo' as const };
const httpAgent = new http.Agent(AGENT_OPTIONS);
const httpsAgent = new https.Agent(AGENT_OPTIONS);

/** The shared keep-alive agent used for OCSP/TSA requests to `protocol` ('http:' or 'https:'). */
export function tokenServiceAgent(protocol: string): http.Agent {
	return protocol === 'https:' ? httpsAgent : httpAgent;
}

/** Attempts per request: the first plus one retry after a reused keep-alive socket was closed under us. */
const MAX_ATTEMPTS = 2;

/** Parse and check an OCSP/TSA URL: http or https only, no credentials in it. */
export function checkServiceUrl(peer: TokenPeer, url: string): URL {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new TokenServiceError(peer, String(url), `The ${peer} URL "${redactUrl(url)}" is not a valid URL; use http://host/path or https://host/path.`);
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

/** Outcome of one attempt: the body, or an error plus whether it may be retried. */
type AttemptResult = { ok: true; body: Buffer } | { ok: false; error: TokenServiceError; retryable: boolean };

/**
 * POST `body` and return the response body; every failure is a {@link TokenServiceError} naming the peer.
 *
 * A request that fails on a REUSED keep-alive socket before any response byte arrived (ECONNRESET, EPIPE,
 * "socket hang up": the server closed the idle connection just as we sent) is sent once more on another
 * connection after a short pause. That is safe because OCSP and TSA requests are idempotent: an OCSP request
 * only reads status, and a TSA keeps no state per request, so repeating a time-stamp request (even with the same
 * nonce) at worst makes the TSA issue a token nobody receives; the nonce only binds the answer we do receive to
 * our request, and that answer is still checked. Failures on a fresh connection are not retried.
 */
export async function postDer(url: string, body: Uint8Array, options: PostDerOptions): Promise<Buffer> {
	const target = checkServiceUrl(options.peer, url);
	const payload = Buffer.from(body);
	for (let attempt = 1; ; attempt++) {
		const result = await postOnce(target, payload, options, attempt);
		if (result.ok) return result.body;
		if (!result.retryable || attempt >= MAX_ATTEMPTS || options.signal?.aborted) throw result.error;
		// Short, jittered pause so a burst of failed requests does not hit the server again in lockstep.
		await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20)));
	}
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE']);

function postOnce(target: URL, payload: Buffer, options: PostDerOptions, attempt: number): Promise<AttemptResult> {
	const { peer, timeoutMs } = options;
	const maxBytes = options.maxBytes ?? 1024 * 1024;
	const where = `${peer} at ${redactUrl(target.href)}`;
	const queueTimeoutMs = options.queueTimeoutMs ?? 60_000 + timeoutMs;
	return new Promise<AttemptResult>((resolve) => {
		let settled = false;
		let responded = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (result: AttemptResult): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(queueTimer);
			options.signal?.removeEventListener('abort', onAbort);
			if (!result.ok) request.destroy();
			resolve(result);
		};
		const failWith = (message: string, details: Record<string, unknown> = {}, cause?: unknown, retryable = false): void =>
			finish({ ok: false, error: new TokenServiceError(peer, target.href, message, { ...details, attempts: attempt }, cause), retryable });
		const onAbort = (): void => failWith(`The request to the ${where} was cancelled.`, { reason: 'aborted' });
		const transport = target.protocol === 'https:' ? https : http;
		const request = transport.request(
			target,
			{
				method: 'POST',
				agent: options.agent ?? tokenServiceAgent(target.protocol),
				headers: { 'Content-Type': options.contentType, Accept: options.accept, 'Content-Length': payload.length },
			},
			(response) => {
				responded = true;
				const status = response.statusCode ?? 0;
				if (status !== 200) {
					response.resume();
					failWith(`The ${where} answered HTTP ${status}; expected 200. Check the URL and the service status.`, { status });
					return;
				}
				const type = (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
				if (type !== options.accept) {
					response.resume();
					failWith(`The ${where} answered with Content-Type "${type || 'none'}"; expected ${options.accept}. Is the URL right?`, { contentType: type });
					return;
				}
				const chunks: Buffer[] = [];
				let size = 0;
				response.on('data', (chunk: Buffer) => {
					size += chunk.length;
					if (size > maxBytes) {
						failWith(`The ${where} sent more than ${maxBytes} bytes; refusing the answer.`, { maxBytes });
						return;
					}
					chunks.push(chunk);
				});
				response.on('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
				response.on('error', (error) => failWith(`The ${where} broke off its answer (${error.message}).`, {}, error));
			},
		);
		// Waiting for a free pooled connection is our side's queue, not the peer's time: bounded separately.
		const queueTimer = setTimeout(
			() => failWith(`No connection to the ${where} became free within ${seconds(queueTimeoutMs)}; too many OCSP/TSA requests at once. Try again later.`, { queueTimeoutMs }),
			queueTimeoutMs,
		);
		request.on('socket', () => {
			clearTimeout(queueTimer);
			// The peer's time starts when the request has a connection. When the timer fires, give already
			// received bytes one turn of the event loop (setImmediate runs after the I/O poll phase): under a
			// CPU backlog the answer is often waiting in the socket buffer and must not count as a timeout.
			timer = setTimeout(
				() =>
					setImmediate(() =>
						failWith(`The ${where} did not answer within ${seconds(timeoutMs)}. Try again later or check the URL and the network.`, { timeoutMs }),
					),
				timeoutMs,
			);
		});
		request.on('error', (error: NodeJS.ErrnoException) => {
			const retryable = request.reusedSocket && !responded && RETRYABLE_CODES.has(error.code ?? '');
			failWith(`Could not reach the ${where} (${error.code ?? error.message}). Check the URL and the network.`, { errno: error.code, reusedSocket: request.reusedSocket }, error, retryable);
		});
		if (options.signal?.aborted) {
			onAbort();
			return;
		}
		options.signal?.addEventListener('abort', onAbort);
		request.end(payload);
	});
}
