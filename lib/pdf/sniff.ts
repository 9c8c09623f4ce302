import { promises as fsp } from 'node:fs';

/** Readers accept the `%PDF-` header anywhere in the first 1024 bytes (PDF 32000-1 Annex H); so does PdfDocument. */
const HEADER_WINDOW = 1024;
const HEADER = Buffer.from('%PDF-', 'latin1');

/** True when the bytes start like a PDF: `%PDF-` within their first 1024 bytes. */
export function looksLikePdf(head: Uint8Array): boolean {
	return Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, HEADER_WINDOW)).includes(HEADER);
}

/** {@link looksLikePdf} for a file, reading only its head. */
export async function fileLooksLikePdf(file: string): Promise<boolean> {
	const handle = await fsp.open(file, 'r');
	try {
		const head = Buffer.alloc(HEADER_WINDOW);
		const { bytesRead } = await handle.read(head, 0, HEADER_WINDOW, 0);
		return looksLikePdf(head.subarray(0, bytesRead));
	} finally {
		await handle.close();
	}
}
