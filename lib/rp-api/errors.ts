import { SmartIdError } from '../errors';

/**
 * Text an end-user UI may show for every "account" answer (404, 471, 472). SK asks RPs not to show different
 * texts per case, so that a login page cannot be used to find out who has which Smart-ID account.
 */
export const END_USER_ACCOUNT_MESSAGE =
	'Smart-ID could not start the operation for this person. Check the entered data and the Smart-ID app, then try again.';

/** Fields of an RFC 9457 `application/problem+json` body, each trimmed and length-limited. */
export interface ProblemDetails {
	type?: string;
	title?: string;
	status?: number;
	detail?: string;
}

/** Which call failed, for error details and messages. */
export interface CallInfo {
	/** Endpoint id from the spec (A1..A5, S1..S5, C1..C3, Q1). */
	endpoint: string;
	method: string;
	/** Path relative to the base URL; personal codes may appear in it, secrets never do. */
	path: string;
}

const ENDPOINT_NAMES: Record<string, string> = {
	A1: 'anonymous device-link authentication',
	A2: 'device-link authentication by personal code',
	A3: 'device-link authentication by document number',
	A4: 'notification authentication by personal code',
	A5: 'notification authentication by document number',
	S1: 'device-link signature by personal code',
	S2: 'device-link signature by document number',
	S3: 'notification signature by personal code',
	S4: 'notification signature by document number',
	S5: 'linked signature',
	C1: 'device-link certificate choice',
	C2: 'notification certificate choice',
	C3: 'signing certificate query',
	Q1: 'session status query',
};

/** Human name of a call for messages, e.g. `notification authentication by personal code (A4)`. */
export function describeCall(call: CallInfo): string {
	const name = ENDPOINT_NAMES[call.endpoint];
	return name ? `the ${name} (${call.endpoint})` : `the ${call.method} ${call.endpoint} call`;
}

/** Base of every error about talking to the RP API (HTTP status, transport, TLS, response shape). */
export class RpApiError extends SmartIdError {
	constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
		super(code, message, details, options);
	}
}

/** An HTTP error status from the RP API; `status` and the parsed problem body are kept in `details`. */
export class HttpStatusError extends RpApiError {
	readonly status: number;
	readonly problem?: ProblemDetails;
	constructor(code: string, message: string, status: number, call: CallInfo, problem?: ProblemDetails) {
		const server = problem ? describeProblem(problem) : '';
		super(code, server ? `${message} Server said: ${server}` : message, { ...call, status, problem });
		this.status = status;
		this.problem = problem;
	}
}

/** 400: the request was refused as invalid. */
export class BadRequestError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_BAD_REQUEST',
			`Smart-ID refused the request as invalid (HTTP 400 on ${describeCall(call)}). Check the relying party name, ` +
				'certificate level, interactions texts and callback URL; if they look right, report it with the time of the call.',
			400,
			call,
			problem,
		);
	}
}

/** 401: relying-party authentication failed (UUID or source IP). */
export class RelyingPartyUnauthorizedError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_RP_UNAUTHORIZED',
			'Smart-ID did not accept this relying party (HTTP 401). Check the relying party UUID in the credential and that ' +
				"this server's public IP address is registered with SK for that UUID.",
			401,
			call,
			problem,
		);
	}
}

/** 403: the relying party lacks a permission (e.g. ADVANCED level, a capability, a flow). */
export class RelyingPartyForbiddenError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_RP_FORBIDDEN',
			'Smart-ID refused this operation for this relying party (HTTP 403): the contract does not allow it ' +
				'(for example certificate level ADVANCED, a capability or this flow). Use QUALIFIED or ask SK (support@sk.ee) to enable it.',
			403,
			call,
			problem,
		);
	}
}

/** 404 on a session-creating call: no usable account for the person or document. */
export class AccountNotFoundError extends HttpStatusError {
	readonly endUserMessage = END_USER_ACCOUNT_MESSAGE;
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_ACCOUNT_NOT_FOUND',
			'Smart-ID found no usable account for this person or document (HTTP 404). Check the personal code or document ' +
				'number for typos; if it is right, ask the person to check their Smart-ID app or register for Smart-ID.',
			404,
			call,
			problem,
		);
	}
}

/** 404 on `session/{id}`: the session is unknown or has expired. */
export class SessionNotFoundError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_SESSION_NOT_FOUND',
			'Smart-ID does not know this session (HTTP 404): it has expired or the id is wrong. Start a new session.',
			404,
			call,
			problem,
		);
	}
}

/** 471 (API ≤ 3.1): the person has accounts, but none of the requested level. */
export class NoSuitableAccountError extends HttpStatusError {
	readonly endUserMessage = END_USER_ACCOUNT_MESSAGE;
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_NO_SUITABLE_ACCOUNT',
			'The person has no Smart-ID account of the requested level; ask them to open the Smart-ID app and ' +
				'upgrade their account, or request a lower certificate level if your use case allows it (HTTP 471).',
			471,
			call,
			problem,
		);
	}
}

/** 472 (API ≤ 3.1): the person must look at the Smart-ID app or self-service portal first. */
export class PersonShouldViewAppError extends HttpStatusError {
	readonly endUserMessage = END_USER_ACCOUNT_MESSAGE;
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_PERSON_SHOULD_VIEW_APP',
			'Smart-ID needs the person to act first (HTTP 472); ask them to open the Smart-ID app or the Smart-ID ' +
				'self-service portal and follow the instructions there, then try again.',
			472,
			call,
			problem,
		);
	}
}

/** 480: this client speaks an API version the server no longer supports. */
export class ClientTooOldError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_CLIENT_NOT_SUPPORTED',
			'Smart-ID no longer supports this client (HTTP 480). Update n8n-nodes-smart-id to the latest version.',
			480,
			call,
			problem,
		);
	}
}

/** 580: planned maintenance. */
export class MaintenanceError extends HttpStatusError {
	constructor(call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_MAINTENANCE',
			'Smart-ID is under maintenance (HTTP 580); retry later. SK announces maintenance windows on its status page.',
			580,
			call,
			problem,
		);
	}
}

/** Any other 5xx. */
export class ServerError extends HttpStatusError {
	constructor(status: number, call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_SERVER_ERROR',
			`Smart-ID answered with a server error (HTTP ${status} on ${describeCall(call)}); retry in a minute. If it persists, ` +
				'check the base URL and contact SK support with the time of the call.',
			status,
			call,
			problem,
		);
	}
}

/** Any other unexpected HTTP status (3xx, unknown 4xx). */
export class UnexpectedStatusError extends HttpStatusError {
	constructor(status: number, call: CallInfo, problem?: ProblemDetails) {
		super(
			'SMARTID_UNEXPECTED_STATUS',
			`Smart-ID answered with unexpected HTTP status ${status} on ${describeCall(call)}. Check that the base URL points ` +
				'at the RP API v3 (it must end with /v3/ and a slash) and that no proxy rewrites the request.',
			status,
			call,
			problem,
		);
	}
}

/** No complete answer in time. */
export class RequestTimeoutError extends RpApiError {
	constructor(call: CallInfo, timeoutMs: number, options?: { cause?: unknown }) {
		super(
			'SMARTID_HTTP_TIMEOUT',
			`Smart-ID did not answer ${describeCall(call)} within ${timeoutMs} ms. Check the network path to the RP API ` +
				'(firewall, proxy, DNS) and retry; raise the timeout only if the network is known to be slow.',
			{ ...call, timeoutMs },
			options,
		);
	}
}

/** TCP/TLS connection could not be made or broke before an answer arrived. */
export class ConnectionError extends RpApiError {
	constructor(call: CallInfo, reason: string, options?: { cause?: unknown }) {
		super(
			'SMARTID_CONNECTION_FAILED',
			`Could not talk to Smart-ID for ${describeCall(call)} (${reason}). Check the base URL, DNS, firewall and proxy ` +
				"settings; the RP API must be reachable from this server's whitelisted IP address.",
			{ ...call, reason },
			options,
		);
	}
}

/** The server's TLS public key matched none of the configured pins. */
export class PinMismatchError extends RpApiError {
	readonly presentedPin: string;
	constructor(host: string, presentedPin: string, expectedPins: string[]) {
		super(
			'SMARTID_TLS_PIN_MISMATCH',
			`The TLS key of ${host} (${presentedPin}) matches none of the ${expectedPins.length} pinned keys. Either SK ` +
				'rotated its certificate (yearly, around October: add the new pin from SK\'s "HTTPS pinning" page) or ' +
				'someone is intercepting the connection. Nothing was sent.',
			{ host, presentedPin, expectedPins },
		);
		this.presentedPin = presentedPin;
	}
}

/** A response body did not have the shape the spec promises. */
export class MalformedResponseError extends RpApiError {
	constructor(what: string, problem: string, details: Record<string, unknown> = {}) {
		super(
			'SMARTID_MALFORMED_RESPONSE',
			`Smart-ID sent a malformed ${what}: ${problem}. Nothing from it was used. Check that the base URL points at ` +
				'the Smart-ID RP API v3; if it does, report it to SK with the time of the call.',
			{ ...details, what, problem },
		);
	}
}

/** The caller's AbortSignal fired. */
export class AbortedError extends RpApiError {
	constructor(call: CallInfo, options?: { cause?: unknown }) {
		super('SMARTID_ABORTED', `${capitalise(describeCall(call))} was cancelled before it finished.`, { ...call }, options);
	}
}

/** `pollUntilComplete` reached its overall deadline while the session was still running. */
export class PollDeadlineError extends RpApiError {
	constructor(sessionID: string, deadline: number) {
		super(
			'SMARTID_POLL_DEADLINE',
			`Session ${sessionID} was still running at the polling deadline (${new Date(deadline).toISOString()}). ` +
				'The person may still confirm it: poll again later, or give up and start a new session.',
			{ sessionID, deadline },
		);
	}
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

const MAX_PROBLEM_FIELD = 300;

function cleanText(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	// eslint-disable-next-line no-control-regex
	const text = value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
	if (!text) return undefined;
	return text.length > MAX_PROBLEM_FIELD ? `${text.slice(0, MAX_PROBLEM_FIELD)}…` : text;
}

/**
 * Parse an RFC 9457 problem body (any JSON object with `type`/`title`/`status`/`detail`). Returns undefined
 * when there is nothing usable; never throws, since it only decorates an error that is already being raised.
 */
export function parseProblemDetails(body: unknown): ProblemDetails | undefined {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const o = value as Record<string, unknown>;
	const problem: ProblemDetails = {};
	const type = cleanText(o.type);
	const title = cleanText(o.title);
	const detail = cleanText(o.detail);
	if (type) problem.type = type;
	if (title) problem.title = title;
	if (detail) problem.detail = detail;
	if (typeof o.status === 'number' && Number.isInteger(o.status)) problem.status = o.status;
	return Object.keys(problem).length > 0 ? problem : undefined;
}

function describeProblem(problem: ProblemDetails): string {
	const parts = [problem.title, problem.detail].filter((p): p is string => !!p);
	if (parts.length === 0 && problem.type) parts.push(problem.type);
	return parts.join(': ');
}

/** Map an HTTP status (not 2xx) to its typed error. `session/{id}` 404 means the session, not the person. */
export function errorForStatus(status: number, call: CallInfo, body?: unknown): HttpStatusError {
	const problem = parseProblemDetails(body);
	switch (status) {
		case 400:
			return new BadRequestError(call, problem);
		case 401:
			return new RelyingPartyUnauthorizedError(call, problem);
		case 403:
			return new RelyingPartyForbiddenError(call, problem);
		case 404:
			return call.endpoint === 'Q1' ? new SessionNotFoundError(call, problem) : new AccountNotFoundError(call, problem);
		case 471:
			return new NoSuitableAccountError(call, problem);
		case 472:
			return new PersonShouldViewAppError(call, problem);
		case 480:
			return new ClientTooOldError(call, problem);
		case 580:
			return new MaintenanceError(call, problem);
		default:
			return status >= 500 && status <= 599
				? new ServerError(status, call, problem)
				: new UnexpectedStatusError(status, call, problem);
	}
}
