/**
 * Public surface of the n8n-nodes-smart-id engine. Plain TypeScript: nothing here imports n8n, so the CLI,
 * the tests and the n8n nodes all use the same code. Every export is documented in the file that defines it;
 * this file only gathers the folders' public surfaces:
 *
 * - rp-api: HTTP transport to the Smart-ID RP API v3 (request builders, typed errors, pinning, long poll)
 * - flows: authentication, certificate choice, signing; device links, QR, verification codes, callbacks
 * - validation: ACSP_V2 and RAW_DIGEST_SIGNATURE checklists, certificate level/purpose, identity
 * - pki: certificates, bundled SK trust anchors, chains, OCSP and RFC 3161 timestamps
 * - asice: canonicalization, XAdES build (prepare/finalize), container verification and report
 * - sessions: pending-session stores (file, Redis)
 *
 * The offline simulator (RP API v3, OCSP, TSA, test PKI) is its own entry point, `lib/simulator`
 * (`require('n8n-nodes-smart-id/dist/lib/simulator')`): it needs @peculiar/x509 and reflect-metadata, which the
 * engine and the n8n nodes never load (test/package/entry-dependencies.test.ts checks this).
 */

export * from './errors';
export * from './encoding';
export * from './hash-algorithm';
export * from './environments';
export * from './rp-api';
export * from './flows';
export * from './validation';
export * from './pki';
export * from './asice/xml';
export * from './asice/c14n';
// Build and verify each have a `verifySignatureValue` with different jobs (checking a Smart-ID answer before
// embedding it vs checking a third-party XML signature), so their whole surfaces are namespaced and the main
// entry points are re-exported by name.
export * as asiceBuild from './asice/sign';
export * as asiceVerify from './asice/verify';
export {
	buildAsice,
	prepareSignature,
	finalizeSignature,
	parsePendingSignature,
	smartIdDigestSigner,
	httpLtServices,
	AsiceBuildError,
} from './asice/sign';
export type {
	BuildAsiceOptions,
	BuiltAsice,
	DataFileInput,
	DigestSigner,
	FinalizeOptions,
	PendingSignature,
	PreparedSignature as PreparedAsiceSignature,
} from './asice/sign';
export { verifyContainer, CODES as VERIFY_CODES } from './asice/verify';
export type { Report, SignatureReport, ReportIssue, VerifyOptions } from './asice/verify';
export { extendContainer, httpArchiveTimestamper, ExtendError } from './asice/extend';
export type { ArchiveTimestamper, ExtendOptions, ExtendResult, ExtendedSignature, ExtendErrorCode } from './asice/extend';
export * from './sessions';
