import { createHash } from 'node:crypto';
import { OID } from './pki/oids';

/**
 * The one table of hash algorithms (issue 12 item 3): for each, the Node.js name, digest length, ASN.1 OID
 * (RFC 5754, NIST CSOR) and XML-DSig DigestMethod URI (RFC 3275, RFC 6931; `xmlDigestAliases` are other URIs real
 * containers use for the same hash). Every other table (RP API names, OCSP/TSP, XAdES signing and verifying,
 * RSASSA prehashed checks) is derived from this one.
 */
export const HASH_TABLE = {
	'SHA-1': { node: 'sha1', length: 20, oid: OID.sha1, xmlDigest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
	'SHA-224': { node: 'sha224', length: 28, oid: OID.sha224, xmlDigest: 'http://www.w3.org/2001/04/xmldsig-more#sha224' },
	'SHA-256': { node: 'sha256', length: 32, oid: OID.sha256, xmlDigest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
	'SHA-384': {
		node: 'sha384',
		length: 48,
		oid: OID.sha384,
		xmlDigest: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
		xmlDigestAliases: ['http://www.w3.org/2001/04/xmlenc#sha384'],
	},
	'SHA-512': { node: 'sha512', length: 64, oid: OID.sha512, xmlDigest: 'http://www.w3.org/2001/04/xmlenc#sha512' },
	'SHA3-224': { node: 'sha3-224', length: 28, oid: OID.sha3_224, xmlDigest: 'http://www.w3.org/2007/05/xmldsig-more#sha3-224' },
	'SHA3-256': { node: 'sha3-256', length: 32, oid: OID.sha3_256, xmlDigest: 'http://www.w3.org/2007/05/xmldsig-more#sha3-256' },
	'SHA3-384': { node: 'sha3-384', length: 48, oid: OID.sha3_384, xmlDigest: 'http://www.w3.org/2007/05/xmldsig-more#sha3-384' },
	'SHA3-512': { node: 'sha3-512', length: 64, oid: OID.sha3_512, xmlDigest: 'http://www.w3.org/2007/05/xmldsig-more#sha3-512' },
} as const satisfies Record<string, { node: string; length: number; oid: string; xmlDigest: string; xmlDigestAliases?: readonly string[] }>;

/** Any hash algorithm of {@link HASH_TABLE}, e.g. `SHA3-256`. */
export type KnownHashAlgorithm = keyof typeof HASH_TABLE;

/** Node.js `crypto` names of the table (e.g. `sha3-256`). */
export type NodeHashName = (typeof HASH_TABLE)[KnownHashAlgorithm]['node'];

const KNOWN = Object.keys(HASH_TABLE) as KnownHashAlgorithm[];

type Entry = { node: NodeHashName; length: number; oid: string; xmlDigest: string; xmlDigestAliases?: readonly string[] };

/**
 * The table entry of `algorithm`. Callers validate names first; an unchecked unknown name (from untrusted JSON that
 * slipped through) gives undefined fields, as the per-purpose tables this one replaced did, never a TypeError.
 */
function entryOf(algorithm: KnownHashAlgorithm): Entry {
	return (Object.prototype.hasOwnProperty.call(HASH_TABLE, algorithm) ? HASH_TABLE[algorithm] : {}) as Entry;
}

/** Hash algorithms Smart-ID RP API v3 accepts in `signatureAlgorithmParameters.hashAlgorithm` (spec §2.1). */
export const HASH_ALGORITHMS = ['SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512'] as const satisfies readonly KnownHashAlgorithm[];

/** One of {@link HASH_ALGORITHMS}, spelled as the RP API spells it. */
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

/** True when `value` is one of the six RP API hash algorithm names (exact spelling). */
export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
	return typeof value === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(value);
}

/** True when `value` names a hash of {@link HASH_TABLE}. */
export function isKnownHashAlgorithm(value: unknown): value is KnownHashAlgorithm {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(HASH_TABLE, value);
}

/** Node.js `crypto` name of a hash algorithm (e.g. `SHA3-512` → `sha3-512`). */
export function nodeHashName(algorithm: KnownHashAlgorithm): NodeHashName {
	return entryOf(algorithm).node;
}

/** Digest length in bytes; for the RP API hashes also the RSASSA-PSS salt length Smart-ID uses. */
export function digestLength(algorithm: KnownHashAlgorithm): number {
	return entryOf(algorithm).length;
}

/** ASN.1 OID of a hash algorithm (AlgorithmIdentifier, DigestInfo). */
export function hashOid(algorithm: KnownHashAlgorithm): string {
	return entryOf(algorithm).oid;
}

/** Hash algorithm named by an OID, or undefined when the table does not know it. */
export function hashAlgorithmFromOid(oid: string): KnownHashAlgorithm | undefined {
	return KNOWN.find((name) => HASH_TABLE[name].oid === oid);
}

/** Hash algorithm of a Node.js hash name (e.g. `sha3-256`), or undefined. */
export function hashAlgorithmFromNodeName(node: string): KnownHashAlgorithm | undefined {
	return KNOWN.find((name) => HASH_TABLE[name].node === node);
}

/** The XML-DSig DigestMethod URI to write for a hash. */
export function xmlDigestUri(algorithm: KnownHashAlgorithm): string {
	return entryOf(algorithm).xmlDigest;
}

/** Hash algorithm of an XML-DSig DigestMethod URI (incl. aliases), or undefined when unsupported. */
export function hashAlgorithmFromXmlDigest(uri: string): KnownHashAlgorithm | undefined {
	return KNOWN.find((name) => {
		const entry = entryOf(name);
		return entry.xmlDigest === uri || (entry.xmlDigestAliases ?? []).includes(uri);
	});
}

const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
const MORE_2001 = 'http://www.w3.org/2001/04/xmldsig-more#';
const MORE_2007 = 'http://www.w3.org/2007/05/xmldsig-more#';

/** Key kinds of XML-DSig SignatureMethod URIs. */
export type XmlSignatureKey = 'rsa' | 'rsa-pss' | 'ec';

/**
 * The XML-DSig SignatureMethod URI of a key kind and hash (RFC 3275, RFC 4051, RFC 6931): `rsa-pss` is the
 * `<hash>-rsa-MGF1` form (RSASSA-PSS, MGF1 with the same hash, salt = hash length, RFC 6931 §2.3.10).
 */
export function xmlSignatureUri(key: XmlSignatureKey, algorithm: KnownHashAlgorithm): string {
	const node = nodeHashName(algorithm);
	if (key === 'rsa-pss') return `${MORE_2007}${node}-rsa-MGF1`;
	if (key === 'rsa' && node === 'sha1') return `${XMLDSIG}rsa-sha1`;
	const base = node.startsWith('sha3-') ? MORE_2007 : MORE_2001;
	return `${base}${key === 'rsa' ? 'rsa' : 'ecdsa'}-${node}`;
}

/** Hash `data` with a hash algorithm of the table. */
export function hashBytes(algorithm: KnownHashAlgorithm, data: Uint8Array | string): Buffer {
	return createHash(nodeHashName(algorithm)).update(data).digest();
}
