import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { fileLooksLikePdf, looksLikePdf, PdfSignError } from '../../../lib/pdf';
import type { BinaryInputAccess, PdfSource } from '../../../lib/sessions';

/** A PDF input as n8n holds it, ready for lib/sessions' preparePdf; `release` removes any temp copy. */
export interface PdfInput {
	source: PdfSource;
	size: number;
	release(): Promise<void>;
}

/** n8n's binary helpers as lib/sessions reads referenced inputs with them (streamed, 1 MiB chunks; the file in filesystem mode). */
export function binaryInputAccess(ctx: Pick<IExecuteFunctions, 'helpers'>): BinaryInputAccess {
	return {
		open: (binaryId) => ctx.helpers.getBinaryStream(binaryId, 1024 * 1024),
		localPath: async (binaryId) => (await localFile(ctx, binaryId))?.file,
	};
}

/** The file n8n keeps this binary in on this machine (filesystem mode), or undefined (another store). */
async function localFile(ctx: Pick<IExecuteFunctions, 'helpers'>, id: string): Promise<{ file: string; size: number } | undefined> {
	try {
		const file = ctx.helpers.getBinaryPath(id);
		if (!path.isAbsolute(file)) return undefined;
		const [stat, meta] = await Promise.all([fs.stat(file), ctx.helpers.getBinaryMetadata(id)]);
		// The metadata's size is n8n's record of the file: a file that disagrees is not the binary.
		return stat.isFile() && stat.size === meta.fileSize ? { file, size: stat.size } : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Item `i`'s binary `property` as a PDF input, never as one whole Buffer when n8n keeps binaries out of memory:
 * - n8n's memory mode (no binary id): the bytes (they are in the item already);
 * - a binary id (filesystem, database or S3 mode): the file on this machine when there is one (filesystem mode,
 *   read in place), else a private temp copy streamed from n8n's store. With `byReference` the source carries
 *   the binary id, so the signature state keeps a reference instead of the bytes.
 * Refuses anything without `%PDF-` in its first 1024 bytes.
 */
export async function pdfInput(ctx: IExecuteFunctions, i: number, property: string, byReference: boolean): Promise<PdfInput> {
	const meta: IBinaryData = ctx.helpers.assertBinaryData(i, property);
	const notPdf = () =>
		new PdfSignError('PDF_INVALID_INPUT', `Binary field "${property}" holds no PDF (no %PDF- header in its first 1024 bytes): Sign PDF signs PDFs; use Container → Build ASiC-E for other files.`, { property });
	if (!meta.id) {
		const bytes = await ctx.helpers.getBinaryDataBuffer(i, property);
		if (!looksLikePdf(bytes.subarray(0, 1024))) throw notPdf();
		return { source: bytes, size: bytes.length, release: async () => undefined };
	}
	const binaryId = byReference ? { binaryId: meta.id } : {};
	const local = await localFile(ctx, meta.id);
	if (local) {
		if (!(await fileLooksLikePdf(local.file))) throw notPdf();
		return { source: { path: local.file, ...binaryId }, size: local.size, release: async () => undefined };
	}
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-pdf-input-'));
	const release = () => fs.rm(dir, { recursive: true, force: true });
	let kept = false;
	try {
		const file = path.join(dir, 'input.pdf');
		await pipeline(await ctx.helpers.getBinaryStream(meta.id, 1024 * 1024), createWriteStream(file, { mode: 0o600, flags: 'wx' }));
		if (!(await fileLooksLikePdf(file))) throw notPdf();
		const size = (await fs.stat(file)).size;
		kept = true;
		return { source: { path: file, ...binaryId }, size, release };
	} finally {
		if (!kept) await release();
	}
}
