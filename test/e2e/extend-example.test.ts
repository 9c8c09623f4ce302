/**
 * examples/07-re-extend-scheduled.json in a real n8n with no credential at all: a container signed today on the
 * simulator is read from disk, extended to LTA by the Smart-ID node (which verifies it with the trust given in the
 * node, no Smart-ID account) and written back; the file n8n wrote verifies as XAdES_BASELINE_LTA.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { buildAsice } from '../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../lib/asice/sign/smart-id-signer';
import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { exampleVariant, simulatorTrust } from './examples';
import { describeE2e, expectSucceeded, killAllChildren, N8nInstance, nodeOutput } from './harness';

const OK_DOC = 'PNOEE-40504040001-DEM0-Q';

describeE2e('example 07: re-extend containers to LTA in n8n without a credential', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), prewarm: [OK_DOC] });
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
		// Sign one container today with the simulator (outside n8n).
		const archive = path.join(n8n.filesDir, 'archive');
		fs.mkdirSync(archive, { recursive: true });
		fs.mkdirSync(path.join(n8n.filesDir, 'archive-extended'), { recursive: true });
		const client = new SmartIdClient({ baseUrl: sim.baseUrl });
		try {
			const trust = TrustStore.fromPem(sim.caPems, 'simulator');
			const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
			const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber: OK_DOC }, trust });
			await buildAsice({
				files: [{ name: 'contract.txt', data: 'Contract no. 7: kept for ten years.\n' }],
				signerCertificate: chosen.certificateBase64,
				out: path.join(archive, 'contract.asice'),
				tsaUrl: sim.tsaUrl,
				ocspUrl: sim.ocspUrl,
				trust,
				sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber: OK_DOC }, documentNumber: OK_DOC, trust }),
			});
		} finally {
			client.close();
		}
		const workflow = exampleVariant(
			'07-re-extend-scheduled.json',
			'sidExExtendNow',
			{ Settings: { inputFiles: path.join(archive, '*.asice'), outputFolder: path.join(n8n.filesDir, 'archive-extended'), archiveTsaUrl: sim.tsaUrl } },
			{ 'Extend signatures': simulatorTrust(sim) },
		);
		// `n8n execute` starts at a manual trigger; the schedule itself is n8n's business.
		const trigger = workflow.nodes.find((n) => n.name === 'Every month')!;
		Object.assign(trigger, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
		expect(workflow.nodes.some((n) => n.credentials)).toBe(false);
		await n8n.importWorkflow([workflow]);
	}, 300_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	it('extends the container and writes it; the result verifies as LTA', async () => {
		const execution = await n8n.execute('sidExExtendNow');
		expectSucceeded(execution);
		const [extended] = nodeOutput(execution.run, 'Extend signatures');
		expect(extended.json).toMatchObject({ extended: true, indication: 'TOTAL-PASSED', signaturesCount: 1 });
		const written = fs.readFileSync(path.join(n8n.filesDir, 'archive-extended', 'contract.asice'));
		const report = await verifyContainer(written, { trust: TrustStore.fromPem([...sim.caPems, sim.tsaCertPem], 'simulator') });
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(report.validationConclusion.signatures[0].signatureFormat).toBe('XAdES_BASELINE_LTA');
		// The original is untouched.
		const original = await verifyContainer(path.join(n8n.filesDir, 'archive', 'contract.asice'), { trust: TrustStore.fromPem(sim.caPems, 'simulator') });
		expect(original.validationConclusion.signatures[0].signatureFormat).toBe('XAdES_BASELINE_LT');
	}, 240_000);
});
