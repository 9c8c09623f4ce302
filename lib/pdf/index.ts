/**
 * Sign PDFs with PAdES baseline signatures (B-T by default, B-LT and B-LTA on request) in two phases, so a remote
 * signer such as Smart-ID can sign in between: {@link preparePdfSignature} → sign `digestToSign` (RSASSA-PSS) →
 * {@link finalizePdfSignature}; or all at once with {@link signPdf}. Every signature is an incremental update:
 * the input bytes stay the prefix of the output, so earlier signatures stay valid. Large inputs are streamed:
 * only the structure near the end (trailer, cross-reference, the few objects a signature changes) is parsed.
 */

/** Phase 1: parse the structure, stream + hash the input into a partial file, return the digest and JSON state. */
export { preparePdfSignature, pdfCertificate, type PreparePdfOptions, type PreparedPdfSignature, type PdfCertificateLike } from './prepare';
/** Phase 2: verify the value, timestamp it, write the CMS; B-LT adds the DSS, B-LTA a document timestamp. */
export { finalizePdfSignature, finalizePdfUpdate, discardPdfSignature, type FinalizePdfOptions, type FinalizedPdfSignature, type FinalizedPdfUpdate } from './finalize';
/** Prepare + sign + finalize in one call. */
export { signPdf, type SignPdfOptions } from './sign-pdf';
/** The JSON state between the two phases and its strict parser. */
export { parsePdfPendingSignature, PDF_PENDING_FORMAT, type PdfPendingSignature, type PadesLevel } from './pending';
/** Timestamp/OCSP providers (HTTP by default). */
export { httpPdfLtServices, type PdfLtServices, type HttpPdfLtServicesOptions } from './lt-services';
/** CMS pieces (for tests and inspection). */
export { signedAttributes, signedData, rsassaPssAlgorithm, type PdfHashAlgorithm } from './cms';
/** Reading PDF structure (for tests, inspection and the later verifier). */
export { PdfDocument } from './document';
/** VRI naming of the DSS. */
export { vriKey } from './dss';
/** Typed errors with stable codes. */
export { PdfSignError, type PdfSignErrorCode } from './errors';
/** ByteRange coverage check of existing signatures (what a verifier must not call intact). */
export { checkByteRanges, type ByteRangeReport, type ByteRangeAnomalyCode } from './byte-range';
/** Visible signatures: a signature page with reference letters, or a box on a chosen page. */
export { referenceLetter, BOX_POSITIONS, type VisibleSignatureOptions, type BoxPosition } from './visible';
/** Is this a PDF? (`%PDF-` in the first 1024 bytes), so callers pick PAdES or ASiC-E by the input. */
export { looksLikePdf, fileLooksLikePdf } from './sniff';
/** Verify every signature and document timestamp of a PDF (report shaped like the container verifier's). */
export { verifyPdf, verifyDocument, PDF_POLICY, PDF_CODES, type PdfVerifyOptions, type PdfFindingCode } from './verify';
