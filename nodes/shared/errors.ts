import {
	NodeApiError,
	NodeOperationError,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { SmartIdError } from '../../lib/errors';
import { TokenServiceError } from '../../lib/pki/ocsp-tsp-http';
import { HttpStatusError, RpApiError } from '../../lib/rp-api/errors';
import { redactRedisSecrets } from '../../lib/sessions';

/** Remove anything that looks like a device-link secret or a Redis URL's secret before text reaches n8n's UI or logs. */
function scrub(text: string): string {
	return redactRedisSecrets(text.replace(/("?sessionSecret"?\s*[:=]\s*"?)[^",\s}]+/gi, '$1[redacted]'));
}

/** Stable code of any error: the engine's `code`, or a generic one. */
export function errorCode(error: unknown): string {
	if (error instanceof SmartIdError) return error.code;
	return 'SMARTID_UNEXPECTED_ERROR';
}

/** The TSA/OCSP transport failure in an error or its causes (finalizing a container wraps it), if any. */
function tokenServiceFailure(error: unknown): TokenServiceError | undefined {
	for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
		if (e instanceof TokenServiceError) return e;
	}
	return undefined;
}

/** One-line hint that tells an ops person what to do, for the error's code. */
function hintFor(error: unknown): string | undefined {
	const code = errorCode(error);
	if (code === 'SMARTID_INVALID_REQUEST') {
		return 'A node parameter or input item is not usable, and nothing was sent to Smart-ID: fix what the message names and run the node again.';
	}
	if (code === 'SMARTID_VALIDATION_FAILED') {
		return 'The answer from Smart-ID failed a security check and was not used. Check the environment and trust anchors in the credential; if they are right, report it.';
	}
	if (code === 'SMARTID_USER_REFUSED_INTERACTION' || code === 'SMARTID_USER_REFUSED') {
		return 'The person said no in the app. Ask them whether the request was expected, then start again.';
	}
	if (code === 'SMARTID_SESSION_STORE_UNAVAILABLE') {
		return 'The session store (folder or Redis in the credential) cannot be used: check that it exists, is writable and that Redis is running. Pending sessions are kept.';
	}
	if (tokenServiceFailure(error)) {
		return 'The timestamp (TSA) or OCSP service did not give a usable answer, so the container could not be finished: check the TSA / OCSP URLs in the credential and that the service is reachable. If the message says the signed session was kept, the Smart-ID Trigger finishes it once the service answers (no new signature needed); otherwise sign again.';
	}
	if (code === 'SMARTID_POLL_DEADLINE' || code === 'SMARTID_TIMEOUT') {
		return 'Raise the node timeout or use "Start and continue" with the Smart-ID Trigger for slow responders.';
	}
	return undefined;
}

/**
 * Wrap an engine error for n8n: RP API answers (HTTP status, transport, pinning) and TSA/OCSP failures become
 * NodeApiError with the HTTP code, everything else NodeOperationError; both carry the item index and the engine's plain message.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number, sessionId?: string): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		if (sessionId) error.context.sessionId ??= sessionId;
		return error;
	}
	const message = scrub(error instanceof Error ? error.message : String(error));
	const code = errorCode(error);
	const description = [hintFor(error), `Code: ${code}${sessionId ? `, session ${sessionId}` : ''}`]
		.filter(Boolean)
		.join(' ');
	let wrapped: NodeApiError | NodeOperationError;
	const service = tokenServiceFailure(error);
	if (error instanceof RpApiError) {
		const httpCode = error instanceof HttpStatusError ? String(error.status) : undefined;
		wrapped = new NodeApiError(node, { message, code } as JsonObject, { message, description, itemIndex, httpCode });
	} else if (service) {
		// TSA / OCSP are HTTP services too: report them as API errors with their HTTP status when there was one.
		const status = service.details.status;
		const httpCode = typeof status === 'number' ? String(status) : undefined;
		wrapped = new NodeApiError(node, { message, code } as JsonObject, { message, description, itemIndex, httpCode });
	} else {
		wrapped = new NodeOperationError(node, message, { itemIndex, description });
	}
	// n8n swaps a message that mentions e.g. ECONNRESET for a generic text that no longer names the peer (TSA,
	// OCSP responder, Smart-ID); the engine's message already says what failed and what to do, so keep it.
	wrapped.message = message;
	wrapped.context.code = code;
	if (sessionId) wrapped.context.sessionId = sessionId;
	return wrapped;
}

/** The item continue-on-fail produces: `{ error, code, sessionId }`. */
export function errorJson(error: unknown, sessionId?: string): JsonObject {
	const wrapped = error instanceof NodeApiError || error instanceof NodeOperationError;
	const message = scrub(error instanceof Error ? error.message : String(error));
	const code = wrapped ? String(error.context.code ?? 'SMARTID_UNEXPECTED_ERROR') : errorCode(error);
	const id = sessionId ?? (wrapped && typeof error.context.sessionId === 'string' ? error.context.sessionId : undefined);
	return { error: message, code, sessionId: id ?? null };
}
