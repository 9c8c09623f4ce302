/**
 * Forged containers, made here the way an attacker would: start from real VALID containers (DigiDoc4j verdicts in
 * test/fixtures/containers) and one built with the test PKI (for a signed '+' name and a non-ASCII name), then
 * add files nobody signed, hide bytes from the central directory, or make local headers say something else.
 * Every forgery must be refused with its named code (lib/asice/verify/codes.ts); the unforged rewrite of the same
 * entries must still pass, so each refusal is caused by the forgery alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import { buildAsice } from '../../../lib/asice/sign';
import { verifyContainer, type Report } from '../../../lib/asice/verify';
import { nodeHashName } from '../../../lib/hash-algorithm';
import { TrustStore } from '../../../lib/pki/trust-store';
import { readZip } from '../../../lib/asice/zip/reader';
import { StreamSink, ZipWriter } from '../../../lib/asice/zip/writer';
import { fixturePath } from '../../helpers/fixtures';
import { opensslLtServices, signDigest, testPki } from '../sign/helpers/test-pki';
import { extractByCentralDirectory, extractByStreaming, forgeZip, sameFiles, splitZip, unicodePathExtra, type ForgeEntry } from './forge';

jest.setTimeout(120_000);

interface Source {
	label: string;
	entries: ForgeEntry[];
	trust: 'demo' | TrustStore;
	/** A signed data file name. */
	signed: string;
}

const REAL = ['valid-asice.asice', 'valid-bdoc-tm.bdoc', 'valid-asice-lta.asice', 'PSS-signature.asice', 'space-in-datafile-name-percent-encoded-in-signature.asice'];
const sources: Source[] = REAL.map((f) => {
	const entries = splitZip(fs.readFileSync(fixturePath('containers', f)));
	const signed = entries.find((e) => e.name !== 'mimetype' && !e.name.startsWith('META-INF/'))!.name;
	return { label: f, entries, trust: 'demo', signed };
});
let built: Source;
let dir: string;

beforeAll(async () => {
	const pki = testPki();
	const trust = TrustStore.fromPem([pki.rootPem], 'forged-build');
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forged-'));
	const out = path.join(dir, 'built.asice');
	await buildAsice({
		files: [
			{ name: 'plus+name.txt', data: 'signed plus' },
			{ name: 'äöüõ.txt', data: 'signed unicode' },
		],
		signerCertificate: pki.signerPem,
		hashAlgorithm: 'SHA-256',
		out,
		services: opensslLtServices(pki),
		trust,
		issuer: pki.caPem,
		sign: async (r) => signDigest(pki.signerKeyPem, Buffer.from(r.digest, 'base64'), nodeHashName(r.hashAlgorithm), r.signatureScheme).toString('base64'),
	});
	built = { label: 'built', entries: splitZip(fs.readFileSync(out)), trust, signed: 'plus+name.txt' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const verify = (src: Source, zip: Buffer): Promise<Report> => verifyContainer(zip, { trust: src.trust });

function codesOf(r: Report): string[] {
	const vc = r.validationConclusion;
	return [...vc.containerErrors.map((e) => e.code), ...vc.signatures.flatMap((s) => s.errors.map((e) => e.code))];
}

async function expectRefused(src: Source, zip: Buffer, ...codes: string[]): Promise<Report> {
	const r = await verify(src, zip);
	expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	for (const c of codes) expect(codesOf(r)).toContain(c);
	return r;
}

/** The source's entries with `extra` inserted after the entry named `after` (default: at the end). */
function withEntry(src: Source, extra: ForgeEntry, after?: string): ForgeEntry[] {
	const out = [...src.entries];
	const i = after ? out.findIndex((e) => e.name === after) + 1 : out.length;
	out.splice(i, 0, extra);
	return out;
}

function withManifestEntry(src: Source, name: string): ForgeEntry[] {
	return src.entries.map((e) =>
		e.name === 'META-INF/manifest.xml'
			? { ...e, data: Buffer.from(e.data.toString('utf8').replace('</manifest:manifest>', `<manifest:file-entry manifest:full-path="${name}" manifest:media-type="text/plain"/></manifest:manifest>`)) }
			: e,
	);
}

function editSignature(src: Source, edit: (xml: string) => string): ForgeEntry[] {
	return src.entries.map((e) => (/^META-INF\/[^/]*signatures[^/]*\.xml$/.test(e.name) ? { ...e, data: Buffer.from(edit(e.data.toString('utf8'))) } : e));
}

const EVIL = Buffer.from('MZ this file was never signed');

describe('controls', () => {
	it('the unforged rewrite of every source passes, and both extractors see the same files', async () => {
		for (const src of [...sources, built]) {
			const zip = forgeZip(src.entries);
			const r = await verify(src, zip);
			expect([src.label, r.validationConclusion.indication, codesOf(r)]).toEqual([src.label, 'TOTAL-PASSED', []]);
			expect(sameFiles(extractByCentralDirectory(zip), extractByStreaming(zip))).toBe(true);
		}
	});

	it('data descriptors that tell the truth are accepted', async () => {
		const src = sources[0];
		const zip = forgeZip(src.entries.map((e) => (e.deflate ? { ...e, descriptor: true } : e)));
		expect((await verify(src, zip)).validationConclusion.indication).toBe('TOTAL-PASSED');
	});
});

describe('1. coverage by exact resolved reference', () => {
	it('a twin no reference resolves to is not signed: "+"/space, literal %20, case, NFD, trailing dot or space, NTFS stream; with and without a manifest entry', async () => {
		const cases: Array<[() => Source, string, string[]]> = [];
		for (const s of sources) {
			cases.push([() => s, s.signed.toUpperCase(), ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
			cases.push([() => s, s.signed[0].toUpperCase() + s.signed.slice(1), ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
			cases.push([() => s, `${s.signed}.`, ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
			cases.push([() => s, `${s.signed} `, ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
			cases.push([() => s, `${s.signed}:hidden`, ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
			if (s.signed.includes(' ')) {
				cases.push([() => s, s.signed.replace(/ /g, '+'), ['DATAFILE_NOT_SIGNED']]);
				cases.push([() => s, s.signed.replace(/ /g, '%20'), ['DATAFILE_NOT_SIGNED']]);
			}
		}
		cases.push([() => built, 'plus name.txt', ['DATAFILE_NOT_SIGNED']]);
		cases.push([() => built, 'plus%2Bname.txt', ['DATAFILE_NOT_SIGNED']]);
		cases.push([() => built, 'äöüõ.txt'.normalize('NFD'), ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
		cases.push([() => built, 'ÄÖÜÕ.txt', ['DATAFILE_NOT_SIGNED', 'ENTRY_NAME_COLLISION']]);
		expect(cases.length).toBeGreaterThan(20);
		for (const [get, twin, codes] of cases) {
			const src = get();
			if (src.entries.some((e) => e.name === twin)) continue; // e.g. a name that is already capitalised
			for (const manifest of [false, true]) {
				const base = manifest ? { ...src, entries: withManifestEntry(src, twin) } : src;
				const zip = forgeZip(withEntry(base, { name: twin, data: EVIL }));
				const r = await expectRefused(src, zip, ...codes, ...(manifest ? ['MANIFEST_FILE_NOT_SIGNED'] : []));
				// The signed file itself is still fine: the refusal is about the twin.
				expect(r.validationConclusion.containerErrors.find((e) => e.code === 'DATAFILE_NOT_SIGNED')!.message).toContain(`<${twin}>`);
			}
		}
	});

	it('a plain extra file, at the top or in a folder, is not signed', async () => {
		for (const src of sources.slice(0, 3)) {
			await expectRefused(src, forgeZip(withEntry(src, { name: 'evil.exe', data: EVIL })), 'DATAFILE_NOT_SIGNED');
			await expectRefused(src, forgeZip(withEntry(src, { name: 'docs/evil.exe', data: EVIL }, 'mimetype')), 'DATAFILE_NOT_SIGNED');
		}
	});

	it('extra META-INF files (neither manifest nor signature) are refused', async () => {
		for (const src of sources.slice(0, 3)) {
			for (const name of ['META-INF/evil.xml', 'META-INF/timestamp.tst', 'META-INF/ASiCManifest.xml', 'META-INF/sub/signatures9.xml', 'META-INF/Manifest.xml']) {
				await expectRefused(src, forgeZip(withEntry(src, { name, data: EVIL })), 'META_INF_UNSIGNED_ENTRY');
			}
		}
	});

	it('a signature referencing one file twice is refused (REFERENCE_DUPLICATE)', async () => {
		for (const src of sources.slice(0, 3)) {
			const entries = editSignature(src, (xml) => {
				const m = /<ds:Reference [^>]*URI="(?!#)[^"]*"[^>]*>[\s\S]*?<\/ds:Reference>/.exec(xml)!;
				return xml.replace(m[0], m[0] + m[0].replace(/ Id="[^"]*"/, ''));
			});
			await expectRefused(src, forgeZip(entries), 'REFERENCE_DUPLICATE');
		}
	});
});

describe('2. ZIP truth: what a streaming and a central-directory reader extract is the same, or refused', () => {
	const src = (): Source => sources[0];
	const signedAt = (s: Source): number => s.entries.findIndex((e) => e.name === s.signed);

	function mutateSigned(s: Source, change: Partial<ForgeEntry>): ForgeEntry[] {
		return s.entries.map((e) => (e.name === s.signed ? { ...e, ...change } : e));
	}

	function localEntryBytes(name: string, data: Buffer): Buffer {
		const full = forgeZip([{ name, data, deflate: false }]);
		return full.subarray(0, 30 + Buffer.byteLength(name) + data.length);
	}

	it.each([
		['an unlisted local entry between entries', () => forgeZip(withEntry(src(), { name: 'evil.exe', data: EVIL, unlisted: true }, src().signed))],
		['an unlisted local entry with the signed file name and other bytes', () => forgeZip(withEntry(src(), { name: src().signed, data: EVIL, unlisted: true }, 'mimetype'))],
		['an unlisted local entry after the last entry', () => forgeZip(withEntry(src(), { name: 'evil.exe', data: EVIL, unlisted: true }))],
		['a local entry before the first (prefix)', () => forgeZip(src().entries, { prefix: localEntryBytes('evil.exe', EVIL) })],
		['junk bytes before the first entry', () => forgeZip(src().entries, { prefix: Buffer.from('junk') })],
		['gap bytes after an entry', () => forgeZip(mutateSigned(src(), { after: Buffer.from('hidden gap bytes') }))],
		['an unlisted local entry hidden in the gap after an entry', () => forgeZip(mutateSigned(src(), { after: localEntryBytes('evil.exe', EVIL) }))],
		['a deflate stream that ends early, with a local entry after it inside the declared size', () =>
			forgeZip(mutateSigned(src(), { body: Buffer.concat([deflateRawSync(src().entries[signedAt(src())].data), localEntryBytes('evil.exe', EVIL)]) }))],
		['junk inside the central directory', () => forgeZip(src().entries, { cdExtra: Buffer.from('PK\u0005\u0006junk') })],
		['a ZIP64 end record and locator between the central directory and its end record', () => {
			const zip = forgeZip(src().entries);
			const eocd = zip.length - 22;
			const z64 = Buffer.alloc(56 + 20);
			z64.writeUInt32LE(0x06064b50, 0);
			z64.writeUInt32LE(0x07064b50, 56);
			const out = Buffer.concat([zip.subarray(0, eocd), z64, zip.subarray(eocd)]);
			return out;
		}],
	])('%s → ZIP_UNLISTED_DATA', async (_label, make) => {
		const zip = make();
		await expectRefused(src(), zip, 'ZIP_UNLISTED_DATA');
	});

	it.each([
		['local name differs', { local: { name: 'evil.exe' } }],
		['local name differs by case only', { local: { name: 'TEST.TXT' } }],
		['local CRC differs', { local: { crc: 0x12345678 } }],
		['local compressed size differs', { local: { csize: 3 } }],
		['local size differs', { local: { size: 99 } }],
		['local method differs (stored)', { local: { method: 0 } }],
		['local flags differ (data descriptor bit)', { local: { flags: 0x808 } }],
		['local flags differ (no UTF-8 bit)', { local: { flags: 0 } }],
		['local Unicode Path extra names another file', { local: { extra: unicodePathExtra('evil.exe', 'test.txt') } }],
	] as Array<[string, Partial<ForgeEntry>]>)('%s → ZIP_LOCAL_HEADER_MISMATCH', async (_label, change) => {
		await expectRefused(src(), forgeZip(mutateSigned(src(), change)), 'ZIP_LOCAL_HEADER_MISMATCH');
	});

	it('stored with a data descriptor: accepted when truthful, refused when its data holds a descriptor signature', async () => {
		const s = src();
		const stored = forgeZip(mutateSigned(s, { deflate: false, descriptor: true }));
		expect((await verify(s, stored)).validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(sameFiles(extractByCentralDirectory(stored), extractByStreaming(stored))).toBe(true);
		const tricky = Buffer.concat([Buffer.from('head'), Buffer.from([0x50, 0x4b, 0x07, 0x08]), Buffer.alloc(12), Buffer.from('tail')]);
		const zip = forgeZip(withEntry(s, { name: 'x.bin', data: tricky, deflate: false, descriptor: true }));
		expect(sameFiles(extractByCentralDirectory(zip), extractByStreaming(zip))).toBe(false);
		await expectRefused(s, zip, 'ZIP_LOCAL_HEADER_MISMATCH');
	});

	it("the project's own streaming writer (data descriptors, ZIP64 local extras, stored incompressible data) is read back", async () => {
		const out = new PassThrough();
		const chunks: Buffer[] = [];
		out.on('data', (c: Buffer) => chunks.push(c));
		const writer = new ZipWriter(new StreamSink(out));
		await writer.addMimetype('application/vnd.etsi.asic-e+zip');
		const noise = randomBytes(200_000);
		await writer.addStream('noise.bin', Readable.from([noise]), { compression: 'auto' });
		await writer.addStream('text.txt', Readable.from([Buffer.from('hello '.repeat(1000))]), { expectedSize: 6000 });
		await writer.addStream('stored.bin', Readable.from([noise.subarray(0, 5000)]), { compression: 'store' });
		await writer.finish();
		const zip = readZip(Buffer.concat(chunks));
		expect(zip.entries.map((e) => [e.name, e.method, e.dataDescriptor])).toEqual([
			['mimetype', 0, false],
			['noise.bin', 0, true],
			['text.txt', 8, true],
			['stored.bin', 0, true],
		]);
		expect(zip.read(zip.get('noise.bin')!).equals(noise)).toBe(true);
		expect(zip.read(zip.get('text.txt')!).toString()).toBe('hello '.repeat(1000));
	});

	it.each([
		['CRC', { crc: 1 }],
		['compressed size', { csize: 5 }],
		['size', { size: 5 }],
	])('data descriptor lying about the %s → ZIP_DATA_DESCRIPTOR_MISMATCH', async (_label, d) => {
		await expectRefused(src(), forgeZip(mutateSigned(src(), { descriptor: d })), 'ZIP_DATA_DESCRIPTOR_MISMATCH');
	});

	it('a directory entry carrying data → ZIP_UNLISTED_DATA', async () => {
		await expectRefused(src(), forgeZip(withEntry(src(), { name: 'docs/', data: EVIL }, 'mimetype')), 'ZIP_UNLISTED_DATA');
		// An empty directory entry is fine (DigiDoc4j writes META-INF/ first in some containers).
		expect((await verify(src(), forgeZip(withEntry(src(), { name: 'docs/', data: Buffer.alloc(0), deflate: false }, 'mimetype')))).validationConclusion.indication).toBe('TOTAL-PASSED');
	});

	it('central Unicode Path extra naming another file → ZIP_AMBIGUOUS_NAME', async () => {
		await expectRefused(src(), forgeZip(mutateSigned(src(), { central: { extra: unicodePathExtra('evil.exe', 'test.txt') } })), 'ZIP_AMBIGUOUS_NAME');
	});

	it('overlapping entries: one listed entry inside another stored one → ZIP_ENTRIES_OVERLAP', async () => {
		for (const s of sources.slice(0, 3)) {
			const inner = localEntryBytes('evil.exe', EVIL);
			const entries = withEntry(s, { name: 'cover.bin', data: inner, deflate: false }, 'mimetype');
			entries.splice(entries.length, 0, { name: 'evil.exe', data: EVIL, deflate: false, alias: 'cover.bin', central: { offsetDelta: 30 + 'cover.bin'.length } });
			await expectRefused(s, forgeZip(entries), 'ZIP_ENTRIES_OVERLAP');
			// Two directory records for one local entry (same offset) overlap too.
			const twice = [...s.entries, { name: 'other.txt', data: s.entries[signedAt(s)].data, alias: s.signed, deflate: s.entries[signedAt(s)].deflate }];
			await expectRefused(s, forgeZip(twice), 'ZIP_LOCAL_HEADER_MISMATCH');
		}
	});

	it('mimetype not first → MIMETYPE_NOT_FIRST (signatures still reported)', async () => {
		for (const s of sources) {
			const [mt, ...rest] = s.entries;
			const r = await expectRefused(s, forgeZip([rest[0], mt, ...rest.slice(1)]), 'MIMETYPE_NOT_FIRST');
			expect(r.validationConclusion.signaturesCount).toBeGreaterThan(0);
			await expectRefused(s, forgeZip([...rest, mt]), 'MIMETYPE_NOT_FIRST');
		}
	});

	it('a refused ZIP forgery carries no signature verdicts (nothing in it was trusted)', async () => {
		const r = await expectRefused(src(), forgeZip(withEntry(src(), { name: 'evil.exe', data: EVIL, unlisted: true })), 'ZIP_UNLISTED_DATA');
		expect(r.validationConclusion.signaturesCount).toBe(0);
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
	});

	it('sanity: the forgeries above really disagree between the two extractors or hide bytes', () => {
		const zip = forgeZip(mutateSigned(src(), { body: Buffer.concat([deflateRawSync(src().entries[signedAt(src())].data), localEntryBytes('evil.exe', EVIL)]) }));
		expect(sameFiles(extractByCentralDirectory(zip), extractByStreaming(zip))).toBe(false);
		expect(extractByStreaming(zip)!.get('evil.exe')).toEqual(EVIL);
		expect(crc32(EVIL)).not.toBe(0);
	});
});

describe('5. structure rules', () => {
	const SP = 'http://uri.etsi.org/01903#SignedProperties';

	it('SignedProperties reference to an external URI → SIGNED_PROPERTIES_REFERENCE_INVALID', async () => {
		for (const s of sources.slice(0, 3)) {
			const entries = editSignature(s, (xml) => xml.replace(new RegExp(`(<ds:Reference[^>]*Type="${SP}"[^>]*URI=")#[^"]*"|(<ds:Reference[^>]*URI=")#[^"]*("[^>]*Type="${SP}")`), (_m, a, b, c) => (a ? `${a}${s.signed}"` : `${b}${s.signed}${c}`)));
			await expectRefused(s, forgeZip(entries), 'SIGNED_PROPERTIES_REFERENCE_INVALID');
		}
	});

	it('SignedProperties reference without the XAdES Type → SIGNED_PROPERTIES_REFERENCE_INVALID', async () => {
		for (const s of sources.slice(0, 3)) {
			const entries = editSignature(s, (xml) => xml.replace(` Type="${SP}"`, ''));
			await expectRefused(s, forgeZip(entries), 'SIGNED_PROPERTIES_REFERENCE_INVALID');
		}
	});
});
