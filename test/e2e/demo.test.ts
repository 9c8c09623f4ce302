/**
 * `smart-id demo --serve` (lib/cli/demo.ts) end to end: runtime, simulator, package install, imports, the signing
 * example through `n8n execute`, then a running editor with the owner login and the published webhook example.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEMO_OWNER, runDemo, type DemoSession } from '../../lib/cli/demo';
import { describeE2e, packageRoot } from './harness';

describeE2e('smart-id demo --serve', () => {
	let session: DemoSession | undefined;
	let dir: string;

	beforeAll(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smart-id-demo-'));
		session = await runDemo({ serve: true, port: 0, dir, packageRoot: packageRoot() });
	}, 400_000);

	afterAll(async () => {
		await session?.stop();
		if (process.env.E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
	}, 60_000);

	it('signs the sample files through n8n into a container that verifies TOTAL-PASSED', () => {
		expect(session?.containerPath).toBe(path.join(dir, 'files', 'signed', 'documents.asice'));
		expect(fs.statSync(session?.containerPath ?? '').size).toBeGreaterThan(1000);
		const conclusion = session?.report.validationConclusion;
		expect(conclusion?.indication).toBe('TOTAL-PASSED');
		expect(conclusion?.signaturesCount).toBe(1);
		expect(conclusion?.signatures[0].signatureScopes.map((s) => s.name).sort()).toEqual(['annex 1.txt', 'contract.txt']);
		expect(session?.signer).toMatchObject({ personalCode: '40504040001', country: 'EE' });
	});

	it('leaves an editor running with the printed login and a live webhook example', async () => {
		const editor = session?.editor;
		expect(editor?.email).toBe(DEMO_OWNER.email);
		const login = await fetch(`${editor?.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-demo-test' },
			body: JSON.stringify({ emailOrLdapLoginId: editor?.email, password: editor?.password }),
		});
		expect(login.status).toBe(200);
		const wrong = await fetch(`${editor?.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-demo-test' },
			body: JSON.stringify({ emailOrLdapLoginId: editor?.email, password: 'not-the-password-1A' }),
		});
		expect(wrong.status).toBe(401);
		const answer = await fetch(editor?.webhookUrl ?? '', {
			method: 'POST',
			headers: { 'content-type': 'application/vnd.etsi.asic-e+zip' },
			body: fs.readFileSync(session?.containerPath ?? ''),
		});
		expect(answer.status).toBe(200);
		expect(await answer.json()).toMatchObject({ indication: 'TOTAL-PASSED', valid: true });
	}, 60_000);

	it('stop() ends n8n and the simulator', async () => {
		const url = session?.editor?.url ?? '';
		const simulator = session?.simulatorUrl ?? '';
		await session?.stop();
		session = undefined;
		await expect(fetch(`${url}/healthz`)).rejects.toThrow();
		await expect(fetch(simulator)).rejects.toThrow();
	}, 60_000);
});
