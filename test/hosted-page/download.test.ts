import { Readable } from 'node:stream';

import { bufferForDownload, MAX_PAGE_DOWNLOAD_BYTES, pageDownloadOf } from '../../lib/hosted-page';
import type { SessionOutcome } from '../../lib/sessions';

/** A finished PDF as lib/sessions hands it over: its bytes as a stream of 1 MiB chunks. */
function streamedOutcome(bytes: Buffer): SessionOutcome {
	const chunks = Array.from({ length: Math.ceil(bytes.length / 2 ** 20) }, (_, k) => bytes.subarray(k * 2 ** 20, (k + 1) * 2 ** 20));
	return { json: { state: 'COMPLETE' }, files: [{ propertyName: 'data', data: Readable.from(chunks), fileName: 'signed.pdf', mimeType: 'application/pdf' }] };
}

async function drain(data: Buffer | Readable): Promise<Buffer> {
	if (Buffer.isBuffer(data)) return data;
	const parts: Buffer[] = [];
	for await (const part of data) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('download of a streamed signed file from the finished page', () => {
	it('a small stream is read once into memory: the page offers exactly the bytes the workflow gets', async () => {
		const bytes = Buffer.from('%PDF-1.7\n' + 'x'.repeat(3 * 2 ** 20));
		const outcome = await bufferForDownload(streamedOutcome(bytes), true);
		const file = outcome.files![0];
		expect(Buffer.isBuffer(file.data)).toBe(true);
		expect((file.data as Buffer).equals(bytes)).toBe(true);
		const offered = pageDownloadOf({ state: 'success', outcome, failed: false }, true);
		expect(offered && 'base64' in offered && Buffer.from(offered.base64, 'base64').equals(bytes)).toBe(true);
	});

	it('a stream over the cap stays a stream with every byte (what was read is put back), and the page says "too large"', async () => {
		const bytes = Buffer.alloc(MAX_PAGE_DOWNLOAD_BYTES + 3 * 2 ** 20, 7);
		bytes.write('%PDF-1.7', 0);
		bytes.write('%%EOF', bytes.length - 5);
		const outcome = await bufferForDownload(streamedOutcome(bytes), true);
		expect(pageDownloadOf({ state: 'success', outcome, failed: false }, true)).toMatchObject({ tooLarge: true });
		expect((await drain(outcome.files![0].data)).equals(bytes)).toBe(true);
	});

	it('with the option off the stream is not touched', async () => {
		const original = streamedOutcome(Buffer.from('%PDF-1.7'));
		const outcome = await bufferForDownload(original, false);
		expect(outcome).toBe(original);
		expect(pageDownloadOf({ state: 'success', outcome, failed: false }, false)).toBeUndefined();
	});
});
