/**
 * Signing without copying the input (`updateOnly` + `finalizePdfUpdate`, what Sign PDF uses for n8n binaries on
 * disk): prepare writes no partial file and returns the update and the input's SHA-256; the signed PDF is the
 * untouched input followed by the signed update (pdfsig, qpdf), the byte-range check over file + appended update
 * equals the check of the joined file, and a changed update or a level that needs the whole file is refused.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { checkByteRanges, finalizePdfUpdate, preparePdfSignature, type PreparedPdfSignature } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from './helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from './helpers/signers';

jest.setTimeout(120_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

const input = fixturePath('pdf', 'minimal-two-pages.pdf');

async function prepared(level: 'B-T' | 'B-LT' = 'B-T'): Promise<{ p: PreparedPdfSignature; value: string }> {
	const [a] = env.signers;
	const partialFile = path.join(env.dir, `never-${level}.partial`);
	const p = await preparePdfSignature(input, a.certificate, { certificates: a.chain, level, visible: { mode: 'page' }, partialFile, updateOnly: true });
	expect(fs.existsSync(partialFile)).toBe(false);
	const value = await a.sign({ digest: p.digestToSign, hashAlgorithm: p.hashAlgorithm, signatureScheme: p.signatureScheme, signerCertificate: p.pending.signerCertificate });
	return { p, value };
}

test('input + signed update is a valid PDF; the input is untouched; byte ranges over file + update equal those of the joined file', async () => {
	const before = fs.readFileSync(input);
	const { p, value } = await prepared();
	expect(p.inputSha256).toBe(createHash('sha256').update(before).digest('base64'));
	expect(p.update!.length).toBe(p.pending.partialSize - before.length);
	const done = await finalizePdfUpdate(p.pending, p.update!, value, { tsaUrl: env.sim.tsaUrl, trust: env.trust });
	expect(fs.readFileSync(input).equals(before)).toBe(true);
	const joined = path.join(env.dir, 'update-only.pdf');
	fs.writeFileSync(joined, Buffer.concat([before, done.update]));
	expect(done.size).toBe(fs.statSync(joined).size);
	const sigs = pdfsig(joined).signatures;
	expect(sigs.map((s) => [s.valid, s.total])).toEqual([[true, true]]);
	expect(qpdfCheck(joined).status).toBe(0);
	expect(await checkByteRanges(input, done.update)).toEqual(await checkByteRanges(joined));
});

test('a changed update (one placeholder byte, or another size) and a B-LT state are refused with PDF_PENDING_INVALID', async () => {
	const { p, value } = await prepared();
	const hole = Buffer.from(p.update!);
	hole[p.pending.byteRange[1] - p.pending.inputSize + 10] = 0x41;
	const options = { tsaUrl: env.sim.tsaUrl, trust: env.trust };
	await expect(finalizePdfUpdate(p.pending, hole, value, options)).rejects.toMatchObject({ code: 'PDF_PENDING_INVALID' });
	await expect(finalizePdfUpdate(p.pending, p.update!.subarray(1), value, options)).rejects.toMatchObject({ code: 'PDF_PENDING_INVALID' });
	const lt = await prepared('B-LT');
	await expect(finalizePdfUpdate(lt.p.pending, lt.p.update!, lt.value, options)).rejects.toMatchObject({ code: 'PDF_PENDING_INVALID', message: expect.stringContaining('B-T signatures only') });
});
