/**
 * Broken or unsupported input is refused with a named error code before anything is written: truncated files,
 * garbage, a wrong startxref, a cross-reference loop, encrypted files; and every failure leaves no partial file.
 * Uses a fixed test key pair (no simulator needed: nothing gets to the signing step).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PdfDocument, PdfSignError, preparePdfSignature } from '../../lib/pdf';
import { layoutIncrementalUpdate, objectNumbers } from '../../lib/pdf/incremental-writer';
import { PdfDict, PdfName, PdfNumber, PdfRef } from '../../lib/pdf/objects';
import { fixturePath } from '../helpers/fixtures';
import { testSignerCertificate } from './helpers/test-certificate';

let dir: string;
let cert: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-refuse-'));
	cert = testSignerCertificate();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function variant(name: string, bytes: Buffer): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, bytes);
	return file;
}

async function refusal(file: string): Promise<string> {
	const partialFile = path.join(dir, `${path.basename(file)}.partial`);
	try {
		await preparePdfSignature(file, cert, { partialFile });
	} catch (error) {
		expect(error).toBeInstanceOf(PdfSignError);
		expect(fs.existsSync(partialFile)).toBe(false);
		return (error as PdfSignError).code;
	}
	fs.rmSync(partialFile, { force: true });
	return 'signed';
}

it('refuses the encrypted fixture', async () => {
	expect(await refusal(fixturePath('pdf', 'minimal-aes256.pdf'))).toBe('PDF_ENCRYPTED');
});

it('refuses garbage, an empty file, a missing file and a non-PDF', async () => {
	expect(await refusal(variant('garbage.pdf', Buffer.from('hello world, not a pdf')))).toBe('PDF_MALFORMED');
	expect(await refusal(variant('empty.pdf', Buffer.alloc(0)))).toBe('PDF_MALFORMED');
	expect(await refusal(path.join(dir, 'missing.pdf'))).toBe('PDF_INVALID_INPUT');
});

it('refuses a wrong startxref and a /Prev loop with PDF_MALFORMED', async () => {
	const pdf = fs.readFileSync(fixturePath('pdf', 'minimal.pdf'), 'latin1');
	const wrong = pdf.replace(/startxref\s+(\d+)/, (_m, n: string) => `startxref\n${Number(n) - 7}`);
	expect(await refusal(variant('wrong-startxref.pdf', Buffer.from(wrong, 'latin1')))).toBe('PDF_MALFORMED');
	const at = /startxref\s+(\d+)/.exec(pdf)![1];
	const loop = pdf.replace(/trailer\s*<</, `trailer\n<< /Prev ${at}`);
	expect(await refusal(variant('loop.pdf', Buffer.from(loop, 'latin1')))).toBe('PDF_MALFORMED');
});

it.each(fs.readdirSync(fixturePath('pdf')).filter((f) => f.endsWith('.pdf') && f !== 'minimal-aes256.pdf'))('%s cut at any of 40 points: refused or signed, never another error', async (fixture) => {
	const bytes = fs.readFileSync(fixturePath('pdf', fixture));
	for (let i = 1; i <= 40; i++) {
		const cut = Math.floor((bytes.length * i) / 41);
		const code = await refusal(variant(`${fixture}.cut${i}.pdf`, bytes.subarray(0, cut)));
		expect(['PDF_MALFORMED', 'signed']).toContain(code);
	}
});

it('reads the page tree of every fixture', async () => {
	for (const fixture of fs.readdirSync(fixturePath('pdf')).filter((f) => f.endsWith('.pdf') && f !== 'minimal-aes256.pdf')) {
		const doc = await PdfDocument.open(fixturePath('pdf', fixture));
		try {
			expect((await doc.pageRefs()).length).toBeGreaterThan(0);
		} finally {
			await doc.close();
		}
	}
});

describe('certified documents (DocMDP)', () => {
	async function certified(p: number): Promise<string> {
		const input = fixturePath('pdf', 'minimal.pdf');
		const doc = await PdfDocument.open(input);
		let update: Buffer;
		try {
			const catalog = await doc.catalog();
			const newNum = objectNumbers(doc.xref);
			const sigRef = new PdfRef(newNum(), 0);
			const params = new PdfDict().set('Type', new PdfName('TransformParams')).set('P', PdfNumber.of(p)).set('V', new PdfName('1.2'));
			const reference = new PdfDict().set('Type', new PdfName('SigRef')).set('TransformMethod', new PdfName('DocMDP')).set('TransformParams', params);
			const sig = new PdfDict().set('Type', new PdfName('Sig')).set('Reference', [reference]);
			update = layoutIncrementalUpdate(doc.xref, doc.file.size, false, [
				{ ref: sigRef, value: sig },
				{ ref: catalog.ref, value: catalog.value.clone().set('Perms', new PdfDict().set('DocMDP', sigRef)) },
			]).bytes;
		} finally {
			await doc.close();
		}
		return variant(`certified-p${p}.pdf`, Buffer.concat([fs.readFileSync(input), update]));
	}

	it('refuses P=1 (no changes) with PDF_INVALID_INPUT', async () => {
		expect(await refusal(await certified(1))).toBe('PDF_INVALID_INPUT');
	});

	it('allows P=2 (form filling and signing)', async () => {
		expect(await refusal(await certified(2))).toBe('signed');
	});
});

it.each(fs.readdirSync(fixturePath('pdf')).filter((f) => f.endsWith('.pdf') && f !== 'minimal-aes256.pdf'))('%s with bytes flipped in its structure: refused with a code or signed, never a crash', async (fixture) => {
	const bytes = fs.readFileSync(fixturePath('pdf', fixture));
	let seed = 0x9e3779b9 ^ bytes.length;
	const rand = (n: number): number => {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		return seed % n;
	};
	const seen = new Map<string, number>();
	for (let i = 0; i < 60; i++) {
		const copy = Buffer.from(bytes);
		// Mostly the tail (trailer, xref, late objects), sometimes anywhere.
		for (let k = 0; k < 1 + rand(3); k++) {
			const at = rand(4) === 0 ? rand(copy.length) : copy.length - 1 - rand(Math.min(copy.length, 1500));
			copy[at] = [0x20, 0x30, 0x2f, 0x3c, 0x3e, 0x5b, 0x5d, 0x0a, rand(256)][rand(9)];
		}
		const code = await refusal(variant(`${fixture}.flip${i}.pdf`, copy));
		seen.set(code, (seen.get(code) ?? 0) + 1);
		expect(['PDF_MALFORMED', 'PDF_FIELD', 'PDF_ENCRYPTED', 'signed']).toContain(code);
	}
	expect([...seen.keys()].length).toBeGreaterThan(0);
});
