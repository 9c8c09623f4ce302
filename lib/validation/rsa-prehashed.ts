import { constants, createHash, publicEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { digestLength, hashOid, nodeHashName, type HashAlgorithm } from '../hash-algorithm';

// RSASSA verification where the caller already holds mHash (RAW_DIGEST_SIGNATURE, spec §6.2). Node's verify
// APIs hash their input, which would hash the digest a second time (pitfall §10.1), so EMSA-PSS-VERIFY and
// the PKCS#1 v1.5 encoding check (RFC 8017 §9.1.2, §9.2) are done here on the raw RSA result.

function modulusBits(key: KeyObject): number | null {
	if (key.asymmetricKeyType !== 'rsa') return null;
	return key.asymmetricKeyDetails?.modulusLength ?? null;
}

/** RSAVP1: s^e mod n as k bytes, or null when the signature is not a valid representative. */
function rsavp1(key: KeyObject, signature: Buffer): Buffer | null {
	const bits = modulusBits(key);
	if (bits === null) return null;
	const k = Math.ceil(bits / 8);
	if (signature.length !== k) return null;
	try {
		return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
	} catch {
		return null;
	}
}

/** MGF1 (RFC 8017 §B.2.1) with a Node hash name; also what a PSS encoder needs (the simulator's phone could use it). */
export function mgf1(hash: string, seed: Buffer, length: number): Buffer {
	const parts: Buffer[] = [];
	let total = 0;
	for (let counter = 0; total < length; counter++) {
		const c = Buffer.alloc(4);
		c.writeUInt32BE(counter);
		const block = createHash(hash).update(seed).update(c).digest();
		parts.push(block);
		total += block.length;
	}
	return Buffer.concat(parts).subarray(0, length);
}

/**
 * RSASSA-PSS verification of a precomputed digest: MGF1 with the same hash, trailer 0xbc,
 * salt length `saltLength` (Smart-ID: the digest length).
 */
export function verifyPssPrehashed(
	key: KeyObject,
	hashAlgorithm: HashAlgorithm,
	mHash: Buffer,
	signature: Buffer,
	saltLength = digestLength(hashAlgorithm),
): boolean {
	const hash = nodeHashName(hashAlgorithm);
	const hLen = digestLength(hashAlgorithm);
	if (mHash.length !== hLen) return false;
	const bits = modulusBits(key);
	const m = rsavp1(key, signature);
	if (bits === null || m === null) return false;
	const emBits = bits - 1;
	const emLen = Math.ceil(emBits / 8);
	let em = m;
	if (m.length > emLen) {
		if (m[0] !== 0) return false;
		em = m.subarray(m.length - emLen);
	}
	if (emLen < hLen + saltLength + 2) return false;
	if (em[emLen - 1] !== 0xbc) return false;
	const maskedDb = em.subarray(0, emLen - hLen - 1);
	const h = em.subarray(emLen - hLen - 1, emLen - 1);
	const unusedBits = 8 * emLen - emBits;
	const topMask = 0xff >> unusedBits;
	if ((maskedDb[0] & ~topMask) !== 0) return false;
	const dbMask = mgf1(hash, h, maskedDb.length);
	const db = Buffer.alloc(maskedDb.length);
	for (let i = 0; i < db.length; i++) db[i] = maskedDb[i] ^ dbMask[i];
	db[0] &= topMask;
	const psLen = emLen - hLen - saltLength - 2;
	for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
	if (db[psLen] !== 0x01) return false;
	const salt = db.subarray(db.length - saltLength);
	const hPrime = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
	return timingSafeEqual(h, hPrime);
}

function digestInfo(hashAlgorithm: HashAlgorithm, digest: Buffer): Buffer {
	const seq = new asn1js.Sequence({
		value: [
			new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: hashOid(hashAlgorithm) }), new asn1js.Null()] }),
			new asn1js.OctetString({ valueHex: digest }),
		],
	});
	return Buffer.from(seq.toBER(false));
}

/** RSASSA-PKCS1-v1_5 verification of a precomputed digest (legacy Smart-ID answers, spec §6.3). */
export function verifyPkcs1Prehashed(key: KeyObject, hashAlgorithm: HashAlgorithm, digest: Buffer, signature: Buffer): boolean {
	if (digest.length !== digestLength(hashAlgorithm)) return false;
	const em = rsavp1(key, signature);
	if (em === null) return false;
	const t = digestInfo(hashAlgorithm, digest);
	if (em.length < t.length + 11) return false;
	const expected = Buffer.concat([
		Buffer.from([0x00, 0x01]),
		Buffer.alloc(em.length - t.length - 3, 0xff),
		Buffer.from([0x00]),
		t,
	]);
	return timingSafeEqual(em, expected);
}
