/**
 * PDF → Sign PDF through the node against the simulator: parameters in, a signed PDF and its facts out; Wait for
 * Completion, Start and Continue finished by the Smart-ID Trigger, a second signer on the output, a TSA outage that
 * keeps the signed session for the trigger, refusals before any Smart-ID call. Every PDF is checked by pdfsig.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';

import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from '../pdf/helpers/oracles';
import { binary, executeContext, expectNoSecrets, pollContext } from './harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

const CO_SIGNER_DOC = 'PNOLT-30303039914-MOCK-Q';
let env: SimulatorEnv;
let dir: string;
const node = new SmartId();
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	env = await startSimulatorEnv();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-sign-pdf-'));
}, 60_000);
afterAll(async () => {
	await env?.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

const params = (extra: Record<string, unknown> = {}) => ({
	resource: 'pdf',
	operation: 'signPdf',
	pdfPropertyName: 'data',
	identifyBy: 'documentNumber',
	documentNumber: OK_DOC,
	interactionType: 'displayTextAndPIN',
	displayText: 'Sign the PDF',
	completion: 'wait',
	waitTimeoutSeconds: 30,
	...extra,
});

const pdfItem = (data: Buffer, fileName = 'contract.pdf'): INodeExecutionData => ({ json: {}, binary: { data: binary(data, fileName, 'application/pdf') } });

async function run(p: Record<string, unknown>, items: INodeExecutionData[], credentials: ICredentialDataDecryptedObject = env.credentials, continueOnFail = false) {
	const [out] = await node.execute.call(executeContext({ params: p, credentials, items, continueOnFail }));
	return out;
}

/** Write a binary of an output item to disk (for pdfsig) and return the path. */
function saved(item: INodeExecutionData, name: string, field = 'data'): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, Buffer.from(item.binary![field].data, 'base64'));
	return file;
}

/** Every signature valid; the last covers the whole file unless a DSS revision (B-LT) follows it. */
function expectValid(file: string, count: number, lastTotal = true): void {
	const sigs = pdfsig(file).signatures;
	expect(sigs.map((s) => s.valid)).toEqual(Array(count).fill(true));
	expect(sigs[count - 1].total).toBe(lastTotal);
	expect(qpdfCheck(file).status).toBe(0);
}

async function pollUntilEmitted(tag: string, credentials = env.credentials) {
	for (let n = 0; n < 40; n++) {
		const emitted = await trigger.poll.call(pollContext({ params: { tag }, credentials }));
		if (emitted) return emitted[0];
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`the trigger emitted nothing for tag ${tag}`);
}

test('the PDF resource offers Sign PDF with notification and device link (no signer choice)', () => {
	const props = node.description.properties;
	const resource = props.find((p) => p.name === 'resource')!;
	expect((resource.options as Array<{ value: string }>).map((o) => o.value)).toContain('pdf');
	const methods = props.filter((p) => p.name === 'signingMethod' && p.displayOptions?.show?.resource?.includes('pdf'));
	expect(methods).toHaveLength(1);
	expect((methods[0].options as Array<{ value: string }>).map((o) => o.value)).toEqual(['deviceLink', 'notification']);
	const level = props.find((p) => p.name === 'padesLevel')!;
	expect(level.default).toBe('B-T');
	expect(props.find((p) => p.name === 'showPersonalCode')!.default).toBe(false);
});

test('Wait for Completion: signs with a signature page, then a second person signs the output (B-LT); both valid', async () => {
	const input = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
	const [first] = await run(params({ visibleSignature: 'page' }), [pdfItem(input)]);
	expect(first.json).toMatchObject({ kind: 'pdfSignature', state: 'COMPLETE', endResult: 'OK', operation: 'signPdf', level: 'B-T', referenceLetter: 'A', personalCodeShown: false, signatureCount: 1, pdfFileName: 'contract.pdf', documentNumber: OK_DOC });
	expect(first.json.byteRangeCheck).toEqual({ signaturesIntact: true, newSignatureCoversRevision: true, anomalies: [] });
	expect(first.binary!.data).toMatchObject({ fileName: 'contract.pdf', mimeType: 'application/pdf' });
	const one = saved(first, 'one.pdf');
	expectValid(one, 1);
	expect(fs.readFileSync(one).subarray(0, input.length).equals(input)).toBe(true);

	const [second] = await run(
		params({ documentNumber: CO_SIGNER_DOC, visibleSignature: 'page', showPersonalCode: true, padesLevel: 'B-LT', pdfFileName: 'contract-signed', outputBinaryPropertyName: 'signed' }),
		[{ json: {}, binary: { data: first.binary!.data } }],
	);
	expect(second.json).toMatchObject({ level: 'B-LT', referenceLetter: 'B', personalCodeShown: true, signatureCount: 2, pdfFileName: 'contract-signed.pdf' });
	expect(second.json.ocspProducedAt).toEqual(expect.any(String));
	const two = saved(second, 'two.pdf', 'signed');
	expectValid(two, 2, false);
	expect(fs.readFileSync(two, 'latin1')).toMatch(/\/DSS/);
	expectNoSecrets(second);
}, 120_000);

test('Start and Continue: stored as a pdfSignature session, the trigger emits the signed PDF (box on page 1)', async () => {
	const input = fs.readFileSync(fixturePath('pdf', 'uncompressed-objstream-sample.pdf'));
	const [started] = await run(params({ completion: 'start', tag: 'pdf-start', correlation: '{"order":7}', visibleSignature: 'box', visiblePage: 1, visiblePosition: 'topRight' }), [pdfItem(input, 'order.pdf')]);
	expect(started.json).toMatchObject({ kind: 'pdfSignature', state: 'RUNNING', verificationCode: expect.any(String) });
	expect(started.binary).toBeUndefined();
	const emitted = await pollUntilEmitted('pdf-start');
	expect(emitted).toHaveLength(1);
	expect(emitted[0].json).toMatchObject({ sessionId: started.json.sessionId, kind: 'pdfSignature', state: 'COMPLETE', correlation: { order: 7 }, signatureCount: 1, pdfFileName: 'order.pdf' });
	expectValid(saved(emitted[0], 'started.pdf'), 1);
	expectNoSecrets(emitted);
}, 120_000);

test('Device link (QR): link + PNG at once, the record holds the secrets, after the scan the trigger emits the signed PDF', async () => {
	const [item] = await run(params({ signingMethod: 'deviceLink', deviceLinkType: 'QR', tag: 'pdf-qr', visibleSignature: 'page' }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal-hybrid-xref.pdf')))]);
	expect(item.json).toMatchObject({ kind: 'pdfSignature', state: 'RUNNING', flow: 'deviceLink', deviceLinkType: 'QR' });
	expect(item.binary?.qr.mimeType).toBe('image/png');
	const record = await new FileSessionStore({ folder: env.folder }).get(item.json.sessionId as string);
	expect(record).toMatchObject({ kind: 'pdfSignature', secrets: { sessionType: 'sign', signatureProtocol: 'RAW_DIGEST_SIGNATURE' } });
	expectNoSecrets(item, [record!.secrets!.sessionSecret]);
	const answer = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: item.json.deviceLink, flowType: 'QR' }),
	});
	expect(answer.status).toBeLessThan(300);
	const emitted = await pollUntilEmitted('pdf-qr');
	expect(emitted[0].json).toMatchObject({ sessionId: item.json.sessionId, kind: 'pdfSignature', endResult: 'OK', flowType: 'QR', referenceLetter: 'A', signatureCount: 1 });
	expectValid(saved(emitted[0], 'qr.pdf'), 1);
	expectNoSecrets(emitted, [record!.secrets!.sessionSecret]);
}, 120_000);

test('a TSA outage while the trigger finishes: the signed session is kept, and finished once the TSA answers', async () => {
	const tsa = http.createServer((_req, res) => {
		res.writeHead(503, { 'content-type': 'text/plain' });
		res.end('down for maintenance');
	});
	await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
	const down = { ...env.credentials, tsaUrl: `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/tsa` };
	try {
		const [started] = await run(params({ completion: 'start', tag: 'pdf-outage' }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')))], down);
		const id = started.json.sessionId as string;
		// Let the person sign, then poll with the TSA down: nothing emitted, the record keeps Smart-ID's answer.
		await new Promise((r) => setTimeout(r, 600));
		for (let n = 0; n < 5; n++) {
			expect(await trigger.poll.call(pollContext({ params: { tag: 'pdf-outage' }, credentials: down }))).toBeNull();
			const raw = await new FileSessionStore({ folder: env.folder }).get(id);
			if (raw?.keptStatus) break;
			await new Promise((r) => setTimeout(r, 300));
		}
		const raw = await new FileSessionStore({ folder: env.folder }).get(id);
		expect(raw).toMatchObject({ kind: 'pdfSignature', keptStatus: { state: 'COMPLETE' } });
		const emitted = await pollUntilEmitted('pdf-outage');
		expect(emitted[0].json).toMatchObject({ sessionId: id, kind: 'pdfSignature', state: 'COMPLETE', signatureCount: 1 });
		expectValid(saved(emitted[0], 'after-outage.pdf'), 1);
	} finally {
		await new Promise((r) => tsa.close(r));
	}
}, 120_000);

test('Wait for Completion at B-LT with the OCSP responder down: the error says the signed session was kept, the trigger finishes it', async () => {
	const ocsp = http.createServer((_req, res) => {
		res.writeHead(503, { 'content-type': 'text/plain' });
		res.end('down');
	});
	await new Promise<void>((resolve) => ocsp.listen(0, '127.0.0.1', resolve));
	const down = { ...env.credentials, ocspUrl: `http://127.0.0.1:${(ocsp.address() as AddressInfo).port}/ocsp` };
	try {
		const [failed] = await run(params({ padesLevel: 'B-LT', tag: 'pdf-ocsp' }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal-xref.pdf')))], down, true);
		expect(failed.json).toMatchObject({ code: 'PDF_OCSP_FAILED', sessionId: expect.any(String) });
		expect(failed.json.error).toMatch(/kept in the session store.*finishes the PDF/);
		const raw = await new FileSessionStore({ folder: env.folder }).get(failed.json.sessionId as string);
		expect(raw).toMatchObject({ kind: 'pdfSignature', tag: 'pdf-ocsp', keptStatus: { state: 'COMPLETE' } });
		const emitted = await pollUntilEmitted('pdf-ocsp');
		expect(emitted[0].json).toMatchObject({ sessionId: failed.json.sessionId, kind: 'pdfSignature', level: 'B-LT', ocspProducedAt: expect.any(String) });
		expectValid(saved(emitted[0], 'after-ocsp.pdf'), 1, false);
	} finally {
		await new Promise((r) => ocsp.close(r));
	}
}, 120_000);

test('refused before any Smart-ID call: not a PDF, an encrypted PDF, a page that does not exist, a device link without document number', async () => {
	// A Smart-ID service nobody listens on: any call would fail with a connection error instead of these refusals.
	const nowhere = { ...env.credentials, baseUrl: 'http://127.0.0.1:9/' };
	const notPdf = await run(params(), [pdfItem(Buffer.from('PK\u0003\u0004 a zip, not a pdf'), 'x.pdf')], nowhere, true);
	expect(notPdf[0].json).toMatchObject({ code: 'PDF_INVALID_INPUT', error: expect.stringContaining('no %PDF- header') });
	const badLevel = await run(params({ padesLevel: 'B-B' }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')))], nowhere, true);
	expect(badLevel[0].json.error).toMatch(/PAdES Level must be B-T, B-LT or B-LTA/);
	const link = await run(params({ signingMethod: 'deviceLink', identifyBy: 'personalCode', country: 'LT', personalCode: '40504040001' }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')))], nowhere, true);
	expect(link[0].json.error).toMatch(/needs the Document Number/);
	// These need the signer certificate first, but are refused before a signature is requested.
	const encrypted = await run(params(), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal-aes256.pdf')))], env.credentials, true);
	expect(encrypted[0].json).toMatchObject({ code: 'PDF_ENCRYPTED' });
	const page = await run(params({ visibleSignature: 'box', visiblePage: 9 }), [pdfItem(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')))], env.credentials, true);
	expect(page[0].json).toMatchObject({ code: 'PDF_INVALID_INPUT', error: expect.stringContaining('page 9 does not exist') });
}, 120_000);
