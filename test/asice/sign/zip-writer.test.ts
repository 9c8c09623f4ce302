import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { FileSink, StreamSink, ZipWriter } from '../../../lib/asice/zip/writer';
import { openZipEntry, readZipLayout } from '../../../lib/asice/zip/writer-append';
import { validateZipEntryName } from '../../../lib/asice/zip/writer-names';
import { ZipWriteError } from '../../../lib/asice/zip/writer-error';

const MIMETYPE = 'application/vnd.etsi.asic-e+zip';
let dir: string;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zipw-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Entries as Python's zipfile (an independent reader) sees them: name -> sha256 hex, plus per-entry info. */
function pythonRead(file: string): { name: string; sha256: string; compress: number; extra: number; flag: number }[] {
	const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([{"name": i.filename, "sha256": hashlib.sha256(z.read(i)).hexdigest(), "compress": i.compress_type, "extra": len(i.extra), "flag": i.flag_bits} for i in z.infolist()]))`;
	return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('ZipWriter', () => {
	const text = Buffer.from('Tere, maailm!\n'.repeat(1000), 'utf8');
	const random = randomBytes(300_000);

	async function writeSample(writer: ZipWriter): Promise<Record<string, Buffer>> {
		await writer.addMimetype(MIMETYPE);
		const a = await writer.addStream('tekst fail+#äöüõ 😀.txt', Readable.from([text.subarray(0, 5000), text.subarray(5000)]), {
			digests: ['SHA-256', 'SHA-512'],
			expectedSize: text.length,
		});
		expect(a.digests['SHA-256']?.toString('hex')).toBe(sha256(text));
		expect(a.record.compressedSize).toBeLessThan(text.length);
		await writer.addStream('photo.jpg', Readable.from([random]), { compression: 'store' });
		await writer.addStream('empty.txt', Readable.from([]), { expectedSize: 0 });
		await writer.addBuffer('META-INF/manifest.xml', Buffer.from('<x/>'));
		return { 'tekst fail+#äöüõ 😀.txt': text, 'photo.jpg': random, 'empty.txt': Buffer.alloc(0), 'META-INF/manifest.xml': Buffer.from('<x/>') };
	}

	it('writes a file archive that unzip and Python read, mimetype first/stored/no extra, no data descriptors', async () => {
		const file = path.join(dir, 'a.zip');
		const writer = new ZipWriter(await FileSink.open(file));
		const contents = await writeSample(writer);
		await writer.finish('test');
		const bytes = fs.readFileSync(file);
		expect(bytes.subarray(30, 38).toString('ascii')).toBe('mimetype');
		expect(bytes.subarray(38, 38 + MIMETYPE.length).toString('ascii')).toBe(MIMETYPE);
		expect(bytes.readUInt16LE(8)).toBe(0); // stored
		expect(bytes.readUInt16LE(28)).toBe(0); // no extra field
		expect(bytes.readUInt16LE(6) & 0x08).toBe(0);
		execFileSync('unzip', ['-tq', file]);
		const entries = pythonRead(file);
		expect(entries.map((e) => e.name)).toEqual(['mimetype', ...Object.keys(contents)]);
		for (const e of entries.slice(1)) expect(e.sha256).toBe(sha256(contents[e.name]));
		expect(entries.find((e) => e.name === 'photo.jpg')?.compress).toBe(0);
		expect(entries.every((e) => (e.flag & 0x08) === 0 && (e.flag & 0x800) !== 0)).toBe(true);
	});

	it('writes data descriptors (and ZIP64 local extras for unknown sizes) to a plain Writable', async () => {
		const out = new PassThrough();
		const chunks: Buffer[] = [];
		out.on('data', (c: Buffer) => chunks.push(c));
		const writer = new ZipWriter(new StreamSink(out));
		await writer.addMimetype(MIMETYPE);
		await writer.addStream('unknown-size.bin', Readable.from([random]));
		await writer.addStream('known.txt', Readable.from([text]), { expectedSize: text.length });
		await writer.finish();
		const file = path.join(dir, 'b.zip');
		fs.writeFileSync(file, Buffer.concat(chunks));
		execFileSync('unzip', ['-tq', file]);
		const entries = pythonRead(file);
		expect(entries[1]).toMatchObject({ name: 'unknown-size.bin', sha256: sha256(random) });
		expect(entries[1].flag & 0x08).toBe(8);
		expect(entries[2]).toMatchObject({ name: 'known.txt', sha256: sha256(text) });
	});

	it('refuses bad and duplicate names with ASICE_ZIP_BAD_NAME', async () => {
		for (const name of ['', '/abs.txt', 'a/../b.txt', '..', '.', 'a\\b.txt', 'tab\there.txt', 'nl\n.txt', 'dir/', 'a//b', '\u0085x', 'bad\uD800.txt']) {
			expect(() => validateZipEntryName(name)).toThrow(ZipWriteError);
			try {
				validateZipEntryName(name);
			} catch (error) {
				expect((error as ZipWriteError).code).toBe('ASICE_ZIP_BAD_NAME');
			}
		}
		for (const name of ['a.txt', 'Faili nimi.txt', 'ä+#%😀.txt', 'META-INF/signatures0.xml']) expect(() => validateZipEntryName(name)).not.toThrow();
		const writer = new ZipWriter(new StreamSink(new PassThrough()));
		await writer.addMimetype(MIMETYPE);
		await writer.addBuffer('x.txt', Buffer.from('1'));
		await expect(writer.addBuffer('x.txt', Buffer.from('2'))).rejects.toMatchObject({ code: 'ASICE_ZIP_BAD_NAME' });
		await expect(writer.addBuffer('X.txt', Buffer.from('2'))).resolves.toBeDefined(); // case-sensitive
	});

	it('auto compression deflates compressible data and stores data that does not compress', async () => {
		const drained = new PassThrough();
		drained.resume();
		const writer = new ZipWriter(new StreamSink(drained));
		await writer.addMimetype(MIMETYPE);
		const textEntry = await writer.addStream('text.txt', Readable.from([text]), { compression: 'auto' });
		const randomEntry = await writer.addStream('random.bin', Readable.from([random.subarray(0, 100), random.subarray(100)]), { compression: 'auto', digests: ['SHA-256'] });
		const smallBuffer = await writer.addBuffer('random-buffer.bin', random, { compression: 'auto' });
		expect(textEntry.record.method).toBe(8);
		expect(randomEntry.record.method).toBe(0);
		expect(randomEntry.record.size).toBe(random.length);
		expect(randomEntry.digests['SHA-256']?.toString('hex')).toBe(sha256(random));
		expect(smallBuffer.record.method).toBe(0);
	});

	it('reports a source that is shorter than announced', async () => {
		const writer = new ZipWriter(new StreamSink(new PassThrough()));
		await expect(writer.addStream('short.txt', Readable.from([Buffer.from('abc')]), { expectedSize: 4 })).rejects.toMatchObject({
			code: 'ASICE_ZIP_WRITE_FAILED',
		});
	});

	it('reads the layout and entries of an archive made by Info-ZIP, and appends keeping the old bytes', async () => {
		const src = path.join(dir, 'src');
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'mimetype'), MIMETYPE);
		fs.writeFileSync(path.join(src, 'one.txt'), text);
		fs.writeFileSync(path.join(src, 'two.bin'), random);
		const zipped = path.join(dir, 'infozip.zip');
		execFileSync('zip', ['-X', '-0', '-q', zipped, 'mimetype'], { cwd: src });
		execFileSync('zip', ['-X', '-9', '-q', zipped, 'one.txt', 'two.bin'], { cwd: src });
		const layout = await readZipLayout(zipped);
		expect(layout.entries.map((e) => e.name)).toEqual(['mimetype', 'one.txt', 'two.bin']);
		const read = async (name: string): Promise<Buffer> => {
			const stream = await openZipEntry(zipped, layout.entries.find((e) => e.name === name)!);
			const parts: Buffer[] = [];
			for await (const c of stream) parts.push(c as Buffer);
			return Buffer.concat(parts);
		};
		expect(sha256(await read('one.txt'))).toBe(sha256(text));
		expect(sha256(await read('two.bin'))).toBe(sha256(random));

		// Append: keep [0, cdOffset) verbatim, add one entry, rewrite the central directory.
		const out = path.join(dir, 'appended.zip');
		fs.copyFileSync(zipped, out);
		const writer = new ZipWriter(await FileSink.open(out, { resumeAt: layout.centralDirectoryOffset }));
		for (const e of layout.entries) writer.adoptExisting(e.name, e.central);
		await writer.addBuffer('META-INF/signatures1.xml', Buffer.from('<sig/>'));
		await writer.finish();
		const before = fs.readFileSync(zipped).subarray(0, layout.centralDirectoryOffset);
		expect(fs.readFileSync(out).subarray(0, layout.centralDirectoryOffset).equals(before)).toBe(true);
		execFileSync('unzip', ['-tq', out]);
		expect(pythonRead(out).map((e) => e.name)).toEqual(['mimetype', 'one.txt', 'two.bin', 'META-INF/signatures1.xml']);
	});

	it('detects a corrupted entry by CRC', async () => {
		const file = path.join(dir, 'c.zip');
		const writer = new ZipWriter(await FileSink.open(file));
		await writer.addMimetype(MIMETYPE);
		await writer.addBuffer('x.bin', random, { compression: 'store' });
		await writer.finish();
		const bytes = fs.readFileSync(file);
		bytes[200] ^= 0xff;
		fs.writeFileSync(file, bytes);
		const layout = await readZipLayout(file);
		const stream = await openZipEntry(file, layout.entries[1]);
		await expect(
			(async () => {
				for await (const _ of stream) void _;
			})(),
		).rejects.toMatchObject({ code: 'ASICE_ZIP_WRITE_FAILED' });
	});

	it('writes ZIP64 offsets, central directory and end records past 4 GiB (sparse file), readable by Python and by us', async () => {
		const file = path.join(dir, 'big.zip');
		const start = 4.5 * 1024 * 1024 * 1024;
		fs.writeFileSync(file, '');
		fs.truncateSync(file, start); // sparse: no disk space used
		const state = { position: start, entries: [], rawCentral: [], names: [] };
		const writer = new ZipWriter(await FileSink.open(file, { resumeAt: start }), { state });
		await writer.addStream('far.txt', Readable.from([text]));
		await writer.addBuffer('far2.bin', random, { compression: 'store' });
		await writer.finish();
		const script = `
import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([[i.filename, i.header_offset, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))`;
		const listed = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as [string, number, string][];
		expect(listed).toEqual([
			['far.txt', start, sha256(text)],
			['far2.bin', expect.any(Number), sha256(random)],
		]);
		expect(listed[1][1]).toBeGreaterThan(start);
		const layout = await readZipLayout(file);
		expect(layout.entries.map((e) => [e.name, e.offset >= start])).toEqual([
			['far.txt', true],
			['far2.bin', true],
		]);
		const stream = await openZipEntry(file, layout.entries[0]);
		const parts: Buffer[] = [];
		for await (const c of stream) parts.push(c as Buffer);
		expect(sha256(Buffer.concat(parts))).toBe(sha256(text));
		fs.rmSync(file);
	});
});
