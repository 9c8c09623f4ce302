/**
 * The execute side of completion "Hosted Page" through the real node with a mocked n8n context and the simulator:
 * it stores the session in the page's scope and puts the execution to wait; what it cannot serve it refuses by name
 * before Smart-ID is asked (several items, operations without a page).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';

import type { IExecuteFunctions } from 'n8n-workflow';

import { hostedPageRuntime, hostedPageScope, renewSignatureSession } from '../../lib/hosted-page';
import { createSessionStore, readPendingSession, settingsFromCredential } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { fixturePath } from '../helpers/fixtures';
import { binary, executeContext } from '../nodes/harness';
import { startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';

const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
let env: SimulatorEnv;

beforeAll(async () => {
	env = await startSimulatorEnv();
});
afterAll(async () => {
	await env?.stop();
});

function pageContext(params: Record<string, unknown>, items = 1, executionId = '7001') {
	const ctx = executeContext({
		params: { resource: 'authentication', operation: 'authenticate', flow: 'notification', identifyBy: 'documentNumber', documentNumber: DEVICE_DOC, displayText: 'Log in', completion: 'hostedPage', ...params },
		credentials: env.credentials,
		items: Array.from({ length: items }, () => ({ json: {} })),
	});
	ctx.getExecutionId.mockReturnValue(executionId);
	(ctx.evaluateExpression as jest.Mock).mockReturnValue(`http://127.0.0.1:5678/webhook-waiting/${executionId}?signature=${'ab'.repeat(32)}`);
	ctx.putExecutionToWait.mockResolvedValue(undefined);
	return ctx;
}

const run = (ctx: IExecuteFunctions) => new SmartId().execute.call(ctx);

/** The sealed records the node stored in a page's scope. */
async function scopeRecords(executionId: string) {
	const settings = settingsFromCredential(env.credentials, { userFolder: env.folder });
	const store = createSessionStore(settings.store);
	try {
		return await store.list({ credentialKey: hostedPageScope(settings.credentialKey, executionId) });
	} finally {
		await store.close();
	}
}

describe('Hosted Page, execute side', () => {
	it('stores the session in the page scope, waits, and outputs only a marker (no link, no secret)', async () => {
		const ctx = pageContext({ pageMinutes: 3 });
		const before = Date.now();
		const [[item]] = await run(ctx);
		expect(item.json).toMatchObject({ state: 'WAITING_ON_PAGE', kind: 'authentication' });
		const waitTill = ctx.putExecutionToWait.mock.calls[0][0] as Date;
		expect(waitTill.getTime() - before).toBeGreaterThanOrEqual(3 * 60_000 - 1000);
		expect(waitTill.getTime() - before).toBeLessThanOrEqual(3 * 60_000 + 5000);
		const settings = settingsFromCredential(env.credentials, { userFolder: env.folder });
		const store = createSessionStore(settings.store);
		try {
			const records = await store.list({ credentialKey: hostedPageScope(settings.credentialKey, '7001') });
			expect(records.map((r) => r.sessionId)).toEqual([item.json.sessionId]);
			expect(records[0].secrets?.deviceLinkTypes).toEqual(['QR']); // http page: no Web2App
			expect(JSON.stringify(item.json)).not.toContain(records[0].secrets?.sessionSecret);
		} finally {
			await store.close();
		}
	});

	it('refuses several items by name, before Smart-ID is asked', async () => {
		const ctx = pageContext({}, 2);
		await expect(run(ctx)).rejects.toThrow(/Hosted Page serves one person per execution, but 2 items came in/);
		expect(ctx.putExecutionToWait).not.toHaveBeenCalled();
	});

	it('refuses Get Signing Certificate (no page) by name instead of running it as "wait"', async () => {
		const ctx = pageContext({ resource: 'certificate', operation: 'getSigningCertificate', certificateSource: 'certificateChoice' });
		await expect(run(ctx)).rejects.toThrow(/Get Signing Certificate has no page: choose Wait for Completion or Start and Continue/);
		expect(ctx.putExecutionToWait).not.toHaveBeenCalled();
	});

	it('Sign Hash: stores a device-link signature of that digest in the page scope (QR on http) and waits', async () => {
		const hash = 'ab'.repeat(32);
		const ctx = pageContext({ resource: 'signature', operation: 'signHash', hashSource: 'hex', hash, hashAlgorithm: 'SHA-256', signingMethod: 'notification' }, 1, '7002');
		const [[item]] = await run(ctx);
		expect(item.json).toMatchObject({ state: 'WAITING_ON_PAGE', kind: 'signature' });
		const records = await scopeRecords('7002');
		expect(records).toHaveLength(1);
		expect(records[0].secrets?.deviceLinkTypes).toEqual(['QR']);
		expect(Buffer.from(String((records[0].context as { digest: string }).digest), 'base64').toString('hex')).toBe(hash);
	});

	it('Sign PDF: prepares the PDF for the document number, keeps its name, size and SHA-256 prefix for the page, and waits', async () => {
		const pdf = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
		const ctx = executeContext({
			params: { resource: 'pdf', operation: 'signPdf', pdfPropertyName: 'data', identifyBy: 'documentNumber', documentNumber: DEVICE_DOC, displayText: 'Sign the PDF', signingMethod: 'notification', completion: 'hostedPage' },
			credentials: env.credentials,
			items: [{ json: {}, binary: { data: binary(pdf, 'contract.pdf', 'application/pdf') } }],
		});
		ctx.getExecutionId.mockReturnValue('7003');
		(ctx.evaluateExpression as jest.Mock).mockReturnValue(`http://127.0.0.1:5678/webhook-waiting/7003?signature=${'ab'.repeat(32)}`);
		ctx.putExecutionToWait.mockResolvedValue(undefined);
		const [[item]] = await run(ctx);
		expect(item.json).toMatchObject({ state: 'WAITING_ON_PAGE', kind: 'pdfSignature' });
		const [record] = await scopeRecords('7003');
		const summary = (record as unknown as { pdf: { summary: Record<string, unknown> } }).pdf.summary;
		expect(summary.pageFiles).toEqual([{ name: 'contract.pdf', size: pdf.length, hashPrefix: createHash('sha256').update(pdf).digest('hex').slice(0, 16) }]);

		// "New code" on this page: a new session over the same prepared PDF, which reads back through the strict
		// parser (digest, hash and signer of the PDF state must match the new session's context) and MAC check.
		const runtime = hostedPageRuntime(settingsFromCredential(env.credentials, { userFolder: env.folder }), '7003');
		try {
			const old = await readPendingSession(runtime, String(item.json.sessionId));
			if (!old || old.kind !== 'pdfSignature') throw new Error('no stored PDF session');
			const fresh = await renewSignatureSession(runtime, old, { deviceLinkTypes: ['QR'] });
			const back = await readPendingSession(runtime, fresh.sessionId);
			if (!back || back.kind !== 'pdfSignature') throw new Error('renewed PDF session not readable');
			expect(back.sessionId).not.toBe(old.sessionId);
			expect(back.context.digest).toBe(old.context.digest);
			expect(back.context.expectedCertificate).toBe(old.context.expectedCertificate);
			expect(back.pdf.partialBase64).toBe(old.pdf.partialBase64);
		} finally {
			await runtime.close();
		}
	});

	it('Sign PDF kept outside memory by n8n (binary id): the page facts come from a hashed stream', async () => {
		const pdf = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
		const ctx = executeContext({
			params: { resource: 'pdf', operation: 'signPdf', pdfPropertyName: 'data', identifyBy: 'documentNumber', documentNumber: DEVICE_DOC, displayText: 'Sign the PDF', signingMethod: 'notification', completion: 'hostedPage' },
			credentials: env.credentials,
			items: [{ json: {}, binary: { data: { ...binary(pdf, 'streamed.pdf', 'application/pdf'), id: 'filesystem-v2:workflows/1/executions/7005/binary_data/x' } } }],
		});
		const getBinaryStream = jest.fn(async () => Readable.from([pdf.subarray(0, 100), pdf.subarray(100)]));
		Object.assign(ctx.helpers, { getBinaryStream });
		ctx.getExecutionId.mockReturnValue('7005');
		(ctx.evaluateExpression as jest.Mock).mockReturnValue(`http://127.0.0.1:5678/webhook-waiting/7005?signature=${'ab'.repeat(32)}`);
		ctx.putExecutionToWait.mockResolvedValue(undefined);
		await run(ctx);
		expect(getBinaryStream).toHaveBeenCalledWith('filesystem-v2:workflows/1/executions/7005/binary_data/x');
		const [record] = await scopeRecords('7005');
		const summary = (record as unknown as { pdf: { summary: Record<string, unknown> } }).pdf.summary;
		expect(summary.pageFiles).toEqual([{ name: 'streamed.pdf', size: pdf.length, hashPrefix: createHash('sha256').update(pdf).digest('hex').slice(0, 16) }]);
	});

	it('Sign PDF by personal code on a page is refused with Sign PDF\'s own Document Number rule, before Smart-ID is asked', async () => {
		const ctx = pageContext({ resource: 'pdf', operation: 'signPdf', identifyBy: 'personalCode', personalCode: '40404040009', country: 'EE', signingMethod: 'notification' }, 1, '7004');
		await expect(run(ctx)).rejects.toThrow(/Device-link signing of a PDF needs the Document Number/);
		expect(ctx.putExecutionToWait).not.toHaveBeenCalled();
	});

	it('under continue-on-fail the refusal is an error item', async () => {
		const ctx = pageContext({}, 2);
		ctx.continueOnFail.mockReturnValue(true);
		const [[item]] = await run(ctx);
		expect(item.json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
	});
});
