import { isHashAlgorithm, xmlDigestUri, xmlSignatureUri, type HashAlgorithm } from '../../hash-algorithm';
import { AsiceBuildError } from './errors';

/**
 * The RSA scheme a XAdES signature is prepared for (its ds:SignatureMethod): how the signer produces the value. `rsassa-pss` is what Smart-ID RP API v3 returns (salt = hash
 * length, MGF1 with the same hash); `rsassa-pkcs1-v1_5` is the legacy answer SK's demo still gives sometimes.
 */
export type XadesSignatureScheme = 'rsassa-pss' | 'rsassa-pkcs1-v1_5';

/** Hashes the data-file references and the signing-certificate digest may use. */
export type ReferenceDigestAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Hashes SK's verifiers accept with RSA PKCS#1 v1.5 XAdES signatures. */
const PKCS1_HASHES: readonly HashAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];

/** ds:SignatureMethod URI for a scheme and hash (RFC 6931); throws for combinations nobody can verify. */
export function signatureMethodUri(scheme: XadesSignatureScheme, hash: HashAlgorithm): string {
	if (scheme === 'rsassa-pss') return xmlSignatureUri('rsa-pss', hash);
	if (!PKCS1_HASHES.includes(hash)) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `RSA PKCS#1 v1.5 signatures are only supported with SHA-256, SHA-384 or SHA-512, not ${hash}.`, { hash });
	}
	return xmlSignatureUri('rsa', hash);
}

/** ds:DigestMethod URI of a hash. */
export function digestMethodUri(hash: HashAlgorithm): string {
	return xmlDigestUri(hash);
}

/** Refuse anything but the six RP API hash names. */
export function checkHashAlgorithm(value: unknown, what: string): HashAlgorithm {
	if (!isHashAlgorithm(value)) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `${what} must be one of SHA-256, SHA-384, SHA-512, SHA3-256, SHA3-384, SHA3-512 (got ${JSON.stringify(value)}).`, { what });
	}
	return value;
}

/** Refuse reference digests other than SHA-256/384/512 (what DigiDoc4j and libdigidocpp verify). */
export function checkReferenceDigest(value: unknown): ReferenceDigestAlgorithm {
	if (value !== 'SHA-256' && value !== 'SHA-384' && value !== 'SHA-512') {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `referenceDigest must be SHA-256, SHA-384 or SHA-512 (got ${JSON.stringify(value)}).`);
	}
	return value;
}

/** Refuse unknown signature schemes. */
export function checkSignatureScheme(value: unknown): XadesSignatureScheme {
	if (value !== 'rsassa-pss' && value !== 'rsassa-pkcs1-v1_5') {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `signatureScheme must be "rsassa-pss" or "rsassa-pkcs1-v1_5" (got ${JSON.stringify(value)}).`);
	}
	return value;
}
