import { spawnSync } from 'node:child_process';
import { constants, createHash, generateKeyPairSync, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HASH_ALGORITHMS, digestLength, nodeHashName, type HashAlgorithm } from '../../lib/hash-algorithm';
import { emsaPssEncode, legacyAlgorithmName, pssParameters, signDigestPkcs1, signDigestPss } from '../../lib/simulator/phone-crypto';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-pss-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// 2049 bits: modBits - 1 is a multiple of 8, the EMSA-PSS corner case where EM is one byte shorter than the modulus.
const keys = [2048, 2049].map((bits) => ({ bits, ...generateKeyPairSync('rsa', { modulusLength: bits }) }));

function opensslVerify(publicPem: string, digest: Buffer, signature: Buffer, hash: HashAlgorithm, pss: boolean): boolean {
	const tag = Math.random().toString(16).slice(2);
	const files = { key: path.join(work, `${tag}.pub`), digest: path.join(work, `${tag}.dgst`), sig: path.join(work, `${tag}.sig`) };
	fs.writeFileSync(files.key, publicPem);
	fs.writeFileSync(files.digest, digest);
	fs.writeFileSync(files.sig, signature);
	const md = nodeHashName(hash);
	const args = ['pkeyutl', '-verify', '-pubin', '-inkey', files.key, '-in', files.digest, '-sigfile', files.sig, '-pkeyopt', `digest:${md}`];
	if (pss) args.push('-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', `rsa_pss_saltlen:${digestLength(hash)}`, '-pkeyopt', `rsa_mgf1_md:${md}`);
	const run = spawnSync('openssl', args, { encoding: 'utf8' });
	return run.status === 0 && run.stdout.includes('Signature Verified Successfully');
}

describe('prehashed RSASSA-PSS of the simulated phone (independent check: openssl pkeyutl)', () => {
	for (const { bits, privateKey, publicKey } of keys) {
		it.each([...HASH_ALGORITHMS])(`%s with a ${bits}-bit key`, (hash) => {
			const data = Buffer.from(`data for ${hash}`);
			const digest = createHash(nodeHashName(hash)).update(data).digest();
			const signature = signDigestPss(privateKey, digest, hash);
			const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
			expect(opensslVerify(pem, digest, signature, hash, true)).toBe(true);
			// node over the data: mHash = the digest (no double hashing)
			expect(verify(nodeHashName(hash), data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digestLength(hash) }, signature)).toBe(true);
			const flipped = Buffer.from(digest);
			flipped[0] ^= 1;
			expect(opensslVerify(pem, flipped, signature, hash, true)).toBe(false);
		});
	}

	it('legacy PKCS#1 v1.5 of a digest verifies with openssl and carries SK\'s algorithm names', () => {
		const { privateKey, publicKey } = keys[0];
		const digest = createHash('sha512').update('x').digest();
		const signature = signDigestPkcs1(privateKey, digest, 'SHA-512');
		expect(opensslVerify(publicKey.export({ type: 'spki', format: 'pem' }) as string, digest, signature, 'SHA-512', false)).toBe(true);
		expect(legacyAlgorithmName('SHA-256')).toBe('sha256WithRSAEncryption');
		expect(legacyAlgorithmName('SHA-512')).toBe('sha512WithRSAEncryption');
	});

	it('returns signatureAlgorithmParameters exactly as SK does', () => {
		expect(pssParameters('SHA3-384')).toEqual({
			hashAlgorithm: 'SHA3-384',
			maskGenAlgorithm: { algorithm: 'id-mgf1', parameters: { hashAlgorithm: 'SHA3-384' } },
			saltLength: 48,
			trailerField: '0xbc',
		});
	});

	it('refuses a digest of the wrong length', () => {
		expect(() => emsaPssEncode(Buffer.alloc(31), 2047, 'SHA-256')).toThrow(/32 bytes/);
		expect(() => signDigestPkcs1(keys[0].privateKey, Buffer.alloc(10), 'SHA-256')).toThrow(/32 bytes/);
	});
});
