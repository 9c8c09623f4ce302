/**
 * `smart-id sign IN.pdf --out OUT.pdf`: the format is chosen by the input (%PDF- header), with the PAdES level and
 * visible-signature options; a second run signs the output again. Checked with pdfsig, qpdf and pdftotext.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../lib/cli/sign';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from './helpers/oracles';

jest.setTimeout(120_000);

let dir: string;
let stdout: string[];
let stderr: string[];
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sign-pdf-'));
	stdout = [];
	stderr = [];
	jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
		stdout.push(String(chunk));
		return true;
	});
	jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
		stderr.push(String(chunk));
		return true;
	});
});
afterEach(() => {
	jest.restoreAllMocks();
	fs.rmSync(dir, { recursive: true, force: true });
});

it('signs a PDF (signature page), then signs the output again at B-LT with a box; the name alone does not decide', async () => {
	// A PDF under a name that does not say so: the header decides.
	const input = path.join(dir, 'contract.bin');
	fs.copyFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'), input);
	const one = path.join(dir, 'one.pdf');
	expect(await run([input, '--out', one, '--visible', 'page', '--reason', 'Agreed'])).toBe(0);
	expect(stderr.join('')).toMatch(/Verification code: \d{4}/);
	const result = JSON.parse(stdout.join('').trim()) as Record<string, unknown>;
	expect(result).toMatchObject({ out: one, format: 'PAdES', level: 'B-T', fieldName: 'Signature1', hashAlgorithm: 'SHA-256' });
	stdout.length = 0;
	const two = path.join(dir, 'two.pdf');
	expect(await run([one, '--out', two, '--level', 'B-LT', '--visible', 'box', '--page', '1', '--position', 'topLeft', '--show-personal-code'])).toBe(0);
	expect(JSON.parse(stdout.join('').trim())).toMatchObject({ level: 'B-LT', fieldName: 'Signature2', ocspProducedAt: expect.any(String) });
	const sigs = pdfsig(two).signatures;
	expect(sigs.map((s) => s.valid)).toEqual([true, true]);
	expect(qpdfCheck(two).status).toBe(0);
	expect(spawnSync('pdfinfo', [two], { encoding: 'utf8' }).stdout).toMatch(/Pages:\s+3/);
	expect(spawnSync('pdftotext', ['-f', '1', '-l', '1', two, '-'], { encoding: 'utf8' }).stdout).toMatch(/PNOEE-\d+/);
});

it('refuses PDF options for other inputs, and bad PDF options, with exit code 2', async () => {
	const text = path.join(dir, 'a.txt');
	fs.writeFileSync(text, 'not a pdf');
	const pdf = fixturePath('pdf', 'minimal.pdf');
	expect(await run([text, '--out', path.join(dir, 'x.asice'), '--visible', 'page'])).toBe(2);
	expect(await run([pdf, '--out', path.join(dir, 'x.pdf'), '--level', 'B-B'])).toBe(2);
	expect(await run([pdf, '--out', path.join(dir, 'x.pdf'), '--visible', 'box', '--position', 'middle'])).toBe(2);
	expect(await run([pdf, '--out', path.join(dir, 'x.pdf'), '--page', '2'])).toBe(2);
	expect(await run([pdf, '--out', path.join(dir, 'x.pdf'), '--hash', 'SHA3-256'])).toBe(2);
	expect(stderr.join('')).toContain('smart-id sign IN.pdf --out OUT.pdf');
	expect(fs.readdirSync(dir)).toEqual(['a.txt']);
});
