import type { X509Certificate } from 'node:crypto';
import type { OcspVerification } from '../../pki/ocsp';
import { requestOcsp } from '../../pki/ocsp-client';
import type { TimestampVerification } from '../../pki/timestamp';
import { requestTimestamp } from '../../pki/timestamp-client';
import type { TrustStore } from '../../pki/trust-store';
import { AsiceBuildError } from './errors';

/** A timestamp token together with the verification our own TSA client already did (see {@link httpLtServices}). */
export interface VerifiedLtTimestamp {
	/** TimeStampToken DER, embedded as is. */
	readonly der: Buffer;
	readonly verification: TimestampVerification;
	/** The trust store the token was verified against (undefined: signature and EKU only, no chain). */
	readonly trust: TrustStore | undefined;
	/** The data the imprint covers. */
	readonly data: Buffer;
}

/** An OCSP response together with the verification our own OCSP client already did (see {@link httpLtServices}). */
export interface VerifiedLtOcsp {
	/** OCSPResponse DER, embedded as is. */
	readonly der: Buffer;
	readonly verification: OcspVerification;
	readonly trust: TrustStore | undefined;
	readonly certificate: X509Certificate;
	readonly issuer: X509Certificate;
}

/**
 * Where the LT material comes from. Each function returns DER exactly as it will be embedded, or (only
 * {@link httpLtServices}) a verified result. finalize re-verifies every plain Buffer, and every object it cannot
 * prove came from {@link httpLtServices} with the same trust store and inputs, so a custom provider may be a plain
 * transport and cannot skip the checks by returning a look-alike object.
 */
export interface LtServices {
	/** RFC 3161 TimeStampToken (CMS ContentInfo) over `data` (the canonical ds:SignatureValue), SHA-256 imprint. */
	timestamp(data: Buffer): Promise<Buffer | VerifiedLtTimestamp>;
	/** Complete OCSPResponse for `certificate` issued by `issuer`. */
	ocsp(certificate: X509Certificate, issuer: X509Certificate): Promise<Buffer | VerifiedLtOcsp>;
}

// Results built by httpLtServices in this module; only these count as verified (object identity, not shape).
const verifiedHere = new WeakSet<object>();

/** Options of {@link httpLtServices}. */
export interface HttpLtServicesOptions {
	tsaUrl?: string;
	ocspUrl?: string;
	trust?: TrustStore;
	timeoutMs?: number;
	/** Extra candidate OCSP responder certificates. */
	responderCertificates?: X509Certificate[];
	/** At most this many TSA/OCSP requests of these services in flight at once (default 16); the rest wait. */
	maxConcurrent?: number;
}

/** A tiny FIFO semaphore: bounds concurrent requests so a burst of builds queues here, not in timeouts. */
export function limitConcurrency(max: number): <T>(task: () => Promise<T>) => Promise<T> {
	if (!Number.isInteger(max) || max < 1) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `maxConcurrent must be a positive whole number, not ${String(max)}.`);
	}
	let active = 0;
	const waiting: (() => void)[] = [];
	return async <T>(task: () => Promise<T>): Promise<T> => {
		if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
		else active++;
		try {
			return await task();
		} finally {
			const next = waiting.shift();
			if (next) next(); // hand the slot over directly
			else active--;
		}
	};
}

/** Shared limit of the default services, so many buildAsice calls in one process share one bound. */
const DEFAULT_LIMIT = limitConcurrency(16);

/** LT services over HTTP with the package's TSA and OCSP clients (nonce, timeout, verification, concurrency cap). */
export function httpLtServices(options: HttpLtServicesOptions): LtServices {
	const limit = options.maxConcurrent === undefined ? DEFAULT_LIMIT : limitConcurrency(options.maxConcurrent);
	return {
		async timestamp(data) {
			if (!options.tsaUrl) {
				throw new AsiceBuildError('ASICE_BUILD_TIMESTAMP_FAILED', 'No TSA URL configured; an LT signature needs a timestamp (e.g. http://tsa.demo.sk.ee/tsa for demo).');
			}
			const tsaUrl = options.tsaUrl;
			const result = await limit(() => requestTimestamp(tsaUrl, { data }, { trust: options.trust, timeoutMs: options.timeoutMs }));
			const { token: _token, tokenDer, url: _url, ...verification } = result;
			const verified: VerifiedLtTimestamp = Object.freeze({ der: tokenDer, verification, trust: options.trust, data: Buffer.from(data) });
			verifiedHere.add(verified);
			return verified;
		},
		async ocsp(certificate, issuer) {
			const result = await limit(() =>
				requestOcsp(options.ocspUrl, certificate, issuer, { trust: options.trust, timeoutMs: options.timeoutMs, responderCertificates: options.responderCertificates }),
			);
			const { der, parsed: _parsed, url: _url, ...verification } = result;
			const verified: VerifiedLtOcsp = Object.freeze({ der, verification, trust: options.trust, certificate, issuer });
			verifiedHere.add(verified);
			return verified;
		},
	};
}

/** DER of a service's timestamp answer. */
export function timestampDer(result: Buffer | VerifiedLtTimestamp): Buffer {
	return Buffer.isBuffer(result) ? result : result.der;
}

/** DER of a service's OCSP answer. */
export function ocspDer(result: Buffer | VerifiedLtOcsp): Buffer {
	return Buffer.isBuffer(result) ? result : result.der;
}

/**
 * The verification that {@link httpLtServices} already did for `result`, when it applies to exactly this
 * request (same data, same trust store); undefined means the caller must verify the DER itself.
 */
export function priorTimestampVerification(result: Buffer | VerifiedLtTimestamp, data: Buffer, trust: TrustStore | undefined): TimestampVerification | undefined {
	if (Buffer.isBuffer(result) || !verifiedHere.has(result)) return undefined;
	return result.trust === trust && result.data.equals(data) ? result.verification : undefined;
}

/** Same as {@link priorTimestampVerification} for OCSP: same certificate, issuer and trust store. */
export function priorOcspVerification(
	result: Buffer | VerifiedLtOcsp,
	certificate: X509Certificate,
	issuer: X509Certificate,
	trust: TrustStore | undefined,
): OcspVerification | undefined {
	if (Buffer.isBuffer(result) || !verifiedHere.has(result)) return undefined;
	const same = result.trust === trust && result.certificate.raw.equals(certificate.raw) && result.issuer.raw.equals(issuer.raw);
	return same ? result.verification : undefined;
}
