/**
 * Extend to LTA, end to end: a container signed today by the simulator (Smart-ID RAW_DIGEST, simulator TSA + OCSP)
 * is extended with an archive timestamp from a different TSA (`openssl ts -reply` on the openssl test PKI). Checked
 * outside our code: xmllint (exclusive c14n of every covered element) + openssl (digest, `openssl ts -verify
 * -digest`), Python's zipfile for the untouched entries. Then the long-term verdict: at a validation time after every
 * simulator certificate has expired, the LT original is INDETERMINATE (TIMESTAMP_POE_EXPIRED) and the extended one
 * TOTAL-PASSED; hostile edits after extension are refused with named codes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAsice } from '../../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../../lib/asice/sign/smart-id-signer';
import { extendContainer, ExtendError, type ArchiveTimestamper } from '../../../lib/asice/extend';
import { verifyContainer } from '../../../lib/asice/verify';
import { readZip } from '../../../lib/asice/zip/reader';
import { TrustSource } from '../../../lib/pki/trust-source';
import { TrustStore } from '../../../lib/pki/trust-store';
import { run as cliExtend } from '../../../lib/cli/extend';
import { fixturePath } from '../../helpers/fixtures';
import { startSigningSimulator, type SigningSimulator } from '../../interop/signing-simulator';
import { extractElement, innerText, pythonZipEntries, xmllintExcC14n } from '../sign/helpers/independent';
import { opensslLtServices, testPki, type TestPki } from '../sign/helpers/test-pki';
import { forgeZip, splitZip } from '../verify/forge';

jest.setTimeout(120_000);

let env: SigningSimulator;
let pki: TestPki;
let lt: Buffer;
let ltPath: string;
let trust: TrustSource;
let archiveTsa: ArchiveTimestamper;
let extended: Buffer;
const DATA = Buffer.from('Leping: arhiveeritav allkiri.\n');

/** After every certificate of the simulator PKI (root: 20 years) and of the openssl test PKI (10 years). */
const FAR_FUTURE = new Date('2060-01-01T00:00:00Z');

beforeAll(async () => {
	env = await startSigningSimulator('extend-');
	pki = testPki();
	const sim = env.sim;
	const simTrust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const chosen = await smartIdSigningCertificate({ ...rp, client: env.client, target: { documentNumber: env.documentNumber }, trust: simTrust });
	ltPath = path.join(env.dir, 'lt.asice');
	await buildAsice({
		files: [{ name: 'leping.txt', data: DATA }],
		signerCertificate: chosen.certificateBase64,
		out: ltPath,
		tsaUrl: sim.tsaUrl,
		ocspUrl: sim.ocspUrl,
		trust: simTrust,
		sign: smartIdDigestSigner({ ...rp, client: env.client, target: { documentNumber: env.documentNumber }, documentNumber: env.documentNumber, trust: simTrust }),
	});
	lt = fs.readFileSync(ltPath);
	// The archive TSA is listed by itself (like a TSA/QTST service of a trusted list); the simulator's TSA is trusted
	// only through the simulator root, so its certificate's expiry ends what the signature timestamp can prove.
	const archiveTsaCert = new X509Certificate(fs.readFileSync(path.join(pki.dir, 'tsa.crt')));
	trust = TrustSource.fromStore(simTrust.withAnchors([archiveTsaCert], ['tsa']));
	archiveTsa = (data) => opensslLtServices(pki).timestamp(data) as Promise<Buffer>;
	extended = (await extendContainer(lt, { trust, timestamper: archiveTsa })).container;
});

afterAll(async () => {
	await env?.stop();
});

function signatureXml(container: Buffer): string {
	const zip = readZip(container);
	return zip.read(zip.get('META-INF/signatures0.xml')!).toString('utf8');
}

describe('extend an LT container signed with the simulator', () => {
	it('adds one xades141:ArchiveTimeStamp at the end and keeps every existing byte', () => {
		const before = signatureXml(lt);
		const after = signatureXml(extended);
		const start = after.indexOf('<xades141:ArchiveTimeStamp');
		expect(start).toBeGreaterThan(0);
		const end = after.indexOf('</xades141:ArchiveTimeStamp>') + '</xades141:ArchiveTimeStamp>'.length;
		// Removing the inserted element gives the original XML byte for byte.
		expect(after.slice(0, start) + after.slice(end)).toBe(before);
		expect(after.slice(end)).toMatch(/^<\/xades:UnsignedSignatureProperties>/);
		// Other entries: same bytes, same compression, same order (Python's zipfile).
		const a = pythonZipEntries(ltPath);
		const outPath = path.join(env.dir, 'extended.asice');
		fs.writeFileSync(outPath, extended);
		const b = pythonZipEntries(outPath);
		expect(b.map((e) => e.name)).toEqual(a.map((e) => e.name));
		for (const [i, e] of a.entries()) {
			if (e.name.startsWith('META-INF/signatures')) continue;
			expect(b[i].data.equals(e.data)).toBe(true);
			expect(b[i].compress).toBe(e.compress);
		}
		// ... and the raw local records (header + compressed data) of those entries are copied verbatim.
		const za = readZip(lt);
		const zb = readZip(extended);
		for (const e of za.entries.filter((x) => !x.name.startsWith('META-INF/signatures'))) {
			const f = zb.get(e.name)!;
			expect(extended.subarray(f.offset, f.end).equals(lt.subarray(e.offset, e.end))).toBe(true);
		}
	});

	it('the archive timestamp imprint checks out with xmllint + openssl ts -verify -digest', () => {
		const xml = signatureXml(extended);
		const ats = extractElement(xml, 'xades141:ArchiveTimeStamp');
		expect(ats).toContain('Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"');
		const token = Buffer.from(innerText(extractElement(ats, 'xades:EncapsulatedTimeStamp')), 'base64');
		// EN 319 132-1 order: reference inputs (the data file, then canonical SignedProperties), SignedInfo,
		// SignatureValue, KeyInfo, then every unsigned signature property before the archive timestamp.
		const usp = extractElement(xml, 'xades:UnsignedSignatureProperties');
		const props = ['xades:SignatureTimeStamp', 'xades:CertificateValues', 'xades:RevocationValues'].filter((q) => usp.includes(`<${q}`));
		const parts = [
			DATA,
			xmllintExcC14n(extractElement(xml, 'xades:SignedProperties')),
			xmllintExcC14n(extractElement(xml, 'ds:SignedInfo')),
			xmllintExcC14n(extractElement(xml, 'ds:SignatureValue')),
			xmllintExcC14n(extractElement(xml, 'ds:KeyInfo')),
			...props.map((q) => xmllintExcC14n(extractElement(usp, q))),
		];
		const digest = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: Buffer.concat(parts) }).toString().trim().split(/\s+/).pop()!;
		const dir = fs.mkdtempSync(path.join(env.dir, 'ts-'));
		fs.writeFileSync(path.join(dir, 'token.der'), token);
		fs.writeFileSync(path.join(dir, 'ca.pem'), fs.readFileSync(path.join(pki.dir, 'root.crt')));
		fs.writeFileSync(path.join(dir, 'untrusted.pem'), fs.readFileSync(path.join(pki.dir, 'ca.crt')));
		const r = spawnSync('openssl', ['ts', '-verify', '-in', 'token.der', '-token_in', '-digest', digest, '-CAfile', 'ca.pem', '-untrusted', 'untrusted.pem'], { cwd: dir, encoding: 'utf8' });
		expect(r.stdout + r.stderr).toContain('Verification: OK');
		// A digest over anything else fails the same check (the oracle can say no).
		const wrong = spawnSync('openssl', ['ts', '-verify', '-in', 'token.der', '-token_in', '-digest', '00'.repeat(32), '-CAfile', 'ca.pem', '-untrusted', 'untrusted.pem'], { cwd: dir, encoding: 'utf8' });
		expect(wrong.stdout).not.toContain('Verification: OK');
	});

	it('verifies as LTA now, and survives a validation time after every certificate expired (LT alone does not)', async () => {
		const now = await verifyContainer(extended, { trust });
		const s = now.validationConclusion.signatures[0];
		expect([now.validationConclusion.indication, s.signatureFormat, s.errors]).toEqual(['TOTAL-PASSED', 'XAdES_BASELINE_LTA', []]);
		expect(s.archiveTimestamps).toHaveLength(1);
		expect(s.archiveTimestamps[0].tsaValidUntil).toBeNull();

		const ltLater = await verifyContainer(lt, { trust, at: FAR_FUTURE });
		expect(ltLater.validationConclusion.indication).toBe('INDETERMINATE');
		expect(ltLater.validationConclusion.signatures[0].subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
		expect(ltLater.validationConclusion.signatures[0].errors.map((e) => e.code)).toEqual(['TIMESTAMP_POE_EXPIRED']);

		const ltaLater = await verifyContainer(extended, { trust, at: FAR_FUTURE });
		expect(ltaLater.validationConclusion.signatures[0].errors).toEqual([]);
		expect(ltaLater.validationConclusion.indication).toBe('TOTAL-PASSED');
	});

	it('re-extends an LTA container (a second archive timestamp covering the first)', async () => {
		const twice = await extendContainer(extended, { trust, timestamper: archiveTsa });
		const s = twice.report.validationConclusion.signatures[0];
		expect(s.archiveTimestamps).toHaveLength(2);
		expect(twice.report.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(signatureXml(twice.container).startsWith(signatureXml(extended).slice(0, signatureXml(extended).lastIndexOf('</xades:UnsignedSignatureProperties>')))).toBe(true);
	});
});

describe('refusals', () => {
	it('a TSA answering over other bytes: EXTEND_TIMESTAMP_FAILED, nothing returned', async () => {
		const liar: ArchiveTimestamper = (data) => archiveTsa(Buffer.concat([data, Buffer.from('x')]));
		await expect(extendContainer(lt, { trust, timestamper: liar })).rejects.toMatchObject({ code: 'EXTEND_TIMESTAMP_FAILED' });
	});

	it('an archive timestamp over different bytes, swapped in after extension: ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH', async () => {
		const xml = signatureXml(extended);
		const other = (await archiveTsa(Buffer.from('some other signature'))).toString('base64');
		const ets = extractElement(extractElement(xml, 'xades141:ArchiveTimeStamp'), 'xades:EncapsulatedTimeStamp');
		const forged = xml.replace(ets, ets.replace(innerText(ets), other));
		const r = await verifyContainer(rezip(extended, forged), { trust });
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
		expect(r.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH');
	});

	it('validation data changed after extension: ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH', async () => {
		const xml = signatureXml(extended);
		const extra = Buffer.from(pki.caPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').toString('base64');
		const forged = xml.replace('</xades:CertificateValues>', `<xades:EncapsulatedX509Certificate>${extra}</xades:EncapsulatedX509Certificate></xades:CertificateValues>`);
		expect(forged).not.toBe(xml);
		const r = await verifyContainer(rezip(extended, forged), { trust });
		expect(r.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH');
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
	});

	it('a failed signature: EXTEND_SIGNATURE_INVALID; a time-mark signature: EXTEND_NOT_LT; junk: EXTEND_CONTAINER_INVALID', async () => {
		const tsa: ArchiveTimestamper = async () => {
			throw new Error('must not be asked');
		};
		await expect(extendContainer(fs.readFileSync(fixturePath('containers', 'forged_lt.asice')), { trust: 'demo', timestamper: tsa })).rejects.toMatchObject({ code: 'EXTEND_SIGNATURE_INVALID' });
		await expect(extendContainer(fs.readFileSync(fixturePath('containers', 'valid-bdoc-tm.bdoc')), { trust: 'demo', timestamper: tsa })).rejects.toMatchObject({ code: 'EXTEND_NOT_LT' });
		const junk = extendContainer(Buffer.from('not a zip'), { trust: 'demo', timestamper: tsa });
		await expect(junk).rejects.toBeInstanceOf(ExtendError);
		await expect(junk).rejects.toMatchObject({ code: 'EXTEND_CONTAINER_INVALID' });
	});

	it('an end tag hidden in a comment (the signature still verifies): EXTEND_XML_UNSUPPORTED, the TSA never asked', async () => {
		const xml = signatureXml(lt).replace('</asic:XAdESSignatures>', '<!-- </xades:UnsignedSignatureProperties> --></asic:XAdESSignatures>');
		const tricky = rezip(lt, xml);
		expect((await verifyContainer(tricky, { trust })).validationConclusion.indication).toBe('TOTAL-PASSED');
		let asked = 0;
		const counting: ArchiveTimestamper = (data) => (asked++, archiveTsa(data));
		await expect(extendContainer(tricky, { trust, timestamper: counting })).rejects.toMatchObject({ code: 'EXTEND_XML_UNSUPPORTED' });
		expect(asked).toBe(0);
	});

	it('the archive TSA not trusted: EXTEND_SELF_CHECK_FAILED (never hands out an LTA that does not verify)', async () => {
		await expect(extendContainer(lt, { trust: TrustSource.fromStore(TrustStore.fromPem(env.sim.caPems)), timestamper: archiveTsa })).rejects.toMatchObject({ code: 'EXTEND_SELF_CHECK_FAILED' });
	});
});

describe('valid-asice-lta.asice (DigiDoc4j-made LTA)', () => {
	it('still verifies as LTA with its archive timestamp listed', async () => {
		const r = await verifyContainer(fs.readFileSync(fixturePath('containers', 'valid-asice-lta.asice')), { trust: 'demo' });
		const s = r.validationConclusion.signatures[0];
		expect([r.validationConclusion.indication, s.signatureFormat]).toEqual(['TOTAL-PASSED', 'XAdES_BASELINE_LTA']);
		expect(s.archiveTimestamps.map((a) => a.genTime)).toEqual(['2024-03-14T11:22:54.000Z']);
	});
});

describe('smart-id extend', () => {
	async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
		let out = '';
		let err = '';
		const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
		const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
		try {
			return { code: await cliExtend(args), out, err };
		} finally {
			o.mockRestore();
			e.mockRestore();
		}
	}

	it('extends with the simulator TSA over HTTP and writes a container that verifies as LTA', async () => {
		const pem = path.join(env.dir, 'sim-ca.pem');
		fs.writeFileSync(pem, env.sim.caPems.join('\n'));
		// Added to the SK bundle, a CA serves signers only; the TSA is trusted by its own certificate.
		const tsaPem = path.join(env.dir, 'sim-tsa.pem');
		fs.writeFileSync(tsaPem, env.sim.tsaCertPem);
		const out = path.join(env.dir, 'cli-out.asice');
		const r = await cli([ltPath, '--out', out, '--tsa', env.sim.tsaUrl, '--trust-pem', pem, '--trust-pem', tsaPem]);
		expect(r.err).toBe('');
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/cli-out\.asice: TOTAL-PASSED \(1\/1 signatures valid, LTA\)/);
		const v = await verifyContainer(out, { trust: TrustSource.fromStore(TrustStore.fromPem(env.sim.caPems)) });
		expect(v.validationConclusion.signatures[0].signatureFormat).toBe('XAdES_BASELINE_LTA');
	});

	it('refuses bad usage (exit 2) and a failed signature (exit 1, code named)', async () => {
		expect((await cli([ltPath, '--out', ltPath, '--tsa', 'http://127.0.0.1:9/'])).code).toBe(2);
		expect((await cli([ltPath, '--out', path.join(env.dir, 'x.asice')])).code).toBe(2);
		const bad = await cli([fixturePath('containers', 'forged_lt.asice'), '--out', path.join(env.dir, 'y.asice'), '--tsa', env.sim.tsaUrl]);
		expect(bad.code).toBe(1);
		expect(bad.err).toMatch(/EXTEND_SIGNATURE_INVALID/);
		expect(fs.existsSync(path.join(env.dir, 'y.asice'))).toBe(false);
	});
});

/** The container with its signature file replaced (other entries as they were). */
function rezip(container: Buffer, xml: string): Buffer {
	const entries = splitZip(container).map((e) => (e.name === 'META-INF/signatures0.xml' ? { ...e, data: Buffer.from(xml, 'utf8') } : e));
	return forgeZip(entries);
}
