/**
 * Crypto plumbing shared by the OCSP (RFC 6960) and RFC 3161 timestamp code: algorithm identifiers,
 * signature verification with node:crypto, DER helpers and certificate views. pkijs/asn1js only parse and
 * build ASN.1 here; every digest and signature check runs through node:crypto, so no pkijs crypto engine
 * is involved (one less global to configure).
 */
import { verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ValidationError } from '../errors';
import { digestLength, hashAlgorithmFromOid, hashBytes, hashOid as tableHashOid, isKnownHashAlgorithm, nodeHashName, type KnownHashAlgorithm } from '../hash-algorithm';
import { certificateCacheSize, extendedKeyUsageOf, type CertView } from './certificate';
import { fromSchema, parseAsn1 } from './asn1';
import { OID } from './oids';

/** Hash algorithms that may appear in OCSP CertIDs, timestamp imprints and CMS/OCSP signatures (from the one table). */
export type TokenHashAlgorithm = Exclude<KnownHashAlgorithm, 'SHA3-224'>;

/** OIDs specific to OCSP and time-stamping, by their short local names (values from lib/pki/oids.ts). */
export const TOKEN_OID = {
	ocspBasic: OID.ocspBasic,
	ocspNonce: OID.ocspNonce,
	ekuOcspSigning: OID.ekuOcspSigning,
	ekuTimeStamping: OID.ekuTimeStamping,
	extKeyUsage: OID.extKeyUsage,
	authorityInfoAccess: OID.authorityInfoAccess,
	accessOcsp: OID.accessOcsp,
	signedData: OID.cmsSignedData,
	tstInfo: OID.ctTstInfo,
	contentType: OID.attrContentType,
	messageDigest: OID.attrMessageDigest,
	signingCertificate: OID.attrSigningCertificate,
	signingCertificateV2: OID.attrSigningCertificateV2,
} as const;

/** Hash of each signature algorithm OID; null for key-only identifiers (CMS: the hash is the digestAlgorithm). */
const SIGNATURE_HASH: Record<string, TokenHashAlgorithm | null> = {
	[OID.sha1WithRSAEncryption]: 'SHA-1',
	[OID.sha224WithRSAEncryption]: 'SHA-224',
	[OID.sha256WithRSAEncryption]: 'SHA-256',
	[OID.sha384WithRSAEncryption]: 'SHA-384',
	[OID.sha512WithRSAEncryption]: 'SHA-512',
	[OID.rsaWithSha3_256]: 'SHA3-256',
	[OID.rsaWithSha3_384]: 'SHA3-384',
	[OID.rsaWithSha3_512]: 'SHA3-512',
	[OID.ecdsaWithSha1]: 'SHA-1',
	[OID.ecdsaWithSha224]: 'SHA-224',
	[OID.ecdsaWithSha256]: 'SHA-256',
	[OID.ecdsaWithSha384]: 'SHA-384',
	[OID.ecdsaWithSha512]: 'SHA-512',
	[OID.ecdsaWithSha3_256]: 'SHA3-256',
	[OID.ecdsaWithSha3_384]: 'SHA3-384',
	[OID.ecdsaWithSha3_512]: 'SHA3-512',
	[OID.rsaEncryption]: null,
	[OID.ecPublicKey]: null,
};
/** ECDSA signature algorithms (and the EC key identifier CMS may name instead). */
const EC_SIGNATURE_OIDS = new Set<string>([
	OID.ecPublicKey,
	OID.ecdsaWithSha1,
	OID.ecdsaWithSha224,
	OID.ecdsaWithSha256,
	OID.ecdsaWithSha384,
	OID.ecdsaWithSha512,
	OID.ecdsaWithSha3_256,
	OID.ecdsaWithSha3_384,
	OID.ecdsaWithSha3_512,
]);
const RSASSA_PSS = OID.rsassaPss;
const MGF1 = OID.mgf1;
const ED25519 = OID.ed25519;

/** Default tolerance between an OCSP response's / timestamp's time and the time it is checked at (15 min). */
export const DEFAULT_TOKEN_SKEW_MS = 15 * 60 * 1000;

/** True when `value` is a supported token hash algorithm name. */
export function isTokenHashAlgorithm(value: unknown): value is TokenHashAlgorithm {
	return isKnownHashAlgorithm(value) && value !== 'SHA3-224';
}

/** OID of a hash algorithm (for AlgorithmIdentifier). */
export function hashOid(algorithm: TokenHashAlgorithm): string {
	return tableHashOid(algorithm);
}

/** Hash algorithm named by an OID, or undefined when it is not one we support. */
export function hashFromOid(oid: string): TokenHashAlgorithm | undefined {
	const found = hashAlgorithmFromOid(oid);
	return isTokenHashAlgorithm(found) ? found : undefined;
}

/** Digest length in bytes. */
export function tokenDigestLength(algorithm: TokenHashAlgorithm): number {
	return digestLength(algorithm);
}

/** Hash bytes with a token hash algorithm. */
export function digest(algorithm: TokenHashAlgorithm, data: Uint8Array): Buffer {
	return hashBytes(algorithm, data);
}

/** AlgorithmIdentifier for a hash, with the explicit NULL parameters SK and OpenSSL emit. */
export function hashAlgorithmIdentifier(algorithm: TokenHashAlgorithm): pkijs.AlgorithmIdentifier {
	return new pkijs.AlgorithmIdentifier({ algorithmId: hashOid(algorithm), algorithmParams: new asn1js.Null() });
}

/** Copy any byte view into a Buffer (own memory, safe to keep). */
export function toBuffer(view: ArrayBuffer | ArrayBufferView): Buffer {
	if (view instanceof ArrayBuffer) return Buffer.from(new Uint8Array(view));
	return Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** The raw certificate model and its reader live in ./certificate (one model, one cache); re-exported here. */
export { certView, type CertView } from './certificate';

/** Number of certificates in the one certificate cache (kept for callers of the former view cache). */
export function certViewCacheSize(): number {
	return certificateCacheSize();
}

/** DER of the certificate's subject Name. */
export function subjectDer(cert: CertView): Buffer {
	return toBuffer(cert.asn.subject.toSchema().toBER());
}

/** DER of the certificate's issuer Name. */
export function issuerDer(cert: CertView): Buffer {
	return toBuffer(cert.asn.issuer.toSchema().toBER());
}

/** The subjectPublicKey BIT STRING contents (what OCSP key hashes cover). */
export function publicKeyBits(cert: CertView): Buffer {
	return toBuffer(cert.asn.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
}

/** Serial number INTEGER contents as unsigned big-endian bytes without leading zeros. */
export function serialBytes(cert: CertView): Buffer {
	return unsignedInteger(cert.asn.serialNumber.valueBlock.valueHexView);
}

/** Strip the sign/padding zero bytes of an INTEGER's contents (for positive values). */
export function unsignedInteger(view: Uint8Array): Buffer {
	let start = 0;
	while (start < view.length - 1 && view[start] === 0) start++;
	return toBuffer(view.subarray(start));
}

/** Same bytes? */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Extended key usages of a certificate and whether the extension is critical; undefined when absent. */
export function extendedKeyUsage(cert: CertView): { purposes: string[]; critical: boolean } | undefined {
	try {
		return extendedKeyUsageOf(cert);
	} catch {
		// A malformed EKU grants nothing (the OCSP/TSA checks then refuse the certificate for lacking the purpose).
		const extension = cert.asn.extensions?.find((e) => e.extnID === TOKEN_OID.extKeyUsage);
		return extension ? { purposes: [], critical: extension.critical } : undefined;
	}
}

export { fromSchema, parseAsn1 };

/** True when `child` names `parent` as issuer and `parent`'s key verifies `child`'s signature. */
export function isIssuedBy(child: CertView, parent: CertView): boolean {
	if (!sameBytes(issuerDer(child), subjectDer(parent))) return false;
	try {
		return child.x509.verify(parent.x509.publicKey);
	} catch {
		return false;
	}
}

/** Validity window check; returns a reason when `at` is outside notBefore..notAfter. */
export function validityProblem(cert: CertView, at: Date): 'expired' | 'notYetValid' | undefined {
	if (at.getTime() < new Date(cert.x509.validFrom).getTime()) return 'notYetValid';
	if (at.getTime() > new Date(cert.x509.validTo).getTime()) return 'expired';
	return undefined;
}

/** A short human label for messages: the subject CN, else the whole subject. */
export function certLabel(cert: CertView): string {
	const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.x509.subject);
	return cn ? cn[1] : cert.x509.subject.replace(/\n/g, ', ');
}

/**
 * Verify a signature made with `algorithm` (an X.509/CMS signatureAlgorithm) over `data` with `key`.
 * `cmsDigest` is the SignerInfo digestAlgorithm, used when `algorithm` is a bare key algorithm
 * (rsaEncryption / id-ecPublicKey). Returns false on a wrong signature; throws ValidationError(rule)
 * when the algorithm is unsupported or its parameters are inconsistent.
 */
export function verifySignature(
	algorithm: pkijs.AlgorithmIdentifier,
	data: Uint8Array,
	signature: Uint8Array,
	key: KeyObject,
	rule: string,
	cmsDigest?: TokenHashAlgorithm,
): boolean {
	const oid = algorithm.algorithmId;
	try {
		if (oid === RSASSA_PSS) {
			const params = fromSchema(
				() => new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams }),
				rule,
				'The RSASSA-PSS parameters',
			);
			const hash = hashFromOid(params.hashAlgorithm.algorithmId);
			const mgfHash =
				params.maskGenAlgorithm.algorithmId === MGF1
					? hashFromOid(new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId)
					: undefined;
			if (!hash || mgfHash !== hash) {
				throw new ValidationError(rule, 'RSASSA-PSS with an unsupported hash or a mask generation hash different from the message hash.', {
					algorithm: oid,
				});
			}
			return cryptoVerify(nodeHashName(hash), data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, signature);
		}
		if (oid === ED25519) return cryptoVerify(null, data, key, signature);
		if (!(oid in SIGNATURE_HASH)) {
			throw new ValidationError(rule, `Unsupported signature algorithm ${oid}.`, { algorithm: oid });
		}
		const hash = SIGNATURE_HASH[oid] ?? cmsDigest;
		if (!hash) throw new ValidationError(rule, `Signature algorithm ${oid} needs a digest algorithm.`, { algorithm: oid });
		const keyType = key.asymmetricKeyType;
		const isEcOid = EC_SIGNATURE_OIDS.has(oid);
		if ((isEcOid && keyType !== 'ec') || (!isEcOid && keyType !== 'rsa')) {
			throw new ValidationError(rule, `Signature algorithm ${oid} does not fit the signer's ${keyType ?? 'unknown'} key.`, {
				algorithm: oid,
			});
		}
		return cryptoVerify(nodeHashName(hash), data, key, signature);
	} catch (error) {
		if (error instanceof ValidationError) throw error;
		return false; // node throws on malformed signatures (e.g. bad ECDSA DER): that is simply "not valid".
	}
}

/** Children of a constructed ASN.1 value (empty for primitives). */
export function childrenOf(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
	const value = (node as asn1js.Constructed | undefined)?.valueBlock?.value;
	return Array.isArray(value) ? (value as asn1js.AsnType[]) : [];
}

/** True for a context-specific [n] tag. */
export function isContextTag(node: asn1js.AsnType, tag: number): boolean {
	return node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag;
}

/** The original encoding of a parsed ASN.1 value. */
export function rawBytes(node: asn1js.AsnType): Buffer {
	return toBuffer(node.valueBeforeDecodeView);
}

const SHORT_NAMES: Record<string, string> = {
	[OID.commonName]: 'CN',
	[OID.serialNumber]: 'serialNumber',
	[OID.countryName]: 'C',
	[OID.localityName]: 'L',
	[OID.organizationName]: 'O',
	[OID.organizationalUnitName]: 'OU',
	[OID.organizationIdentifier]: 'organizationIdentifier',
	[OID.emailAddress]: 'emailAddress',
};

/** Readable one-line form of a Name, e.g. `C=EE, O=AS Sertifitseerimiskeskus, CN=TEST of SK OCSP RESPONDER 2011`. */
export function nameText(name: pkijs.RelativeDistinguishedNames): string {
	return name.typesAndValues
		.map((tv) => `${SHORT_NAMES[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '')}`)
		.join(', ');
}

