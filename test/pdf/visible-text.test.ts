/**
 * What a visible signature writes as text, with hostile and non-Latin names: WinAnsi bytes (accents of letters
 * outside WinAnsi dropped, Ž/š kept, control characters as spaces), PDF string escapes for ( ) \, and lines cut
 * with "..." when they do not fit. Checked on the prepared partial file by qpdf --check and pdftotext.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { preparePdfSignature } from '../../lib/pdf';
import { fitText, literal, textWidth, winAnsi } from '../../lib/pdf/visible/helvetica';
import { fixturePath } from '../helpers/fixtures';
import { qpdfCheck } from './helpers/oracles';

let dir: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-visible-text-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Helvetica text', () => {
	it('encodes WinAnsi: Latin-1 and Ž/š as they are, other accented letters as their base letter, the rest as ?', () => {
		expect(winAnsi('Jānis Bērziņš')).toEqual(Buffer.concat([Buffer.from('Janis Berzin', 'latin1'), Buffer.from([0x9a])]));
		expect([...winAnsi('Žalgiris šė ä')]).toEqual([0x8e, ...Buffer.from('algiris ', 'latin1'), 0x9a, 0x65, 0x20, 0xe4]);
		expect(winAnsi('Иван 李\u0000\n')).toEqual(Buffer.from('???? ?  ', 'latin1'));
	});

	it('escapes ( ) \\ and writes bytes outside ASCII as octal', () => {
		expect(literal(winAnsi('a(b)c\\d'))).toBe('(a\\(b\\)c\\\\d)');
		expect(literal(winAnsi('Ž'))).toBe('(\\216)');
	});

	it('shrinks a long line to fit, and cuts it with "..." below the smallest size', () => {
		const wide = 'W'.repeat(200);
		const fitted = fitText(wide, 300, 11, 6);
		expect(fitted.size).toBe(6);
		expect(fitted.bytes.toString('latin1').endsWith('...')).toBe(true);
		expect(textWidth(fitted.bytes, fitted.size)).toBeLessThanOrEqual(300);
		expect(fitText('OK TEST', 300, 11, 6)).toEqual({ bytes: Buffer.from('OK TEST'), size: 11 });
	});
});

it('a certificate name with ( ) \\ and Baltic letters gives a well-formed signature page that reads back', async () => {
	execFileSync(
		'openssl',
		['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-utf8', '-subj', '/C=LV/serialNumber=PNOLV-010101-12345/GN=Jānis (Ž)\\\\/SN=Bērziņš) BT/CN=x'],
		{ cwd: dir, stdio: 'ignore' },
	);
	const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
	const partial = path.join(dir, 'hostile.partial.pdf');
	const prepared = await preparePdfSignature(fixturePath('pdf', 'minimal.pdf'), cert, { visible: { mode: 'page', showPersonalCode: true }, partialFile: partial });
	expect(prepared.visible).toEqual({ letter: 'A', name: 'Jānis (Ž)\\ Bērziņš) BT', personalCodeShown: true });
	expect(qpdfCheck(partial).status).toBe(0);
	const text = spawnSync('pdftotext', ['-f', '2', '-l', '2', partial, '-'], { encoding: 'utf8' }).stdout;
	expect(text).toContain('Janis (Ž)\\ Berzinš) BT');
	expect(text).toContain('PNOLV-010101-12345');
});
