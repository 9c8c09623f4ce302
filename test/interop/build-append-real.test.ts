/**
 * Add our signature to real DigiDoc4j containers (test/fixtures/containers): the existing entries and signature stay byte
 * for byte (checked with Python's zipfile), our verifier still passes the original signature, and passes ours.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAsice } from '../../lib/asice/sign';
import { verifyContainer } from '../../lib/asice/verify';
import { nodeHashName } from '../../lib/hash-algorithm';
import { TrustStore } from '../../lib/pki/trust-store';
import { fixturePath } from '../helpers/fixtures';
import { pythonZipEntries } from '../asice/sign/helpers/independent';
import { opensslLtServices, signDigest, testPki } from '../asice/sign/helpers/test-pki';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'append-real-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it.each(['valid-asice-esteid2018.asice', 'PSS-signature.asice'])('adds a second signature to %s', async (fixture) => {
	const pki = testPki();
	const source = fixturePath('containers', fixture);
	const out = path.join(dir, `appended-${fixture}`);
	const result = await buildAsice({
		container: source,
		signerCertificate: pki.signerPem,
		hashAlgorithm: 'SHA-256',
		out,
		services: opensslLtServices(pki),
		trust: TrustStore.fromPem([pki.rootPem]),
		issuer: pki.caPem,
		sign: async (r) => signDigest(pki.signerKeyPem, Buffer.from(r.digest, 'base64'), nodeHashName(r.hashAlgorithm)).toString('base64'),
	});
	const before = pythonZipEntries(source);
	const after = pythonZipEntries(out);
	expect(after.map((e) => e.name)).toEqual([...before.map((e) => e.name), result.signatureFile]);
	for (const e of before) expect(after.find((a) => a.name === e.name)!.data.equals(e.data)).toBe(true);
	const cdOffset = Number(execFileSync('python3', ['-c', 'import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).start_dir)', source], { encoding: 'utf8' }).trim());
	expect(fs.readFileSync(out).subarray(0, cdOffset).equals(fs.readFileSync(source).subarray(0, cdOffset))).toBe(true);

	// The test root vouches for its signer and its TSA: said explicitly, since a CA added to a bundled store
	// serves signers only (issue 11 item 6).
	const report = await verifyContainer(out, { trust: TrustStore.bundled('demo').withAnchors([pki.rootPem], ['signer', 'tsa']) });
	const c = report.validationConclusion;
	expect(c.signaturesCount).toBe(2);
	expect(c.signatures.map((s) => s.indication)).toEqual(['TOTAL-PASSED', 'TOTAL-PASSED']);
	expect(c.containerErrors).toEqual([]);
});
