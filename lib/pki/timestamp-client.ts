/**
 * Ask an RFC 3161 TSA for a timestamp over HTTP (POST application/timestamp-query) and verify the token
 * before returning it.
 */
import { redactUrl } from '../redact-url';
import type { Agent } from 'node:http';
import { InvalidRequestError, ValidationError } from '../errors';
import { digest, isTokenHashAlgorithm, type TokenHashAlgorithm } from './ocsp-tsp-crypto';
import { postDer } from './ocsp-tsp-http';
import { buildTimestampRequest, parseTimestampResponse, verifyTimestampToken, type ParsedTimestampToken, type TimestampVerification } from './timestamp';
import type { TrustStore } from './trust-store';

/** What to timestamp: the data itself (hashed here) or its imprint. A bare byte array is data. */
export type TimestampSubject = Uint8Array | { data: Uint8Array } | { imprint: Uint8Array };

/** Options of {@link requestTimestamp}. */
export interface RequestTimestampOptions {
	/** Imprint hash (default SHA-256). */
	hashAlgorithm?: TokenHashAlgorithm;
	/** Give up after this long (default 10 000 ms). */
	timeoutMs?: number;
	/** Cancels the request. */
	signal?: AbortSignal;
	/** Send a nonce and require it back (default true). */
	nonce?: boolean | Uint8Array;
	/** Requested TSA policy OID; the token must carry it. */
	policy?: string;
	/** When given, the TSA certificate must chain to these anchors at genTime. */
	trust?: TrustStore;
	/** Allowed difference between genTime and this machine's clock (default 15 min). */
	maxSkewMs?: number;
	/** HTTP(S) agent, e.g. with TLS pinning. */
	agent?: Agent;
}

/** A verified token plus its bytes (`tokenDer` goes into XAdES EncapsulatedTimeStamp). */
export interface TimestampResult extends TimestampVerification {
	token: ParsedTimestampToken;
	tokenDer: Buffer;
	/** The URL that answered, redacted (user info and query values shown as ***). */
	url: string;
}

/**
 * Request a timestamp over `subject` from the TSA at `url` and verify the answer: PKIStatus granted, the token's
 * imprint, nonce, policy (when asked for), CMS signature, TSA certificate (critical timeStamping EKU, valid and,
 * with `trust`, chained at genTime) and genTime close to now. Transport failures throw TokenServiceError
 * (`SMARTID_TSA_UNAVAILABLE`), refusals and bad tokens ValidationError (`timestamp.*`).
 */
export async function requestTimestamp(url: string, subject: TimestampSubject, options: RequestTimestampOptions = {}): Promise<TimestampResult> {
	const hashAlgorithm = options.hashAlgorithm ?? 'SHA-256';
	if (!isTokenHashAlgorithm(hashAlgorithm)) throw new InvalidRequestError(`Unsupported timestamp hash algorithm "${String(hashAlgorithm)}".`);
	const timeoutMs = options.timeoutMs ?? 10_000;
	if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidRequestError('The TSA timeout must be a positive number of milliseconds.');
	let imprint: Uint8Array;
	if (subject instanceof Uint8Array) imprint = digest(hashAlgorithm, subject);
	else if (subject && 'imprint' in subject && subject.imprint instanceof Uint8Array) imprint = subject.imprint;
	else if (subject && 'data' in subject && subject.data instanceof Uint8Array) imprint = digest(hashAlgorithm, subject.data);
	else throw new InvalidRequestError('Pass the bytes to timestamp, { data } or { imprint }.');

	const request = buildTimestampRequest(imprint, hashAlgorithm, { nonce: options.nonce ?? true, certReq: true, policy: options.policy });
	const der = await postDer(url, request.der, {
		peer: 'TSA',
		contentType: 'application/timestamp-query',
		accept: 'application/timestamp-reply',
		timeoutMs,
		signal: options.signal,
		agent: options.agent,
	});
	const response = parseTimestampResponse(der);
	if ((response.status !== 'granted' && response.status !== 'grantedWithMods') || !response.token) {
		const why = [...response.statusStrings, ...response.failInfo].join('; ') || 'no reason given';
		throw new ValidationError('timestamp.status', `The TSA at ${redactUrl(url)} refused the timestamp (${response.status}: ${why}).`, {
			status: response.status,
			failInfo: response.failInfo,
		});
	}
	const token = response.token;
	if (token.imprintAlgorithm !== hashAlgorithm) {
		throw new ValidationError('timestamp.imprint.algorithm', `The TSA answered with a ${token.imprintAlgorithm} imprint, but ${hashAlgorithm} was requested.`);
	}
	if (options.policy && token.policy !== options.policy) {
		throw new ValidationError('timestamp.policy.mismatch', `The TSA used policy ${token.policy}, but ${options.policy} was requested.`);
	}
	const verification = verifyTimestampToken(token, {
		imprint,
		nonce: request.nonce,
		trust: options.trust,
		at: new Date(),
		maxSkewMs: options.maxSkewMs,
	});
	return { ...verification, token, tokenDer: token.der, url: redactUrl(url) };
}
