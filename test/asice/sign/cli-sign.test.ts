import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../lib/cli/sign';
import { extractElement, innerText, opensslDigest, opensslVerifyDigest, pythonZipEntries, xmllintExcC14n } from './helpers/independent';

jest.setTimeout(120_000);

let dir: string;
let stdout: string[];
let stderr: string[];
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sign-'));
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

it('smart-id sign --env simulator signs with no human in the loop, then --add-to adds a second signature', async () => {
	const file = path.join(dir, 'leping.txt');
	fs.writeFileSync(file, 'sign me\n');
	const out = path.join(dir, 'out.asice');
	const code = await run([file, '--out', out, '--hash', 'SHA-384']);
	expect(stderr.join('')).toMatch(/Verification code: \d{4}/);
	expect(code).toBe(0);
	const result = JSON.parse(stdout.join('').trim()) as { out: string; signatureFile: string; hashAlgorithm: string };
	expect(result).toMatchObject({ out, signatureFile: 'META-INF/signatures0.xml', hashAlgorithm: 'SHA-384' });
	const entries = pythonZipEntries(out);
	expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'leping.txt', 'META-INF/signatures0.xml']);
	const xml = entries[3].data.toString('utf8');
	const certB64 = innerText(extractElement(xml, 'ds:X509Certificate'));
	const pem = `-----BEGIN CERTIFICATE-----\n${certB64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
	const value = Buffer.from(innerText(extractElement(xml, 'ds:SignatureValue')), 'base64');
	expect(opensslVerifyDigest(pem, opensslDigest('sha384', xmllintExcC14n(extractElement(xml, 'ds:SignedInfo'))), value, 'sha384', 'pss')).toBe(true);

	stdout.length = 0;
	const out2 = path.join(dir, 'out2.asice');
	expect(await run(['--add-to', out, '--out', out2])).toBe(0);
	expect(pythonZipEntries(out2).map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'leping.txt', 'META-INF/signatures0.xml', 'META-INF/signatures1.xml']);
});

it('refuses bad arguments with exit code 2 and a usage text', async () => {
	expect(await run(['--out', path.join(dir, 'x.asice')])).toBe(2);
	expect(await run(['a.txt'])).toBe(2);
	expect(await run(['a.txt', '--out', 'x.asice', '--hash', 'MD5'])).toBe(2);
	expect(await run(['a.txt', '--out', 'x.asice', '--env', 'live'])).toBe(2);
	expect(await run(['a.txt', '--out', 'x.asice', '--bogus'])).toBe(2);
	expect(stderr.join('')).toContain('Usage: smart-id sign');
});

it('reports a missing input file with exit code 1 and writes nothing', async () => {
	const out = path.join(dir, 'never.asice');
	expect(await run([path.join(dir, 'missing.txt'), '--out', out])).toBe(1);
	expect(stderr.join('')).toContain('ASICE_BUILD_INVALID_INPUT');
	expect(fs.existsSync(out)).toBe(false);
});
