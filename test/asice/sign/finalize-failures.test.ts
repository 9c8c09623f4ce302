import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finalizeSignature, prepareSignature, type LtServices, type PreparedXadesSignature } from '../../../lib/asice/sign';
import { TrustStore } from '../../../lib/pki/trust-store';
import { opensslLtServices, signDigest, testPki, type TestPki } from './helpers/test-pki';

jest.setTimeout(60_000);

let pki: TestPki;
let dir: string;
let trust: TrustStore;

beforeAll(() => {
	pki = testPki();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finalize-fail-'));
	trust = TrustStore.fromPem([pki.rootPem], 'build-test');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function prepared(): Promise<{ p: PreparedXadesSignature; value: string }> {
	const p = await prepareSignature({ files: [{ name: 'a.txt', data: 'a' }], signerCertificate: pki.signerPem, workFile: path.join(dir, `${Math.random()}.partial`) });
	return { p, value: signDigest(pki.signerKeyPem, Buffer.from(p.digestToSign, 'base64'), 'sha256').toString('base64') };
}

it('a token over other data is refused (ASICE_BUILD_TIMESTAMP_FAILED) and nothing is written', async () => {
	const { p, value } = await prepared();
	const real = opensslLtServices(pki);
	const services: LtServices = { ...real, timestamp: () => real.timestamp(Buffer.from('something else')) };
	const out = path.join(dir, 'ts.asice');
	await expect(finalizeSignature(p.pending, value, { out, services, trust, issuer: pki.caPem })).rejects.toMatchObject({ code: 'ASICE_BUILD_TIMESTAMP_FAILED' });
	expect(fs.existsSync(out)).toBe(false);
});

it('a TSA outside the trust store is refused', async () => {
	const { p, value } = await prepared();
	// The only anchor is an unrelated end-entity certificate: the TSA certificate cannot chain to it.
	const selfSigned = fs.readFileSync(path.join(pki.dir, 'signer2.crt'), 'utf8');
	const wrongTrust = TrustStore.fromPem([selfSigned], 'wrong');
	await expect(finalizeSignature(p.pending, value, { out: path.join(dir, 'tsa.asice'), services: opensslLtServices(pki), trust: wrongTrust, issuer: pki.caPem })).rejects.toMatchObject({
		code: 'ASICE_BUILD_TIMESTAMP_FAILED',
	});
});

it('an OCSP response produced before the timestamp is refused after retries (validators reject that order)', async () => {
	const { p, value } = await prepared();
	const real = opensslLtServices(pki);
	const early = await real.ocsp(pki.signer, pki.ca);
	await new Promise((r) => setTimeout(r, 2100));
	let asked = 0;
	const services: LtServices = {
		timestamp: real.timestamp,
		async ocsp() {
			asked++;
			return early;
		},
	};
	await expect(finalizeSignature(p.pending, value, { out: path.join(dir, 'order.asice'), services, trust, issuer: pki.caPem })).rejects.toMatchObject({
		code: 'ASICE_BUILD_OCSP_FAILED',
		message: expect.stringContaining('before the timestamp'),
	});
	expect(asked).toBe(3);
});

it('a revoked signer certificate is refused (ASICE_BUILD_OCSP_FAILED)', async () => {
	const { p, value } = await prepared();
	const revokedIndex = path.join(dir, 'index-revoked.txt');
	const line = fs.readFileSync(path.join(pki.dir, 'index.txt'), 'utf8').split('\n')[0].split('\t');
	fs.writeFileSync(revokedIndex, ['R', line[1], '250101000000Z', line[3], line[4], line[5]].join('\t') + '\n');
	const real = opensslLtServices(pki, undefined, revokedIndex);
	await expect(finalizeSignature(p.pending, value, { out: path.join(dir, 'revoked.asice'), services: real, trust, issuer: pki.caPem })).rejects.toMatchObject({
		code: 'ASICE_BUILD_OCSP_FAILED',
		message: expect.stringContaining('revoked'),
	});
});

it('an unknown issuer is reported before any request', async () => {
	const { p, value } = await prepared();
	const log = { timestamps: 0, ocsp: 0 };
	await expect(finalizeSignature(p.pending, value, { out: path.join(dir, 'noissuer.asice'), services: opensslLtServices(pki, log) })).rejects.toMatchObject({
		code: 'ASICE_BUILD_OCSP_FAILED',
		message: expect.stringContaining('issuing CA'),
	});
	expect(log).toEqual({ timestamps: 0, ocsp: 0 });
});
