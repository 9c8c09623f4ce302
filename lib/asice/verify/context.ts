import type { X509Certificate } from 'node:crypto';
import type { TrustStore } from '../../pki/trust-store';
import type { AsiceContainer } from '../zip/reader-container';

/** What every per-signature check needs. */
export interface VerifyContext {
	container: AsiceContainer;
	trust: TrustStore;
	/** Validation time ("now" unless the caller pins it). */
	validationTime: Date;
	/** Extra helper certificates (never anchors). */
	extraCertificates?: X509Certificate[];
	/** Read a data file once per container, however many references point at it. */
	readDataFile(name: string): Buffer;
	/** Digest of a data file (node hash name), computed once per container. */
	dataFileDigest(name: string, hash: string): Buffer;
}

/** Most references one signature may carry (each is hashed; real ones have a handful). */
export const MAX_REFERENCES = 1000;
/** Most signatures verified in one container. */
export const MAX_SIGNATURES = 100;
