import { createHash } from 'node:crypto';

/** Hash algorithms Smart-ID RP API v3 accepts in `signatureAlgorithmParameters.hashAlgorithm` (spec §2.1). */
export const HASH_ALGORITHMS = ['SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512'] as const;

/** One of {@link HASH_ALGORITHMS}, spelled as the RP API spells it. */
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

const NODE_NAMES: Record<HashAlgorithm, string> = {
	'SHA-256': 'sha256',
	'SHA-384': 'sha384',
	'SHA-512': 'sha512',
	'SHA3-256': 'sha3-256',
	'SHA3-384': 'sha3-384',
	'SHA3-512': 'sha3-512',
};

const DIGEST_LENGTHS: Record<HashAlgorithm, number> = {
	'SHA-256': 32,
	'SHA-384': 48,
	'SHA-512': 64,
	'SHA3-256': 32,
	'SHA3-384': 48,
	'SHA3-512': 64,
};

/** True when `value` is one of the six RP API hash algorithm names (exact spelling). */
export function isHashAlgorithm(value: unknown): value is HashAlgorithm {
	return typeof value === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(value);
}

/** Node.js `crypto` name of an RP API hash algorithm (e.g. `SHA3-512` → `sha3-512`). */
export function nodeHashName(algorithm: HashAlgorithm): string {
	return NODE_NAMES[algorithm];
}

/** Digest length in bytes; also the RSASSA-PSS salt length Smart-ID uses with that hash. */
export function digestLength(algorithm: HashAlgorithm): number {
	return DIGEST_LENGTHS[algorithm];
}

/** Hash `data` with an RP API hash algorithm. */
export function hashBytes(algorithm: HashAlgorithm, data: Uint8Array | string): Buffer {
	return createHash(NODE_NAMES[algorithm]).update(data).digest();
}
