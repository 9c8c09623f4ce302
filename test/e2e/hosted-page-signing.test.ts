/**
 * Signing on the Hosted Page in a real n8n 2.40.7 with a real headless chromium (one n8n behind an https front, so
 * pages offer Web2App): a phone signs a container through Web2App and downloads it from the page; a code that
 * expired is replaced by "New code" over the same prepared container; Sign Hash; Sign PDF ending in a PDF pdfsig
 * calls valid, downloaded from the page too; a refusal. Every signed artefact is checked by our verifier AND from outside
 * (xmllint + openssl for the container, openssl for the hash, pdfsig + qpdf for the PDF). A second visitor after
 * completion gets only n8n's "finished" answer. Screenshots of each state go to test-artifacts/hosted-page/.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { verifyContainer } from '../../lib/asice/verify';
import { createDeviceLink, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { hostedPageScope } from '../../lib/hosted-page';
import { verifyPdf } from '../../lib/pdf/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { createSessionStore, settingsFromCredential } from '../../lib/sessions';
import { simulatorCredentialData, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { opensslVerifyDigest } from '../asice/sign/helpers/independent';
import { artifactDir, browserMissingReason, launchBrowser } from '../helpers/browser';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from '../pdf/helpers/oracles';
import { EXAMPLE_CREDENTIAL_ID, independentPssCheck, simulatorTrust } from './examples';
import { describeE2e, killAllChildren, N8nInstance, type ApiExecution } from './harness';
import { executionIdOf, itemsOf, shotAndDecode as shotAndDecodeTo, startTlsFront } from './hosted-page-helpers';

const CREDENTIAL_ID = EXAMPLE_CREDENTIAL_ID;
const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
const REFUSING_DOC = 'PNOEE-30403039917-MOCK-Q';
const CONTRACT = Buffer.from('Contract 2026-13b: signed on the hosted page.\n');

/** Webhook (raw body → binary `data`) → Respond (the page URL) → Smart-ID on a Hosted Page [→ Verify]. */
function pageWorkflow(key: string, smartId: Record<string, unknown>, verify?: Record<string, unknown>): { name: string; nodes: unknown[]; connections: Record<string, unknown> } {
	const nodes: unknown[] = [
		{
			id: 'b1',
			name: 'Start',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: `hosted-sign-${key}-id`,
			parameters: { httpMethod: 'POST', path: `hosted-sign-${key}`, responseMode: 'responseNode', options: { binaryPropertyName: 'data' } },
		},
		{
			id: 'b2',
			name: 'Send link',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [200, 0],
			parameters: { respondWith: 'json', responseBody: '={{ { "pageUrl": $execution.resumeUrl } }}', options: {} },
		},
		{
			id: 'b3',
			name: 'Sign on page',
			type: 'n8n-nodes-smart-id.smartId',
			typeVersion: 1,
			position: [400, 0],
			credentials: { smartIdApi: { id: CREDENTIAL_ID, name: 'Smart-ID simulator' } },
			parameters: {
				identifyBy: 'documentNumber',
				documentNumber: DEVICE_DOC,
				signingMethod: 'notification',
				interactionType: 'displayTextAndPIN',
				completion: 'hostedPage',
				pageMinutes: 5,
				...smartId,
			},
		},
	];
	const connections: Record<string, unknown> = {
		Start: { main: [[{ node: 'Send link', type: 'main', index: 0 }]] },
		'Send link': { main: [[{ node: 'Sign on page', type: 'main', index: 0 }]] },
	};
	if (verify) {
		nodes.push({ id: 'b4', name: 'Verify', type: 'n8n-nodes-smart-id.smartId', typeVersion: 1, position: [600, 0], parameters: { resource: 'container', operation: 'verifyContainer', containerPropertyName: 'data', outputDataFiles: false, ...verify } });
		connections['Sign on page'] = { main: [[{ node: 'Verify', type: 'main', index: 0 }]] };
	}
	return { name: `Hosted page signing ${key}`, nodes, connections };
}

const container = (extra: Record<string, unknown> = {}) => ({
	resource: 'container',
	operation: 'buildAsice',
	binaryPropertyNames: 'data',
	containerFileName: 'contract.asice',
	outputBinaryPropertyName: 'data',
	displayText: 'Sign the contract',
	...extra,
});

const browserMissing = browserMissingReason();

describeE2e('Signing on the Hosted Page in a real n8n with a headless browser', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let browser: Browser;
	let credentialData: Record<string, string>;
	let front: { server: https.Server; port: number };
	let simTrust: TrustStore;
	const workflows: Record<string, string> = {};
	const shots = artifactDir('hosted-page');
	const shotAndDecode = (page: Page, file: string): Promise<string> => shotAndDecodeTo(page, path.join(shots, file));

	beforeAll(async () => {
		if (browserMissing) throw new Error(browserMissing);
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'), sessionTimeoutMs: 90_000 });
		simTrust = TrustStore.fromPem([...sim.caPems, sim.tsaCertPem], 'simulator');
		front = await startTlsFront(fs.mkdtempSync(path.join(os.tmpdir(), 'hosted-sign-tls-')), () => n8n.port);
		n8n = new N8nInstance(runtime, { env: { WEBHOOK_URL: `https://127.0.0.1:${front.port}/` } });
		credentialData = { ...simulatorCredentialData(sim, path.join(n8n.userFolder, 'smart-id-sessions')), sessionRecordKey: 'hosted-sign-e2e-record-key-0123456789abcdef' };
		await n8n.installPackage();
		await n8n.importCredentials([{ id: CREDENTIAL_ID, name: 'Smart-ID simulator', type: 'smartIdApi', data: credentialData }]);
		await n8n.start();
		const defs = {
			web2app: pageWorkflow('web2app', container({ offerDownload: true }), simulatorTrust(sim)),
			newcode: pageWorkflow('newcode', container(), simulatorTrust(sim)),
			hash: pageWorkflow('hash', { resource: 'signature', operation: 'signHash', hashSource: 'hex', hash: createHash('sha256').update(CONTRACT).digest('hex'), hashAlgorithm: 'SHA-256', displayText: 'Sign the hash' }),
			refuse: pageWorkflow('refuse', container({ offerDownload: true, documentNumber: REFUSING_DOC })),
			pdf: pageWorkflow('pdf', { resource: 'pdf', operation: 'signPdf', pdfPropertyName: 'data', pdfFileName: 'contract.pdf', outputBinaryPropertyName: 'data', displayText: 'Sign the PDF', offerDownload: true }),
		};
		for (const [key, def] of Object.entries(defs)) {
			workflows[key] = await n8n.createWorkflow(def);
			await n8n.activate(workflows[key]);
		}
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

	async function openPage(key: string, body: Buffer): Promise<{ pageUrl: string; executionId: string }> {
		const res = await n8n.callWebhook(`hosted-sign-${key}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
		expect(res.status).toBe(200);
		const { pageUrl } = (await res.json()) as { pageUrl: string };
		const executionId = executionIdOf(pageUrl);
		await n8n.waitForExecutions(workflows[key], (list) => list.some((e) => String(e.id) === executionId && e.status === 'waiting'), 30_000).catch(async (e: Error) => {
			const [last] = await n8n.executions(workflows[key]);
			throw new Error(`${e.message}; execution: ${JSON.stringify(last?.data?.resultData.error ?? last?.status)}`);
		});
		return { pageUrl, executionId };
	}

	/** The page's live session as stored (the test plays the server); exactly one record per page. */
	async function storedSecrets(executionId: string): Promise<DeviceLinkSecrets> {
		const settings = settingsFromCredential(credentialData, { userFolder: n8n.userFolder });
		const store = createSessionStore(settings.store);
		try {
			const records = await store.list({ credentialKey: hostedPageScope(settings.credentialKey, executionId) });
			expect(records).toHaveLength(1);
			if (!records[0].secrets) throw new Error('stored hosted-page session has no device-link secrets');
			return records[0].secrets;
		} finally {
			await store.close();
		}
	}

	async function finishedExecution(workflowId: string): Promise<ApiExecution> {
		const [execution] = await n8n.waitForExecutions(workflowId, (list) => list.length > 0 && list[0].status !== 'waiting' && list[0].status !== 'running', 60_000);
		return execution;
	}

	/** The mock app scans what the screen shows (a frame may be stale on a loaded machine: read the next one). */
	async function scanScreen(page: Page, file: string, documentNumber = DEVICE_DOC): Promise<string> {
		let scan: Response | undefined;
		let link = '';
		for (let attempt = 1; attempt <= 4 && scan?.status !== 200; attempt++) {
			link = await shotAndDecode(page, file);
			scan = await fetch(sim.mockDeviceLinkUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentNumber, deviceLink: link, flowType: 'QR' }) });
		}
		expect(scan?.status).toBe(200);
		return link;
	}

	/** Click the finished page's download link; the bytes chromium saved. */
	async function download(page: Page, file: string): Promise<Buffer> {
		await page.waitForSelector('#dl-box:not(.hidden) #dl[download]', { timeout: 10_000 });
		const pending = page.waitForEvent('download');
		await page.click('#dl');
		const saved = await pending;
		const target = path.join(shots, file);
		await saved.saveAs(target);
		expect(saved.suggestedFilename()).toBe(file);
		return fs.readFileSync(target);
	}

	/** A second visitor after completion: n8n's own "finished" answer, holding nothing of the person or the file. */
	async function expectSecondVisitorSeesOnlyFinished(pageUrl: string, mustNotContain: string[]): Promise<void> {
		const direct = new URL(pageUrl);
		const again = await fetch(`${n8n.url}${direct.pathname}${direct.search}`);
		const text = await again.text();
		fs.writeFileSync(path.join(shots, 'second-visitor.txt'), `${again.status}\n${text}\n`);
		expect(again.status).toBe(409);
		const body = JSON.parse(text) as Record<string, unknown>;
		expect(String(body.message)).toMatch(/^The execution "\d+ has finished already\.$/);
		for (const secret of [...mustNotContain, 'signature=', 'base64', 'data:', 'http']) expect(text).not.toContain(secret);
	}

	const desktop = (): Promise<BrowserContext> => browser.newContext({ viewport: { width: 1100, height: 900 }, ignoreHTTPSErrors: true, acceptDownloads: true });

	it('phone: Web2App signing through the callback ends in a verified container, downloaded from the page', async () => {
		const { pageUrl, executionId } = await openPage('web2app', CONTRACT);
		const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true, acceptDownloads: true });
		const page = await context.newPage();
		await page.goto(pageUrl);
		expect(await page.isVisible('#qr')).toBe(false);
		expect(await page.textContent('.files')).toContain(createHash('sha256').update(CONTRACT).digest('hex').slice(0, 16));
		await page.screenshot({ path: path.join(shots, 'sign-phone-1-open-smart-id.png'), fullPage: true });
		const opened = page.waitForRequest((r) => r.url().includes('deviceLinkType=Web2App'));
		await page.click('text=Open Smart-ID on this device');
		const web2app = (await opened).url();
		// The page moved to a new session over the same prepared container that offers Web2App (one record left).
		const secrets = await storedSecrets(executionId);
		expect(secrets.deviceLinkTypes).toEqual(['QR', 'Web2App']);
		expect(web2app).toBe(createDeviceLink(secrets, { deviceLinkType: 'Web2App' }));
		const answer = await fetch(sim.mockDeviceLinkUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: web2app, flowType: 'Web2App' }) });
		expect(answer.status).toBe(200);
		const { callbackUrl } = (await answer.json()) as { callbackUrl: string };
		expect(callbackUrl.startsWith(`${pageUrl}&hp=callback&value=`)).toBe(true);
		const forged = await page.goto(callbackUrl.replace(/sessionSecretDigest=[^&]+/, `sessionSecretDigest=${'A'.repeat(43)}`));
		expect(forged?.status()).toBe(400);

		await page.goto(callbackUrl);
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		const bytes = await download(page, 'contract.asice');
		await page.screenshot({ path: path.join(shots, 'sign-phone-2-success-download.png'), fullPage: true });
		// The downloaded file: our verifier with the simulator's CAs, and xmllint + openssl with none of our code.
		const report = await verifyContainer(bytes, { trust: simTrust, filename: 'contract.asice' });
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		const independent = await independentPssCheck(bytes);
		expect(independent.signatureOk).toBe(true);
		expect(Object.values(independent.references)).toEqual([true]); // the one data file (n8n names a raw body)

		const execution = await finishedExecution(workflows.web2app);
		expect(execution.status).toBe('success');
		const [signed] = itemsOf(execution, 'Sign on page');
		expect(signed.json).toMatchObject({ endResult: 'OK', callback: 'verified', containerFileName: 'contract.asice', containerSize: bytes.length });
		expect(signed.json).not.toHaveProperty('pageFiles');
		expect(itemsOf(execution, 'Verify')[0].json).toMatchObject({ valid: true });
		await expectSecondVisitorSeesOnlyFinished(pageUrl, [DEVICE_DOC, '40404040009', 'contract.asice']);
		await context.close();
	}, 150_000);

	it('new code: after the code expired on screen, "New code" signs the same prepared container in a new session', async () => {
		const { pageUrl } = await openPage('newcode', CONTRACT);
		const context = await desktop();
		const page = await context.newPage();
		await page.clock.install();
		await page.goto(pageUrl);
		const first = await shotAndDecode(page, 'newcode-1-qr.png');
		// A minute of showing codes (SK's guidance) passes: the page takes the code away and offers a new one.
		await page.clock.fastForward(61_000);
		await page.waitForSelector('#newcode-box:not(.hidden)', { timeout: 10_000 });
		expect(await page.isVisible('#qr')).toBe(false);
		await page.screenshot({ path: path.join(shots, 'newcode-2-expired.png'), fullPage: true });
		await page.click('#newcode');
		const second = await scanScreen(page, 'newcode-3-new-qr.png');
		expect(new URL(second).searchParams.get('sessionToken')).not.toBe(new URL(first).searchParams.get('sessionToken'));
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		await page.screenshot({ path: path.join(shots, 'newcode-4-success.png'), fullPage: true });
		const execution = await finishedExecution(workflows.newcode);
		expect(execution.status).toBe('success');
		expect(itemsOf(execution, 'Sign on page')[0].json).toMatchObject({ endResult: 'OK', containerFileName: 'contract.asice' });
		expect(itemsOf(execution, 'Verify')[0].json).toMatchObject({ valid: true });
		expect(JSON.stringify(execution.data)).not.toMatch(/sessionSecret/);
		await context.close();
	}, 150_000);

	it('Sign Hash: the page shows the algorithm and hash prefix, the scan ends in a signature openssl verifies over that digest', async () => {
		const digest = createHash('sha256').update(CONTRACT).digest();
		const { pageUrl } = await openPage('hash', Buffer.from('unused'));
		const context = await desktop();
		const page = await context.newPage();
		await page.goto(pageUrl);
		const shown = (await page.textContent('.card')) ?? '';
		expect(shown).toContain('SHA-256');
		expect(shown).toContain(digest.toString('hex').slice(0, 16));
		await scanScreen(page, 'hash-1-qr.png');
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		await page.screenshot({ path: path.join(shots, 'hash-2-success.png'), fullPage: true });
		const execution = await finishedExecution(workflows.hash);
		expect(execution.status).toBe('success');
		const [item] = itemsOf(execution, 'Sign on page');
		expect(item.json).toMatchObject({ kind: 'signature', endResult: 'OK', digest: digest.toString('base64'), documentNumber: DEVICE_DOC });
		const certPem = `-----BEGIN CERTIFICATE-----\n${String(item.json.certificate).match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
		expect(opensslVerifyDigest(certPem, digest, Buffer.from(String(item.json.signatureValue), 'base64'), 'sha256', 'pss')).toBe(true);
		await context.close();
	}, 120_000);

	it('refusal on a signing page: plain words, no download, and the execution resumes with an error item', async () => {
		const { pageUrl } = await openPage('refuse', CONTRACT);
		const context = await desktop();
		const page = await context.newPage();
		await page.goto(pageUrl);
		await scanScreen(page, 'sign-refuse-1-qr.png', REFUSING_DOC);
		await page.waitForSelector('body.state-refused', { timeout: 30_000 });
		await page.screenshot({ path: path.join(shots, 'sign-refuse-2-refused.png'), fullPage: true });
		expect(await page.textContent('#title')).toBe('Not confirmed');
		expect(await page.isVisible('#dl')).toBe(false);
		const execution = await finishedExecution(workflows.refuse);
		const [item] = itemsOf(execution, 'Sign on page');
		expect(item.json).toMatchObject({ kind: 'asiceSignature', code: 'SMARTID_USER_REFUSED', endResult: 'USER_REFUSED' });
		expect(item.binary).toBeUndefined();
		await context.close();
	}, 120_000);

	it('Sign PDF: the page lists the PDF, the scan ends in a PDF that pdfsig calls valid, downloaded from the page', async () => {
		const pdf = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
		const { pageUrl } = await openPage('pdf', pdf);
		const context = await desktop();
		const page = await context.newPage();
		await page.goto(pageUrl);
		const listed = (await page.textContent('.files')) ?? '';
		expect(listed).toContain(`${pdf.length.toLocaleString('en')} bytes`);
		expect(listed).toContain(createHash('sha256').update(pdf).digest('hex').slice(0, 16));
		await scanScreen(page, 'pdf-1-file-and-qr.png');
		await page.waitForSelector('body.state-success', { timeout: 30_000 });
		const bytes = await download(page, 'contract.pdf');
		await page.screenshot({ path: path.join(shots, 'pdf-2-success-download.png'), fullPage: true });
		const file = path.join(shots, 'contract.pdf');
		expect(pdfsig(file).signatures.map((s) => s.valid)).toEqual([true]);
		expect(qpdfCheck(file).status).toBe(0);
		expect(bytes.subarray(0, pdf.length).equals(pdf)).toBe(true);
		const report = await verifyPdf(bytes, { trust: simTrust, filename: 'contract.pdf' });
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		const execution = await finishedExecution(workflows.pdf);
		expect(execution.status).toBe('success');
		const [item] = itemsOf(execution, 'Sign on page');
		expect(item.json).toMatchObject({ kind: 'pdfSignature', endResult: 'OK', pdfFileName: 'contract.pdf', pdfSize: bytes.length, signatureCount: 1 });
		expect(item.json).not.toHaveProperty('pageFiles');
		await expectSecondVisitorSeesOnlyFinished(pageUrl, [DEVICE_DOC, 'contract.pdf']);
		await context.close();
	}, 120_000);
});
