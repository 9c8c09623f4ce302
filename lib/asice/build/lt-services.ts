import type { X509Certificate } from 'node:crypto';
import { requestOcsp } from '../../pki/ocsp-client';
import { requestTimestamp } from '../../pki/timestamp-client';
import type { TrustStore } from '../../pki/trust-store';
import { AsiceBuildError } from './errors';

/**
 * Where the LT material comes from. Each function returns DER exactly as it will be embedded; finalize
 * verifies both answers itself, so a provider may be a plain transport.
 */
export interface LtServices {
	/** RFC 3161 TimeStampToken (CMS ContentInfo) over `data` (the canonical ds:SignatureValue), SHA-256 imprint. */
	timestamp(data: Buffer): Promise<Buffer>;
	/** Complete OCSPResponse for `certificate` issued by `issuer`. */
	ocsp(certificate: X509Certificate, issuer: X509Certificate): Promise<Buffer>;
}

/** LT services over HTTP with the package's TSA and OCSP clients (nonce, timeout, verification). */
export function httpLtServices(options: { tsaUrl?: string; ocspUrl?: string; trust?: TrustStore; timeoutMs?: number }): LtServices {
	return {
		async timestamp(data) {
			if (!options.tsaUrl) {
				throw new AsiceBuildError('ASICE_BUILD_TIMESTAMP_FAILED', 'No TSA URL configured; an LT signature needs a timestamp (e.g. http://tsa.demo.sk.ee/tsa for demo).');
			}
			const result = await requestTimestamp(options.tsaUrl, { data }, { trust: options.trust, timeoutMs: options.timeoutMs });
			return result.tokenDer;
		},
		async ocsp(certificate, issuer) {
			const result = await requestOcsp(options.ocspUrl, certificate, issuer, { trust: options.trust, timeoutMs: options.timeoutMs });
			return result.der;
		},
	};
}
