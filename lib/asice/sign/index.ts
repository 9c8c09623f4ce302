/**
 * Build signed ASiC-E containers (XAdES baseline LT) in two phases, so a remote signer such as Smart-ID can sign
 * in between: {@link prepareSignature} → sign `digestToSign` → {@link finalizeSignature}; or all at once with
 * {@link buildAsice}.
 */

/** Phase 1: hash/stream the data files, build SignedInfo, return the digest to sign and a JSON pending state. */
export { prepareSignature, type DataFileInput, type PrepareCommonOptions, type PrepareNewOptions, type PrepareAppendOptions, type PreparedXadesSignature, type PreparedSignature } from './prepare';
/** Phase 2: verify the signature value, timestamp, OCSP, write the container; or discard a pending signature. */
export { finalizeSignature, discardPendingSignature, checkReturnedSignatureValue, type FinalizeOptions, type FinalizedSignature } from './finalize';
/** Prepare + sign + finalize in one call. */
export { buildAsice, type BuildAsiceOptions, type BuiltAsice, type DigestSigner, type DigestSigningRequest } from './build-asice';
/** Smart-ID as the {@link DigestSigner}, its signing certificate, and the start/complete pair for asynchronous use. */
export {
	smartIdDigestSigner,
	smartIdSigningCertificate,
	startSmartIdSignature,
	completeSmartIdSignature,
	type SmartIdSignerOptions,
	type SmartIdSignerTarget,
	type StartedSmartIdSignature,
} from './smart-id-signer';
/** Timestamp/OCSP providers (HTTP by default). */
export { httpLtServices, type LtServices } from './lt-services';
/** The JSON state between the two phases. */
export { parsePendingSignature, PENDING_FORMAT, type PendingSignature } from './pending';
/** Signature schemes and XML-DSig algorithm URIs. */
export { signatureMethodUri, digestMethodUri, type XadesSignatureScheme, type ReferenceDigestAlgorithm } from './algorithms';
/** Data-file Reference URI encoding (percent-encoding, space as %20). */
export { dataFileUri } from './uri';
/** Media-type guessing and the store-or-deflate choice. */
export { guessMediaType, compressionFor } from './media-types';
/** The `mimetype` value and META-INF/manifest.xml. */
export { ASICE_MIMETYPE, manifestXml } from './manifest';
/** Signature XML pieces (for tests and inspection). */
export { canonicalParts, type SignatureParameters, type ProductionPlace, type SignedFile } from './signature-xml';
/** Typed errors with stable codes. */
export { AsiceBuildError, type AsiceBuildErrorCode } from './errors';
