import * as http from 'node:http';
import * as https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { InvalidRequestError, SmartIdError } from '../errors';
import { ENVIRONMENTS, type EnvironmentName } from '../environments';
import { validateBaseUrl } from './base-url';
import {
	AbortedError,
	ConnectionError,
	describeCall,
	errorForStatus,
	HttpStatusError,
	MalformedResponseError,
	PinMismatchError,
	PollDeadlineError,
	RequestTimeoutError,
	type CallInfo,
} from './errors';
import { MAX_STATUS_TIMEOUT_MS, MIN_STATUS_TIMEOUT_MS } from './request-fields';
import { sessionStatusRequest, type PreparedRequest, type RetryClass } from './requests';
import { pinningCheckServerIdentity, validatePins } from './tls-pinning';
import type { SessionStatus } from './types';

/** Retry tuning; attempts include the first try. */
export interface RetryOptions {
	/** Total attempts (1 = no retry). Default 3. */
	maxAttempts?: number;
	/** First back-off delay. Default 500 ms; doubles per attempt, with jitter (50-100 % of the step). */
	baseDelayMs?: number;
	/** Upper bound of one delay (also caps a server's Retry-After). Default 8000 ms. */
	maxDelayMs?: number;
}

/** Options of {@link SmartIdClient}. */
export interface SmartIdClientOptions {
	/** RP API v3 base URL, ending with `/`; https, or http on loopback for the simulator. */
	baseUrl: string;
	/** Time limit of each POST attempt. Default 30000 ms. */
	timeoutMs?: number;
	/** Read timeout of a status long poll = its `timeoutMs` + this margin. Default 5000 ms. */
	statusTimeoutMarginMs?: number;
	/** SPKI pins (`sha256//…`): keep the current and the next one so SK's yearly rotation does not break calls. */
	pins?: string[];
	/** Extra trusted CA certificates (PEM) for TLS, e.g. a custom or test server. Default: Node's root store. */
	ca?: string | string[];
	retry?: RetryOptions;
	/** Maximum parallel sockets per host. Default 16. */
	maxSockets?: number;
}

/** Per-call options. */
export interface CallOptions {
	signal?: AbortSignal;
	/** Stop retrying once the next attempt would start after this instant (epoch ms). */
	deadline?: number;
}

/** Options of {@link SmartIdClient.pollUntilComplete}. */
export interface PollOptions {
	/** Overall deadline (epoch ms or Date): after it a still-running session raises `PollDeadlineError`. */
	deadline: number | Date;
	signal?: AbortSignal;
	/** Long-poll length per request (clamped to 1000..120000 and to the time left). Default 30000 ms. */
	timeoutMs?: number;
	/** Minimum time between two status requests, so a server that answers RUNNING at once is not hammered. Default 1000 ms. */
	minIntervalMs?: number;
}

// Connection failures where nothing reached the server, so even a non-idempotent POST may be repeated.
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const MAX_RESPONSE_BYTES = 1024 * 1024;

interface AttemptFailure {
	error: SmartIdError;
	/** True when the request certainly did not reach the server. */
	notSent: boolean;
	retryAfterMs?: number;
}

/**
 * HTTP client of the Smart-ID RP API v3. One instance per base URL; it keeps connections alive (one agent),
 * puts a time limit on every call, retries only where that is safe, and optionally pins the server's TLS key.
 *
 * Retry policy (by the request's `retry` class, see requests.ts):
 * - `idempotent` (session status Q1, certificate query C3): 5xx incl. 580, time-outs and connection errors;
 * - `maintenance` (signature and certificate-choice POSTs, which carry a nonce: a repeat of the same body
 *   within 15 s returns the same session): HTTP 580 and 503 (the server says it did not take the request)
 *   and connection failures before anything was sent;
 * - `connect-only` (authentication POSTs): only connection failures before anything was sent, because a
 *   second session could mean a second push to the person's phone.
 * 4xx answers, TLS and pin failures are never retried.
 */
export class SmartIdClient {
	readonly baseUrl: string;
	private readonly http: AxiosInstance;
	private readonly agent: http.Agent | https.Agent;
	private readonly timeoutMs: number;
	private readonly statusMarginMs: number;
	private readonly maxAttempts: number;
	private readonly baseDelayMs: number;
	private readonly maxDelayMs: number;

	constructor(options: SmartIdClientOptions) {
		const url = validateBaseUrl(options.baseUrl);
		this.baseUrl = options.baseUrl;
		this.timeoutMs = positive(options.timeoutMs, 30000, 'timeoutMs');
		this.statusMarginMs = positive(options.statusTimeoutMarginMs, 5000, 'statusTimeoutMarginMs');
		this.maxAttempts = Math.floor(positive(options.retry?.maxAttempts, 3, 'retry.maxAttempts'));
		this.baseDelayMs = positive(options.retry?.baseDelayMs, 500, 'retry.baseDelayMs');
		this.maxDelayMs = positive(options.retry?.maxDelayMs, 8000, 'retry.maxDelayMs');
		const maxSockets = positive(options.maxSockets, 16, 'maxSockets');

		if (url.protocol === 'https:') {
			const pins = options.pins && options.pins.length > 0 ? validatePins(options.pins) : undefined;
			this.agent = new https.Agent({
				keepAlive: true,
				maxSockets,
				// No TLS session resumption: every connection does a full handshake, so the pin is checked each time.
				maxCachedSessions: 0,
				...(options.ca ? { ca: options.ca } : {}),
				...(pins ? { checkServerIdentity: pinningCheckServerIdentity(pins) } : {}),
			});
		} else {
			if (options.pins && options.pins.length > 0) {
				throw new InvalidRequestError('TLS pins were given for a plain-http base URL: pins need https', {
					field: 'pins',
				});
			}
			this.agent = new http.Agent({ keepAlive: true, maxSockets });
		}
		this.http = axios.create({
			baseURL: this.baseUrl,
			httpAgent: this.agent,
			httpsAgent: this.agent,
			// A proxy from the environment would bypass pinning and the loopback rule; talk directly.
			proxy: false,
			maxRedirects: 0,
			maxContentLength: MAX_RESPONSE_BYTES,
			responseType: 'text',
			transformResponse: [(data: unknown) => data],
			validateStatus: () => true,
			headers: { Accept: 'application/json, application/problem+json' },
		});
	}

	/** A client for a named environment's base URL (`custom` needs `baseUrl` in `options`). */
	static forEnvironment(environment: EnvironmentName, options: Partial<SmartIdClientOptions> = {}): SmartIdClient {
		const defaults = ENVIRONMENTS[environment];
		if (!defaults) throw new InvalidRequestError(`unknown environment ${JSON.stringify(environment)}`);
		return new SmartIdClient({ ...options, baseUrl: options.baseUrl ?? defaults.baseUrl });
	}

	/** Send a prepared request (see requests.ts) with time limit and retries; returns the parsed response. */
	async send<R>(request: PreparedRequest<R>, options: CallOptions = {}): Promise<R> {
		// A long poll must be allowed to last its own timeoutMs plus the margin, whatever the POST limit is.
		const pollMs = request.endpoint === 'Q1' ? Number(request.query?.timeoutMs) : NaN;
		const limit = Number.isFinite(pollMs) ? pollMs + this.statusMarginMs : this.timeoutMs;
		return this.withRetries(request, limit, options);
	}

	/** One long poll of `session/{id}`; `timeoutMs` 1000..120000, the read timeout is longer by the margin. */
	async getSessionStatus(sessionID: string, timeoutMs: number, options: CallOptions = {}): Promise<SessionStatus> {
		return this.send(sessionStatusRequest(sessionID, timeoutMs), options);
	}

	/** Long-poll until the session is COMPLETE, the overall deadline passes, or `signal` aborts. */
	async pollUntilComplete(sessionID: string, options: PollOptions): Promise<SessionStatus> {
		const deadline = options.deadline instanceof Date ? options.deadline.getTime() : options.deadline;
		if (typeof deadline !== 'number' || !Number.isFinite(deadline)) {
			throw new InvalidRequestError('poll deadline is not a valid time', { field: 'deadline' });
		}
		const perPoll = options.timeoutMs ?? 30000;
		const minInterval = options.minIntervalMs ?? 1000;
		const call: CallInfo = { endpoint: 'Q1', method: 'GET', path: `session/${sessionID}` };
		for (;;) {
			if (options.signal?.aborted) throw new AbortedError(call);
			const remaining = deadline - Date.now();
			if (remaining <= 0) throw new PollDeadlineError(sessionID, deadline);
			const t = Math.max(MIN_STATUS_TIMEOUT_MS, Math.min(perPoll, remaining, MAX_STATUS_TIMEOUT_MS));
			const started = Date.now();
			const status = await this.getSessionStatus(sessionID, Math.floor(t), { signal: options.signal, deadline });
			if (status.state === 'COMPLETE') return status;
			const wait = Math.min(minInterval - (Date.now() - started), deadline - Date.now());
			if (wait > 0) await sleep(wait, options.signal, call);
		}
	}

	/** Close idle keep-alive connections. */
	close(): void {
		this.agent.destroy();
	}

	private async withRetries<R>(request: PreparedRequest<R>, timeoutMs: number, options: CallOptions): Promise<R> {
		const call: CallInfo = { endpoint: request.endpoint, method: request.method, path: request.path };
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.attempt(request, call, timeoutMs, options.signal);
			if (outcome.ok) return outcome.value;
			const failure = outcome.failure;
			if (attempt >= this.maxAttempts || !mayRetry(request.retry, failure) || options.signal?.aborted) {
				throw failure.error;
			}
			const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
			let delay = step * (0.5 + Math.random() / 2);
			if (failure.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(failure.retryAfterMs, this.maxDelayMs));
			if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw failure.error;
			await sleep(delay, options.signal, call);
		}
	}

	private async attempt<R>(
		request: PreparedRequest<R>,
		call: CallInfo,
		timeoutMs: number,
		signal: AbortSignal | undefined,
	): Promise<{ ok: true; value: R } | { ok: false; failure: AttemptFailure }> {
		if (signal?.aborted) return { ok: false, failure: { error: new AbortedError(call), notSent: true } };
		const controller = new AbortController();
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, timeoutMs);
		const onAbort = () => controller.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		let response: AxiosResponse<string>;
		try {
			response = await this.http.request<string>({
				method: request.method,
				url: request.path,
				params: request.query,
				data: request.body === undefined ? undefined : JSON.stringify(request.body),
				headers: request.body === undefined ? {} : { 'Content-Type': 'application/json' },
				signal: controller.signal,
			});
		} catch (err) {
			return { ok: false, failure: transportFailure(err, call, timedOut, timeoutMs) };
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
		}
		const status = response.status;
		if (status < 200 || status > 299) {
			return {
				ok: false,
				failure: { error: errorForStatus(status, call, response.data), notSent: false, retryAfterMs: retryAfter(response) },
			};
		}
		let json: unknown;
		try {
			json = JSON.parse(typeof response.data === 'string' ? response.data : String(response.data));
		} catch {
			return {
				ok: false,
				failure: {
					error: new MalformedResponseError(`response to ${describeCall(call)}`, 'the body is not JSON', { ...call }),
					notSent: false,
				},
			};
		}
		try {
			return { ok: true, value: request.parse(json) };
		} catch (err) {
			if (err instanceof SmartIdError) {
				Object.assign(err.details, call);
				return { ok: false, failure: { error: err, notSent: false } };
			}
			throw err;
		}
	}
}

function positive(value: number | undefined, fallback: number, name: string): number {
	if (value === undefined) return fallback;
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw new InvalidRequestError(`${name} must be a positive number`, { field: name });
	}
	return value;
}

function mayRetry(retry: RetryClass, failure: AttemptFailure): boolean {
	const e = failure.error;
	if (e instanceof PinMismatchError || e instanceof AbortedError) return false;
	if (e instanceof ConnectionError && e.details.tls === true) return false;
	if (failure.notSent) return true;
	switch (retry) {
		case 'idempotent':
			return (
				(e instanceof HttpStatusError && e.status >= 500) || e instanceof RequestTimeoutError || isTransient(e)
			);
		case 'maintenance':
			return e instanceof HttpStatusError && (e.status === 580 || e.status === 503);
		case 'connect-only':
			return false;
	}
}

function isTransient(e: SmartIdError): boolean {
	return e instanceof ConnectionError && e.details.tls !== true;
}

function retryAfter(response: AxiosResponse): number | undefined {
	const header = response.headers?.['retry-after'];
	if (typeof header !== 'string' || !/^\d{1,6}$/.test(header.trim())) return undefined;
	return Number(header.trim()) * 1000;
}

/**
 * A plain Error carrying only the code and message of a transport error. The axios error itself holds the
 * request config and body (rpChallenge, digest), which must not travel inside an error that may be logged.
 */
function plainCause(err: unknown): Error {
	const e = err as { code?: unknown; message?: unknown };
	const cause = new Error(typeof e?.message === 'string' ? e.message : 'transport error');
	if (typeof e?.code === 'string') (cause as Error & { code?: string }).code = e.code;
	return cause;
}

function transportFailure(err: unknown, call: CallInfo, timedOut: boolean, timeoutMs: number): AttemptFailure {
	const e = err as { code?: string; message?: string; cause?: unknown };
	const cause = e?.cause as { code?: string; message?: string } | undefined;
	if (err instanceof PinMismatchError) return { error: err, notSent: true };
	if (cause instanceof PinMismatchError) return { error: cause, notSent: true };
	if (e?.code === 'ERR_CANCELED' || axios.isCancel(err)) {
		return timedOut
			? { error: new RequestTimeoutError(call, timeoutMs, { cause: plainCause(err) }), notSent: false }
			: { error: new AbortedError(call, { cause: plainCause(err) }), notSent: false };
	}
	const code = (cause?.code ?? e?.code ?? '') as string;
	if (code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || code === 'ERR_BAD_RESPONSE') {
		return {
			error: new MalformedResponseError(`response to ${describeCall(call)}`, 'the body is too large or unreadable', { ...call }),
			notSent: false,
		};
	}
	if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
		const reason = `TLS certificate of the server is not trusted (${code})`;
		const error = new ConnectionError(call, reason, { cause: plainCause(cause ?? err) });
		error.details.tls = true;
		return { error, notSent: true };
	}
	const reason = code ? `${code}${e?.message ? `: ${e.message}` : ''}` : (e?.message ?? 'unknown network error');
	return { error: new ConnectionError(call, reason, { cause: plainCause(cause ?? err) }), notSent: CONNECT_FAILURES.has(code) };
}

function sleep(ms: number, signal: AbortSignal | undefined, call: CallInfo): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(new AbortedError(call));
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(new AbortedError(call));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
