import * as fs from 'node:fs';
import type { Report } from '../../asice/verify/report';
import { verifyContainer, type VerifyOptions } from '../../asice/verify/verify-container';
import { looksLikePdf } from '../sniff';
import { verifyPdf } from './verify-pdf';

/** The first KiB of a file (empty when it cannot be read: the container verifier then reports why). */
async function head(file: string): Promise<Buffer> {
	try {
		const handle = await fs.promises.open(file, 'r');
		try {
			const buf = Buffer.alloc(1024);
			const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
			return buf.subarray(0, bytesRead);
		} finally {
			await handle.close();
		}
	} catch {
		return Buffer.alloc(0);
	}
}

/**
 * Verify an ASiC-E/BDOC container or a signed PDF, chosen by the first bytes (`%PDF-`), with the same options and
 * the same report shape (a PDF report has `format: 'pdf'`). What `smart-id verify` and Verify Container call.
 */
export async function verifyDocument(input: Buffer | string, options: VerifyOptions): Promise<Report> {
	const pdf = looksLikePdf(typeof input === 'string' ? await head(input) : input);
	return pdf ? verifyPdf(input, options) : verifyContainer(input, options);
}
