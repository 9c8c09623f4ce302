import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { PdfSignError } from '../pdf';
import { nodeHash } from '../pdf/cms';
import { hashFile } from '../pdf/stream-hash';
import type { PdfPendingState } from './pending-session';

/**
 * How a finishing step reaches binaries the workflow engine keeps out of memory (n8n's filesystem mode), given by
 * the adapter that can read them (n8n's `helpers.getBinaryStream`). Absent where no binary can be read: then only
 * self-contained PDF records can be finished.
 */
export interface BinaryInputAccess {
	/** The bytes of the binary with this id, streamed. */
	open(binaryId: string): Promise<Readable>;
	/** The file holding it on this machine, read-only (n8n's filesystem mode), or undefined (another store). */
	localPath?(binaryId: string): Promise<string | undefined>;
}

/** The input of a PDF signature: bytes in memory, or a file on this machine (an n8n binary by its id, or not). */
export type PdfSource = Buffer | { path: string; binaryId?: string };

function unavailable(binaryId: string, cause: unknown): never {
	throw new PdfSignError(
		'PDF_INPUT_UNAVAILABLE',
		`The input PDF of this signature (n8n binary ${binaryId}) cannot be read here (${cause instanceof Error ? cause.message : String(cause)}). ` +
			'A streamed signature is finished only in the execution that holds its input; sign again.',
		{ binaryId },
		cause,
	);
}

/**
 * Copy a streamed signature's referenced input into `out` (at its start) and the prepared update after it, checking
 * on the way that the input is still the one that was prepared: same size and SHA-256 (else PDF_INPUT_CHANGED,
 * nothing finished), and that input + update hash to the message digest Smart-ID's signature covers (else the update
 * was altered: PDF_PENDING_INVALID). The record is a trust boundary: nothing in it is believed before this.
 */
export async function writeReferencedPartial(state: PdfPendingState, access: BinaryInputAccess | undefined, out?: string): Promise<void> {
	await checkReferencedInput(state, access, { out });
}

/**
 * Check a streamed signature's referenced input as {@link writeReferencedPartial} does, without writing anything:
 * read from `file` when it is on this machine (n8n's filesystem mode; plain reads, the fastest way), else by stream.
 */
export async function checkReferencedFile(state: PdfPendingState, access: BinaryInputAccess | undefined, file: string): Promise<void> {
	await checkReferencedInput(state, access, { file });
}

async function checkReferencedInput(state: PdfPendingState, access: BinaryInputAccess | undefined, where: { out?: string; file?: string }): Promise<void> {
	const { out, file } = where;
	const { input, updateBase64, pending } = state;
	if (!input || updateBase64 === undefined) throw new PdfSignError('PDF_PENDING_INVALID', 'This PDF signature state holds no input reference; it is self-contained.');
	if (!access) unavailable(input.binaryId, new Error('no n8n binary helpers in this context'));
	const signed = createHash(nodeHash(pending.hashAlgorithm));
	// One pass: with SHA-256 (the default) the input's own hash is a copy of the signed hash at the input's end.
	const own = pending.hashAlgorithm === 'SHA-256' ? undefined : createHash('sha256');
	const changed = (why: string) =>
		new PdfSignError(
			'PDF_INPUT_CHANGED',
			`The input PDF (n8n binary ${input.binaryId}) is not the file that was prepared for this signature: ${why}. Nothing was finished; sign the PDF again.`,
			{ binaryId: input.binaryId, expectedSize: input.size },
		);
	let size = 0;
	if (file !== undefined && out === undefined) {
		try {
			size = await hashFile(file, own ? [signed, own] : [signed]);
		} catch (error) {
			unavailable(input.binaryId, error);
		}
	} else {
		let stream: Readable;
		try {
			stream = await access.open(input.binaryId);
		} catch (error) {
			unavailable(input.binaryId, error);
		}
		const expected = input.size;
		// Hash on the way to the file; reading, hashing and writing overlap (a stream pipeline, not one chunk at a time).
		const check = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				size += chunk.length;
				// Stop early rather than copy an input far larger than the one that was prepared.
				if (size > expected) return done(changed('it is larger'));
				own?.update(chunk);
				signed.update(chunk);
				done(null, chunk);
			},
		});
		// Without `out`: only check (the input is then streamed again into the output).
		const sink = out !== undefined ? createWriteStream(out, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 }) : new Writable({ write: (_chunk, _encoding, done) => done() });
		await pipeline(stream, check, sink);
	}
	if (size > input.size) throw changed('it is larger');
	if (size !== input.size) throw changed(`it has ${size} bytes, not ${input.size}`);
	if ((own ?? signed.copy()).digest('base64') !== input.sha256) throw changed('its SHA-256 differs');
	const update = Buffer.from(updateBase64, 'base64');
	const [, contentsStart, contentsEnd] = pending.byteRange;
	signed.update(update.subarray(0, contentsStart - pending.inputSize));
	signed.update(update.subarray(contentsEnd - pending.inputSize));
	if (signed.digest('base64') !== pending.messageDigest) {
		throw new PdfSignError('PDF_PENDING_INVALID', 'The stored update of this PDF signature, after its input, does not hash to the digest that was signed: the record was altered. Sign the PDF again.');
	}
	if (out !== undefined) await fs.appendFile(out, update);
}

/**
 * The signed PDF of a streamed B-T signature as one stream: the referenced input, read once more, then the signed
 * update. The input is checked again on the way (size, SHA-256): bytes that changed after the check before the
 * timestamp make the stream fail with PDF_INPUT_CHANGED instead of ending, so no signed PDF is stored from them.
 */
export function referencedOutput(state: PdfPendingState, open: () => Promise<Readable>, signedUpdate: Buffer): Readable {
	const input = state.input!;
	async function* bytes(): AsyncGenerator<Buffer> {
		const hash = createHash('sha256');
		let size = 0;
		for await (const chunk of (await open()) as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size > input.size) break;
			hash.update(chunk);
			yield chunk;
		}
		if (size !== input.size || hash.digest('base64') !== input.sha256) {
			throw new PdfSignError('PDF_INPUT_CHANGED', `The input PDF (n8n binary ${input.binaryId}) changed while the signed PDF was written; it was not stored. Sign the PDF again.`, { binaryId: input.binaryId });
		}
		yield signedUpdate;
	}
	return Readable.from(bytes(), { objectMode: false });
}

/**
 * A self-contained copy of a streamed state (the partial PDF as Base64, no reference), for keeping a signed session
 * past its execution (a TSA/OCSP outage in "Wait for Completion" hands it to the Smart-ID Trigger). Checks the input
 * as {@link writeReferencedPartial} does.
 */
export async function selfContainedPdfState(state: PdfPendingState, access: BinaryInputAccess | undefined): Promise<PdfPendingState> {
	if (!state.input) return state;
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-keep-'));
	try {
		const file = path.join(work, 'partial.pdf');
		await writeReferencedPartial(state, access, file);
		const { input: _input, updateBase64: _update, ...rest } = state;
		return { ...rest, partialBase64: (await fs.readFile(file)).toString('base64') };
	} finally {
		await fs.rm(work, { recursive: true, force: true });
	}
}
