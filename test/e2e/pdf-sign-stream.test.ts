/**
 * Sign PDF streamed in a real n8n 2.40.7 with binary data mode `filesystem` (N8N_DEFAULT_BINARY_DATA_MODE): the example
 * workflow 06 reads a generated PDF of tens of MB, the first person signs it (B-T, signature page), the second signs
 * the result (B-LT), n8n writes it. Both signings are "Wait for Completion", so the node keeps the input by reference
 * and hands the signed PDF to n8n's file store as a stream. Checked from outside: pdfsig (both valid), qpdf --check,
 * the input bytes are the output's prefix, and every binary in the run is stored by id (nothing inline).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { pdfsig, qpdfCheck } from '../pdf/helpers/oracles';
import { exampleVariant, simulatorCredential } from './examples';
import { describeE2e, expectSucceeded, killAllChildren, N8nInstance, nodeOutput } from './harness';

// The benchmark's writer: a valid PDF whose one page holds a large stream of random bytes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generatePdf } = require('../../bench/sign-pdf.js') as { generatePdf(file: string, bytes: number): void };

const FIRST_DOC = 'PNOEE-40504040001-DEM0-Q';
const SECOND_DOC = 'PNOLT-40504040001-MOCK-Q';
const SIZE = 40 * 1024 * 1024;

function sha256(file: string): string {
	return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describeE2e('Sign PDF streamed from n8n binary data in filesystem mode: a 40 MiB PDF signed twice', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let input: string;

	beforeAll(async () => {
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), prewarm: [FIRST_DOC, SECOND_DOC] });
		n8n = new N8nInstance(runtime, { env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
		await n8n.installPackage();
		await n8n.importCredentials([simulatorCredential(sim)]);
		fs.mkdirSync(path.join(n8n.filesDir, 'to-sign'), { recursive: true });
		fs.mkdirSync(path.join(n8n.filesDir, 'signed'), { recursive: true });
		input = path.join(n8n.filesDir, 'to-sign', 'big.pdf');
		generatePdf(input, SIZE);
		await n8n.importWorkflow([
			exampleVariant('06-sign-pdf.json', 'sidExSignPdfStream', {
				Settings: {
					inputFile: input,
					outputFile: path.join(n8n.filesDir, 'signed', 'big-signed.pdf'),
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

	it('writes a PDF with two valid signatures whose prefix is the input, every binary stored by id', async () => {
		const before = sha256(input);
		const execution = await n8n.execute('sidExSignPdfStream');
		expectSucceeded(execution);
		const { run } = execution;
		const [first] = nodeOutput(run, 'Sign PDF');
		expect(first.json).toMatchObject({ kind: 'pdfSignature', state: 'COMPLETE', documentNumber: FIRST_DOC, level: 'B-T', signatureCount: 1, inputSize: fs.statSync(input).size });
		const [second] = nodeOutput(run, 'Second signature');
		expect(second.json).toMatchObject({ documentNumber: SECOND_DOC, level: 'B-LT', signatureCount: 2 });
		expect(second.json.byteRangeCheck).toEqual({ signaturesIntact: true, newSignatureCoversRevision: true, anomalies: [] });
		// Filesystem mode: n8n keeps each binary in its file store and the item holds only the id.
		for (const item of [...nodeOutput(run, 'Read PDF'), first, second]) {
			const data = item.binary?.data as { id?: string; data?: string } | undefined;
			expect(data?.id).toMatch(/^filesystem(-v2)?:/);
			expect(data?.data?.length ?? 0).toBeLessThan(64);
		}

		const file = path.join(n8n.filesDir, 'signed', 'big-signed.pdf');
		const sigs = pdfsig(file).signatures;
		expect(sigs.map((s) => s.valid)).toEqual([true, true]);
		expect(qpdfCheck(file).status).toBe(0);
		expect(sha256(input)).toBe(before);
		const size = fs.statSync(input).size;
		const head = Buffer.alloc(size);
		const fd = fs.openSync(file, 'r');
		try {
			fs.readSync(fd, head, 0, size, 0);
		} finally {
			fs.closeSync(fd);
		}
		expect(createHash('sha256').update(head).digest('hex')).toBe(before);
		expect(fs.statSync(file).size).toBeGreaterThan(size);
	}, 240_000);
});
