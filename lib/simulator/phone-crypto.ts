import { constants, createHash, KeyObject, privateEncrypt, randomBytes, sign } from 'node:crypto';
import { digestLength, nodeHashName, type HashAlgorithm } from '../hash-algorithm';
import type { SignatureAlgorithmParameters } from '../rp-api/types';

/** `signatureAlgorithmParameters` exactly as SK returns them for RSASSA-PSS (spec §3). */
export function pssParameters(hash: HashAlgorithm): SignatureAlgorithmParameters {
	return {
		hashAlgorithm: hash,
		maskGenAlgorithm: { algorithm: 'id-mgf1', parameters: { hashAlgorithm: hash } },
		saltLength: digestLength(hash),
		trailerField: '0xbc',
	};
}

/** Name SK uses for a legacy PKCS#1 v1.5 answer (spec §6.3, e.g. `sha256WithRSAEncryption`). */
export function legacyAlgorithmName(hash: HashAlgorithm): string {
	return hash.startsWith('SHA3-')
		? `id-rsassa-pkcs1-v1_5-with-sha3-${hash.slice(5)}`
		: `sha${hash.slice(4)}WithRSAEncryption`;
}

/** ACSP_V2: RSASSA-PSS over the payload bytes, MGF1 with the same hash, salt = hash length (spec §5.3). */
export function signMessagePss(key: KeyObject, message: Buffer, hash: HashAlgorithm): Buffer {
	return sign(nodeHashName(hash), message, {
		key,
		padding: constants.RSA_PKCS1_PSS_PADDING,
		saltLength: digestLength(hash),
	});
}

/** Legacy ACSP_V2 answer: RSA PKCS#1 v1.5 over the payload bytes. */
export function signMessagePkcs1(key: KeyObject, message: Buffer, hash: HashAlgorithm): Buffer {
	return sign(nodeHashName(hash), message, { key, padding: constants.RSA_PKCS1_PADDING });
}

function modulusBits(key: KeyObject): number {
	const bits = key.asymmetricKeyDetails?.modulusLength;
	if (key.asymmetricKeyType !== 'rsa' || !bits) throw new TypeError('The phone key must be an RSA private key');
	return bits;
}

function mgf1(seed: Buffer, length: number, hashName: string): Buffer {
	const blocks: Buffer[] = [];
	let produced = 0;
	for (let counter = 0; produced < length; counter++) {
		const c = Buffer.alloc(4);
		c.writeUInt32BE(counter);
		const block = createHash(hashName).update(seed).update(c).digest();
		blocks.push(block);
		produced += block.length;
	}
	return Buffer.concat(blocks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of an already computed message hash. */
export function emsaPssEncode(mHash: Buffer, emBits: number, hash: HashAlgorithm, salt = randomBytes(digestLength(hash))): Buffer {
	const hashName = nodeHashName(hash);
	const hLen = digestLength(hash);
	const emLen = Math.ceil(emBits / 8);
	if (mHash.length !== hLen) throw new RangeError(`mHash must be ${hLen} bytes for ${hash}`);
	if (emLen < hLen + salt.length + 2) throw new RangeError('RSA key too small for this hash');
	const h = createHash(hashName).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
	const db = Buffer.concat([Buffer.alloc(emLen - salt.length - hLen - 2), Buffer.from([0x01]), salt]);
	const mask = mgf1(h, emLen - hLen - 1, hashName);
	for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
	db[0] &= 0xff >> (8 * emLen - emBits);
	return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/**
 * RAW_DIGEST_SIGNATURE: RSASSA-PSS where mHash is the digest the RP sent (prehashed, spec §6.2). Node has no
 * prehashed PSS sign, so the encoding is done here and the raw RSA operation by OpenSSL (no padding).
 */
export function signDigestPss(key: KeyObject, digest: Buffer, hash: HashAlgorithm): Buffer {
	const bits = modulusBits(key);
	const em = emsaPssEncode(digest, bits - 1, hash);
	const k = Math.ceil(bits / 8);
	const block = em.length === k ? em : Buffer.concat([Buffer.alloc(k - em.length), em]);
	return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}

const DIGEST_INFO_PREFIX: Record<HashAlgorithm, string> = {
	'SHA-256': '3031300d060960864801650304020105000420',
	'SHA-384': '3041300d060960864801650304020205000430',
	'SHA-512': '3051300d060960864801650304020305000440',
	'SHA3-256': '3031300d060960864801650304020805000420',
	'SHA3-384': '3041300d060960864801650304020905000430',
	'SHA3-512': '3051300d060960864801650304020a05000440',
};

/** Legacy RAW_DIGEST answer: RSA PKCS#1 v1.5 of DigestInfo(hash, digest) (spec §6.3). */
export function signDigestPkcs1(key: KeyObject, digest: Buffer, hash: HashAlgorithm): Buffer {
	if (digest.length !== digestLength(hash)) throw new RangeError(`digest must be ${digestLength(hash)} bytes for ${hash}`);
	const digestInfo = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), digest]);
	return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
}
