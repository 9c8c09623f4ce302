import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { checkByteRanges, finalizePdfSignature, finalizePdfUpdate, parsePdfPendingSignature, preparePdfSignature, type PadesLevel, type PreparedPdfSignature, type VisibleSignatureOptions } from '../pdf';
import type { CertificateChoiceResult } from '../validation';
import { checkReferencedFile, referencedOutput, writeReferencedPartial, type BinaryInputAccess, type PdfSource } from './pdf-input';
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
 * Phase 1 of a PDF signature for a known signer certificate: the digest to sign plus the state that finishes it
 * later. The input comes as bytes, or as a file on this machine (an n8n binary in filesystem mode):
 * - bytes, or a file without `binaryId`: the state is self-contained, the partial PDF (input + prepared update) goes
 *   into it whole (Base64), as the unsigned container of an ASiC-E record does, so any process can finish it; this
 *   bounds the PDF size to what the record store holds (see README "Signing PDFs"). A file is read in place (no
 *   copy of the input in memory).
 * - a file with `binaryId`: streamed; the input is hashed where it lies and the state keeps only a reference to it
 *   (binary id, SHA-256, size) and the prepared update. Only for finishing in the execution that holds the binary.
 */
export async function preparePdf(
	input: PdfSource,
	signerCertificate: CertificateChoiceResult['certificate'],
	settings: PdfSignatureSettings,
	output: { fileName: string; outputBinaryPropertyName: string; summary: ResultSummary },
): Promise<{ prepared: PreparedPdfSignature; state: PdfPendingState }> {
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-prepare-'));
	try {
		let source: string;
		if (Buffer.isBuffer(input)) {
			source = path.join(work, 'input.pdf');
			await fs.writeFile(source, input, { mode: 0o600 });
		} else source = input.path;
		const streamed = !Buffer.isBuffer(input) && input.binaryId !== undefined;
		const prepared = await preparePdfSignature(source, signerCertificate, {
			level: settings.level,
			visible: settings.visible,
			reason: settings.reason,
			location: settings.location,
			certificates: settings.chain,
			partialFile: path.join(work, 'partial.pdf'),
			updateOnly: streamed,
		});
		const common = {
			pending: prepared.pending,
			fileName: output.fileName,
			outputBinaryPropertyName: output.outputBinaryPropertyName,
			summary: { ...output.summary, level: settings.level, ...(prepared.visible ? { referenceLetter: prepared.visible.letter, personalCodeShown: prepared.visible.personalCodeShown } : {}) },
		};
		const state: PdfPendingState =
			streamed && prepared.update && prepared.inputSha256
				? { ...common, input: { binaryId: (input as { binaryId: string }).binaryId, sha256: prepared.inputSha256, size: prepared.pending.inputSize }, updateBase64: prepared.update.toString('base64') }
				: { ...common, partialBase64: (await fs.readFile(prepared.pending.partialFile)).toString('base64') };
		return { prepared, state };
	} finally {
		await fs.rm(work, { recursive: true, force: true });
	}
}

/** Write Base64 text to a new private file a slice at a time, so the decoded bytes are never whole in memory too. */
async function writeBase64(file: string, base64: string): Promise<void> {
	const handle = await fs.open(file, 'wx', 0o600);
	try {
		const slice = 4 * 1024 * 1024; // a multiple of 4 characters: each slice decodes on its own
		for (let at = 0, offset = 0; at < base64.length; at += slice) {
			const bytes = Buffer.from(base64.slice(at, at + slice), 'base64');
			await handle.write(bytes, 0, bytes.length, offset);
			offset += bytes.length;
		}
	} finally {
		await handle.close();
	}
}

/**
 * A streamed B-T signature whose input is a file on this machine is finished without a copy (input checked against
 * its SHA-256 and size, update signed in memory, output = input streamed again + update). Otherwise: build the
 * partial PDF in a private temp folder (from the record's bytes, or from the referenced input, checked the same
 * way), finalize there (TSA, and OCSP for B-LT/B-LTA), check the byte ranges of what was
 * produced, and return the signed PDF as a stream of that file (the folder is already gone; the open file is read
 * to its end by n8n's binary store) with its facts. `access` reads referenced inputs (n8n's binary helpers).
 */
export async function finalizePdf(
	state: PdfPendingState,
	signatureValueBase64: string,
	runtime: SessionRuntime,
	access?: BinaryInputAccess,
): Promise<{ file: ResultFile; facts: ResultJson }> {
	// Streamed B-T with the input on this machine: nothing is copied; the input is checked, the update signed in
	// memory, and the output is the input streamed once more followed by the signed update.
	const local = state.input && state.pending.level === 'B-T' ? await access?.localPath?.(state.input.binaryId) : undefined;
	if (state.input && state.updateBase64 !== undefined && access && local) {
		await checkReferencedFile(state, access, local);
		const done = await finalizePdfUpdate(state.pending, Buffer.from(state.updateBase64, 'base64'), signatureValueBase64, { tsaUrl: runtime.config.tsaUrl, ocspUrl: runtime.config.ocspUrl, trust: runtime.trust });
		const facts = { ...signedPdfFacts(await checkByteRanges(local, done.update), done.fieldName), pdfSize: done.size, timestampTime: done.timestampTime.toISOString() };
		return { file: { propertyName: state.outputBinaryPropertyName, data: referencedOutput(state, async () => createReadStream(local, { highWaterMark: 1024 * 1024 }), done.update), fileName: state.fileName, mimeType: 'application/pdf' }, facts };
	}
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-'));
	try {
		const partial = path.join(dir, 'partial.pdf');
		if (state.partialBase64 !== undefined) await writeBase64(partial, state.partialBase64);
		else await writeReferencedPartial(state, access, partial);
		const pending = parsePdfPendingSignature({ ...state.pending, partialFile: partial });
		const out = path.join(dir, 'signed.pdf');
		const done = await finalizePdfSignature(pending, signatureValueBase64, { out, tsaUrl: runtime.config.tsaUrl, ocspUrl: runtime.config.ocspUrl, trust: runtime.trust });
		const facts = { ...signedPdfFacts(await checkByteRanges(out), done.fieldName), pdfSize: done.size, timestampTime: done.timestampTime.toISOString(), ...(done.ocspProducedAt ? { ocspProducedAt: done.ocspProducedAt.toISOString() } : {}), ...(done.docTimestampTime ? { docTimestampTime: done.docTimestampTime.toISOString() } : {}) };
		// Open before the folder is removed: the stream reads the unlinked file, nothing is left on disk afterwards.
		const handle = await fs.open(out, 'r');
		const data = handle.createReadStream({ highWaterMark: 1024 * 1024 });
		return { file: { propertyName: state.outputBinaryPropertyName, data, fileName: state.fileName, mimeType: 'application/pdf' }, facts };
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
