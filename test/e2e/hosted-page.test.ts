/**
 * Completion "Hosted Page" in a real n8n 2.40.7 with a real headless chromium: a workflow answers its webhook with
 * `$execution.resumeUrl`, then the Smart-ID node waits on that URL. The browser opens the page; screenshots a few
 * seconds apart are decoded from their pixels; the decoded links must differ, and each must carry the authCode
 * recomputed here from the stored session; the simulator's mock app opens a decoded link; the page turns to
 * success and the execution resumes with the validated identity. Refusal and a Smart-ID timeout end the same way
 * with an error item. Screenshots of each state go to test-artifacts/hosted-page/.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { createDeviceLink, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { hostedPageScope } from '../../lib/hosted-page';
import { createSessionStore, settingsFromCredential } from '../../lib/sessions';
import { simulatorCredentialData, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { artifactDir, browserMissingReason, launchBrowser } from '../helpers/browser';
import { EXAMPLE_CREDENTIAL_ID, readExample, simulatorTrust } from './examples';
import { describeE2e, killAllChildren, N8nInstance, sleep, type ApiExecution } from './harness';
import { executionIdOf, itemsOf, shotAndDecode as shotAndDecodeTo, startTlsFront } from './hosted-page-helpers';

const CREDENTIAL_ID = EXAMPLE_CREDENTIAL_ID;
const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
const REFUSING_DOC = 'PNOEE-30403039917-MOCK-Q';
const SIM_SESSION_TIMEOUT_MS = 20_000;

/** Webhook → Respond to Webhook (the page URL, as an example would mail or post it) → Smart-ID on a Hosted Page. */
function pageWorkflow(name: string, webhookPath: string, documentNumber: string): { name: string; nodes: unknown[]; connections: unknown } {
	return {
		name,
		nodes: [
			{
				id: 'a1',
				name: 'Start',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${webhookPath}-id`,
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'responseNode', options: {} },
			},
			{
				id: 'a2',
				name: 'Send link',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [200, 0],
				parameters: { respondWith: 'json', responseBody: '={{ { "pageUrl": $execution.resumeUrl } }}', options: {} },
			},
			{
				id: 'a3',
				name: 'Log in on page',
				type: 'n8n-nodes-smart-id.smartId',
				typeVersion: 1,
				position: [400, 0],
				credentials: { smartIdApi: { id: CREDENTIAL_ID, name: 'Smart-ID simulator' } },
				parameters: {
					resource: 'authentication',
					operation: 'authenticate',
					flow: 'notification',
					identifyBy: 'documentNumber',
					documentNumber,
					displayText: 'Log in to the hosted page test',
					completion: 'hostedPage',
					pageMinutes: 5,
				},
			},
		],
		connections: {
			Start: { main: [[{ node: 'Send link', type: 'main', index: 0 }]] },
			'Send link': { main: [[{ node: 'Log in on page', type: 'main', index: 0 }]] },
		},
	};
}

/**
 * Webhook (raw body → binary `data`) → Respond (page URL) → Build ASiC-E on a Hosted Page → Verify Container, which
 * takes its trust from its own parameters (`trust`: the simulator's CAs), not from the credential.
 */
function signingWorkflow(trust: Record<string, unknown>): { name: string; nodes: unknown[]; connections: unknown } {
	const base = pageWorkflow('Hosted page signing', 'hosted-page-sign', DEVICE_DOC);
	const [start, respond, smartId] = base.nodes as Array<Record<string, unknown>>;
	return {
		name: base.name,
		nodes: [
			{ ...start, typeVersion: 2.1, parameters: { httpMethod: 'POST', path: 'hosted-page-sign', responseMode: 'responseNode', options: { binaryPropertyName: 'data' } } },
			respond,
			{
				...smartId,
				name: 'Sign on page',
				parameters: {
					resource: 'container',
					operation: 'buildAsice',
					binaryPropertyNames: 'data',
					containerFileName: 'contract.asice',
					outputBinaryPropertyName: 'data',
					identifyBy: 'documentNumber',
					documentNumber: DEVICE_DOC,
					signingMethod: 'notification',
					interactionType: 'displayTextAndPIN',
					displayText: 'Sign the contract',
					completion: 'hostedPage',
					pageMinutes: 5,
				},
			},
			{
				id: 'a4',
				name: 'Verify',
				type: 'n8n-nodes-smart-id.smartId',
				typeVersion: 1,
				position: [600, 0],
				parameters: { resource: 'container', operation: 'verifyContainer', containerPropertyName: 'data', outputDataFiles: false, ...trust },
			},
		],
		connections: {
			Start: { main: [[{ node: 'Send link', type: 'main', index: 0 }]] },
			'Send link': { main: [[{ node: 'Sign on page', type: 'main', index: 0 }]] },
			'Sign on page': { main: [[{ node: 'Verify', type: 'main', index: 0 }]] },
		},
	};
}

const browserMissing = browserMissingReason();

describeE2e('Hosted Page completion in a real n8n with a headless browser', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let browser: Browser;
	let credentialData: Record<string, string>;
	let front: { server: https.Server; port: number };
	const workflows: Record<string, string> = {};
	const shots = artifactDir('hosted-page');

	beforeAll(async () => {
		if (browserMissing) throw new Error(browserMissing);
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), sessionTimeoutMs: SIM_SESSION_TIMEOUT_MS });
		const frontDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hosted-page-tls-'));
		front = await startTlsFront(frontDir, () => n8n.port);
		n8n = new N8nInstance(runtime, { env: { WEBHOOK_URL: `https://127.0.0.1:${front.port}/` } });
		const sessionFolder = path.join(n8n.userFolder, 'smart-id-sessions');
		credentialData = { ...simulatorCredentialData(sim, sessionFolder), sessionRecordKey: 'hosted-page-e2e-record-key-0123456789abcdef' };
		await n8n.installPackage();
		await n8n.importCredentials([{ id: CREDENTIAL_ID, name: 'Smart-ID simulator', type: 'smartIdApi', data: credentialData }]);
		await n8n.start();
		// The desktop run is examples/05-hosted-page-login.json itself (the person's document number comes in the POST).
		const example = readExample('05-hosted-page-login.json');
		workflows.ok = await n8n.createWorkflow({ name: example.name, nodes: example.nodes, connections: example.connections });
		await n8n.activate(workflows.ok);
		for (const [key, doc] of [
			['refuse', REFUSING_DOC],
			['timeout', DEVICE_DOC],
			['web2app', DEVICE_DOC],
		] as const) {
			workflows[key] = await n8n.createWorkflow(pageWorkflow(`Hosted page ${key}`, `hosted-page-${key}`, doc));
			await n8n.activate(workflows[key]);
		}
		const phone = pageWorkflow('Hosted page phone', 'hosted-page-phone', DEVICE_DOC);
		(phone.nodes[2] as { parameters: Record<string, unknown> }).parameters.offerSendToPhone = true;
		workflows.phone = await n8n.createWorkflow(phone);
		await n8n.activate(workflows.phone);
		workflows.sign = await n8n.createWorkflow(signingWorkflow(simulatorTrust(sim)));
		await n8n.activate(workflows.sign);
		browser = await launchBrowser();
	}, 400_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
		front?.server.closeAllConnections();
		front?.server.close();
	}, 60_000);

	async function openPage(key: string, init?: RequestInit): Promise<{ pageUrl: string; executionId: string }> {
		const webhook = key === 'ok' ? 'smart-id-login' : `hosted-page-${key}`;
		const res = await n8n.callWebhook(webhook, init ?? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentNumber: DEVICE_DOC }) });
		expect(res.status).toBe(200);
		const { pageUrl } = (await res.json()) as { pageUrl: string };
		expect(pageUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\d+\?signature=[0-9a-f]{64}$/);
		const executionId = executionIdOf(pageUrl);
		// The link is sent before the Smart-ID node runs; n8n serves the page once the node has put the execution
		// to wait (until then it answers 409 "running").
		await n8n.waitForExecutions(workflows[key], (list) => list.some((e) => String(e.id) === executionId && e.status === 'waiting'), 30_000);
		return { pageUrl, executionId };
	}

	/** The secrets of the page's live session, read from the store the node wrote (the test plays the server). */
	async function storedSecrets(executionId: string): Promise<DeviceLinkSecrets> {
		const settings = settingsFromCredential(credentialData, { userFolder: n8n.userFolder });
		const store = createSessionStore(settings.store);
		try {
			const records = await store.list({ credentialKey: hostedPageScope(settings.credentialKey, executionId) });
			expect(records).toHaveLength(1);
			const secrets = records[0].secrets;
			if (!secrets) throw new Error('stored hosted-page session has no device-link secrets');
			return secrets;
		} finally {
			await store.close();
		}
	}

	/** Screenshot of the page (into this suite's artifacts) and the link decoded from its pixels. */
	const shotAndDecode = (page: Page, file: string): Promise<string> => shotAndDecodeTo(page, path.join(shots, file));

	async function finishedExecution(workflowId: string): Promise<ApiExecution> {
		const [execution] = await n8n.waitForExecutions(workflowId, (list) => list.length > 0 && list[0].status !== 'waiting' && list[0].status !== 'running', 60_000);
		return execution;
	}

	it('desktop QR: a fresh code every second, the mock app scans it, the page says done and the execution resumes with the identity', async () => {
		const { pageUrl, executionId } = await openPage('ok');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		const csp: string[] = [];
		const requested: string[] = [];
		page.on('request', (r) => {
			if (/^https?:/.test(r.url())) requested.push(new URL(r.url()).host);
		});
		const qrAnswers: string[] = [];
		page.on('response', (r) => {
			if (r.url().includes('hp=qr')) qrAnswers.push(`${Date.now() % 100000}:${r.status()}`);
		});
		page.on('requestfailed', (r) => qrAnswers.push(`${Date.now() % 100000}:failed ${r.failure()?.errorText}`));
		page.on('console', (m) => {
			if (/Content Security Policy|Refused/.test(m.text())) csp.push(m.text());
		});
		const response = await page.goto(pageUrl);
		expect(response?.headers()['content-security-policy']).toMatch(/^sandbox allow-downloads .*allow-scripts/);
		expect(response?.headers()['cache-control']).toContain('no-store');
		const first = await shotAndDecode(page, 'desktop-1-qr.png');
		await sleep(2500);
		const second = await shotAndDecode(page, 'desktop-2-qr-later.png');
		expect(second).not.toBe(first);
		const secrets = await storedSecrets(executionId);
		for (const link of [first, second]) {
			const elapsed = Number(new URL(link).searchParams.get('elapsedSeconds'));
			// The authCode recomputed from the stored sessionSecret for that elapsedSeconds: byte for byte the same link.
			expect(link).toBe(createDeviceLink(secrets, { deviceLinkType: 'QR', now: secrets.receivedAt + elapsed * 1000 + 1 }));
		}
		expect(Number(new URL(second).searchParams.get('elapsedSeconds'))).toBeGreaterThan(Number(new URL(first).searchParams.get('elapsedSeconds')));
		const html = (await response?.text()) ?? '';
		expect(html).not.toContain(secrets.sessionSecret);
		// No outside assets: every src/href is the page's own query (or an in-page anchor), and every request the
		// browser made went to n8n.
		expect(html).not.toMatch(/\b(?:src|href)="(?!\?signature=|#)/);
		expect(new Set(requested)).toEqual(new Set([new URL(pageUrl).host]));

		// The mock app scans what the screen shows; like a real app it just reads the next frame when a frame was
		// already stale by the time it was read (a loaded machine: screenshot + decode take a while).
		let scan: Response | undefined;
		for (let attempt = 1; attempt <= 4 && scan?.status !== 200; attempt++) {
			const fresh = await shotAndDecode(page, 'desktop-3-qr-scanned.png').catch((e: Error) => {
				throw new Error(`${e.message}; QR answers: ${qrAnswers.join(' ')}`);
			});
			const age = (Date.now() - secrets.receivedAt) / 1000 - Number(new URL(fresh).searchParams.get('elapsedSeconds'));
			process.stderr.write(`[hosted-page] scan attempt ${attempt}: QR age ${age.toFixed(1)} s\n`);
			scan = await fetch(sim.mockDeviceLinkUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: fresh, flowType: 'QR' }),
			});
		}
		expect(scan?.status).toBe(200);
		await page.waitForSelector('body.state-success', { timeout: 20_000 });
		await page.screenshot({ path: path.join(shots, 'desktop-4-success.png'), fullPage: true });
		expect(await page.textContent('#title')).toBe('Done');

		const execution = await finishedExecution(workflows.ok);
		expect(execution.status).toBe('success');
		const [item] = itemsOf(execution, 'Log in on the page');
		expect(item.json).toMatchObject({ state: 'COMPLETE', endResult: 'OK', kind: 'authentication' });
		expect(itemsOf(execution, 'Identity')).toHaveLength(1);
		expect(item.json).toMatchObject({ documentNumber: DEVICE_DOC });
		expect(JSON.stringify(execution.data)).not.toContain(secrets.sessionSecret);

		// A second visitor after completion sees only n8n's own "finished" answer: no identity, no link, no page.
		const direct = new URL(pageUrl);
		const again = await fetch(`${n8n.url}${direct.pathname}${direct.search}`);
		const againText = await again.text();
		expect(again.status).toBe(409);
		expect(String((JSON.parse(againText) as { message?: unknown }).message)).toMatch(/^The execution "\d+ has finished already\.$/);
		for (const leak of [DEVICE_DOC, '40404040009', 'signature=', 'data:', 'http']) expect(againText).not.toContain(leak);
		expect(csp).toEqual([]);
		await context.close();
	}, 120_000);

	it('phone: Open Smart-ID (Web2App), the app returns to the page, the callback checks pass, success and resume', async () => {
		const { pageUrl } = await openPage('web2app');
		const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		expect(await page.isVisible('#qr')).toBe(false); // a phone gets the button, not a code to scan
		await page.screenshot({ path: path.join(shots, 'phone-1-open-smart-id.png'), fullPage: true });
		// The phone's "app": the navigation the page's redirect leads to (made server-side, followed by the browser).
		const opened = page.waitForRequest((r) => r.url().includes('deviceLinkType=Web2App'));
		await page.click('text=Open Smart-ID on this device');
		const web2app = (await opened).url();
		expect(web2app).toContain('authCode=');
		const secrets = await storedSecrets(executionIdOf(pageUrl));
		expect(web2app).toBe(createDeviceLink(secrets, { deviceLinkType: 'Web2App' }));
		const answer = await fetch(sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: web2app, flowType: 'Web2App' }),
		});
		expect(answer.status).toBe(200);
		const { callbackUrl } = (await answer.json()) as { callbackUrl: string };
		expect(callbackUrl.startsWith(`${pageUrl}&hp=callback&value=`)).toBe(true);

		// A forged return (wrong sessionSecretDigest) is refused before anything is trusted; the execution keeps waiting.
		const forged = callbackUrl.replace(/sessionSecretDigest=[^&]+/, 'sessionSecretDigest=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
		const refused = await page.goto(forged);
		expect(refused?.status()).toBe(400);
		expect((await n8n.executions(workflows.web2app))[0].status).toBe('waiting');

		await page.goto(callbackUrl);
		await page.waitForSelector('body.state-success', { timeout: 20_000 });
		await page.screenshot({ path: path.join(shots, 'phone-2-success.png'), fullPage: true });
		const execution = await finishedExecution(workflows.web2app);
		expect(execution.status).toBe('success');
		const [item] = itemsOf(execution, 'Log in on page');
		expect(item.json).toMatchObject({ endResult: 'OK', callback: 'verified', documentNumber: DEVICE_DOC });
		await context.close();
	}, 120_000);

	it('signing: the page lists the file, the signer scans, and the execution resumes with a container that verifies', async () => {
		const contract = Buffer.from('Contract 2026-13: the hosted page signs this text.\n');
		const { pageUrl } = await openPage('sign', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: contract });
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		const listed = (await page.textContent('.files', { timeout: 10_000 }).catch(async (e: Error) => {
			const executions = await n8n.executions(workflows.sign);
			throw new Error(`${e.message}\npage: ${(await page.content()).slice(0, 1500)}\nexecution: ${JSON.stringify(executions[0]?.data?.resultData.error ?? executions[0]?.status)}`);
		})) ?? '';
		expect(listed).toContain(`${contract.length} bytes`);
		expect(listed).toContain(createHash('sha256').update(contract).digest('hex').slice(0, 16));
		expect(await page.textContent('.req')).toContain('asks you to sign');
		let scan: Response | undefined;
		for (let attempt = 1; attempt <= 4 && scan?.status !== 200; attempt++) {
			const link = await shotAndDecode(page, 'sign-1-files-and-qr.png');
			scan = await fetch(sim.mockDeviceLinkUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: link, flowType: 'QR' }),
			});
		}
		expect(scan?.status).toBe(200);
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		await page.screenshot({ path: path.join(shots, 'sign-2-success.png'), fullPage: true });
		const execution = await finishedExecution(workflows.sign);
		expect(execution.status).toBe('success');
		const [signed] = itemsOf(execution, 'Sign on page');
		expect(signed.json).toMatchObject({ endResult: 'OK', containerFileName: 'contract.asice' });
		expect(signed.binary?.data?.fileName).toBe('contract.asice');
		const [report] = itemsOf(execution, 'Verify');
		expect(report.json).toMatchObject({ valid: true });
		fs.writeFileSync(path.join(shots, 'sign-verify-report.json'), JSON.stringify(report.json, null, 2));
		await context.close();
	}, 150_000);

	it('send to my phone: the person types a personal code, compares the verification code, and the execution resumes', async () => {
		const { pageUrl } = await openPage('phone');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		await page.selectOption('select[name=country]', 'LT');
		await page.fill('input[name=personalCode]', '40504040001');
		await page.click('text=Send to my phone');
		await page.waitForSelector('#vc-box:not(.hidden)', { timeout: 20_000 });
		expect(await page.textContent('#vc')).toMatch(/^\d{4}$/);
		await page.screenshot({ path: path.join(shots, 'notify-1-verification-code.png'), fullPage: true });
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		const execution = await finishedExecution(workflows.phone);
		const [item] = itemsOf(execution, 'Log in on page');
		expect(item.json).toMatchObject({ endResult: 'OK', documentNumber: 'PNOLT-40504040001-MOCK-Q' });
		await context.close();
	}, 120_000);

	it('refusal: the page says so in plain words and the execution resumes with an error item', async () => {
		const { pageUrl } = await openPage('refuse');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		const link = await shotAndDecode(page, 'refuse-1-qr.png');
		const scan = await fetch(sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: REFUSING_DOC, deviceLink: link, flowType: 'QR' }),
		});
		expect(scan.status).toBe(200);
		await page.waitForSelector('body.state-refused', { timeout: 20_000 });
		await page.screenshot({ path: path.join(shots, 'refuse-2-refused.png'), fullPage: true });
		expect(await page.textContent('#title')).toBe('Not confirmed');
		const execution = await finishedExecution(workflows.refuse);
		const [item] = itemsOf(execution, 'Log in on page');
		expect(item.json).toMatchObject({ code: 'SMARTID_USER_REFUSED', endResult: 'USER_REFUSED' });
		await context.close();
	}, 120_000);

	it('timeout: nobody scans, Smart-ID times the session out, the page says so and the execution resumes with an error item', async () => {
		const { pageUrl } = await openPage('timeout');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		await shotAndDecode(page, 'timeout-1-qr.png');
		await page.waitForSelector('body.state-timeout', { timeout: SIM_SESSION_TIMEOUT_MS + 20_000 });
		await page.screenshot({ path: path.join(shots, 'timeout-2-timed-out.png'), fullPage: true });
		const execution = await finishedExecution(workflows.timeout);
		const [item] = itemsOf(execution, 'Log in on page');
		expect(item.json).toMatchObject({ code: 'SMARTID_TIMEOUT' });
		fs.writeFileSync(path.join(shots, 'timeout-item.json'), JSON.stringify(item.json, null, 2));
		await context.close();
	}, 120_000);
});
