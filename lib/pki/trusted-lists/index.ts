/**
 * EU trusted lists (ETSI TS 119 612): load the EU LOTL from its official address (or an injected fetcher), anchor
 * its signature in the Official Journal certificates (directly or through pivot LOTLs), verify each national list
 * with the certificates the LOTL names for its territory, keep a verified on-disk cache (atomic replace, last-good
 * copy, at most daily refresh, offline start), and answer "which services were granted at time T" for CA/QC, TSA
 * and OCSP services and "which list and service make this certificate qualified". Plain Node; no n8n.
 */

/** Official LOTL address, namespaces, service type / status / qualifier URIs and the status rule. */
export {
	ADDITIONAL_INFO,
	EIDAS_START,
	EU_LOTL_URL,
	QUALIFIER,
	SERVICE_STATUS,
	SERVICE_TYPE,
	TSL_MIME_XML,
	TSL_NS,
	TSL_TYPE,
	isAcceptableStatus,
	shortName,
} from './uris';
/** Typed refusal with a named `code` (TL_SIGNATURE_MISSING, TL_DIGEST_MISMATCH, TL_SIGNER_NOT_TRUSTED, …). */
export { TrustedListError, type TrustedListErrorCode } from './errors';
/** The parsed list model. */
export type {
	MultiLangName,
	Qualification,
	QualificationCriteria,
	ServicePhase,
	TrustService,
	TrustServiceProvider,
	TrustedList,
	TrustedListPointer,
} from './model';
/** Hardened parsing of list bytes and reading of the TS 119 612 structure. */
export { parseTrustedListXml, readTrustedList, type TrustedListLimits } from './parse';
/** The enveloped XML-DSig/XAdES signature check of one list against its allowed signers. */
export { verifyListSignature, type ListSignature, type VerifyListSignatureOptions } from './signature';
/** LOTL (OJ certificates + pivots) and national-list verification. */
export {
	lotlSigningCertificates,
	nationalPointer,
	pivotUrls,
	verifyLotl,
	verifyNationalList,
	verifyTrustedList,
	type VerifiedLotl,
	type VerifiedTrustedList,
	type VerifyListOptions,
	type VerifyLotlOptions,
} from './verify';
/** Time queries over verified lists: services at a time, services for a certificate, qualification. */
export {
	applicableQualifiers,
	describe,
	findServicesFor,
	phaseAt,
	qualifyCertificate,
	servicesAt,
	type CertificateQualification,
	type CertificateQualificationResult,
	type ServiceAtTime,
	type ServiceFilter,
	type ServiceMatch,
	type SignatureQualificationLabel,
} from './query';
/** The Official Journal LOTL signing certificates bundled as the default root of EU trust. */
export { bundledOjCertificates, bundledOjIndex, ojCertificatesDirectory, type OjCertificateEntry, type OjCertificateIndex } from './oj-certificates';
/** Download (node:http/https, timeout, size limit, truncation check) and the injectable fetcher type. */
export { httpFetcher, type TrustedListFetcher } from './fetch';
/** Verified on-disk cache with atomic replace and a last-good copy. */
export { TrustedListCache, atomicWrite, type CacheSlot, type CachedEntry } from './cache';
/** The loader: refresh at most daily or on demand, fall back to verified copies, report problems and age. */
export {
	TrustedListLoader,
	type ListOrigin,
	type LoadProblem,
	type LoadedList,
	type TrustedListLoaderOptions,
	type TrustedListSnapshot,
} from './loader';
