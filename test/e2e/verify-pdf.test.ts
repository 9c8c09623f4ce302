/**
 * Container → Verify Container with PDFs, run by a real n8n 2.40.7 (`n8n execute`): the node dispatches a PDF to the
 * PDF verifier (report format 'pdf'), trusts what the node's Trust says (SK live + the simulator's CAs), passes
 * our own PAdES B-LT signature, and refuses the overlapping-ByteRange file and a page added after signing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { signPdf } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { startPdfSigningEnv, type PdfSigningEnv } from '../pdf/helpers/signers';
import { appendRevision, nextObject } from '../pdf/verify/helpers';
import { exampleVariant, simulatorCredential, simulatorTrust } from './examples';
import { describeE2e, expectSucceeded, killAllChildren, N8nInstance, nodeOutput } from './harness';

describeE2e('Verify Container with PDFs in a real n8n', (runtime) => {
	let env: PdfSigningEnv;
	let n8n: N8nInstance;

	beforeAll(async () => {
		env = await startPdfSigningEnv();
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
		await n8n.importCredentials([simulatorCredential(env.sim)]);
		const dir = path.join(n8n.filesDir, 'pdfs');
		fs.mkdirSync(dir, { recursive: true });
		const a = env.signers[0];
		const own = await signPdf(fixturePath('pdf', 'minimal.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, ocspUrl: env.sim.ocspUrl, trust: env.trust, level: 'B-LT', out: path.join(dir, 'own-lt.pdf') });
		const n = nextObject(own.path);
		appendRevision(own.path, path.join(dir, 'own-page-added.pdf'), {
			2: `<< /Type /Pages /Kids [3 0 R ${n} 0 R] /Count 2 /MediaBox [0 0 300 144] >>`,
			[n]: '<< /Type /Page /Parent 2 0 R /Resources << >> >>',
		});
		fs.copyFileSync(fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf'), path.join(dir, 'overlap.pdf'));
		// Example 02 cut down to: Settings → Read files → Verify container.
		const wf = exampleVariant('02-sign-files-asice.json', 'sidPdfVerify', { Settings: { inputFiles: path.join(dir, '*.pdf') } }, { 'Verify container': simulatorTrust(env.sim) });
		wf.nodes = wf.nodes.filter((node) => ['Run example', 'Settings', 'Read files', 'Verify container'].includes(node.name));
		wf.connections = {
			'Run example': { main: [[{ node: 'Settings', type: 'main', index: 0 }]] },
			Settings: { main: [[{ node: 'Read files', type: 'main', index: 0 }]] },
			'Read files': { main: [[{ node: 'Verify container', type: 'main', index: 0 }]] },
		};
		await n8n.importWorkflow(wf);
	}, 300_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await env?.stop();
	}, 60_000);

	it('verifies each PDF as a PDF: ours passes, the forged and the changed ones do not', async () => {
		const execution = await n8n.execute('sidPdfVerify');
		expectSucceeded(execution);
		const items = nodeOutput(execution.run, 'Verify container');
		const byName = new Map(
			items.map((item) => {
				const report = item.json.report as { validationConclusion: { format?: string; validatedDocument: { filename: string }; signatures: Array<{ errors: Array<{ code: string }> }> } };
				return [report.validationConclusion.validatedDocument.filename, { json: item.json, vc: report.validationConclusion }];
			}),
		);
		expect([...byName.keys()].sort()).toEqual(['overlap.pdf', 'own-lt.pdf', 'own-page-added.pdf']);
		for (const { vc } of byName.values()) expect(vc.format).toBe('pdf');
		expect(byName.get('own-lt.pdf')!.json).toMatchObject({ indication: 'TOTAL-PASSED', valid: true, signaturesCount: 1, validSignaturesCount: 1 });
		expect(byName.get('overlap.pdf')!.json).toMatchObject({ indication: 'TOTAL-FAILED', valid: false });
		const changed = byName.get('own-page-added.pdf')!;
		expect(changed.json).toMatchObject({ indication: 'TOTAL-FAILED', valid: false });
		expect(changed.vc.signatures[0].errors.map((e) => e.code)).toContain('REVISION_PAGES_CHANGED');
	}, 240_000);
});
