import type { X509Certificate } from 'node:crypto';
import { requestOcsp } from '../pki/ocsp-client';
import { requestTimestamp } from '../pki/timestamp-client';
import type { TrustStore } from '../pki/trust-store';
import { PdfSignError } from './errors';

/**
 * Where the timestamps and OCSP responses of a PAdES signature come from. Each returns DER exactly as it will be
 * embedded; finalize verifies every answer itself (imprint, TSA or responder signature, trust when given).
 */
export interface PdfLtServices {
	/** RFC 3161 TimeStampToken (CMS ContentInfo) for a SHA-256 `imprint`. */
	timestamp(imprint: Buffer): Promise<Buffer>;
	/** Complete OCSPResponse for `certificate` issued by `issuer`. */
	ocsp(certificate: X509Certificate, issuer: X509Certificate): Promise<Buffer>;
}

/** Options of {@link httpPdfLtServices}. */
export interface HttpPdfLtServicesOptions {
	tsaUrl?: string;
	/** Default: the certificate's AIA OCSP URL. */
	ocspUrl?: string;
	trust?: TrustStore;
	timeoutMs?: number;
}

/** LT services over HTTP with the package's TSA and OCSP clients (`lib/pki`). */
export function httpPdfLtServices(options: HttpPdfLtServicesOptions): PdfLtServices {
	return {
		async timestamp(imprint) {
			if (!options.tsaUrl) throw new PdfSignError('PDF_TIMESTAMP_FAILED', 'No TSA URL configured; a PAdES B-T signature needs a timestamp (e.g. http://tsa.demo.sk.ee/tsa for demo).');
			const result = await requestTimestamp(options.tsaUrl, { imprint }, { hashAlgorithm: 'SHA-256', trust: options.trust, timeoutMs: options.timeoutMs });
			return result.tokenDer;
		},
		async ocsp(certificate, issuer) {
			const result = await requestOcsp(options.ocspUrl, certificate, issuer, { trust: options.trust, timeoutMs: options.timeoutMs });
			return result.der;
		},
	};
}
