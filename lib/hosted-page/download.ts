import { Readable } from 'node:stream';

import type { ResultFile, SessionOutcome } from '../sessions';
import type { PageResult } from './handler';

/** Largest signed file the finished page hands to the open tab; a larger one only goes back to the workflow. */
export const MAX_PAGE_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/**
 * The signed container or PDF as the finished page offers it: inside the very answer that finishes the page (the
 * waiting URL dies when the workflow resumes, so no later request could fetch it), Base64 in JSON, turned into a
 * Blob link by the page's nonce'd script. Never in a URL.
 */
export type PageDownload = { fileName: string; mimeType: string; size: number; base64: string } | { fileName: string; /** -1: a streamed file of unknown size */ size: number; tooLarge: true };

/** What the finished page offers for download, if the node asked for it and a signed file came out. */
export function pageDownloadOf(result: PageResult | undefined, offer: boolean | undefined): PageDownload | undefined {
	const file = offer && result && !result.failed ? result.outcome.files?.[0] : undefined;
	if (!file) return undefined;
	// A streamed result (n8n keeps the binary outside memory) is never pulled into memory just for the page.
	if (!Buffer.isBuffer(file.data)) return { fileName: file.fileName, size: -1, tooLarge: true };
	if (file.data.length > MAX_PAGE_DOWNLOAD_BYTES) return { fileName: file.fileName, size: file.data.length, tooLarge: true };
	return { fileName: file.fileName, mimeType: file.mimeType, size: file.data.length, base64: file.data.toString('base64') };
}

/**
 * A finished PDF may come back as a stream (its bytes in a temp file). When the page offers downloads, a stream of
 * at most MAX_PAGE_DOWNLOAD_BYTES is read into memory so the page and the workflow get the same bytes; a longer one
 * is handed on whole as a stream (what was read is put back in front) and the page says it went to the workflow.
 */
export async function bufferForDownload(outcome: SessionOutcome, offer: boolean | undefined): Promise<SessionOutcome> {
	const file = outcome.files?.[0];
	if (!offer || !file || Buffer.isBuffer(file.data)) return outcome;
	const stream = file.data;
	const chunks: Buffer[] = [];
	let size = 0;
	const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
		chunks.push(next.value);
		size += next.value.length;
		if (size > MAX_PAGE_DOWNLOAD_BYTES) {
			async function* rest(): AsyncGenerator<Buffer> {
				yield* chunks;
				for (let more = await iterator.next(); !more.done; more = await iterator.next()) yield more.value;
			}
			return withFile(outcome, { ...file, data: Readable.from(rest()) });
		}
	}
	return withFile(outcome, { ...file, data: Buffer.concat(chunks, size) });
}

function withFile(outcome: SessionOutcome, file: ResultFile): SessionOutcome {
	return { ...outcome, files: [file, ...(outcome.files ?? []).slice(1)] };
}
