/**
 * The pending-session record of a PDF signature (kind `pdfSignature`): a real prepared PDF state (lib/pdf's pending
 * JSON + the partial PDF) parses back unchanged, survives sealing, and each broken fact is refused with
 * SMARTID_SESSION_RECORD_INVALID naming the field, as for ASiC-E records. A streamed record (input by reference)
 * holds no input bytes, and finishing it refuses an input whose SHA-256 or size changed (PDF_INPUT_CHANGED), an
 * altered update (PDF_PENDING_INVALID) and a binary that cannot be read (PDF_INPUT_UNAVAILABLE).
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import {
	openPendingSession,
	parsePendingSession,
	PENDING_SESSION_FORMAT,
	preparePdf,
	sealPendingSession,
	selfContainedPdfState,
	writeReferencedPartial,
	type BinaryInputAccess,
	type PendingPdfSignature,
	type PendingSession,
} from '../../lib/sessions';
import { fixturePath } from '../helpers/fixtures';
import { testSignerCertificate } from '../pdf/helpers/test-certificate';
import { FIXTURE_EXPECTATION } from './sealed';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let base: Json;
beforeAll(async () => {
	const certificate = new X509Certificate(testSignerCertificate());
	const { prepared, state } = await preparePdf(fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf')), certificate, { level: 'B-LT', visible: { mode: 'page' } }, {
		fileName: 'contract.pdf',
		outputBinaryPropertyName: 'data',
		summary: { operation: 'signPdf' },
	});
	expect(state.summary).toMatchObject({ level: 'B-LT', referenceLetter: 'A', personalCodeShown: false });
	// The temp folder of the prepare step is gone: only the record holds the partial PDF.
	expect(fs.existsSync(state.pending.partialFile)).toBe(false);
	base = JSON.parse(
		JSON.stringify({
			format: PENDING_SESSION_FORMAT,
			kind: 'pdfSignature',
			sessionId: 'pdf-1',
			credentialKey: 'cred-1',
			createdAt: '2026-11-22T05:00:00.000Z',
			expiresAt: '2026-11-22T05:15:00.000Z',
			context: { digest: prepared.digestToSign, hashAlgorithm: 'SHA-256', requestedCertificateLevel: 'QUALIFIED', allowedFlowTypes: ['Notification'], expectedCertificate: certificate.raw.toString('base64') },
			pdf: state,
		}),
	) as Json;
});

const record = (): Json => JSON.parse(JSON.stringify(base)) as Json;

function refusedField(r: Json): string | undefined {
	try {
		parsePendingSession(r, FIXTURE_EXPECTATION);
		return undefined;
	} catch (error) {
		expect(error).toMatchObject({ code: 'SMARTID_SESSION_RECORD_INVALID' });
		return (error as { details: { field: string } }).details.field;
	}
}

test('control: a prepared PDF signature record parses back unchanged, and through seal + open', () => {
	expect(parsePendingSession(record(), FIXTURE_EXPECTATION)).toEqual(record() as PendingSession);
	const key = Buffer.alloc(32, 7);
	const sealed = sealPendingSession(record() as PendingSession, key);
	expect(openPendingSession(sealed, key, FIXTURE_EXPECTATION)).toEqual(record() as PendingSession);
	const kept = { ...record(), keptStatus: { state: 'COMPLETE', result: { endResult: 'OK', documentNumber: 'PNOEE-40404040009-MOCK-Q' } } };
	expect(refusedField(kept)).toBeUndefined();
});

test.each<[string, (r: Json) => void, string]>([
	['a state digest that is not the one sent to Smart-ID', (r) => (r.pdf.pending.digestToSign = Buffer.alloc(32, 9).toString('base64')), 'pdf.pending.digestToSign'],
	['another signer certificate in the context', (r) => (r.context.expectedCertificate = Buffer.from('other').toString('base64')), 'context.expectedCertificate'],
	['a partial PDF of another size', (r) => (r.pdf.partialBase64 = Buffer.from('%PDF-1.7 short').toString('base64')), 'pdf.partialBase64'],
	['a partial PDF that is not Base64', (r) => (r.pdf.partialBase64 = '%PDF-1.7'), 'pdf.partialBase64'],
	['an unknown field in the PDF state', (r) => (r.pdf.pending.extra = 1), 'pdf.pending.extra'],
	['byte ranges that do not fit the sizes', (r) => (r.pdf.pending.byteRange = [0, 5, 6, 7]), 'pdf.pending.byteRange'],
	['another PAdES level name', (r) => (r.pdf.pending.level = 'B-B'), 'pdf.pending.level'],
	['a file name with a folder', (r) => (r.pdf.fileName = '../../etc/passwd'), 'pdf.fileName'],
	['an unknown field next to the state', (r) => (r.pdf.path = '/tmp/x'), 'pdf.path'],
	['a container state on a PDF record', (r) => (r.container = {}), 'container'],
	['no PDF state', (r) => delete r.pdf, 'pdf'],
	['a kept answer that is not COMPLETE/OK', (r) => (r.keptStatus = { state: 'RUNNING' }), 'keptStatus'],
])('PDF signature with %s → refused naming %s', (_label, edit, field) => {
	const r = record();
	edit(r);
	expect(refusedField(r)).toBe(field);
});

describe('streamed record (input kept by reference: an n8n binary on disk)', () => {
	const BINARY_ID = 'filesystem-v2:workflows/7/executions/42/binary_data/8d1c2f0e-1a2b-4c3d-9e8f-001122334455';
	let input: Buffer;
	let inputFile: string;
	let streamed: Json;
	let work: string;

	beforeAll(async () => {
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-record-stream-'));
		input = fs.readFileSync(fixturePath('pdf', 'minimal-two-pages.pdf'));
		inputFile = path.join(work, 'binary');
		fs.writeFileSync(inputFile, input);
		const certificate = new X509Certificate(testSignerCertificate());
		const { prepared, state } = await preparePdf({ path: inputFile, binaryId: BINARY_ID }, certificate, { level: 'B-T', visible: { mode: 'page' } }, { fileName: 'contract.pdf', outputBinaryPropertyName: 'data', summary: { operation: 'signPdf' } });
		streamed = JSON.parse(JSON.stringify({ ...base, context: { ...base.context, digest: prepared.digestToSign, expectedCertificate: certificate.raw.toString('base64') }, pdf: state })) as Json;
	});
	afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

	const streamedRecord = (): Json => JSON.parse(JSON.stringify(streamed)) as Json;
	const access = (bytes: () => Buffer): BinaryInputAccess => ({ open: async (id) => (id === BINARY_ID ? Readable.from([bytes()]) : Promise.reject(new Error(`no binary ${id}`))) });

	test('holds a reference (id, SHA-256, size) and the update, never the input bytes; parses back and through seal + open', () => {
		const r = streamedRecord();
		expect(Object.keys(r.pdf).sort()).toEqual(['fileName', 'input', 'outputBinaryPropertyName', 'pending', 'summary', 'updateBase64']);
		expect(r.pdf.input).toEqual({ binaryId: BINARY_ID, sha256: createHash('sha256').update(input).digest('base64'), size: input.length });
		const update = Buffer.from(r.pdf.updateBase64, 'base64');
		expect(update.length).toBe(r.pdf.pending.partialSize - input.length);
		// The update is the new revision only: it starts after the input and holds none of the input's bytes.
		expect(update.includes(input.subarray(0, 64))).toBe(false);
		expect(JSON.stringify(r).length).toBeLessThan(JSON.stringify(base).length - input.length);
		expect(parsePendingSession(r, FIXTURE_EXPECTATION)).toEqual(r as PendingSession);
		const key = Buffer.alloc(32, 7);
		expect(openPendingSession(sealPendingSession(r as PendingSession, key), key, FIXTURE_EXPECTATION)).toEqual(r as PendingSession);
	});

	test.each<[string, (r: Json) => void, string]>([
		['a size that is not the state input size', (r) => (r.pdf.input.size += 1), 'pdf.input.size'],
		['an id that is a path', (r) => (r.pdf.input.binaryId = '/etc/passwd'), 'pdf.input.binaryId'],
		['an id that climbs out of the store', (r) => (r.pdf.input.binaryId = 'filesystem-v2:workflows/../../../etc/passwd'), 'pdf.input.binaryId'],
		['a SHA-256 of another length', (r) => (r.pdf.input.sha256 = Buffer.alloc(20).toString('base64')), 'pdf.input.sha256'],
		['an unknown field in the reference', (r) => (r.pdf.input.path = '/tmp/x'), 'pdf.input.path'],
		['an update of another size', (r) => (r.pdf.updateBase64 = Buffer.from('%%EOF').toString('base64')), 'pdf.updateBase64'],
		['no update', (r) => delete r.pdf.updateBase64, 'pdf.updateBase64'],
		['both the partial PDF and a reference', (r) => (r.pdf.partialBase64 = base.pdf.partialBase64), 'pdf.partialBase64'],
		['neither the partial PDF nor a reference', (r) => delete r.pdf.input, 'pdf.partialBase64'],
	])('streamed record with %s → refused naming %s', (_label, edit, field) => {
		const r = streamedRecord();
		edit(r);
		expect(refusedField(r)).toBe(field);
	});

	async function finish(r: Json, reader?: BinaryInputAccess): Promise<unknown> {
		const out = path.join(work, `partial-${Math.random().toString(36).slice(2)}.pdf`);
		try {
			await writeReferencedPartial((parsePendingSession(r, FIXTURE_EXPECTATION) as PendingPdfSignature).pdf, reader, out);
			return fs.readFileSync(out);
		} catch (error) {
			expect(fs.existsSync(out) ? fs.statSync(out).size : 0).toBeLessThanOrEqual(input.length);
			return error;
		} finally {
			fs.rmSync(out, { force: true });
		}
	}

	test('control: the referenced input as it was + the update is the partial PDF, checked against the signed digest', async () => {
		const partial = (await finish(streamedRecord(), access(() => input))) as Buffer;
		expect(Buffer.isBuffer(partial)).toBe(true);
		expect(partial.subarray(0, input.length).equals(input)).toBe(true);
		expect(partial.subarray(input.length).equals(Buffer.from(streamed.pdf.updateBase64, 'base64'))).toBe(true);
	});

	test.each<[string, () => Buffer, string, RegExp]>([
		['one byte of the input changed', () => Buffer.concat([input.subarray(0, 100), Buffer.from([input[100] ^ 1]), input.subarray(101)]), 'PDF_INPUT_CHANGED', /its SHA-256 differs/],
		['the input cut short', () => input.subarray(0, input.length - 10), 'PDF_INPUT_CHANGED', /it has \d+ bytes, not \d+/],
		['the input grown', () => Buffer.concat([input, Buffer.from('%% more\n')]), 'PDF_INPUT_CHANGED', /it is larger/],
	])('the referenced binary with %s → %s, nothing finished', async (_label, bytes, code, message) => {
		const error = await finish(streamedRecord(), access(bytes));
		expect(error).toMatchObject({ code });
		expect((error as Error).message).toMatch(message);
		expect((error as Error).message).toMatch(/sign the PDF again/i);
	});

	test('a record whose hash was altered to another value → PDF_INPUT_CHANGED', async () => {
		const r = streamedRecord();
		r.pdf.input.sha256 = createHash('sha256').update('another file').digest('base64');
		expect(await finish(r, access(() => input))).toMatchObject({ code: 'PDF_INPUT_CHANGED' });
	});

	test('a record re-pointed at another binary that exists → refused (PDF_INPUT_CHANGED), at one that does not → PDF_INPUT_UNAVAILABLE', async () => {
		const other = fs.readFileSync(fixturePath('pdf', 'minimal.pdf'));
		const r = streamedRecord();
		r.pdf.input.binaryId = 'filesystem-v2:workflows/7/executions/42/binary_data/other';
		const reader: BinaryInputAccess = { open: async (id) => (id.endsWith('/other') ? Readable.from([other]) : Promise.reject(new Error('no such binary'))) };
		expect(await finish(r, reader)).toMatchObject({ code: 'PDF_INPUT_CHANGED' });
		r.pdf.input.binaryId = 'filesystem-v2:workflows/7/executions/42/binary_data/gone';
		expect(await finish(r, reader)).toMatchObject({ code: 'PDF_INPUT_UNAVAILABLE' });
	});

	test('a record with the right input but an altered update (same size) → PDF_PENDING_INVALID (not the digest that was signed)', async () => {
		const r = streamedRecord();
		const update = Buffer.from(r.pdf.updateBase64, 'base64');
		update[update.length - 20] ^= 1;
		r.pdf.updateBase64 = update.toString('base64');
		expect(await finish(r, access(() => input))).toMatchObject({ code: 'PDF_PENDING_INVALID' });
	});

	test('finishing where no binary can be read (the trigger, no helpers) → PDF_INPUT_UNAVAILABLE naming the execution rule', async () => {
		const error = await finish(streamedRecord(), undefined);
		expect(error).toMatchObject({ code: 'PDF_INPUT_UNAVAILABLE' });
		expect((error as Error).message).toMatch(/only in the execution that holds its input/);
	});

	test('made self-contained for keeping past the execution: the partial PDF in the record, no reference; parses', async () => {
		const r = streamedRecord();
		const kept = await selfContainedPdfState((parsePendingSession(r, FIXTURE_EXPECTATION) as PendingPdfSignature).pdf, access(() => input));
		expect(kept.input).toBeUndefined();
		expect(kept.updateBase64).toBeUndefined();
		const partial = Buffer.from(kept.partialBase64!, 'base64');
		expect(partial.subarray(0, input.length).equals(input)).toBe(true);
		expect(parsePendingSession({ ...r, pdf: kept }, FIXTURE_EXPECTATION)).toMatchObject({ pdf: { partialBase64: kept.partialBase64 } });
	});
});
