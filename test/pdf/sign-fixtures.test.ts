/**
 * Every PDF fixture (except the encrypted one, which must be refused) signed twice by two Smart-ID signers of the
 * simulator (PAdES B-T, RSASSA-PSS), each signature then checked by outside tools: pdfsig (valid, the last covers
 * the whole file), qpdf --check, openssl cms -verify over the ByteRange bytes, openssl ts -verify of the token.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkByteRanges, PdfSignError, signPdf } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { opensslCmsVerify, opensslTsVerifyDigest, pdfsig, qpdfCheck, sha256, signaturesOf, signerInfoParts } from './helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from './helpers/signers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

const FIXTURES = fs.readdirSync(fixturePath('pdf')).filter((f) => f.endsWith('.pdf') && f !== 'minimal-aes256.pdf');

async function signTwice(input: string, name: string): Promise<string> {
	const once = path.join(env.dir, `${name}.1.pdf`);
	const twice = path.join(env.dir, `${name}.2.pdf`);
	const [a, b] = env.signers;
	await signPdf(input, a.certificate, { certificates: a.chain, sign: a.sign, services: undefined, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: once, reason: 'Test A' });
	await signPdf(once, b.certificate, { certificates: b.chain, sign: b.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: twice, location: 'Tallinn, Eesti' });
	return twice;
}

describe.each(FIXTURES)('%s signed twice', (fixture) => {
	let out: string;
	let before: number;
	beforeAll(async () => {
		before = pdfsig(fixturePath('pdf', fixture)).signatures.length;
		out = await signTwice(fixturePath('pdf', fixture), fixture);
	});

	it('keeps the input as prefix', () => {
		const input = fs.readFileSync(fixturePath('pdf', fixture));
		expect(fs.readFileSync(out).subarray(0, input.length).equals(input)).toBe(true);
	});

	it('pdfsig: both new signatures valid, the last covers the whole document', () => {
		const result = pdfsig(out);
		const ours = result.signatures.slice(before);
		expect(ours).toHaveLength(2);
		for (const s of ours) expect({ fixture, valid: s.valid, subFilter: s.subFilter }).toEqual({ fixture, valid: true, subFilter: 'ETSI.CAdES.detached' });
		expect(ours[1].total).toBe(true);
	});

	it('our ByteRange checker finds the two new signatures normal, the last covering the whole file', async () => {
		const reports = (await checkByteRanges(out)).filter((r) => r.subFilter === 'ETSI.CAdES.detached' && r.fieldName.startsWith('Signature'));
		const ours = reports.slice(-2);
		expect(ours.map((r) => r.anomalies)).toEqual([[], []]);
		expect(ours.map((r) => r.coversWholeFile)).toEqual([false, true]);
	});

	it('qpdf --check passes (no warning that the input did not already have)', () => {
		const r = qpdfCheck(out);
		const inputCheck = qpdfCheck(fixturePath('pdf', fixture));
		const warnings = (text: string, file: string): string[] => text.split('\n').filter((l) => /WARNING|ERROR/.test(l)).map((l) => l.replace(file, 'FILE'));
		const known = new Set(warnings(inputCheck.output, fixturePath('pdf', fixture)));
		const added = warnings(r.output, out).filter((w) => !known.has(w));
		expect({ status: r.status === 3 && added.length === 0 ? 0 : r.status, added }).toEqual({ status: 0, added: [] });
	});

	it('openssl verifies each new CMS over its ByteRange bytes and its signature timestamp', () => {
		const sigs = signaturesOf(out).slice(-2);
		expect(sigs).toHaveLength(2);
		for (const s of sigs) {
			expect(opensslCmsVerify(s.cms, s.covered).output).toMatch(/Verification successful/);
			const parts = signerInfoParts(s.cms);
			expect(parts.timestampToken).toBeDefined();
			expect(opensslTsVerifyDigest(parts.timestampToken!, sha256(parts.signature), env.caPem).output).toMatch(/Verification: OK/);
		}
	});
});

it('refuses the encrypted fixture with PDF_ENCRYPTED and writes nothing', async () => {
	const [a] = env.signers;
	const before = fs.readdirSync(env.dir).length;
	await expect(signPdf(fixturePath('pdf', 'minimal-aes256.pdf'), a.certificate, { sign: a.sign, tsaUrl: env.sim.tsaUrl, out: path.join(env.dir, 'enc.pdf') })).rejects.toMatchObject({ code: 'PDF_ENCRYPTED' });
	expect(fs.readdirSync(env.dir).length).toBe(before);
	expect(PdfSignError).toBeDefined();
});
