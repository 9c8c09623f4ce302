/**
 * Sign PDF with n8n's binary data kept out of memory (filesystem mode), through the node against the simulator: the
 * binary helpers below behave like n8n 2.40's filesystem store (an id per binary, a file per id, streams in and out).
 * Wait for Completion reads the input in place, never as a whole Buffer, and refuses an input that changed before
 * finishing; Start and Continue, device links and a TSA outage in Wait mode keep self-contained records that the
 * trigger finishes after the execution's binaries are gone. Every PDF is checked by pdfsig.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { IBinaryData, ICredentialDataDecryptedObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { fixturePath } from '../helpers/fixtures';
import { pdfsig, qpdfCheck } from '../pdf/helpers/oracles';
import { executeContext, pollContext } from './harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

const CO_SIGNER_DOC = 'PNOLT-30303039914-MOCK-Q';
let env: SimulatorEnv;
let store: string;
let counter = 0;
const node = new SmartId();
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	env = await startSimulatorEnv();
	store = fs.mkdtempSync(path.join(os.tmpdir(), 'node-sign-pdf-fs-store-'));
}, 60_000);
afterAll(async () => {
	await env?.stop();
	fs.rmSync(store, { recursive: true, force: true });
});

const fileOf = (id: string) => path.join(store, id.slice(id.indexOf(':') + 1));

/** Put bytes into the fake filesystem store; the item's binary holds only the id, as n8n's does. */
function stored(bytes: Buffer, fileName: string): IBinaryData {
	const id = `filesystem-v2:workflows/1/executions/1/binary_data/${++counter}`;
	fs.mkdirSync(path.dirname(fileOf(id)), { recursive: true });
	fs.writeFileSync(fileOf(id), bytes);
	return { id, data: 'filesystem-v2', fileName, mimeType: 'application/pdf', fileSize: String(bytes.length) };
}

type Helpers = Record<string, jest.Mock>;

/** n8n's binary helpers in filesystem mode; a whole-file read (getBinaryDataBuffer) fails the test. */
interface Hooks {
	/** Runs when the node asks for a binary's file (the first time while preparing, then while finishing). */
	onPath?: (id: string, call: number) => void;
	/** Runs when the signed PDF is handed to the store, before its stream is read. */
	beforeStore?: () => void;
}

function filesystemMode(ctx: IExecuteFunctions, hooks: Hooks): Helpers {
	const helpers = ctx.helpers as unknown as Helpers;
	let calls = 0;
	helpers.getBinaryPath = jest.fn((id: string) => {
		hooks.onPath?.(id, ++calls);
		return fileOf(id);
	});
	helpers.getBinaryMetadata = jest.fn(async (id: string) => ({ fileSize: fs.statSync(fileOf(id)).size }));
	helpers.getBinaryStream = jest.fn(async (id: string) => fs.createReadStream(fileOf(id)));
	helpers.getBinaryDataBuffer = jest.fn(async () => {
		throw new Error('the whole binary was read into memory');
	});
	helpers.prepareBinaryData = jest.fn(async (data: Buffer | Readable, fileName?: string, mimeType?: string) => {
		const id = `filesystem-v2:workflows/1/executions/1/binary_data/out-${++counter}`;
		fs.mkdirSync(path.dirname(fileOf(id)), { recursive: true });
		if (Buffer.isBuffer(data)) {
			// Small files (a QR code PNG) may come as bytes; the signed PDF must not.
			if (mimeType === 'application/pdf') throw new Error('the signed PDF came as a Buffer, not as a stream');
			fs.writeFileSync(fileOf(id), data);
		} else {
			hooks.beforeStore?.();
			await pipeline(data, fs.createWriteStream(fileOf(id)));
		}
		return { id, data: 'filesystem-v2', fileName, mimeType, fileSize: String(fs.statSync(fileOf(id)).size) };
	});
	return helpers;
}

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

async function run(p: Record<string, unknown>, binary: IBinaryData, options: { credentials?: ICredentialDataDecryptedObject } & Hooks = {}) {
	const ctx = executeContext({ params: p, credentials: options.credentials ?? env.credentials, items: [{ json: {}, binary: { data: binary } }], continueOnFail: true });
	const helpers = filesystemMode(ctx, options);
	const [out] = await node.execute.call(ctx);
	return { item: out[0], helpers };
}

function expectValid(file: string, count: number, lastTotal = true): void {
	const sigs = pdfsig(file).signatures;
	expect(sigs.map((s) => s.valid)).toEqual(Array(count).fill(true));
	expect(sigs[count - 1].total).toBe(lastTotal);
	expect(qpdfCheck(file).status).toBe(0);
}

async function pollUntilEmitted(tag: string): Promise<INodeExecutionData[]> {
	for (let n = 0; n < 40; n++) {
		const emitted = await trigger.poll.call(pollContext({ params: { tag }, credentials: env.credentials }));
		if (emitted) return emitted[0];
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`the trigger emitted nothing for tag ${tag}`);
}

function emittedFile(item: INodeExecutionData, name: string): string {
	const file = path.join(store, name);
	fs.writeFileSync(file, Buffer.from(item.binary!.data.data, 'base64'));
	return file;
}

test('Wait for Completion: read in place (never a whole Buffer), the signed PDF stored as a stream; a second signer on that output (B-LT)', async () => {
	const input = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
	const first = await run(params({ visibleSignature: 'page' }), stored(input, 'contract.pdf'));
	expect(first.item.json).toMatchObject({ kind: 'pdfSignature', state: 'COMPLETE', endResult: 'OK', level: 'B-T', signatureCount: 1, inputSize: input.length });
	expect(first.helpers.getBinaryDataBuffer).not.toHaveBeenCalled();
	// B-T with the input on disk: read in place to check it and as the head of the output, never copied.
	expect(first.helpers.getBinaryStream).not.toHaveBeenCalled();
	expect(first.item.json.byteRangeCheck).toEqual({ signaturesIntact: true, newSignatureCoversRevision: true, anomalies: [] });
	const out = first.item.binary!.data;
	expect(out.id).toMatch(/^filesystem-v2:/);
	expectValid(fileOf(out.id!), 1);
	expect(fs.readFileSync(fileOf(out.id!)).subarray(0, input.length).equals(input)).toBe(true);

	const second = await run(params({ documentNumber: CO_SIGNER_DOC, visibleSignature: 'page', padesLevel: 'B-LT' }), out);
	expect(second.item.json).toMatchObject({ level: 'B-LT', referenceLetter: 'B', signatureCount: 2 });
	expect(second.helpers.getBinaryDataBuffer).not.toHaveBeenCalled();
	// B-LT needs the joined file (its DSS is one more revision): the input is copied once, by stream, and checked.
	expect(second.helpers.getBinaryStream).toHaveBeenCalledTimes(1);
	expectValid(fileOf(second.item.binary!.data.id!), 2, false);
}, 120_000);

test.each<[string, (file: string) => void, RegExp]>([
	['one byte changed', (file) => flipByte(file, 200), /its SHA-256 differs/],
	['bytes appended', (file) => fs.appendFileSync(file, '\n% appended\n'), /it is larger/],
])('Wait for Completion: the input binary with %s before finishing → PDF_INPUT_CHANGED, no PDF', async (_label, change, message) => {
	const binary = stored(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')), 'x.pdf');
	// Prepared from the file as it is; by the time the node finishes, the file in the store is another.
	const { item, helpers } = await run(params(), binary, { onPath: (id, call) => call === 2 && change(fileOf(id)) });
	expect(item.json).toMatchObject({ code: 'PDF_INPUT_CHANGED', sessionId: expect.any(String) });
	expect(item.json.error).toMatch(message);
	expect(item.json.error).toMatch(/Nothing was finished; sign the PDF again/);
	expect(item.binary).toBeUndefined();
	expect(helpers.prepareBinaryData).not.toHaveBeenCalled();
}, 60_000);

function flipByte(file: string, at: number): void {
	const fd = fs.openSync(file, 'r+');
	try {
		const b = Buffer.alloc(1);
		fs.readSync(fd, b, 0, 1, at);
		b[0] ^= 0x20;
		fs.writeSync(fd, b, 0, 1, at);
	} finally {
		fs.closeSync(fd);
	}
}

test('Wait for Completion: the input changes after the check, while the signed PDF is written → the store gets an error, not a PDF', async () => {
	const binary = stored(fs.readFileSync(fixturePath('pdf', 'minimal.pdf')), 'y.pdf');
	const { item, helpers } = await run(params(), binary, { beforeStore: () => flipByte(fileOf(binary.id!), 300) });
	expect(helpers.prepareBinaryData).toHaveBeenCalledTimes(1);
	expect(item.binary).toBeUndefined();
	expect(item.json).toMatchObject({ code: 'PDF_INPUT_CHANGED' });
	expect(item.json.error).toMatch(/changed while the signed PDF was written/);
}, 60_000);

test('Start and Continue: the stored record is self-contained (no reference), the trigger finishes it after the binary is gone', async () => {
	const input = fs.readFileSync(fixturePath('pdf', 'uncompressed-objstream-sample.pdf'));
	const binary = stored(input, 'order.pdf');
	const { item, helpers } = await run(params({ completion: 'start', tag: 'pdf-fs-start' }), binary);
	expect(item.json).toMatchObject({ kind: 'pdfSignature', state: 'RUNNING' });
	expect(helpers.getBinaryDataBuffer).not.toHaveBeenCalled();
	const record = await new FileSessionStore({ folder: env.folder }).get(item.json.sessionId as string);
	expect(record).toMatchObject({ kind: 'pdfSignature', pdf: { partialBase64: expect.any(String) } });
	expect((record as unknown as { pdf: object }).pdf).not.toHaveProperty('input');
	// n8n deletes an unsaved execution's binaries when it ends; the record must not need them.
	fs.rmSync(fileOf(binary.id!));
	const emitted = await pollUntilEmitted('pdf-fs-start');
	expect(emitted[0].json).toMatchObject({ sessionId: item.json.sessionId, state: 'COMPLETE', signatureCount: 1 });
	expectValid(emittedFile(emitted[0], 'fs-start.pdf'), 1);
}, 120_000);

test('Device link (QR): read in place, the stored record is self-contained; after the scan the trigger emits the signed PDF with the binary gone', async () => {
	const binary = stored(fs.readFileSync(fixturePath('pdf', 'minimal-hybrid-xref.pdf')), 'qr.pdf');
	const { item, helpers } = await run(params({ signingMethod: 'deviceLink', deviceLinkType: 'QR', tag: 'pdf-fs-qr' }), binary);
	expect(item.json).toMatchObject({ kind: 'pdfSignature', state: 'RUNNING', flow: 'deviceLink' });
	expect(helpers.getBinaryDataBuffer).not.toHaveBeenCalled();
	const record = await new FileSessionStore({ folder: env.folder }).get(item.json.sessionId as string);
	expect(record).toMatchObject({ kind: 'pdfSignature', pdf: { partialBase64: expect.any(String) } });
	expect((record as unknown as { pdf: object }).pdf).not.toHaveProperty('input');
	fs.rmSync(fileOf(binary.id!));
	const answer = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: item.json.deviceLink, flowType: 'QR' }),
	});
	expect(answer.status).toBeLessThan(300);
	const emitted = await pollUntilEmitted('pdf-fs-qr');
	expect(emitted[0].json).toMatchObject({ sessionId: item.json.sessionId, state: 'COMPLETE', flowType: 'QR', signatureCount: 1 });
	expectValid(emittedFile(emitted[0], 'fs-qr.pdf'), 1);
}, 120_000);

test('Wait for Completion with the TSA down: the kept record is made self-contained, the trigger finishes it after the binary is gone', async () => {
	const tsa = http.createServer((_req, res) => {
		res.writeHead(503, { 'content-type': 'text/plain' });
		res.end('down');
	});
	await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
	const down = { ...env.credentials, tsaUrl: `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/tsa` };
	try {
		const input = fs.readFileSync(fixturePath('pdf', 'minimal-xref.pdf'));
		const binary = stored(input, 'kept.pdf');
		const { item } = await run(params({ tag: 'pdf-fs-tsa' }), binary, { credentials: down });
		expect(item.json).toMatchObject({ code: 'PDF_TIMESTAMP_FAILED', sessionId: expect.any(String) });
		expect(item.json.error).toMatch(/kept in the session store/);
		const record = await new FileSessionStore({ folder: env.folder }).get(item.json.sessionId as string);
		expect(record).toMatchObject({ kind: 'pdfSignature', keptStatus: { state: 'COMPLETE' }, pdf: { partialBase64: expect.any(String) } });
		expect((record as unknown as { pdf: object }).pdf).not.toHaveProperty('input');
		fs.rmSync(fileOf(binary.id!));
		const emitted = await pollUntilEmitted('pdf-fs-tsa');
		expect(emitted[0].json).toMatchObject({ sessionId: item.json.sessionId, state: 'COMPLETE', signatureCount: 1 });
		expectValid(emittedFile(emitted[0], 'fs-tsa.pdf'), 1);
	} finally {
		await new Promise((r) => tsa.close(r));
	}
}, 120_000);
