import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { verifyPkcs1Prehashed, verifyPssPrehashed } from '../../lib/validation';
import { HASH_ALGORITHMS, digestLength, nodeHashName, type HashAlgorithm } from '../../lib/hash-algorithm';

// Our EMSA-PSS-VERIFY / PKCS#1 v1.5 check on a precomputed digest must agree with OpenSSL's signer for every
// hash, including moduli whose bit length is not a multiple of 8 (2049: EM one byte shorter than the modulus).

const keys: Record<number, { privateKey: KeyObject; publicKey: KeyObject }> = {};
function keyOf(bits: number) {
	keys[bits] ??= generateKeyPairSync('rsa', { modulusLength: bits });
	return keys[bits];
}

function pss(bits: number, hash: HashAlgorithm, data: Buffer, saltLength = digestLength(hash)): Buffer {
	return sign(nodeHashName(hash), data, { key: keyOf(bits).privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
}

const digest = (hash: HashAlgorithm, data: Buffer): Buffer => createHash(nodeHashName(hash)).update(data).digest();

describe.each([2048, 2049])('RSA-%i', (bits) => {
	it.each([...HASH_ALGORITHMS])('PSS %s: node signature verifies prehashed; any change fails', (hash) => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.nat(), (bytes, flip) => {
				const data = Buffer.from(bytes);
				const sig = pss(bits, hash, data);
				const pub = keyOf(bits).publicKey;
				expect(verifyPssPrehashed(pub, hash, digest(hash, data), sig)).toBe(true);
				const bad = Buffer.from(sig);
				bad[flip % bad.length] ^= 1 << flip % 8;
				expect(verifyPssPrehashed(pub, hash, digest(hash, data), bad)).toBe(false);
				// double hashing is wrong (spec §10.1)
				expect(verifyPssPrehashed(pub, hash, digest(hash, digest(hash, data)), sig)).toBe(false);
			}),
			{ numRuns: 8 },
		);
	});

	it('PSS: salt length is enforced, and wrong-size or oversized signatures are refused', () => {
		const pub = keyOf(bits).publicKey;
		const data = Buffer.from('salt');
		const sig32 = pss(bits, 'SHA-512', data, 32);
		expect(verifyPssPrehashed(pub, 'SHA-512', digest('SHA-512', data), sig32)).toBe(false);
		expect(verifyPssPrehashed(pub, 'SHA-512', digest('SHA-512', data), sig32, 32)).toBe(true);
		const sig = pss(bits, 'SHA-256', data);
		expect(verifyPssPrehashed(pub, 'SHA-256', digest('SHA-256', data), sig.subarray(1))).toBe(false);
		expect(verifyPssPrehashed(pub, 'SHA-256', digest('SHA-256', data), Buffer.alloc(sig.length, 0xff))).toBe(false);
		expect(verifyPssPrehashed(pub, 'SHA-256', digest('SHA-256', data).subarray(1), sig)).toBe(false);
	});

	it.each(['SHA-256', 'SHA-384', 'SHA-512'] as const)('PKCS#1 v1.5 %s: DigestInfo over the digest', (hash) => {
		const pub = keyOf(bits).publicKey;
		const data = Buffer.from(`pkcs1 ${hash}`);
		const sig = sign(nodeHashName(hash), data, keyOf(bits).privateKey);
		expect(verifyPkcs1Prehashed(pub, hash, digest(hash, data), sig)).toBe(true);
		expect(verifyPkcs1Prehashed(pub, hash, digest(hash, Buffer.from('other')), sig)).toBe(false);
		// a PSS signature is not a PKCS#1 v1.5 one and vice versa
		expect(verifyPkcs1Prehashed(pub, hash, digest(hash, data), pss(bits, hash, data))).toBe(false);
		expect(verifyPssPrehashed(pub, hash, digest(hash, data), sig)).toBe(false);
	});
});

it('refuses non-RSA keys', () => {
	const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	expect(verifyPssPrehashed(publicKey, 'SHA-256', Buffer.alloc(32), Buffer.alloc(64))).toBe(false);
	expect(verifyPkcs1Prehashed(publicKey, 'SHA-256', Buffer.alloc(32), Buffer.alloc(64))).toBe(false);
});
