import type { X509Certificate } from 'node:crypto';
import type { TrustSource } from '../../pki/trust-source';
import type { TrustStore } from '../../pki/trust-store';
import type { AsiceContainer } from '../zip/reader-container';
import type { C14nCache } from './c14n-cache';

/** What every per-signature check needs. */
export interface VerifyContext {
	container: AsiceContainer;
	trust: TrustStore;
	/** Where `trust` came from: says per signature which source, list and service trusted the signer. */
	trustSource: TrustSource;
	/** Validation time ("now" unless the caller pins it). */
	validationTime: Date;
	/** Extra helper certificates (never anchors). */
	extraCertificates?: X509Certificate[];
	/** Read a data file once per container, however many references point at it. */
	readDataFile(name: string): Buffer;
	/** Digest of a data file (node hash name), computed once per container. */
	dataFileDigest(name: string, hash: string): Buffer;
	/** Canonical forms, cached per (element, transforms) and charged to the container's budget. */
	c14n: C14nCache;
}

/**
 * Most references one signature may carry. Data-file references cost one hash per file (cached, and the ZIP has
 * at most 1000 entries); same-document ones cost canonicalization, which the budget below bounds.
 */
export const MAX_REFERENCES = 1000;
/** Most transforms on one reference (Apache Santuario's secure validation allows 4). */
export const MAX_TRANSFORMS = 4;
/**
 * Canonicalization work budget per container, in output characters plus namespaces considered per element.
 * The real fixtures use at most 23 000 units (9 signatures; LTA archive timestamps included); the budget allows
 * 8 Mi units, about 350 times that, and stops a namespace-amplification document within about a second.
 */
export const C14N_BUDGET_UNITS = 8 * 1024 * 1024;
/** Most signatures verified in one container. */
export const MAX_SIGNATURES = 100;
/** Largest signature file parsed (real ones are 15-100 KiB; LTA with many archive timestamps stays well below). */
export const SIGNATURE_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** Most signature-XML bytes parsed per container, all signature files together. */
export const SIGNATURE_XML_BUDGET_BYTES = 16 * 1024 * 1024;
