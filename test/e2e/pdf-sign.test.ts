/**
 * Sign PDF in a real n8n 2.40.7 (`n8n execute`, the built package, the simulator in this jest process): the example
 * workflow 06 reads a PDF, the first person signs it with a signature page, the second signs the result (B-LT, letter B
 * on the same page, personal code shown), n8n writes it. The file n8n wrote is then checked from outside: pdfsig (both
 * signatures valid), qpdf --check, lib/pdf checkByteRanges (coverage), pdftotext (what the signature page says), and
 * the input bytes are the output's prefix.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { checkByteRanges } from '../../lib/pdf';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from '../pdf/helpers/oracles';
import { exampleVariant, simulatorCredential } from './examples';
import { describeE2e, expectSucceeded, killAllChildren, N8nInstance, nodeOutput } from './harness';

const FIRST_DOC = 'PNOEE-40504040001-DEM0-Q';
const SECOND_DOC = 'PNOLT-40504040001-MOCK-Q';

describeE2e('Sign PDF in a real n8n: read, sign, sign again as a second person, write', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	const input = fixturePath('pdf', 'minimal-two-pages.pdf');

	beforeAll(async () => {
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), prewarm: [FIRST_DOC, SECOND_DOC] });
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
		await n8n.importCredentials([simulatorCredential(sim)]);
		fs.mkdirSync(path.join(n8n.filesDir, 'to-sign'), { recursive: true });
		// n8n's Write node does not create folders.
		fs.mkdirSync(path.join(n8n.filesDir, 'signed'), { recursive: true });
		fs.copyFileSync(input, path.join(n8n.filesDir, 'to-sign', 'contract.pdf'));
		await n8n.importWorkflow([
			exampleVariant('06-sign-pdf.json', 'sidExSignPdf', {
				Settings: {
					inputFile: path.join(n8n.filesDir, 'to-sign', 'contract.pdf'),
					outputFile: path.join(n8n.filesDir, 'signed', 'contract-signed.pdf'),
					personalCode: '40504040001',
					country: 'EE',
					secondPersonalCode: '40504040001',
					secondCountry: 'LT',
				},
			}),
		]);
	}, 300_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	it('writes a PDF with two valid signatures and a signature page with letters A and B', async () => {
		const execution = await n8n.execute('sidExSignPdf');
		expectSucceeded(execution);
		const { run } = execution;
		const [first] = nodeOutput(run, 'Sign PDF');
		expect(first.json).toMatchObject({ kind: 'pdfSignature', state: 'COMPLETE', documentNumber: FIRST_DOC, level: 'B-T', referenceLetter: 'A', signatureCount: 1, pdfFileName: 'contract.pdf' });
		expect(first.binary?.data).toMatchObject({ fileName: 'contract.pdf', mimeType: 'application/pdf' });
		const [second] = nodeOutput(run, 'Second signature');
		expect(second.json).toMatchObject({ documentNumber: SECOND_DOC, level: 'B-LT', referenceLetter: 'B', personalCodeShown: true, signatureCount: 2 });
		expect(second.json.byteRangeCheck).toEqual({ signaturesIntact: true, newSignatureCoversRevision: true, anomalies: [] });
		expect(JSON.stringify(run)).not.toMatch(/sessionSecret/i);

		const file = path.join(n8n.filesDir, 'signed', 'contract-signed.pdf');
		const sigs = pdfsig(file).signatures;
		expect(sigs.map((s) => s.valid)).toEqual([true, true]);
		expect(sigs.map((s) => s.subFilter)).toEqual(['ETSI.CAdES.detached', 'ETSI.CAdES.detached']);
		expect(qpdfCheck(file).status).toBe(0);
		const coverage = await checkByteRanges(file);
		expect(coverage.map((r) => r.anomalies)).toEqual([[], []]);
		const bytes = fs.readFileSync(file);
		expect(bytes.subarray(0, fs.statSync(input).size).equals(fs.readFileSync(input))).toBe(true);
		const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout)?.[1]);
		expect(pages).toBe(3);
		const page = spawnSync('pdftotext', ['-f', '3', '-l', '3', '-layout', file, '-'], { encoding: 'utf8' }).stdout;
		expect(page).toContain('Signatures');
		expect(page.match(/Signed with Smart-ID/g)).toHaveLength(2);
		expect(page).toContain('PNOLT-40504040001');
		expect(page).not.toContain('PNOEE-40504040001');
	}, 240_000);
});
