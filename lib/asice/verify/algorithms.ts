import { HASH_TABLE, digestLength, hashAlgorithmFromNodeName, hashAlgorithmFromXmlDigest, nodeHashName, xmlSignatureUri, type KnownHashAlgorithm } from '../../hash-algorithm';

// XML-DSig algorithm URIs as the verifier reads them; all derived from lib/hash-algorithm.ts (one table).

/** Node hash name for a DigestMethod URI (RFC 3275, RFC 6931 incl. SHA-3 and the xmlenc#sha384 alias), or null when unsupported. */
export function digestAlgorithm(uri: string): string | null {
	const hash = hashAlgorithmFromXmlDigest(uri);
	return hash ? nodeHashName(hash) : null;
}

/** What a SignatureMethod URI asks for. */
export interface SignatureAlgorithm {
	key: 'rsa' | 'rsa-pss' | 'ec';
	/** Node hash name. */
	hash: string;
}

const MORE_2007 = 'http://www.w3.org/2007/05/xmldsig-more#';

const SIGNATURES: Record<string, SignatureAlgorithm> = {};
for (const h of Object.keys(HASH_TABLE) as KnownHashAlgorithm[]) {
	const hash = nodeHashName(h);
	// RSA PKCS#1 v1.5 (rsa-sha1 is the XML-DSig 1.0 URI), ECDSA, and RFC 6931 §2.3.10 <hash>-rsa-MGF1 = RSASSA-PSS.
	SIGNATURES[xmlSignatureUri('rsa', h)] = { key: 'rsa', hash };
	SIGNATURES[xmlSignatureUri('ec', h)] = { key: 'ec', hash };
	SIGNATURES[xmlSignatureUri('rsa-pss', h)] = { key: 'rsa-pss', hash };
}

/** URI of the parameterised RSASSA-PSS form (RFC 6931 §2.3.10, with optional pss:RSAPSSParams). */
export const RSA_PSS_PARAMETERISED = `${MORE_2007}rsa-pss`;

/** The algorithm a SignatureMethod URI names, or null when unsupported. */
export function signatureAlgorithm(uri: string): SignatureAlgorithm | null {
	return SIGNATURES[uri] ?? null;
}

/** Digest length in bytes of a node hash name. */
export function hashLength(hash: string): number {
	const known = hashAlgorithmFromNodeName(hash);
	return known ? digestLength(known) : 0;
}
