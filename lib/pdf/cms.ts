import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../hash-algorithm';
import { children, contextConstructed, integer, nullValue, octetString, oid, readTlv, sequence, setOf, tlv, bytesOf } from './der';

/** Hashes a PAdES signature may use here (what PDF validators such as poppler/NSS and DSS verify). */
export type PdfHashAlgorithm = Extract<HashAlgorithm, 'SHA-256' | 'SHA-384' | 'SHA-512'>;

export const OIDS = {
	data: '1.2.840.113549.1.7.1',
	signedData: '1.2.840.113549.1.7.2',
	contentType: '1.2.840.113549.1.9.3',
	messageDigest: '1.2.840.113549.1.9.4',
	signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
	signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
	rsassaPss: '1.2.840.113549.1.1.10',
	mgf1: '1.2.840.113549.1.1.8',
	'SHA-256': '2.16.840.1.101.3.4.2.1',
	'SHA-384': '2.16.840.1.101.3.4.2.2',
	'SHA-512': '2.16.840.1.101.3.4.2.3',
} as const;

const NODE_HASH: Record<PdfHashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const HASH_LENGTH: Record<PdfHashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** Node's name of a PDF hash. */
export const nodeHash = (h: PdfHashAlgorithm): string => NODE_HASH[h];

/** AlgorithmIdentifier of a SHA-2 hash, parameters absent (RFC 5754). */
const digestAlgorithm = (h: PdfHashAlgorithm): Buffer => sequence(oid(OIDS[h]));

/**
 * AlgorithmIdentifier id-RSASSA-PSS with RSASSA-PSS-params exactly as Smart-ID signs: hash `h`, MGF1 with `h`,
 * salt length = hash length, trailer field 1 (the default, so omitted). Hash identifiers inside carry NULL
 * parameters, as in the RFC 4055 module.
 */
export function rsassaPssAlgorithm(h: PdfHashAlgorithm): Buffer {
	const hashId = sequence(oid(OIDS[h]), nullValue());
	return sequence(
		oid(OIDS.rsassaPss),
		sequence(contextConstructed(0, hashId), contextConstructed(1, sequence(oid(OIDS.mgf1), hashId)), contextConstructed(2, integer(HASH_LENGTH[h]))),
	);
}

/** Issuer Name and serialNumber INTEGER (whole TLVs) of a DER certificate. */
export function issuerAndSerial(certDer: Buffer): { issuer: Buffer; serial: Buffer } {
	const cert = readTlv(certDer, 0);
	const tbs = children(certDer, children(certDer, cert)[0]);
	const i = tbs[0].tag === 0xa0 ? 1 : 0;
	return { serial: bytesOf(certDer, tbs[i]), issuer: bytesOf(certDer, tbs[i + 2]) };
}

const attribute = (type: string, value: Buffer): Buffer => sequence(oid(type), setOf(value));

/**
 * DER of the signed attributes as a SET (what is hashed and signed): content-type id-data, message-digest, and
 * ESS signing-certificate-v2 (certificate hash with `h`; the algorithm is omitted for SHA-256, its DEFAULT) with
 * IssuerSerial. No signing-time: in PAdES the claimed time is the /M entry of the signature dictionary.
 */
export function signedAttributes(h: PdfHashAlgorithm, messageDigest: Buffer, signerDer: Buffer): Buffer {
	const { issuer, serial } = issuerAndSerial(signerDer);
	const certHash = createHash(NODE_HASH[h]).update(signerDer).digest();
	const issuerSerial = sequence(sequence(contextConstructed(4, issuer)), serial);
	const essCertIdV2 = sequence(...(h === 'SHA-256' ? [] : [digestAlgorithm(h)]), octetString(certHash), issuerSerial);
	return setOf(
		attribute(OIDS.contentType, oid(OIDS.data)),
		attribute(OIDS.messageDigest, octetString(messageDigest)),
		attribute(OIDS.signingCertificateV2, sequence(sequence(essCertIdV2))),
	);
}

/** Inputs of {@link signedData}. */
export interface SignedDataInput {
	hashAlgorithm: PdfHashAlgorithm;
	/** The DER SET from {@link signedAttributes}. */
	signedAttributes: Buffer;
	signature: Buffer;
	signerDer: Buffer;
	/** Further certificates for the CMS certificate set (issuer chain); the signer is always first. */
	certificates: Buffer[];
	/** RFC 3161 TimeStampToken over the signature value (the unsigned signature-time-stamp attribute). */
	timestampToken?: Buffer;
}

/** A detached CMS ContentInfo(SignedData) with one RSASSA-PSS SignerInfo (CAdES baseline for PAdES). */
export function signedData(input: SignedDataInput): Buffer {
	const { issuer, serial } = issuerAndSerial(input.signerDer);
	const attrs = input.signedAttributes;
	const attrsContent = attrs.subarray(readTlv(attrs, 0).contentStart);
	const signerInfo = sequence(
		integer(1),
		sequence(issuer, serial),
		digestAlgorithm(input.hashAlgorithm),
		tlv(0xa0, attrsContent),
		rsassaPssAlgorithm(input.hashAlgorithm),
		octetString(input.signature),
		...(input.timestampToken ? [tlv(0xa1, attribute(OIDS.signatureTimeStampToken, input.timestampToken))] : []),
	);
	const seen = new Set<string>();
	const certs = [input.signerDer, ...input.certificates].filter((c) => {
		const key = c.toString('base64');
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	const sd = sequence(integer(1), setOf(digestAlgorithm(input.hashAlgorithm)), sequence(oid(OIDS.data)), tlv(0xa0, ...certs), setOf(signerInfo));
	return sequence(oid(OIDS.signedData), contextConstructed(0, sd));
}
