/**
 * The pending-session record of a PDF signature (kind `pdfSignature`): a real prepared PDF state (lib/pdf's pending
 * JSON + the partial PDF) parses back unchanged, survives sealing, and each broken fact is refused with
 * SMARTID_SESSION_RECORD_INVALID naming the field, as for ASiC-E records.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';

import { openPendingSession, parsePendingSession, PENDING_SESSION_FORMAT, preparePdf, sealPendingSession, type PendingSession } from '../../lib/sessions';
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
