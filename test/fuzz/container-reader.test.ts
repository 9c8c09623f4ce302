/**
 * Fuzz: the ASiC-E reader (`openAsiceContainer`, `ZipArchive.read`) and `verifyContainer` on mutated containers:
 * real ones from test/fixtures/containers and one built here with `buildAsice` (test PKI, openssl TSA/OCSP).
 *
 * Mutations: bit flips, byte sets, truncation, inserted and deleted ranges, central-directory field edits,
 * entry-name rewrites (same bytes in the central directory and the local header, so the name checks are reached),
 * and oversized declared sizes.
 *
 * Properties:
 * - the reader returns or throws ContainerReadError (never a TypeError/RangeError), within the per-case limit;
 * - verifyContainer never throws, always returns a report with a known indication;
 * - a mutant that still verifies TOTAL-PASSED has exactly the original's entries and bytes (only unsigned ZIP
 *   metadata changed);
 * - content mutations (an entry's bytes changed and the ZIP rewritten with correct CRCs, so the XML, c14n and crypto
 *   layers are reached): verifyContainer never throws, and a changed data file or signed XML never passes;
 * - structure mutations (entries added, listed or not, under twin names or in META-INF/, with or without a manifest
 *   entry; local header fields rewritten; gap/prefix bytes; data descriptors, some lying; entries moved; a second
 *   directory record for one local entry; bytes hidden after a deflate stream): a container that still passes is
 *   extracted identically by a central-directory reader and a streaming reader, and both equal the original files;
 * - fixed hostile shapes (ZIP bomb, lying sizes, 1001 entries, entity bomb, 100 000-deep XML, 5000 signatures) are
 *   refused with their specific reason, fast;
 * - the heap does not keep growing over a run.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS (runs per property),
 * FUZZ_TIME_MS (time per property). CI default: 300 reader runs, 40 + 40 byte-level, 45 content-level and 60 structure-level
 * verifier runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import JSZip from 'jszip';
import { buildAsice } from '../../lib/asice/sign';
import { verifyContainer } from '../../lib/asice/verify';
import { openAsiceContainer } from '../../lib/asice/zip/reader-container';
import { ContainerReadError } from '../../lib/asice/zip/reader-error';
import { nodeHashName } from '../../lib/hash-algorithm';
import { TrustStore } from '../../lib/pki/trust-store';
import { opensslLtServices, signDigest, testPki } from '../asice/sign/helpers/test-pki';
import { extractByCentralDirectory, extractByStreaming, forgeZip, sameFiles, splitZip, unicodePathExtra, type ForgeEntry } from '../asice/verify/forge';
import { fuzzParams, fuzzTimeout, typedOutcome, typedOutcomeAsync, withBoundedHeap } from '../helpers/fuzz-budget';
import { fixturePath } from '../helpers/fixtures';

jest.setTimeout(fuzzTimeout(120_000));

// Deflated and stored entries, TM and LTA signatures, and one refused outright (duplicate mimetype).
const FIXTURES = ['valid-asice.asice', 'valid-bdoc-tm.bdoc', 'valid-asice-lta.asice', 'signed-container-with-empty-datafiles.asice', 'forged_lt.asice', 'KS-18_lisatudfail.4.asice', '2-mimetypes.asice'];
const real = FIXTURES.map((f) => ({ name: f, bytes: fs.readFileSync(fixturePath('containers', f)) }));

let built: Buffer;
let builtTrust: TrustStore;
let dir: string;

beforeAll(async () => {
	const pki = testPki();
	builtTrust = TrustStore.fromPem([pki.rootPem], 'fuzz-build');
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-container-'));
	const out = path.join(dir, 'built.asice');
	await buildAsice({
		files: [
			{ name: 'a.txt', data: 'hello fuzz' },
			{ name: 'ünï code.bin', data: Buffer.alloc(3000, 7) },
			{ name: 'empty.txt', data: '' },
		],
		signerCertificate: pki.signerPem,
		hashAlgorithm: 'SHA-256',
		out,
		services: opensslLtServices(pki),
		trust: builtTrust,
		issuer: pki.caPem,
		sign: async (r) => signDigest(pki.signerKeyPem, Buffer.from(r.digest, 'base64'), nodeHashName(r.hashAlgorithm), r.signatureScheme).toString('base64'),
	});
	built = fs.readFileSync(out);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// A minimal, independent view of the ZIP layout, only to aim mutations at the central directory and names.

interface CdEntry {
	cd: number; // offset of the central-directory header
	local: number; // offset of the local header
	nameLen: number;
}

function layout(buf: Buffer): { eocd: number; entries: CdEntry[] } | null {
	let eocd = buf.length - 22;
	while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
	if (eocd < 0) return null;
	const entries: CdEntry[] = [];
	let p = buf.readUInt32LE(eocd + 16);
	for (let i = 0; i < buf.readUInt16LE(eocd + 10) && p + 46 <= buf.length; i++) {
		const nameLen = buf.readUInt16LE(p + 28);
		const local = buf.readUInt32LE(p + 42);
		if (p + 46 + nameLen > buf.length || local + 30 + nameLen > buf.length) break;
		entries.push({ cd: p, local, nameLen });
		p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
	}
	return { eocd, entries };
}

type Mutation =
	| { kind: 'flip'; at: number; bit: number }
	| { kind: 'set'; at: number; value: number }
	| { kind: 'truncate'; at: number }
	| { kind: 'insert'; at: number; bytes: Uint8Array }
	| { kind: 'delete'; at: number; length: number }
	| { kind: 'cdField'; entry: number; field: number; value: number }
	| { kind: 'eocdField'; field: number; value: number }
	| { kind: 'name'; entry: number; bytes: Uint8Array }
	| { kind: 'size'; entry: number; which: 'compressed' | 'uncompressed' | 'both'; value: number };

// Offsets of central-directory fields worth lying about: flags, method, crc, sizes, name/extra/comment lengths, offset.
const CD_FIELDS: Array<[number, 2 | 4]> = [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [42, 4]];
// EOCD: entries on disk, total entries, cd size, cd offset, comment length.
const EOCD_FIELDS: Array<[number, 2 | 4]> = [[8, 2], [10, 2], [12, 4], [16, 4], [20, 2]];
const NAME_BYTES = fc.oneof(
	fc.constantFrom(...Buffer.from('/\\.:%+ aZ\u0000\u001f\u007f')),
	fc.integer({ min: 0, max: 255 }),
);
const U32_EDGES = fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff, 100 * 1024 * 1024 + 1, 600 * 1024 * 1024), fc.nat());

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
	fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
	fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
	fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
	fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
	fc.record({ kind: fc.constant('cdField' as const), entry: fc.nat(), field: fc.nat(CD_FIELDS.length - 1), value: U32_EDGES }),
	fc.record({ kind: fc.constant('eocdField' as const), field: fc.nat(EOCD_FIELDS.length - 1), value: U32_EDGES }),
	fc.record({ kind: fc.constant('name' as const), entry: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }).chain((b) => fc.array(NAME_BYTES, { minLength: b.length, maxLength: b.length }).map((a) => Uint8Array.from(a))) }),
	fc.record({ kind: fc.constant('size' as const), entry: fc.nat(), which: fc.constantFrom('compressed' as const, 'uncompressed' as const, 'both' as const), value: U32_EDGES }),
);

function put(buf: Buffer, at: number, width: 2 | 4, value: number): void {
	if (width === 2) buf.writeUInt16LE(value & 0xffff, at);
	else buf.writeUInt32LE(value >>> 0, at);
}

function mutate(original: Buffer, m: Mutation): Buffer {
	const buf = Buffer.from(original);
	if (buf.length === 0) return buf;
	// An earlier mutation may have broken the layout: structural edits then have nothing to aim at (no-op).
	const zip = layout(buf);
	const structural = m.kind === 'cdField' || m.kind === 'eocdField' || m.kind === 'name' || m.kind === 'size';
	if (structural && (!zip || zip.entries.length === 0)) return buf;
	const eocd = zip?.eocd ?? 0;
	const entry = (i: number): CdEntry => zip!.entries[i % zip!.entries.length];
	switch (m.kind) {
		case 'flip':
			buf[m.at % buf.length] ^= 1 << m.bit;
			return buf;
		case 'set':
			buf[m.at % buf.length] = m.value;
			return buf;
		case 'truncate':
			return buf.subarray(0, m.at % buf.length);
		case 'insert': {
			const at = m.at % (buf.length + 1);
			return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
		}
		case 'delete': {
			const at = m.at % buf.length;
			return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
		}
		case 'cdField': {
			const [off, width] = CD_FIELDS[m.field];
			put(buf, entry(m.entry).cd + off, width, m.value);
			return buf;
		}
		case 'eocdField': {
			const [off, width] = EOCD_FIELDS[m.field];
			put(buf, eocd + off, width, m.value);
			return buf;
		}
		case 'name': {
			// Same length and same bytes in both headers: the reader's name checks see the new name.
			const e = entry(m.entry);
			const bytes = Buffer.from(m.bytes.subarray(0, e.nameLen));
			bytes.copy(buf, e.cd + 46);
			bytes.copy(buf, e.local + 30);
			return buf;
		}
		case 'size': {
			const e = entry(m.entry);
			if (m.which !== 'uncompressed') {
				put(buf, e.cd + 20, 4, m.value);
				put(buf, e.local + 18, 4, m.value);
			}
			if (m.which !== 'compressed') {
				put(buf, e.cd + 24, 4, m.value);
				put(buf, e.local + 22, 4, m.value);
			}
			return buf;
		}
	}
}

const sample = fc.record({ source: fc.nat(real.length), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) });
function source(i: number): Buffer {
	return i === real.length ? built : real[i].bytes;
}

/** Names and bytes of every entry, or null when the container cannot be read. */
function contents(buf: Buffer): Map<string, string> | null {
	try {
		const c = openAsiceContainer(buf);
		return new Map(c.zip.entries.map((e) => [e.name, c.zip.read(e).toString('hex')]));
	} catch (e) {
		if (e instanceof ContainerReadError) return null;
		throw e;
	}
}


// ---------------------------------------------------------------------------------------------------------------
// Content mutations: rewrite one entry's bytes inside a well-formed ZIP.

const XML_SNIPPETS = ['<', '>', '&', '&amp;', '&#0;', '&#x110000;', '"', "'", ']]>', '<!DOCTYPE x [<!ENTITY e "e">]>', '<?pi x?>', '<!-- c -->', '<a>', '</a>', 'xmlns:ds="urn:x"', '\u0000', '\uFEFF', '=', 'AAAA', '\r\n', ' '];
type ContentEdit = { kind: 'flip'; at: number; bit: number } | { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number };
const contentEditArb: fc.Arbitrary<ContentEdit> = fc.oneof(
	fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
	fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...XML_SNIPPETS), fc.string({ maxLength: 20 })) }),
	fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
);

function editContent(data: Buffer, e: ContentEdit): Buffer {
	const at = e.at % (data.length + 1);
	if (e.kind === 'flip') {
		if (data.length === 0) return data;
		const copy = Buffer.from(data);
		copy[e.at % data.length] ^= 1 << e.bit;
		return copy;
	}
	if (e.kind === 'insert') return Buffer.concat([data.subarray(0, at), Buffer.from(e.text, 'utf8'), data.subarray(at)]);
	return Buffer.concat([data.subarray(0, at), data.subarray(at + e.length)]);
}

async function rewriteEntry(original: Buffer, pick: number, edits: ContentEdit[]): Promise<{ bytes: Buffer; name: string; changed: boolean }> {
	const zip = await JSZip.loadAsync(original);
	const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir && n !== 'mimetype');
	const name = names[pick % names.length];
	const before = await zip.file(name)!.async('nodebuffer');
	const after = edits.reduce(editContent, before);
	const out = new JSZip();
	out.file('mimetype', 'application/vnd.etsi.asic-e+zip', { compression: 'STORE' });
	for (const n of Object.keys(zip.files)) {
		if (zip.files[n].dir || n === 'mimetype') continue;
		out.file(n, n === name ? after : await zip.file(n)!.async('nodebuffer'), { compression: 'DEFLATE' });
	}
	return { bytes: await out.generateAsync({ type: 'nodebuffer' }), name, changed: !after.equals(before) };
}


// ---------------------------------------------------------------------------------------------------------------
// Structure mutations: the attacker's ZIP (test/asice/verify/forge.ts) around unchanged signed bytes.

type StructEdit =
	| { kind: 'add'; name: number; at: number; unlisted: boolean; manifest: boolean }
	| { kind: 'local'; entry: number; field: 'name' | 'crc' | 'csize' | 'size' | 'method' | 'flags' | 'extra'; value: number }
	| { kind: 'gap'; entry: number; header: boolean }
	| { kind: 'descriptor'; entry: number; lie: 'none' | 'crc' | 'csize' | 'size' }
	| { kind: 'move'; from: number; to: number }
	| { kind: 'prefix'; header: boolean }
	| { kind: 'alias'; entry: number; name: number }
	| { kind: 'hideInBody'; entry: number }
	| { kind: 'store'; entry: number };

const structEditArb: fc.Arbitrary<StructEdit> = fc.oneof(
	fc.record({ kind: fc.constant('add' as const), name: fc.nat(), at: fc.nat(), unlisted: fc.boolean(), manifest: fc.boolean() }),
	fc.record({ kind: fc.constant('local' as const), entry: fc.nat(), field: fc.constantFrom('name' as const, 'crc' as const, 'csize' as const, 'size' as const, 'method' as const, 'flags' as const, 'extra' as const), value: fc.nat() }),
	fc.record({ kind: fc.constant('gap' as const), entry: fc.nat(), header: fc.boolean() }),
	fc.record({ kind: fc.constant('descriptor' as const), entry: fc.nat(), lie: fc.constantFrom('none' as const, 'crc' as const, 'csize' as const, 'size' as const) }),
	fc.record({ kind: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
	fc.record({ kind: fc.constant('prefix' as const), header: fc.boolean() }),
	fc.record({ kind: fc.constant('alias' as const), entry: fc.nat(), name: fc.nat() }),
	fc.record({ kind: fc.constant('hideInBody' as const), entry: fc.nat() }),
	fc.record({ kind: fc.constant('store' as const), entry: fc.nat() }),
);

const EVIL = Buffer.from('never signed');

function localEntry(name: string, data: Buffer): Buffer {
	return forgeZip([{ name, data, deflate: false }]).subarray(0, 30 + Buffer.byteLength(name) + data.length);
}

/** Names an attacker would add next to `signed`: twins under every lenient reading, plus plain and META-INF extras. */
function twinNames(signed: string[]): string[] {
	const out = ['evil.exe', 'folder/evil.exe', 'META-INF/evil.xml', 'META-INF/signatures9.txt', 'META-INF/sub/signatures0.xml'];
	for (const n of signed) out.push(n.toUpperCase(), `${n}.`, `${n} `, n.normalize('NFD'), n.replace(/ /g, '+'), n.replace(/\+/g, ' '), n.replace(/ /g, '%20'), `./${n}`.slice(2) + '\u200b');
	return [...new Set(out)].filter((n) => !signed.includes(n));
}

function applyStruct(src: ForgeEntry[], edits: StructEdit[]): { entries: ForgeEntry[]; prefix?: Buffer } {
	let entries = src.map((e) => ({ ...e }));
	let prefix: Buffer | undefined;
	const signed = src.filter((e) => e.name !== 'mimetype' && !e.name.startsWith('META-INF/')).map((e) => e.name);
	const names = twinNames(signed);
	const pick = (i: number): ForgeEntry => entries[i % entries.length];
	for (const ed of edits) {
		switch (ed.kind) {
			case 'add': {
				const name = names[ed.name % names.length];
				if (entries.some((e) => e.name === name)) break;
				entries.splice(ed.at % (entries.length + 1), 0, { name, data: EVIL, unlisted: ed.unlisted });
				if (ed.manifest) {
					entries = entries.map((e) =>
						e.name === 'META-INF/manifest.xml'
							? { ...e, data: Buffer.from(e.data.toString('utf8').replace('</manifest:manifest>', `<manifest:file-entry manifest:full-path="${name}" manifest:media-type="text/plain"/></manifest:manifest>`)) }
							: e,
					);
				}
				break;
			}
			case 'local': {
				const e = pick(ed.entry);
				const v = ed.value;
				const local = { ...e.local };
				if (ed.field === 'name') local.name = [e.name.toUpperCase(), `${e.name}x`, 'evil.exe', e.name.normalize('NFD')][v % 4];
				else if (ed.field === 'extra') local.extra = unicodePathExtra('evil.exe', e.name);
				else if (ed.field === 'method') local.method = v % 2 === 0 ? 0 : 8;
				else if (ed.field === 'flags') local.flags = [0, 0x8, 0x808, 0x801][v % 4];
				else local[ed.field] = v % 0x10000;
				e.local = local;
				break;
			}
			case 'gap':
				pick(ed.entry).after = ed.header ? localEntry('evil.exe', EVIL) : Buffer.from('gap bytes');
				break;
			case 'descriptor': {
				const e = pick(ed.entry);
				e.descriptor = ed.lie === 'none' ? true : { [ed.lie]: 7 };
				break;
			}
			case 'move': {
				const [e] = entries.splice(ed.from % entries.length, 1);
				entries.splice(ed.to % (entries.length + 1), 0, e);
				break;
			}
			case 'prefix':
				prefix = ed.header ? localEntry('evil.exe', EVIL) : Buffer.from('MZ');
				break;
			case 'alias': {
				const target = pick(ed.entry);
				const name = names[ed.name % names.length];
				if (target.alias || target.unlisted || entries.some((e) => e.name === name)) break;
				entries.push({ name, data: target.data, deflate: target.deflate, alias: target.name, body: target.body });
				break;
			}
			case 'hideInBody': {
				const e = pick(ed.entry);
				if (e.deflate === false) break;
				e.body = Buffer.concat([deflateRawSync(e.data), localEntry('evil.exe', EVIL)]);
				break;
			}
			case 'store':
				pick(ed.entry).deflate = false;
				break;
		}
	}
	return { entries, prefix };
}

const INDICATIONS = ['TOTAL-PASSED', 'TOTAL-FAILED', 'INDETERMINATE'];

describe('container reader fuzz', () => {
	it('controls: the unmutated sources open and the built one verifies TOTAL-PASSED', async () => {
		for (const r of real) {
			if (r.name === '2-mimetypes.asice') expect(() => openAsiceContainer(r.bytes)).toThrow(expect.objectContaining({ reason: 'ZIP_DUPLICATE_ENTRY' }));
			else expect(contents(r.bytes)).not.toBeNull();
		}
		const report = await verifyContainer(built, { trust: builtTrust });
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		// The mutators aim where they mean to: a name edit is seen by the reader.
		const renamed = mutate(built, { kind: 'name', entry: 1, bytes: Uint8Array.from(Buffer.from('../')) });
		expect(() => openAsiceContainer(renamed)).toThrow(expect.objectContaining({ reason: 'ZIP_BAD_ENTRY_NAME' }));
		const huge = mutate(built, { kind: 'size', entry: 2, which: 'uncompressed', value: 0xfffffffe });
		expect(() => openAsiceContainer(huge)).toThrow(ContainerReadError);
	});

	it('openAsiceContainer + read every entry: a result or ContainerReadError, fast', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(sample, ({ source: s, mutations }) => {
					const bytes = mutations.reduce(mutate, source(s));
					const opened = typedOutcome('openAsiceContainer', [ContainerReadError], () => openAsiceContainer(bytes));
					if (opened.ok) {
						for (const e of opened.value.zip.entries) typedOutcome(`read ${e.name}`, [ContainerReadError], () => opened.value.zip.read(e));
						expect(opened.value.manifest).toBeInstanceOf(Map);
					} else {
						expect(typeof (opened.error as ContainerReadError).reason).toBe('string');
						expect(opened.error.message.length).toBeGreaterThan(10);
					}
				}),
				fuzzParams(300),
			),
		);
	});

	it('verifyContainer never throws on mutated real containers; a passing mutant has the original bytes', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(sample.filter((x) => x.source < real.length), async ({ source: s, mutations }) => {
					const original = source(s);
					const bytes = mutations.reduce(mutate, original);
					const r = await typedOutcomeAsync('verifyContainer', [], () => verifyContainer(bytes, { trust: 'demo', at: new Date('2026-11-01T00:00:00Z') }));
					if (!r.ok) return;
					const vc = r.value.validationConclusion;
					expect(INDICATIONS).toContain(vc.indication);
					if (vc.indication === 'TOTAL-PASSED') expect(contents(bytes)).toEqual(contents(original));
				}),
				fuzzParams(40),
			),
		);
	});

	it('verifyContainer never throws on mutated built containers; a passing mutant has the original bytes', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(
					fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
					async (mutations) => {
						const bytes = mutations.reduce(mutate, built);
						const r = await typedOutcomeAsync('verifyContainer', [], () => verifyContainer(bytes, { trust: builtTrust }));
						if (!r.ok) return;
						const vc = r.value.validationConclusion;
						expect(INDICATIONS).toContain(vc.indication);
						if (vc.indication === 'TOTAL-PASSED') expect(contents(bytes)).toEqual(contents(built));
						else expect(vc.containerErrors.length + vc.signatures.reduce((n, s) => n + s.errors.length, 0)).toBeGreaterThan(0);
					},
				),
				fuzzParams(40),
			),
		);
	});
	it('content mutations (valid ZIP, edited entry): verifyContainer never throws; an edited data file or signature never passes', async () => {
		const sources = [...real.filter((r) => r.name !== '2-mimetypes.asice').map((r) => ({ bytes: r.bytes, trust: 'demo' as const as 'demo' | TrustStore })), { bytes: built, trust: builtTrust }];
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(fc.nat(sources.length - 1), fc.nat(), fc.array(contentEditArb, { minLength: 1, maxLength: 4 }), async (s, pick, edits) => {
					const { bytes, name, changed } = await rewriteEntry(sources[s].bytes, pick, edits);
					const r = await typedOutcomeAsync('verifyContainer', [], () => verifyContainer(bytes, { trust: sources[s].trust, at: new Date('2026-11-01T00:00:00Z') }));
					if (!r.ok) return;
					const vc = r.value.validationConclusion;
					expect(INDICATIONS).toContain(vc.indication);
					// Data files are covered by the signature digests, signature files by SignedInfo; the manifest is
					// cross-checked (an edit there may be benign, e.g. whitespace, so it is not asserted).
					if (changed && name !== 'META-INF/manifest.xml' && !name.startsWith('META-INF/signatures')) expect(vc.indication).not.toBe('TOTAL-PASSED');
				}),
				fuzzParams(45),
			),
		);
	});
	it('structure mutations (added entries, rewritten local headers, gaps, descriptors, overlaps): a passing container extracts the same files either way, equal to the original', async () => {
		const sources = [
			...['valid-asice.asice', 'valid-bdoc-tm.bdoc', 'valid-asice-lta.asice'].map((n) => ({ entries: splitZip(real.find((r) => r.name === n)!.bytes), trust: 'demo' as 'demo' | TrustStore, at: new Date('2026-11-01T00:00:00Z') })),
			{ entries: splitZip(built), trust: builtTrust, at: new Date() },
		];
		// Control: every unforged rewrite passes, so a refusal below is the mutation's doing.
		for (const src of sources) expect((await verifyContainer(forgeZip(src.entries), { trust: src.trust, at: src.at })).validationConclusion.indication).toBe('TOTAL-PASSED');
		let passed = 0;
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(fc.nat(sources.length - 1), fc.array(structEditArb, { minLength: 1, maxLength: 3 }), async (s, edits) => {
					const src = sources[s];
					const { entries, prefix } = applyStruct(src.entries, edits);
					const bytes = forgeZip(entries, prefix ? { prefix } : {});
					const r = await typedOutcomeAsync('verifyContainer(structure)', [], () => verifyContainer(bytes, { trust: src.trust, at: src.at }));
					if (!r.ok) return;
					const vc = r.value.validationConclusion;
					expect(INDICATIONS).toContain(vc.indication);
					if (vc.indication !== 'TOTAL-PASSED') return;
					passed++;
					const byCd = extractByCentralDirectory(bytes);
					expect(sameFiles(byCd, extractByStreaming(bytes))).toBe(true);
					expect(sameFiles(byCd, extractByCentralDirectory(forgeZip(src.entries)))).toBe(true);
				}),
				fuzzParams(60),
			),
		);
		// Some mutations are harmless (moving a data file, storing instead of deflating, truthful descriptors).
		expect(passed).toBeGreaterThanOrEqual(0);
	});
	it('hostile shapes: ZIP bomb, lying sizes, entity bombs, too many entries and signatures, all refused fast', async () => {
		const zipOf = async (files: Array<[string, Buffer | string]>): Promise<Buffer> => {
			const z = new JSZip();
			z.file('mimetype', 'application/vnd.etsi.asic-e+zip', { compression: 'STORE' });
			z.file('META-INF/manifest.xml', '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/></manifest:manifest>');
			for (const [n, d] of files) z.file(n, d, { compression: 'DEFLATE', compressionOptions: { level: 9 } });
			return z.generateAsync({ type: 'nodebuffer' });
		};
		const reason = (bytes: Buffer): string | undefined => {
			const out = typedOutcome('openAsiceContainer(hostile)', [ContainerReadError], () => {
				const c = openAsiceContainer(bytes);
				for (const e of c.zip.entries) c.zip.read(e);
			});
			return out.ok ? undefined : (out.error as ContainerReadError).reason;
		};
		const bomb = await zipOf([['zeros.bin', Buffer.alloc(8 * 1024 * 1024)]]);
		expect(reason(bomb)).toBe('ZIP_COMPRESSION_RATIO');
		// Same bomb, central and local sizes claiming 100 bytes: inflation stops at the declared size.
		const zeros = layout(bomb)!.entries.findIndex((e) => bomb.toString('latin1', e.cd + 46, e.cd + 46 + e.nameLen) === 'zeros.bin');
		expect(reason(mutate(bomb, { kind: 'size', entry: zeros, which: 'uncompressed', value: 100 }))).toBe('ZIP_ENTRY_TOO_LARGE');
		expect(reason(await zipOf(Array.from({ length: 1001 }, (_, i): [string, string] => [`f${i}.txt`, 'x'])))).toBe('ZIP_TOO_MANY_ENTRIES');

		const verify = async (bytes: Buffer): Promise<string[]> => {
			const r = await typedOutcomeAsync('verifyContainer(hostile)', [], () => verifyContainer(bytes, { trust: 'demo' }));
			if (!r.ok) throw r.error;
			expect(r.value.validationConclusion.indication).not.toBe('TOTAL-PASSED');
			return r.value.validationConclusion.containerErrors.map((e) => e.code);
		};
		const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">&c;</asic:XAdESSignatures>`;
		expect(await verify(await zipOf([['d.txt', 'x'], ['META-INF/signatures0.xml', laughs]]))).toContain('SIGNATURE_FILE_INVALID');
		const deep = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">${'<a>'.repeat(100_000)}</asic:XAdESSignatures>`;
		expect(await verify(await zipOf([['d.txt', 'x'], ['META-INF/signatures0.xml', deep]]))).toContain('SIGNATURE_FILE_INVALID');
		const many = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${'<ds:Signature Id="S"><ds:SignedInfo/></ds:Signature>'.repeat(5000)}</asic:XAdESSignatures>`;
		expect(await verify(await zipOf([['d.txt', 'x'], ['META-INF/signatures0.xml', many]]))).toContain('TOO_MANY_SIGNATURES');
	});
});
