/**
 * Ask an OCSP responder about one certificate over HTTP (RFC 6960 Appendix A, POST) and verify the answer
 * before returning it.
 */
import { redactUrl } from '../redact-url';
import type { Agent } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import { InvalidRequestError } from '../errors';
import { parseCertificate, toX509 } from './certificate';
import { buildOcspRequest, parseOcspResponse, verifyOcspResponse, type OcspCertIdHash, type OcspVerification, type ParsedOcspResponse } from './ocsp';
import { postDer } from './ocsp-tsp-http';
import type { TrustStore } from './trust-store';

/** Options of {@link requestOcsp}. */
export interface RequestOcspOptions {
	/** Give up after this long (default 10 000 ms). */
	timeoutMs?: number;
	/** Send a nonce and require it back (default true). Pass false for responders that do not support nonces. */
	nonce?: boolean | Uint8Array;
	/** CertID hash (default SHA-1, what SK's responders expect). */
	hashAlgorithm?: OcspCertIdHash;
	/** Cancels the request. */
	signal?: AbortSignal;
	/** Trust anchors; a responder certificate listed there is authorised by itself. */
	trust?: TrustStore;
	/** Further candidate responder certificates. */
	responderCertificates?: (X509Certificate | Uint8Array)[];
	/** Allowed clock difference (default 15 min). */
	maxSkewMs?: number;
	/** HTTP(S) agent, e.g. with TLS pinning. */
	agent?: Agent;
}

/** A verified OCSP answer plus what to embed (`der` goes into XAdES EncapsulatedOCSPValue). */
export interface OcspResult extends OcspVerification {
	der: Buffer;
	parsed: ParsedOcspResponse;
	/** The URL that answered, redacted (user info and query values shown as ***). */
	url: string;
}

/**
 * POST an OCSP request for `certificate` (issued by `issuer`) to `url`, or, when `url` is empty, to the first
 * OCSP URL in the certificate's Authority Information Access; then verify the response (signature, responder,
 * CertID, nonce, freshness against now). Returns the status (good/revoked/unknown): a revoked certificate is a
 * result, not an exception. Transport failures throw TokenServiceError (`SMARTID_OCSP_UNAVAILABLE`), bad
 * responses ValidationError (`ocsp.*`).
 */
export async function requestOcsp(
	url: string | undefined,
	certificate: X509Certificate | Uint8Array,
	issuer: X509Certificate | Uint8Array,
	options: RequestOcspOptions = {},
): Promise<OcspResult> {
	const target = url || parseCertificate(toX509(certificate)).ocspUrls[0];
	if (!target) {
		throw new InvalidRequestError('No OCSP URL given and the certificate names no OCSP responder (Authority Information Access); configure the OCSP URL.');
	}
	const timeoutMs = options.timeoutMs ?? 10_000;
	if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidRequestError('The OCSP timeout must be a positive number of milliseconds.');
	const request = buildOcspRequest(certificate, issuer, { nonce: options.nonce ?? true, hashAlgorithm: options.hashAlgorithm });
	const der = await postDer(target, request.der, {
		peer: 'OCSP responder',
		contentType: 'application/ocsp-request',
		accept: 'application/ocsp-response',
		timeoutMs,
		signal: options.signal,
		agent: options.agent,
	});
	const parsed = parseOcspResponse(der);
	const verification = verifyOcspResponse(parsed, {
		certificate,
		issuer,
		trust: options.trust,
		responderCertificates: options.responderCertificates,
		nonce: request.nonce,
		at: new Date(),
		maxSkewMs: options.maxSkewMs,
	});
	return { ...verification, der, parsed, url: redactUrl(target) };
}
