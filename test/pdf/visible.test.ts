/**
 * Visible signatures: the signature page (appended once, then filled slot by slot with reference letters A, B...)
 * and boxes on a chosen page and corner. Checked from outside: pdfsig (every signature valid, the last one covers
 * the whole file), qpdf --check, pdftotext/pdfinfo (the page count and what the page says) and pdftoppm renders
 * (the box region is not blank where the widget is, blank where it is not).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { preparePdfSignature, referenceLetter, signPdf } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from './helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from './helpers/signers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

const out = (name: string): string => path.join(env.dir, name);
const pages = (file: string): number => Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout)?.[1]);
const text = (file: string, page: number): string => spawnSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', file, '-'], { encoding: 'utf8' }).stdout;

/** Render one page at 60 dpi and return the PNG. */
function render(file: string, page: number): PNG {
	const prefix = out(`render-${path.basename(file)}-${page}`);
	const r = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', String(page), '-l', String(page), '-singlefile', file, prefix], { encoding: 'utf8' });
	expect(r.status).toBe(0);
	return PNG.sync.read(fs.readFileSync(`${prefix}.png`));
}

/** Share of non-white pixels in a rectangle given in PDF points (origin bottom left, 60 dpi render). */
function inked(png: PNG, rect: [number, number, number, number], pageHeight: number): number {
	const k = 60 / 72;
	const [x1, y1, x2, y2] = rect.map((v) => Math.round(v * k));
	const top = Math.round(pageHeight * k) - y2;
	const bottom = Math.round(pageHeight * k) - y1;
	let ink = 0;
	let all = 0;
	for (let y = Math.max(0, top); y < Math.min(png.height, bottom); y++) {
		for (let x = Math.max(0, x1); x < Math.min(png.width, x2); x++) {
			const i = (y * png.width + x) * 4;
			all++;
			if (png.data[i] < 245 || png.data[i + 1] < 245 || png.data[i + 2] < 245) ink++;
		}
	}
	return all ? ink / all : 0;
}

function expectAllValid(file: string, count: number): void {
	const sigs = pdfsig(file).signatures;
	expect(sigs).toHaveLength(count);
	for (const s of sigs) expect({ index: s.index, valid: s.valid }).toEqual({ index: s.index, valid: true });
	expect(sigs[sigs.length - 1].total).toBe(true);
	const check = qpdfCheck(file);
	expect({ status: check.status, output: check.output }).toMatchObject({ status: 0 });
}

describe('signature page', () => {
	it('appends one page for two signers, with letters A and B, names, UTC times, and the personal code only when asked', async () => {
		const [a, b] = env.signers;
		const input = fixturePath('pdf', 'minimal-two-pages.pdf');
		const before = pages(input);
		const one = await signPdf(input, a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('page1.pdf'), visible: { mode: 'page' } });
		expect(pages(one.path)).toBe(before + 1);
		const two = await signPdf(one.path, b.certificate, { certificates: b.chain, sign: b.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('page2.pdf'), visible: { mode: 'page', showPersonalCode: true } });
		// The second signature fills the next slot of the same page: no third page.
		expect(pages(two.path)).toBe(before + 1);
		expectAllValid(two.path, 2);
		const page = text(two.path, before + 1);
		expect(page).toContain('Signatures');
		expect(page).toMatch(/A\s+[\s\S]*Signed with Smart-ID/);
		expect(page).toMatch(/\bB\b/);
		expect(page).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
		expect(page).toContain('PNOLT-40404040009');
		expect(page).not.toContain('PNOEE-40404040009');
		// The input pages are untouched and the signature page is drawn where the two slots are.
		const png = render(two.path, before + 1);
		expect(inked(png, [50, 614, 545, 692], 842)).toBeGreaterThan(0.3);
		expect(inked(png, [50, 524, 545, 602], 842)).toBeGreaterThan(0.3);
		expect(inked(png, [50, 434, 545, 512], 842)).toBe(0);
		fs.mkdirSync('test-artifacts/pdf-visible', { recursive: true });
		fs.copyFileSync(`${out(`render-${path.basename(two.path)}-${before + 1}`)}.png`, 'test-artifacts/pdf-visible/signature-page.png');
	});

	it('keeps the signature page valid through B-LTA (DSS and document timestamp revisions)', async () => {
		const [a] = env.signers;
		const done = await signPdf(fixturePath('pdf', 'minimal-xref.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, ocspUrl: env.sim.ocspUrl, trust: env.trust, out: out('page-lta.pdf'), level: 'B-LTA', visible: { mode: 'page' } });
		const sigs = pdfsig(done.path).signatures;
		// pdfsig checks the signature; the document timestamp it lists but does not validate (checked in levels-fields-phases).
		expect(sigs).toHaveLength(2);
		expect(sigs[0].subFilter).toBe('ETSI.CAdES.detached');
		expect(fs.readFileSync(done.path, 'latin1')).toMatch(/\/SubFilter ?\/ETSI.RFC3161/);
		expect(sigs[0].valid).toBe(true);
		expect(qpdfCheck(done.path).status).toBe(0);
		expect(text(done.path, pages(done.path))).toContain('Signed with Smart-ID');
	});

	it('works on a file with cross-reference streams and object streams (qpdf rewrite)', async () => {
		const [a, b] = env.signers;
		const rewritten = out('objstm.pdf');
		spawnSync('qpdf', ['--object-streams=generate', fixturePath('pdf', 'fontembed.pdf'), rewritten]);
		const one = await signPdf(rewritten, a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('objstm1.pdf'), visible: { mode: 'page' } });
		const two = await signPdf(one.path, b.certificate, { certificates: b.chain, sign: b.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('objstm2.pdf'), visible: { mode: 'box', page: 1, position: 'topLeft' } });
		expectAllValid(two.path, 2);
	});
});

describe('box on a chosen page', () => {
	it('draws boxes at the chosen corner; a second box at the same corner moves inwards', async () => {
		const [a, b] = env.signers;
		const input = fixturePath('pdf', 'uncompressed-objstream-sample.pdf');
		const one = await signPdf(input, a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('box1.pdf'), visible: { mode: 'box', page: 1, position: 'bottomRight' } });
		const two = await signPdf(one.path, b.certificate, { certificates: b.chain, sign: b.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('box2.pdf'), visible: { mode: 'box', page: 1, position: 'bottomRight' } });
		expect(pages(two.path)).toBe(pages(input));
		expectAllValid(two.path, 2);
		const [w, h] = [595.276, 841.89];
		const png = render(two.path, 1);
		expect(inked(png, [w - 36 - 210 + 5, 36 + 5, w - 36 - 5, 36 + 66 - 5], h)).toBeGreaterThan(0.3);
		expect(inked(png, [w - 36 - 210 + 5, 36 + 72 + 5, w - 36 - 5, 36 + 72 + 66 - 5], h)).toBeGreaterThan(0.3);
		// The opposite corner stays as it was.
		expect(inked(png, [36 + 5, 36 + 5, 36 + 200, 36 + 60], h)).toBe(0);
		expect(text(two.path, 1)).toMatch(/\bB\b[\s\S]*Signed with Smart-ID/);
	});

	it('fits a box on a small page (300 x 144 pt, second page)', async () => {
		const [a] = env.signers;
		const done = await signPdf(fixturePath('pdf', 'minimal-two-pages.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('small.pdf'), visible: { mode: 'box', page: 2, position: 'topLeft' } });
		expectAllValid(done.path, 1);
		expect(text(done.path, 2)).toContain('Signed with Smart-ID');
		expect(text(done.path, 1)).not.toContain('Signed with Smart-ID');
	});

	it('refuses a page that does not exist and a visible signature into an existing field, before anything is written', async () => {
		const [a] = env.signers;
		await expect(preparePdfSignature(fixturePath('pdf', 'minimal.pdf'), a.certificate, { visible: { mode: 'box', page: 7 }, partialFile: out('no.partial') })).rejects.toMatchObject({ code: 'PDF_INVALID_INPUT', message: expect.stringContaining('page 7 does not exist') });
		await expect(preparePdfSignature(fixturePath('pdf', 'minimal-with-field.pdf'), a.certificate, { fieldName: 'Sig1', visible: { mode: 'page' }, partialFile: out('no2.partial') })).rejects.toMatchObject({ code: 'PDF_INVALID_INPUT' });
		await expect(preparePdfSignature(fixturePath('pdf', 'minimal.pdf'), a.certificate, { visible: { mode: 'box', position: 'middle' as never }, partialFile: out('no3.partial') })).rejects.toMatchObject({ code: 'PDF_INVALID_INPUT' });
		expect(['no.partial', 'no2.partial', 'no3.partial'].some((f) => fs.existsSync(out(f)))).toBe(false);
	});
});

describe('reference letters', () => {
	it('count A..Z then AA, AB', () => {
		expect([0, 1, 25, 26, 27, 51, 52].map(referenceLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA']);
	});
});
