/**
 * Completion "Hosted Page" in a real n8n 2.40.7 with a real headless chromium: a workflow answers its webhook with
 * `$execution.resumeUrl`, then the Smart-ID node waits on that URL. The browser opens the page; screenshots a few
 * seconds apart are decoded from their pixels; the decoded links must differ, and each must carry the authCode
 * recomputed here from the stored session; the simulator's mock app opens a decoded link; the page turns to
 * success and the execution resumes with the validated identity. Refusal and a Smart-ID timeout end the same way
 * with an error item. Screenshots of each state go to test-artifacts/hosted-page/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { createDeviceLink, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { hostedPageScope } from '../../lib/hosted-page';
import { createSessionStore, settingsFromCredential } from '../../lib/sessions';
import { simulatorCredentialData, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { artifactDir, browserMissingReason, decodeQrFromPng, launchBrowser } from '../helpers/browser';
import { describeE2e, killAllChildren, N8nInstance, sleep, type ApiExecution, type N8nItem } from './harness';

const CREDENTIAL_ID = 'smartIdHostedPage1';
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

function itemsOf(execution: ApiExecution, nodeName: string): N8nItem[] {
	return execution.data?.resultData.runData[nodeName]?.at(-1)?.data?.main?.[0] ?? [];
}

function executionIdOf(pageUrl: string): string {
	return new URL(pageUrl).pathname.split('/').filter(Boolean).pop() ?? '';
}

const browserMissing = browserMissingReason();

describeE2e('Hosted Page completion in a real n8n with a headless browser', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let browser: Browser;
	let credentialData: Record<string, string>;
	const workflows: Record<string, string> = {};
	const shots = artifactDir('hosted-page');

	beforeAll(async () => {
		if (browserMissing) throw new Error(browserMissing);
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), sessionTimeoutMs: SIM_SESSION_TIMEOUT_MS });
		n8n = new N8nInstance(runtime);
		const sessionFolder = path.join(n8n.userFolder, 'smart-id-sessions');
		credentialData = { ...simulatorCredentialData(sim, sessionFolder), sessionRecordKey: 'hosted-page-e2e-record-key-0123456789abcdef' };
		await n8n.installPackage();
		await n8n.importCredentials([{ id: CREDENTIAL_ID, name: 'Smart-ID simulator', type: 'smartIdApi', data: credentialData }]);
		await n8n.start();
		for (const [key, doc] of [
			['ok', DEVICE_DOC],
			['refuse', REFUSING_DOC],
			['timeout', DEVICE_DOC],
		] as const) {
			workflows[key] = await n8n.createWorkflow(pageWorkflow(`Hosted page ${key}`, `hosted-page-${key}`, doc));
			await n8n.activate(workflows[key]);
		}
		browser = await launchBrowser();
	}, 400_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	async function openPage(key: string): Promise<{ pageUrl: string; executionId: string }> {
		const res = await n8n.callWebhook(`hosted-page-${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(res.status).toBe(200);
		const { pageUrl } = (await res.json()) as { pageUrl: string };
		expect(pageUrl).toMatch(/\/webhook-waiting\/\d+\?signature=[0-9a-f]{64}$/);
		return { pageUrl, executionId: executionIdOf(pageUrl) };
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

	/** Screenshot of the page and the link decoded from its pixels. */
	async function shotAndDecode(page: Page, file: string): Promise<string> {
		// Evaluated in the page (a string, so this file needs no DOM typings).
		await page.waitForFunction("(() => { const img = document.getElementById('qr'); return !!img && img.complete && img.naturalWidth > 0; })()");
		const png = await page.screenshot({ path: path.join(shots, file), fullPage: true });
		const link = decodeQrFromPng(png);
		if (!link) throw new Error(`no QR code readable in ${file}`);
		return link;
	}

	async function finishedExecution(workflowId: string): Promise<ApiExecution> {
		const [execution] = await n8n.waitForExecutions(workflowId, (list) => list.length > 0 && list[0].status !== 'waiting' && list[0].status !== 'running', 60_000);
		return execution;
	}

	it('desktop QR: a fresh code every second, the mock app scans it, the page says done and the execution resumes with the identity', async () => {
		const { pageUrl, executionId } = await openPage('ok');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
		const page = await context.newPage();
		const csp: string[] = [];
		const requested: string[] = [];
		page.on('request', (r) => requested.push(new URL(r.url()).host));
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

		const fresh = await shotAndDecode(page, 'desktop-3-qr-scanned.png');
		const scan = await fetch(sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: fresh, flowType: 'QR' }),
		});
		expect(scan.status).toBe(200);
		await page.waitForSelector('body.state-success', { timeout: 20_000 });
		await page.screenshot({ path: path.join(shots, 'desktop-4-success.png'), fullPage: true });
		expect(await page.textContent('#title')).toBe('Done');

		const execution = await finishedExecution(workflows.ok);
		expect(execution.status).toBe('success');
		const [item] = itemsOf(execution, 'Log in on page');
		expect(item.json).toMatchObject({ state: 'COMPLETE', endResult: 'OK', kind: 'authentication' });
		expect(item.json).toMatchObject({ documentNumber: DEVICE_DOC });
		expect(JSON.stringify(execution.data)).not.toContain(secrets.sessionSecret);

		// A second visitor after completion: the page no longer works (n8n refuses the finished execution).
		const again = await fetch(pageUrl);
		expect([404, 409]).toContain(again.status);
		expect(csp).toEqual([]);
		await context.close();
	}, 120_000);

	it('refusal: the page says so in plain words and the execution resumes with an error item', async () => {
		const { pageUrl } = await openPage('refuse');
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
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
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
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
