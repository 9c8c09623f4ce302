import { createHash } from 'node:crypto';
import { hashBytes, nodeHashName } from '../../hash-algorithm';
import { canonicalParts, signatureDocumentXml, signedInfoXml, signedPropertiesXml, type SignatureParameters } from './signature-xml';

/** The signed part of a signature, ready to be hashed and signed. */
export interface SignedParts {
	signedInfoXml: string;
	signedPropertiesXml: string;
	/** Exclusive-c14n bytes of ds:SignedInfo in the context of the saved document. */
	canonicalSignedInfo: Buffer;
	/** H(canonical SignedInfo) with the signature hash: what Smart-ID signs (RAW_DIGEST_SIGNATURE `digest`). */
	digestToSign: Buffer;
}

/**
 * Build SignedProperties, digest its canonical form, build SignedInfo around it and hash the canonical
 * SignedInfo. Deterministic: the same parameters always give the same bytes.
 */
export function buildSignedParts(p: SignatureParameters): SignedParts {
	const certDer = Buffer.from(p.signerCertificate, 'base64');
	const certDigest = createHash(nodeHashName(p.referenceDigest)).update(certDer).digest('base64');
	const spXml = signedPropertiesXml(p, certDigest);
	// SignedProperties' canonical form does not depend on SignedInfo, so a draft document is enough here.
	const draft = signatureDocumentXml({ idBase: p.idBase, signedInfo: signedInfoXml(p, ''), signatureValue: '', signerCertificate: p.signerCertificate, signedProperties: spXml });
	const spDigest = createHash(nodeHashName(p.referenceDigest)).update(canonicalParts(draft).signedProperties).digest('base64');
	const siXml = signedInfoXml(p, spDigest);
	const document = signatureDocumentXml({ idBase: p.idBase, signedInfo: siXml, signatureValue: '', signerCertificate: p.signerCertificate, signedProperties: spXml });
	const canonicalSignedInfo = canonicalParts(document).signedInfo;
	return { signedInfoXml: siXml, signedPropertiesXml: spXml, canonicalSignedInfo, digestToSign: hashBytes(p.hashAlgorithm, canonicalSignedInfo) };
}
