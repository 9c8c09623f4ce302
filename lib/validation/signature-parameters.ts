import type { KeyObject } from 'node:crypto';
import { decodeBase64Strict } from '../encoding';
import { ValidationError } from '../errors';
import { digestLength, isHashAlgorithm, type HashAlgorithm } from '../hash-algorithm';
import type { SessionSignature } from '../rp-api/types';
import { verifyPkcs1Prehashed, verifyPssPrehashed } from './rsa-prehashed';

/** The signature parameters of a Smart-ID answer that passed the downgrade checks: how to verify it. */
export type AcceptedSignatureParameters =
	| { scheme: 'RSASSA-PSS'; signatureAlgorithm: 'rsassa-pss'; hashAlgorithm: HashAlgorithm; saltLength: number }
	| { scheme: 'RSASSA-PKCS1-v1_5'; signatureAlgorithm: string; hashAlgorithm: HashAlgorithm };

/** `signature.value` as bytes (strict Base64). @throws ValidationError `signature.value`. */
export function signatureValueOf(signature: SessionSignature): Buffer {
	try {
		return decodeBase64Strict(signature.value, 'signature.value');
	} catch {
		throw new ValidationError('signature.value', 'signature.value is missing or not Base64.');
	}
}

/** Verify `signature` over the already-hashed `digest` with the parameters the downgrade check accepted. */
export function verifyWithParameters(key: KeyObject, accepted: AcceptedSignatureParameters, digest: Buffer, signature: Buffer): boolean {
	return accepted.scheme === 'RSASSA-PSS'
		? verifyPssPrehashed(key, accepted.hashAlgorithm, digest, signature, accepted.saltLength)
		: verifyPkcs1Prehashed(key, accepted.hashAlgorithm, digest, signature);
}

/** Legacy answers seen in 2026 demo data (spec §6.3); accepted only on explicit opt-in. */
const LEGACY_PKCS1: Record<string, HashAlgorithm> = {
	sha256WithRSAEncryption: 'SHA-256',
	sha384WithRSAEncryption: 'SHA-384',
	sha512WithRSAEncryption: 'SHA-512',
};

/**
 * Downgrade protection (spec §5.4-2, §10.7): the answer must use RSASSA-PSS with the hash that was requested,
 * MGF1 with the same hash, salt length = hash length and trailer 0xbc. A legacy `sha*WithRSAEncryption`
 * answer passes only with `allowLegacyPkcs1` and only when its hash is the requested one.
 * @throws ValidationError with rule `signature.algorithm`, `signature.hashAlgorithm.matchesRequest`,
 *   `signature.algorithmParameters`, `signature.maskGenAlgorithm`, `signature.saltLength` or `signature.trailerField`.
 */
export function checkSignatureParameters(
	signature: SessionSignature,
	requested: HashAlgorithm,
	options: { allowLegacyPkcs1?: boolean } = {},
): AcceptedSignatureParameters {
	const algorithm = signature.signatureAlgorithm;
	const params = signature.signatureAlgorithmParameters;
	if (typeof algorithm === 'string' && algorithm in LEGACY_PKCS1) {
		if (!options.allowLegacyPkcs1) {
			throw new ValidationError(
				'signature.algorithm',
				`Smart-ID answered with the legacy algorithm ${algorithm} (RSA PKCS#1 v1.5) instead of rsassa-pss. ` +
					'It is refused unless legacy PKCS#1 v1.5 answers are explicitly allowed.',
				{ signatureAlgorithm: algorithm },
			);
		}
		const hash = LEGACY_PKCS1[algorithm];
		if (hash !== requested || (params?.hashAlgorithm !== undefined && params.hashAlgorithm !== requested)) {
			throw new ValidationError(
				'signature.hashAlgorithm.matchesRequest',
				`The signature uses ${hash} but ${requested} was requested.`,
				{ requested, received: hash },
			);
		}
		return { scheme: 'RSASSA-PKCS1-v1_5', signatureAlgorithm: algorithm, hashAlgorithm: hash };
	}
	if (algorithm !== 'rsassa-pss') {
		throw new ValidationError(
			'signature.algorithm',
			`The signature algorithm "${String(algorithm).slice(0, 40)}" is not rsassa-pss; the answer is refused.`,
			{ signatureAlgorithm: typeof algorithm === 'string' ? algorithm.slice(0, 40) : null },
		);
	}
	if (!params || typeof params !== 'object') {
		throw new ValidationError('signature.algorithmParameters', 'The rsassa-pss answer has no signatureAlgorithmParameters.');
	}
	const hash = params.hashAlgorithm;
	if (!isHashAlgorithm(hash) || hash !== requested) {
		throw new ValidationError(
			'signature.hashAlgorithm.matchesRequest',
			`The signature hash algorithm "${String(hash).slice(0, 20)}" is not the requested ${requested}.`,
			{ requested, received: typeof hash === 'string' ? hash.slice(0, 20) : null },
		);
	}
	const mgf = params.maskGenAlgorithm;
	if (mgf?.algorithm !== 'id-mgf1' || mgf.parameters?.hashAlgorithm !== hash) {
		throw new ValidationError(
			'signature.maskGenAlgorithm',
			`The mask generation function must be id-mgf1 with ${hash}.`,
			{ maskGenAlgorithm: mgf?.algorithm ?? null, mgfHash: mgf?.parameters?.hashAlgorithm ?? null },
		);
	}
	const saltLength = digestLength(hash);
	if (params.saltLength !== saltLength) {
		throw new ValidationError(
			'signature.saltLength',
			`The PSS salt length must be ${saltLength} bytes for ${hash}, got ${String(params.saltLength)}.`,
			{ expected: saltLength, received: params.saltLength ?? null },
		);
	}
	if (params.trailerField !== '0xbc') {
		throw new ValidationError('signature.trailerField', 'The PSS trailer field must be 0xbc.', {
			received: typeof params.trailerField === 'string' ? params.trailerField.slice(0, 10) : null,
		});
	}
	return { scheme: 'RSASSA-PSS', signatureAlgorithm: 'rsassa-pss', hashAlgorithm: hash, saltLength };
}
