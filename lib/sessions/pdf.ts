import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { checkByteRanges, finalizePdfSignature, parsePdfPendingSignature, preparePdfSignature, type PadesLevel, type PreparedPdfSignature, type VisibleSignatureOptions } from '../pdf';
import type { CertificateChoiceResult } from '../validation';
import type { ResultFile, ResultJson } from './outcome';
import type { PdfPendingState, ResultSummary } from './pending-session';
import type { SessionRuntime } from './runtime';

/** What a PDF signature is made with (besides the signer): level, visible signature, the signature dictionary's texts. */
export interface PdfSignatureSettings {
	level: PadesLevel;
	visible?: VisibleSignatureOptions;
	reason?: string;
	location?: string;
	/** The signer's issuing CA and further chain to embed in the CMS. */
	chain?: Buffer[];
}

/**
 * Phase 1 of a PDF signature for a known signer certificate, in a private temp folder: the digest to sign plus the
 * state (lib/pdf's pending JSON and the partial PDF bytes) that finishes it later in any process. The partial PDF
 * goes into the record whole (Base64), as the unsigned container of an ASiC-E record does: that is what lets any
 * worker finish it, and it bounds the PDF size to what the record store holds (see README "Signing PDFs").
 */
export async function preparePdf(
	input: Buffer,
	signerCertificate: CertificateChoiceResult['certificate'],
	settings: PdfSignatureSettings,
	output: { fileName: string; outputBinaryPropertyName: string; summary: ResultSummary },
): Promise<{ prepared: PreparedPdfSignature; state: PdfPendingState }> {
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-prepare-'));
	try {
		const source = path.join(work, 'input.pdf');
		await fs.writeFile(source, input, { mode: 0o600 });
		const prepared = await preparePdfSignature(source, signerCertificate, {
			level: settings.level,
			visible: settings.visible,
			reason: settings.reason,
			location: settings.location,
			certificates: settings.chain,
			partialFile: path.join(work, 'partial.pdf'),
		});
		const state: PdfPendingState = {
			pending: prepared.pending,
			partialBase64: (await fs.readFile(prepared.pending.partialFile)).toString('base64'),
			fileName: output.fileName,
			outputBinaryPropertyName: output.outputBinaryPropertyName,
			summary: { ...output.summary, level: settings.level, ...(prepared.visible ? { referenceLetter: prepared.visible.letter, personalCodeShown: prepared.visible.personalCodeShown } : {}) },
		};
		return { prepared, state };
	} finally {
		await fs.rm(work, { recursive: true, force: true });
	}
}

/**
 * Write the stored partial PDF to a private temp folder, finalize there (TSA, and OCSP for B-LT/B-LTA), check the
 * byte ranges of what was produced, return the signed PDF and its facts.
 */
export async function finalizePdf(state: PdfPendingState, signatureValueBase64: string, runtime: SessionRuntime): Promise<{ file: ResultFile; facts: ResultJson }> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-'));
	try {
		const partial = path.join(dir, 'partial.pdf');
		await fs.writeFile(partial, Buffer.from(state.partialBase64, 'base64'), { mode: 0o600 });
		const pending = parsePdfPendingSignature({ ...state.pending, partialFile: partial });
		const out = path.join(dir, 'signed.pdf');
		const done = await finalizePdfSignature(pending, signatureValueBase64, { out, tsaUrl: runtime.config.tsaUrl, ocspUrl: runtime.config.ocspUrl, trust: runtime.trust });
		const data = await fs.readFile(out);
		return { file: { propertyName: state.outputBinaryPropertyName, data, fileName: state.fileName, mimeType: 'application/pdf' }, facts: { ...signedPdfFacts(await checkByteRanges(out), done.fieldName), pdfSize: data.length, timestampTime: done.timestampTime.toISOString(), ...(done.ocspProducedAt ? { ocspProducedAt: done.ocspProducedAt.toISOString() } : {}), ...(done.docTimestampTime ? { docTimestampTime: done.docTimestampTime.toISOString() } : {}) } };
	} finally {
		await fs.rm(dir, { recursive: true, force: true });
	}
}

/** The output's signatures as the byte-range check sees them: count, the new one's range, and whether all are intact. */
export function signedPdfFacts(reports: Awaited<ReturnType<typeof checkByteRanges>>, fieldName: string): ResultJson {
	const ours = reports.find((r) => r.fieldName === fieldName);
	const signatures = reports.filter((r) => r.subFilter !== 'ETSI.RFC3161');
	return {
		fieldName,
		signatureCount: signatures.length,
		...(ours?.byteRange ? { byteRange: ours.byteRange } : {}),
		byteRangeCheck: {
			// What our own check of the produced file says; cryptographic verification is Verify Container's job.
			signaturesIntact: reports.every((r) => r.anomalies.length === 0),
			newSignatureCoversRevision: ours !== undefined && ours.anomalies.length === 0,
			anomalies: reports.flatMap((r) => r.anomalies.map((a) => `${r.fieldName}: ${a.code}`)),
		},
	};
}
