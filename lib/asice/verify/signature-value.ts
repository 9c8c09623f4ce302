import { constants, createHash, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { childElements, textOf, NS } from '../xml';
import { digestAlgorithm, hashLength, RSA_PSS_PARAMETERISED, signatureAlgorithm, type SignatureAlgorithm } from './algorithms';

const MORE_2007 = 'http://www.w3.org/2007/05/xmldsig-more#';

/** Outcome of checking a SignatureValue. */
export type SignatureCheck = { ok: true } | { ok: false; unsupported?: boolean; reason: string };

const CURVE_BYTES: Record<string, number> = { prime256v1: 32, 'P-256': 32, secp384r1: 48, 'P-384': 48, secp521r1: 66, 'P-521': 66 };

/**
 * XML-DSig ECDSA values are raw r‖s. Be tolerant like DigiDoc4j: split in halves, strip leading zeros and
 * re-pad each half to the curve size (some producers emit 33-byte or short halves).
 */
function normaliseEcdsa(sig: Buffer, size: number): Buffer | null {
	if (sig.length === 0 || sig.length % 2 !== 0) return null;
	const half = sig.length / 2;
	const parts = [sig.subarray(0, half), sig.subarray(half)].map((p) => {
		let i = 0;
		while (i < p.length - 1 && p[i] === 0) i++;
		return p.subarray(i);
	});
	if (parts.some((p) => p.length > size)) return null;
	return Buffer.concat(parts.map((p) => Buffer.concat([Buffer.alloc(size - p.length), p])));
}

/** Resolve the parameterised RFC 6931 rsa-pss form: digest from pss:RSAPSSParams/ds:DigestMethod (default SHA-256). */
function pssParams(method: Element | null): { hash: string; salt?: number } | null {
	const params = method ? childElements(method, MORE_2007, 'RSAPSSParams')[0] : undefined;
	if (!params) return { hash: 'sha256' };
	const dm = childElements(params, NS.ds, 'DigestMethod')[0];
	const hash = dm ? digestAlgorithm(dm.getAttribute('Algorithm') ?? '') : 'sha256';
	if (!hash) return null;
	const saltEl = childElements(params, MORE_2007, 'SaltLength')[0];
	const salt = saltEl ? Number(textOf(saltEl).trim()) : undefined;
	if (salt !== undefined && !Number.isInteger(salt)) return null;
	return salt === undefined ? { hash } : { hash, salt };
}

/**
 * Verify `signature` over `data` (canonical SignedInfo) with the certificate's key per the SignatureMethod URI:
 * RSA PKCS#1 v1.5, RSASSA-PSS (`<h>-rsa-MGF1`, salt = hash length, or the parameterised `rsa-pss` form) and ECDSA
 * (raw r‖s). The hash comes from the URI, never from the key size.
 */
export function verifySignatureValue(
	method: string,
	methodElement: Element | null,
	data: Buffer,
	signature: Buffer,
	cert: X509Certificate,
): SignatureCheck {
	let alg: SignatureAlgorithm | null = signatureAlgorithm(method);
	let salt: number | undefined;
	if (!alg && method === RSA_PSS_PARAMETERISED) {
		const p = pssParams(methodElement);
		if (!p) return { ok: false, unsupported: true, reason: 'The rsa-pss SignatureMethod parameters are not supported.' };
		alg = { key: 'rsa-pss', hash: p.hash };
		salt = p.salt;
	}
	if (!alg) return { ok: false, unsupported: true, reason: `SignatureMethod "${method}" is not supported.` };
	const key = cert.publicKey;
	const keyType = key.asymmetricKeyType;
	try {
		if (alg.key === 'ec') {
			if (keyType !== 'ec') return { ok: false, reason: `SignatureMethod ${method} needs an EC key, the signer certificate has ${keyType}.` };
			const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
			const size = CURVE_BYTES[curve];
			if (!size) return { ok: false, unsupported: true, reason: `EC curve ${curve} is not supported.` };
			const raw = normaliseEcdsa(signature, size);
			if (!raw) return { ok: false, reason: 'The ECDSA SignatureValue has an impossible length.' };
			const ok = cryptoVerify(alg.hash, data, { key, dsaEncoding: 'ieee-p1363' }, raw);
			return ok ? { ok } : { ok, reason: 'The ECDSA signature does not verify with the signing certificate key.' };
		}
		if (keyType !== 'rsa' && keyType !== 'rsa-pss') {
			return { ok: false, reason: `SignatureMethod ${method} needs an RSA key, the signer certificate has ${keyType}.` };
		}
		if (alg.key === 'rsa-pss') {
			const ok = cryptoVerify(
				alg.hash,
				data,
				{ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt ?? hashLength(alg.hash) },
				signature,
			);
			return ok ? { ok } : { ok, reason: 'The RSASSA-PSS signature does not verify with the signing certificate key.' };
		}
		const ok = cryptoVerify(alg.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
		return ok ? { ok } : { ok, reason: 'The RSA signature does not verify with the signing certificate key.' };
	} catch (e) {
		return { ok: false, reason: `The signature could not be checked: ${(e as Error).message}` };
	}
}

/** Digest with a node hash name. */
export function hash(name: string, data: Uint8Array): Buffer {
	return createHash(name).update(data).digest();
}
