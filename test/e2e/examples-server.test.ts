/**
 * Example workflows that need a running n8n (`n8n start`): (c) the approval pipeline, where signing starts without
 * waiting and the activated Smart-ID Trigger emits the signed container, and (d) verification of a container
 * posted to a production webhook. The simulator runs in this jest process; its phone answers on its own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { fixturePath } from '../helpers/fixtures';
import { exampleVariant, simulatorCredential, simulatorTrust } from './examples';
import {
	describeE2e,
	expectSucceeded,
	killAllChildren,
	N8nInstance,
	type ApiExecution,
	type N8nItem,
} from './harness';

/** Output items of a node in an execution read through the public API. */
function itemsOf(execution: ApiExecution, nodeName: string): N8nItem[] {
	return execution.data?.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

describeE2e('example workflows on a running n8n with the simulator', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let approvedDir: string;
	const started: Record<string, { sessionId: string; verificationCode: unknown }> = {};

	beforeAll(async () => {
		sim = await startSimulator({
			stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'),
			prewarm: ['PNOEE-40504040001-DEM0-Q'],
		});
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
		await n8n.importCredentials([simulatorCredential(sim)]);
		const inbox = path.join(n8n.filesDir, 'approvals');
		approvedDir = path.join(n8n.filesDir, 'approved');
		fs.mkdirSync(inbox, { recursive: true });
		fs.mkdirSync(approvedDir, { recursive: true });
		fs.writeFileSync(path.join(inbox, 'purchase-order.txt'), 'Purchase order 2026-117: 3 laptops.\n');
		const approval = (id: string, personalCode: string, startSigning: Record<string, unknown> = {}) =>
			exampleVariant(
				'03-approval-pipeline.json',
				id,
				{ Settings: { inputFiles: path.join(inbox, '*.txt'), outputFolder: approvedDir, personalCode, country: 'EE' } },
				{ 'Start signing': startSigning, 'Verify stored container': simulatorTrust(sim) },
			);
		await n8n.importWorkflow([
			approval('sidExApproveOk', '40504040001'),
			// By document number, the certificate comes without asking the person (a personal code needs a certificate
			// choice, where this account already refuses synchronously), so the refusal arrives through the trigger.
			approval('sidExApproveNo', '30403039917', { identifyBy: 'documentNumber', documentNumber: 'PNOEE-30403039917-MOCK-Q' }),
			// No credential at all in this workflow: Verify Container takes its trust from the node.
			exampleVariant('04-verify-webhook.json', 'sidExVerifyHook', {}, { 'Verify container': simulatorTrust(sim) }),
		]);
		// The "Request approval" branch runs from the CLI before the server starts (no shared task-broker port).
		for (const id of ['sidExApproveOk', 'sidExApproveNo']) {
			const execution = await n8n.execute(id);
			expectSucceeded(execution);
			const [item] = execution.run.data.resultData.runData['Start signing'][0].data?.main?.[0] ?? [];
			started[id] = { sessionId: String(item.json.sessionId), verificationCode: item.json.verificationCode };
		}
		await n8n.start();
	}, 400_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	it('(c) "Start and continue" returns at once with a session id and verification code', () => {
		for (const id of ['sidExApproveOk', 'sidExApproveNo']) {
			expect(started[id].sessionId).toMatch(/^[0-9a-f-]{36}$/);
			expect(String(started[id].verificationCode)).toMatch(/^\d{4}$/);
		}
		// Both pending sessions wait in the file store of the user folder.
		const store = path.join(n8n.userFolder, '.n8n', 'smart-id-sessions');
		const pending = fs.readdirSync(store, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
		expect(pending.length).toBe(2);
		// Nothing is stored before the trigger has finished a session.
		expect(fs.readdirSync(approvedDir)).toEqual([]);
	});

	it('(c) the activated Smart-ID Trigger emits the signed container (stored, TOTAL-PASSED) and the refusal', async () => {
		await n8n.activate('sidExApproveOk');
		// Activation polls once right away; both phones have answered by then.
		const executions = await n8n.waitForExecutions(
			'sidExApproveOk',
			(list) => list.filter((e) => e.mode === 'trigger' && e.finished).length >= 1,
			60_000,
		);
		const triggered = executions.filter((e) => e.mode === 'trigger');
		for (const e of triggered) expect(e.status).toBe('success');
		const emitted = triggered.flatMap((e) => itemsOf(e, 'Signed container arrives'));
		expect(emitted.map((i) => i.json.sessionId).sort()).toEqual(
			[started.sidExApproveOk.sessionId, started.sidExApproveNo.sessionId].sort(),
		);

		const ok = emitted.find((i) => i.json.sessionId === started.sidExApproveOk.sessionId);
		expect(ok?.json).toMatchObject({ kind: 'asiceSignature', tag: 'approval', endResult: 'OK' });
		expect(ok?.json.identity).toMatchObject({ personalCode: '40504040001', country: 'EE' });
		const outputFile = (ok?.json.correlation as { outputFile?: string } | undefined)?.outputFile ?? '';
		expect(path.dirname(outputFile)).toBe(approvedDir);
		const verified = triggered.flatMap((e) => itemsOf(e, 'Verify stored container'));
		expect(verified.map((v) => v.json.indication)).toEqual(['TOTAL-PASSED']);
		const report = await verifyContainer(fs.readFileSync(outputFile), {
			trust: TrustStore.fromPem(sim.caPems, 'simulator'),
			filename: path.basename(outputFile),
		});
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');

		const refused = triggered.flatMap((e) => itemsOf(e, 'Refused or failed'));
		expect(refused).toHaveLength(1);
		expect(refused[0].json).toMatchObject({ sessionId: started.sidExApproveNo.sessionId, code: 'SMARTID_USER_REFUSED' });

		// Emitted sessions leave the store, so the next poll has nothing to repeat.
		const store = path.join(n8n.userFolder, '.n8n', 'smart-id-sessions');
		const left = fs.readdirSync(store, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
		expect(left).toEqual([]);
		await n8n.deactivate('sidExApproveOk');
	}, 120_000);

	it('(d) a container posted to the webhook is answered with its verification report', async () => {
		await n8n.activate('sidExVerifyHook');
		const post = (body: Buffer) =>
			n8n.callWebhook('smart-id-verify', {
				method: 'POST',
				headers: { 'content-type': 'application/vnd.etsi.asic-e+zip' },
				body,
			});
		// Our own container from (c): trusted by the credential's simulator anchors.
		const ours = fs.readdirSync(approvedDir).find((f) => f.endsWith('.asice'));
		expect(ours).toBeDefined();
		const good = await post(fs.readFileSync(path.join(approvedDir, ours ?? '')));
		const goodText = await good.text();
		expect(`${good.status} ${goodText.slice(0, 300)}`).toMatch(/^200 /);
		const goodBody = JSON.parse(goodText) as Record<string, unknown>;
		expect(goodBody).toMatchObject({ indication: 'TOTAL-PASSED', valid: true, signaturesCount: 1 });

		// A real DigiDoc4j container signed under SK's test PKI: readable, but not trusted by this credential.
		const foreign = await post(fs.readFileSync(fixturePath('containers', 'valid-asice.asice')));
		const foreignBody = (await foreign.json()) as Record<string, unknown>;
		expect(foreign.status).toBe(422);
		expect(foreignBody.valid).toBe(false);
		expect(foreignBody.indication).not.toBe('TOTAL-PASSED');

		// Not a ZIP at all: still a report (422) that names the container error.
		const junk = await post(Buffer.from('this is not a zip file'));
		const junkBody = (await junk.json()) as {
			valid?: boolean;
			report?: { validationConclusion?: { containerErrors?: Array<{ code: string }> } };
		};
		expect(junk.status).toBe(422);
		expect(junkBody.valid).toBe(false);
		expect(junkBody.report?.validationConclusion?.containerErrors?.map((e) => e.code)).toContain('CONTAINER_UNREADABLE');

		// No file in the request (JSON body): the node continues on error and the answer says why, as HTTP 400.
		const noFile = await n8n.callWebhook('smart-id-verify', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{"hello":"world"}',
		});
		const noFileBody = (await noFile.json()) as Record<string, unknown>;
		expect(noFile.status).toBe(400);
		expect(typeof noFileBody.code).toBe('string');
		expect(String(noFileBody.error)).toMatch(/binary file 'data'/);
	}, 120_000);
});
