/** Node hash names for XML-DSig DigestMethod URIs (RFC 3275, RFC 6931 incl. SHA-3). */
const DIGESTS: Record<string, string> = {
	'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
	'http://www.w3.org/2001/04/xmldsig-more#sha224': 'sha224',
	'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
	'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
	'http://www.w3.org/2001/04/xmlenc#sha384': 'sha384',
	'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
	'http://www.w3.org/2007/05/xmldsig-more#sha3-224': 'sha3-224',
	'http://www.w3.org/2007/05/xmldsig-more#sha3-256': 'sha3-256',
	'http://www.w3.org/2007/05/xmldsig-more#sha3-384': 'sha3-384',
	'http://www.w3.org/2007/05/xmldsig-more#sha3-512': 'sha3-512',
};

/** Node hash name for a DigestMethod URI, or null when unsupported. */
export function digestAlgorithm(uri: string): string | null {
	return DIGESTS[uri] ?? null;
}

/** What a SignatureMethod URI asks for. */
export interface SignatureAlgorithm {
	key: 'rsa' | 'rsa-pss' | 'ec';
	/** Node hash name. */
	hash: string;
}

const HASHES = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512'];
const MORE_2001 = 'http://www.w3.org/2001/04/xmldsig-more#';
const MORE_2007 = 'http://www.w3.org/2007/05/xmldsig-more#';

const SIGNATURES: Record<string, SignatureAlgorithm> = {
	'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { key: 'rsa', hash: 'sha1' },
};
for (const h of HASHES) {
	const base = h.startsWith('sha3-') ? MORE_2007 : MORE_2001;
	if (h !== 'sha1') SIGNATURES[`${base}rsa-${h}`] = { key: 'rsa', hash: h };
	SIGNATURES[`${base}ecdsa-${h}`] = { key: 'ec', hash: h };
	// RFC 6931 §2.3.10: <hash>-rsa-MGF1 = RSASSA-PSS, MGF1 with the same hash, salt = hash length.
	SIGNATURES[`${MORE_2007}${h}-rsa-MGF1`] = { key: 'rsa-pss', hash: h };
}

/** URI of the parameterised RSASSA-PSS form (RFC 6931 §2.3.10, with optional pss:RSAPSSParams). */
export const RSA_PSS_PARAMETERISED = `${MORE_2007}rsa-pss`;

/** The algorithm a SignatureMethod URI names, or null when unsupported. */
export function signatureAlgorithm(uri: string): SignatureAlgorithm | null {
	return SIGNATURES[uri] ?? null;
}

/** Digest length in bytes of a node hash name. */
export function hashLength(hash: string): number {
	return { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64, 'sha3-224': 28, 'sha3-256': 32, 'sha3-384': 48, 'sha3-512': 64 }[hash] ?? 0;
}
