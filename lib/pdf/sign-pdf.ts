import type { DigestSigner } from '../asice/sign';
import { discardPdfSignature, finalizePdfSignature, type FinalizedPdfSignature, type FinalizePdfOptions } from './finalize';
import { preparePdfSignature, type PdfCertificateLike, type PreparePdfOptions } from './prepare';

/** Options of {@link signPdf}: prepare and finalize options plus the signer. */
export type SignPdfOptions = PreparePdfOptions & FinalizePdfOptions & { sign: DigestSigner };

/**
 * One call from a PDF to a signed PDF (PAdES B-T by default): prepare, let `sign` sign the digest (e.g.
 * `smartIdDigestSigner` of `lib/asice/sign`), finalize. The partial file is removed when signing fails.
 */
export async function signPdf(input: string | Uint8Array, signerCertificate: PdfCertificateLike, options: SignPdfOptions): Promise<FinalizedPdfSignature> {
	const prepared = await preparePdfSignature(input, signerCertificate, options);
	try {
		const value = await options.sign({
			digest: prepared.digestToSign,
			hashAlgorithm: prepared.hashAlgorithm,
			signatureScheme: prepared.signatureScheme,
			signerCertificate: prepared.pending.signerCertificate,
		});
		return await finalizePdfSignature(prepared.pending, value, options);
	} catch (error) {
		await discardPdfSignature(prepared.pending);
		throw error;
	}
}
