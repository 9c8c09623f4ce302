import type { X509Certificate } from 'node:crypto';
import type { TrustStore } from '../../pki/trust-store';
import type { AsiceContainer } from '../zip-reader-container';

/** What every per-signature check needs. */
export interface VerifyContext {
	container: AsiceContainer;
	trust: TrustStore;
	/** Validation time ("now" unless the caller pins it). */
	validationTime: Date;
	/** Extra helper certificates (never anchors). */
	extraCertificates?: X509Certificate[];
}
