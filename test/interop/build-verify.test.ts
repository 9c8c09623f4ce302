/**
 * Containers made by the builder, read back by the project's verifier (lib/asice/verify, written separately from
 * the spec): every signature must come out TOTAL-PASSED, including odd names, an empty file, two signatures
 * and the legacy PKCS#1 mode; and a tampered copy must fail.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAsice, type DigestSigner } from '../../lib/asice/sign';
import { verifyContainer } from '../../lib/asice/verify';
import { nodeHashName } from '../../lib/hash-algorithm';
import { TrustStore } from '../../lib/pki/trust-store';
import { opensslLtServices, signDigest, testPki, type TestPki } from '../asice/sign/helpers/test-pki';

jest.setTimeout(60_000);

let pki: TestPki;
let dir: string;
let trust: TrustStore;

beforeAll(() => {
	pki = testPki();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-verify-'));
	trust = TrustStore.fromPem([pki.rootPem], 'build-test');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const signer = (keyPem: string): DigestSigner => async (r) => signDigest(keyPem, Buffer.from(r.digest, 'base64'), nodeHashName(r.hashAlgorithm), r.signatureScheme).toString('base64');

it('our verifier passes every signature we build, and fails a tampered data file', async () => {
	const first = path.join(dir, 'first.asice');
	const files = [
		{ name: 'Faili nimi.txt', data: 'space' },
		{ name: 'plus+hash#percent%.txt', data: 'specials' },
		{ name: 'äöüõ 😀.txt', data: 'unicode' },
		{ name: 'empty.txt', data: '' },
		{ name: 'photo.png', data: Buffer.from('89504e470d0a1a0a', 'hex') },
	];
	await buildAsice({ files, signerCertificate: pki.signerPem, hashAlgorithm: 'SHA-512', out: first, services: opensslLtServices(pki), trust, issuer: pki.caPem, sign: signer(pki.signerKeyPem) });
	const second = path.join(dir, 'second.asice');
	await buildAsice({
		container: first,
		signerCertificate: pki.signer2Pem,
		signatureScheme: 'rsassa-pkcs1-v1_5',
		out: second,
		services: opensslLtServices(pki),
		trust,
		issuer: pki.caPem,
		sign: signer(pki.signer2KeyPem),
	});
	const report = await verifyContainer(second, { trust });
	const c = report.validationConclusion;
	expect(c.signaturesCount).toBe(2);
	expect(c.signatures.map((s) => [s.indication, s.signatureFormat, s.errors])).toEqual([
		['TOTAL-PASSED', 'XAdES_BASELINE_LT', []],
		['TOTAL-PASSED', 'XAdES_BASELINE_LT', []],
	]);
	expect(c.containerErrors).toEqual([]);
	expect(c.indication).toBe('TOTAL-PASSED');
	expect(c.signatures[0].signatureMethod).toContain('sha512-rsa-MGF1');
	expect(c.signatures[1].signatureMethod).toContain('rsa-sha256');

	// Tamper one stored data byte (the PNG is stored, so its bytes sit verbatim in the ZIP); fix nothing else.
	const bytes = fs.readFileSync(second);
	const at = bytes.indexOf(Buffer.from('89504e470d0a1a0a', 'hex'));
	expect(at).toBeGreaterThan(0);
	bytes[at + 7] ^= 0x01;
	const tampered = path.join(dir, 'tampered.asice');
	fs.writeFileSync(tampered, bytes);
	const bad = await verifyContainer(tampered, { trust }).catch((error: Error) => error);
	if (bad instanceof Error) {
		expect(bad.message).toMatch(/CRC|corrupt/i); // the ZIP reader refuses the corrupted entry outright
	} else {
		expect(bad.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	}
});
