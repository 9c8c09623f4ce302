/** PDF signature verification (PAdES / PKCS#7 signatures, document timestamps), container-shaped report. */
export { verifyPdf, PDF_POLICY, type PdfVerifyOptions } from './verify-pdf';
/** Stable finding codes of the PDF verifier and their severities. */
export { PDF_CODES, type PdfFindingCode } from './codes';
/** Container or PDF, by the first bytes (the CLI's and the node's entry point). */
export { verifyDocument } from './verify-document';
