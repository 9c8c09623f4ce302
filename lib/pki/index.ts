/**
 * PKI building blocks: certificate views, bundled SK trust anchors, chain building, OCSP and RFC 3161
 * timestamps (request, parse, verify, HTTP clients). Each export carries its own TSDoc in its file.
 */
export { OID, oidName } from './oids';
export type { KnownOid } from './oids';
export {
	CertificateParseError,
	certificateSha256,
	certView,
	extendedKeyUsageOf,
	parseCertificate,
	pemToDerList,
	toX509,
} from './certificate';
export type {
	CertView,
	CertificateInput,
	DistinguishedName,
	KeyUsageFlags,
	ParsedCertificate,
	PublicKeyInfo,
	QcStatementsInfo,
} from './certificate';
export { TrustStore, TrustStoreError, anchorsDirectory, bundledCertificateIndex, caIdentity, trustUseLabel } from './trust-store';
export type { BundledCertificateEntry, BundledTrustName, TrustProfile, TrustUse } from './trust-store';
export { CHAIN_PURPOSES, ChainError, buildChain } from './chain';
export type { BuildChainOptions, ChainResult } from './chain';
export { buildOcspRequest, parseOcspResponse, verifyOcspResponse } from './ocsp';
export type {
	BuiltOcspRequest,
	OcspCertId,
	OcspCertIdHash,
	OcspCertStatus,
	OcspRequestOptions,
	OcspResponderAuthorization,
	OcspResponderId,
	OcspResponseStatus,
	OcspSingleResponse,
	OcspVerification,
	OcspVerifyOptions,
	ParsedOcspResponse,
} from './ocsp';
export { requestOcsp } from './ocsp-client';
export type { OcspResult, RequestOcspOptions } from './ocsp-client';
export {
	buildTimestampRequest,
	parseTimestampResponse,
	parseTimestampToken,
	verifyTimestampToken,
} from './timestamp';
export type {
	BuiltTimestampRequest,
	ParsedTimestampResponse,
	ParsedTimestampToken,
	TimestampAccuracy,
	TimestampRequestOptions,
	TimestampStatus,
	TimestampVerification,
	TimestampVerifyOptions,
} from './timestamp';
export { requestTimestamp } from './timestamp-client';
export type { RequestTimestampOptions, TimestampResult, TimestampSubject } from './timestamp-client';
export { TokenServiceError } from './ocsp-tsp-http';
export type { TokenHashAlgorithm } from './ocsp-tsp-crypto';
export { TrustSource, TrustSourceError, parseTrustChoice, storeFromTrustedLists, type TrustChoice, type TrustSourceOptions, type EuTrustOptions, type SignerTrust, type EuTrustInfo, type TrustSourceErrorCode } from './trust-source';
