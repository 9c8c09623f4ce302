/** ASiC-E / BDOC container verification (XAdES baseline B/T/LT/LTA and BDOC time-mark), SiVa-like report. */
/** Verify a container file or buffer. */
export { verifyContainer, type VerifyOptions } from './verify-container';
/** Report shape (SiVa simple report) and the policy it applies. */
export { POLICY, type Report, type SignatureReport, type ReportIssue, type ContainerIssue, type SignatureScope } from './report';
/** Stable finding codes and their severities. */
export { CODES, CONTAINER_CODES, codeInfo, type FindingCode, type ContainerFindingCode, type Indication, type Severity } from './codes';
/** Reference URI decoding ('+' stays a plus). */
export { decodeReferenceUri } from './uri';
/** Signature method support (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA r||s). */
export { verifySignatureValue, type SignatureCheck } from './signature-value';
