/**
 * Signed PDFs of other producers (test/fixtures/pdf-verify: DSS, Belgian eID, Spanish and Bulgarian qualified
 * signatures, a document timestamp) get one more signature: pdfsig must give every earlier signature the same
 * verdict as before, and our new one "Signature is Valid" covering the whole file. A file whose structure is
 * broken is refused with PDF_MALFORMED instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signPdf } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { opensslCmsVerify, pdfsig, qpdfCheck, signaturesOf } from './helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from './helpers/signers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

const verdict = (text: string): string => /Signature Validation: (.*)/.exec(text)?.[1] ?? 'none';

it.each(fs.readdirSync(fixturePath('pdf-verify')).filter((f) => f.endsWith('.pdf') && f !== 'pdf-signed-corrupted.pdf'))('%s: earlier verdicts unchanged, new signature valid', async (fixture) => {
	const input = fixturePath('pdf-verify', fixture);
	const before = pdfsig(input).signatures.map((s) => verdict(s.text));
	const [a] = env.signers;
	const done = await signPdf(input, a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: path.join(env.dir, fixture) });
	const after = pdfsig(done.path).signatures;
	expect(after.slice(0, before.length).map((s) => verdict(s.text))).toEqual(before);
	const ours = after[after.length - 1];
	expect({ valid: ours.valid, total: ours.total }).toEqual({ valid: true, total: true });
	const last = signaturesOf(done.path).pop()!;
	expect(opensslCmsVerify(last.cms, last.covered).ok).toBe(true);
	const inputCheck = qpdfCheck(input);
	// No worse than the input (qpdf may even stop warning: our newest cross-reference section is exact).
	expect([0, inputCheck.status]).toContain(qpdfCheck(done.path).status);
});

it('refuses the corrupted DSS file (its cross-reference points at the wrong bytes) with PDF_MALFORMED', async () => {
	const [a] = env.signers;
	await expect(signPdf(fixturePath('pdf-verify', 'pdf-signed-corrupted.pdf'), a.certificate, { sign: a.sign, tsaUrl: env.sim.tsaUrl, out: path.join(env.dir, 'corrupted.pdf') })).rejects.toMatchObject({ code: 'PDF_MALFORMED' });
	expect(fs.existsSync(path.join(env.dir, 'corrupted.pdf'))).toBe(false);
});
