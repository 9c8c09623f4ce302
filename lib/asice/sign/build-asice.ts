import type { HashAlgorithm } from '../../hash-algorithm';
import type { XadesSignatureScheme } from './algorithms';
import { discardPendingSignature, finalizeSignature, type FinalizedSignature, type FinalizeOptions } from './finalize';
import { prepareSignature, type PrepareAppendOptions, type PrepareNewOptions } from './prepare';

/** What a signer gets: the digest to sign and how. */
export interface DigestSigningRequest {
	/** Base64 H(canonical SignedInfo). */
	digest: string;
	hashAlgorithm: HashAlgorithm;
	signatureScheme: XadesSignatureScheme;
	/** Base64 DER of the certificate whose key must sign. */
	signerCertificate: string;
}

/** Signs a digest (Smart-ID RAW_DIGEST_SIGNATURE session, a test key, an HSM) and returns the Base64 signature value. */
export type DigestSigner = (request: DigestSigningRequest) => Promise<string>;

/** Options of {@link buildAsice}: prepare options (new files or an existing container), finalize options and the signer. */
export type BuildAsiceOptions = (PrepareNewOptions | PrepareAppendOptions) & FinalizeOptions & { sign: DigestSigner };

/** Result of {@link buildAsice}. */
export interface BuiltAsice extends FinalizedSignature {
	warnings: string[];
}

/**
 * One call from files (or an existing container) to a signed XAdES baseline-LT ASiC-E: prepare, let `sign`
 * sign the digest, finalize (timestamp, OCSP, write). The partial container is removed when signing fails.
 */
export async function buildAsice(options: BuildAsiceOptions): Promise<BuiltAsice> {
	const prepared = await prepareSignature(options);
	try {
		const signatureValue = await options.sign({
			digest: prepared.digestToSign,
			hashAlgorithm: prepared.hashAlgorithm,
			signatureScheme: prepared.signatureScheme,
			signerCertificate: prepared.pending.parameters.signerCertificate,
		});
		const done = await finalizeSignature(prepared.pending, signatureValue, options);
		return { ...done, warnings: prepared.warnings };
	} catch (error) {
		await discardPendingSignature(prepared.pending);
		throw error;
	}
}
