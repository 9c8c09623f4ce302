import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buildAsice, discardPendingSignature, finalizeSignature, prepareSignature, type DigestSigner } from '../../../lib/asice/sign';
import type { XadesSignatureScheme } from '../../../lib/asice/sign/algorithms';
import { TrustStore } from '../../../lib/pki/trust-store';
import { nodeHashName, type HashAlgorithm } from '../../../lib/hash-algorithm';
import {
	extractAll,
	extractElement,
	innerText,
	opensslDigest,
	opensslOcspCheck,
	opensslTsGenTime,
	opensslTsVerify,
	opensslVerifyDigest,
	pythonZipEntries,
	sha256sumBase64,
	xmllintExcC14n,
} from './helpers/independent';
import { opensslLtServices, signDigest, testPki, type TestPki } from './helpers/test-pki';

jest.setTimeout(60_000);

let pki: TestPki;
let dir: string;
let trust: TrustStore;

beforeAll(() => {
	pki = testPki();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-asice-'));
	trust = TrustStore.fromPem([pki.rootPem], 'build-test');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function keySigner(keyPem: string): DigestSigner {
	return async (req) => signDigest(keyPem, Buffer.from(req.digest, 'base64'), nodeHashName(req.hashAlgorithm), req.signatureScheme).toString('base64');
}

function writeFiles(sub: string, files: Record<string, Buffer>): { name: string; path: string }[] {
	const base = path.join(dir, sub);
	fs.mkdirSync(base, { recursive: true });
	return Object.entries(files).map(([name, data], i) => {
		const p = path.join(base, `f${i}`);
		fs.writeFileSync(p, data);
		return { name, path: p };
	});
}

/** Full independent verification of one signature file against the original data files. */
function verifyIndependently(
	signatureXml: string,
	originals: { name: string; path: string }[],
	options: { hash: HashAlgorithm; scheme: XadesSignatureScheme; signerPem: string; expectedUris: string[] },
): { genTime: Date; producedAt: Date } {
	const alg = nodeHashName(options.hash) as 'sha256' | 'sha384' | 'sha512';
	// 1. Canonical SignedInfo by xmllint; signature value verified by openssl over its digest.
	const signedInfo = extractElement(signatureXml, 'ds:SignedInfo');
	const c14nSignedInfo = xmllintExcC14n(signedInfo);
	const signatureValue = Buffer.from(innerText(extractElement(signatureXml, 'ds:SignatureValue')), 'base64');
	expect(opensslVerifyDigest(options.signerPem, opensslDigest(alg, c14nSignedInfo), signatureValue, alg, options.scheme === 'rsassa-pss' ? 'pss' : 'pkcs1')).toBe(true);
	// The KeyInfo certificate is the signer certificate.
	const keyInfoCert = innerText(extractElement(signatureXml, 'ds:X509Certificate'));
	expect(keyInfoCert).toBe(options.signerPem.replace(/-----[A-Z ]+-----|\s/g, ''));
	// 2. Data references: URI encoding and SHA-256 by sha256sum.
	const references = extractAll(signedInfo, 'ds:Reference');
	expect(references).toHaveLength(originals.length + 1);
	originals.forEach((file, i) => {
		const ref = references[i];
		expect(/URI="([^"]*)"/.exec(ref)?.[1]).toBe(options.expectedUris[i]);
		expect(innerText(extractElement(ref, 'ds:DigestValue'))).toBe(sha256sumBase64(file.path));
	});
	// 3. SignedProperties digest by xmllint + openssl.
	const spRef = references[originals.length];
	expect(spRef).toContain('Type="http://uri.etsi.org/01903#SignedProperties"');
	const signedProperties = extractElement(signatureXml, 'xades:SignedProperties');
	expect(innerText(extractElement(spRef, 'ds:DigestValue'))).toBe(opensslDigest('sha256', xmllintExcC14n(signedProperties)).toString('base64'));
	// 4. Timestamp over canonical SignatureValue, verified by openssl ts.
	const token = Buffer.from(innerText(extractElement(signatureXml, 'xades:EncapsulatedTimeStamp')), 'base64');
	const c14nValue = xmllintExcC14n(extractElement(signatureXml, 'ds:SignatureValue'));
	const ts = opensslTsVerify(token, c14nValue, pki.rootPem + pki.caPem);
	expect(ts.output).toContain('Verification: OK');
	// 5. OCSP response verified by openssl ocsp, good, produced after the timestamp.
	const ocsp = Buffer.from(innerText(extractElement(signatureXml, 'xades:EncapsulatedOCSPValue')), 'base64');
	const check = opensslOcspCheck(ocsp, pki.caPem, options.signerPem, pki.rootPem + pki.caPem);
	expect(check.output).toContain('Response verify OK');
	expect(check.status).toBe('good');
	const genTime = opensslTsGenTime(token);
	expect(check.producedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(genTime.getTime() / 1000) * 1000);
	return { genTime, producedAt: check.producedAt };
}

describe('buildAsice (test PKI, openssl TSA and OCSP)', () => {
	it('builds a 1-file LT container that xmllint + openssl verify piece by piece', async () => {
		const originals = writeFiles('one', { 'test.txt': Buffer.from('Hello, Smart-ID!\n') });
		const out = path.join(dir, 'one.asice');
		const log = { timestamps: 0, ocsp: 0 };
		const result = await buildAsice({
			files: originals.map((f) => ({ ...f, mimeType: 'text/plain' })),
			signerCertificate: pki.signerPem,
			hashAlgorithm: 'SHA-256',
			out,
			services: opensslLtServices(pki, log),
			trust,
			issuer: pki.caPem,
			sign: keySigner(pki.signerKeyPem),
		});
		expect(log).toEqual({ timestamps: 1, ocsp: 1 });
		expect(result.signatureFile).toBe('META-INF/signatures0.xml');
		const entries = pythonZipEntries(out);
		expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'test.txt', 'META-INF/signatures0.xml']);
		expect(entries[0]).toMatchObject({ compress: 0, extraLength: 0 });
		expect(entries[0].data.toString()).toBe('application/vnd.etsi.asic-e+zip');
		const bytes = fs.readFileSync(out);
		expect(bytes.subarray(30, 38 + 31).toString('latin1')).toBe('mimetypeapplication/vnd.etsi.asic-e+zip');
		const manifest = entries[1].data.toString('utf8');
		expect(manifest).toContain('manifest:full-path="test.txt" manifest:media-type="text/plain"');
		const xml = entries[3].data.toString('utf8');
		expect(xml).toBe(result.signatureXml);
		expect(xml).toContain('<ds:SignatureMethod Algorithm="http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1">');
		expect(xml).toContain('<xades:MimeType>text/plain</xades:MimeType>');
		// SigningCertificateV2 digest = SHA-256 of the signer certificate DER (openssl x509 -outform DER | dgst).
		const certDer = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: pki.signerPem });
		expect(innerText(extractElement(extractElement(xml, 'xades:CertDigest'), 'ds:DigestValue'))).toBe(opensslDigest('sha256', certDer).toString('base64'));
		// IssuerSerialV2 parses (openssl asn1parse) and holds the issuer name and serial.
		const issuerSerial = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: Buffer.from(innerText(extractElement(xml, 'xades:IssuerSerialV2')), 'base64') }).toString();
		expect(issuerSerial).toContain('Build Test Issuing CA');
		expect(issuerSerial.toUpperCase()).toContain(pki.signer.serialNumber.toUpperCase());
		const times = verifyIndependently(xml, originals, { hash: 'SHA-256', scheme: 'rsassa-pss', signerPem: pki.signerPem, expectedUris: ['test.txt'] });
		expect(result.timestampTime.getTime()).toBe(times.genTime.getTime());
		// CertificateValues carries the issuing CA.
		const certValues = extractAll(xml, 'xades:EncapsulatedX509Certificate').map(innerText);
		expect(certValues).toContain(pki.caPem.replace(/-----[A-Z ]+-----|\s/g, ''));
	});

	it('signs 20 files with spaces, +, #, %, äöüõ, emoji and a 0-byte file (SHA-512 PSS)', async () => {
		const names = [
			'Faili nimi.txt',
			'plus+sign.txt',
			'hash#tag.txt',
			'percent%20.txt',
			'äöüõ ÄÖÜÕ.txt',
			'emoji 😀🎉.txt',
			'empty.txt',
			"0123456789~#%&()=`@{[]}'.txt",
			'photo.jpg',
			'data.bin',
			...Array.from({ length: 10 }, (_, i) => `file-${i}.txt`),
		];
		const contents: Record<string, Buffer> = {};
		for (const n of names) contents[n] = n === 'empty.txt' ? Buffer.alloc(0) : n === 'photo.jpg' ? randomBytes(20_000) : Buffer.from(`content of ${n}\n`.repeat(50));
		const originals = writeFiles('twenty', contents);
		const out = path.join(dir, 'twenty.asice');
		const result = await buildAsice({
			files: originals,
			signerCertificate: pki.signerPem,
			hashAlgorithm: 'SHA-512',
			out,
			services: opensslLtServices(pki),
			trust,
			issuer: pki.caPem,
			sign: keySigner(pki.signerKeyPem),
		});
		expect(result.warnings.join()).toContain('empty.txt');
		const entries = pythonZipEntries(out);
		expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', ...names, 'META-INF/signatures0.xml']);
		for (const n of names) expect(entries.find((e) => e.name === n)?.data.equals(contents[n])).toBe(true);
		expect(entries.find((e) => e.name === 'photo.jpg')?.compress).toBe(0);
		expect(entries.find((e) => e.name === 'file-0.txt')?.compress).toBe(8);
		const expectedUris = names.map((n) => {
			// RFC 3986 percent-encoding of every byte outside unreserved, upper-case hex (computed here independently).
			return Array.from(Buffer.from(n, 'utf8'))
				.map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')))
				.join('');
		});
		expect(expectedUris[0]).toBe('Faili%20nimi.txt');
		expect(expectedUris[1]).toBe('plus%2Bsign.txt');
		expect(expectedUris[7]).toBe('0123456789~%23%25%26%28%29%3D%60%40%7B%5B%5D%7D%27.txt'); // libdigidocpp's own output (spec §4.1)
		const xml = entries[entries.length - 1].data.toString('utf8');
		expect(xml).toContain('sha512-rsa-MGF1');
		verifyIndependently(xml, originals, { hash: 'SHA-512', scheme: 'rsassa-pss', signerPem: pki.signerPem, expectedUris });
		// Manifest lists raw names (XML-escaped), DataObjectFormat mime types match.
		const manifest = entries[1].data.toString('utf8');
		expect(manifest).toContain('manifest:full-path="0123456789~#%&amp;()=`@{[]}\'.txt"');
		expect((xml.match(/<xades:DataObjectFormat /g) ?? []).length).toBe(20);
	});

	it('two phases: the JSON pending state reproduces the same SignedInfo; a modified state or a wrong key is refused', async () => {
		const originals = writeFiles('phases', { 'a.pdf': Buffer.from('%PDF-1.4 fake\n'), 'b.txt': Buffer.from('b') });
		const prepared = await prepareSignature({
			files: originals,
			signerCertificate: fs.readFileSync(path.join(pki.dir, 'signer.crt')),
			hashAlgorithm: 'SHA-384',
			productionPlace: { city: 'Tallinn', countryName: 'EE' },
			roles: ['Juhatuse liige & <CEO>'],
			signingTime: new Date('2026-01-02T03:04:05.678Z'),
		});
		const json = JSON.stringify(prepared.pending);
		// Another prepare with the same inputs gives a fresh Id, so a different digest: the state is what binds.
		const again = JSON.parse(json);
		expect(Buffer.from(prepared.digestToSign, 'base64')).toHaveLength(48);

		const tampered = JSON.parse(json);
		tampered.parameters.files[1].digest = createHash('sha256').update('other').digest('base64');
		const signature = signDigest(pki.signerKeyPem, Buffer.from(prepared.digestToSign, 'base64'), 'sha384').toString('base64');
		await expect(finalizeSignature(tampered, signature, { out: path.join(dir, 'x.asice'), services: opensslLtServices(pki), trust, issuer: pki.caPem })).rejects.toMatchObject({
			code: 'ASICE_BUILD_PENDING_INVALID',
		});
		const wrongKey = signDigest(pki.signer2KeyPem, Buffer.from(prepared.digestToSign, 'base64'), 'sha384').toString('base64');
		const log = { timestamps: 0, ocsp: 0 };
		await expect(finalizeSignature(json, wrongKey, { out: path.join(dir, 'x.asice'), services: opensslLtServices(pki, log), trust, issuer: pki.caPem })).rejects.toMatchObject({
			code: 'ASICE_BUILD_SIGNATURE_INVALID',
		});
		await expect(finalizeSignature(json, 'not base64!', { out: path.join(dir, 'x.asice'), services: opensslLtServices(pki, log), trust, issuer: pki.caPem })).rejects.toMatchObject({
			code: 'ASICE_BUILD_SIGNATURE_INVALID',
		});
		expect(log).toEqual({ timestamps: 0, ocsp: 0 });
		expect(fs.existsSync(path.join(dir, 'x.asice'))).toBe(false);

		// The right signature over the digest finalizes from the JSON state, to a stream.
		const sink = new PassThrough();
		const chunks: Buffer[] = [];
		sink.on('data', (c: Buffer) => chunks.push(c));
		const done = await finalizeSignature(JSON.stringify(again), signature, { out: sink, services: opensslLtServices(pki), trust, issuer: pki.caPem });
		const out = path.join(dir, 'phases.asice');
		fs.writeFileSync(out, Buffer.concat(chunks));
		const xml = pythonZipEntries(out).find((e) => e.name === 'META-INF/signatures0.xml')!.data.toString('utf8');
		expect(xml).toBe(done.signatureXml);
		// The canonical SignedInfo xmllint computes from the written file hashes to the digest handed out in phase 1.
		expect(opensslDigest('sha384', xmllintExcC14n(extractElement(xml, 'ds:SignedInfo'))).toString('base64')).toBe(prepared.digestToSign);
		expect(xml).toContain('<xades:SigningTime>2026-01-02T03:04:05Z</xades:SigningTime>');
		expect(xml).toContain('<xades:SignatureProductionPlaceV2><xades:City>Tallinn</xades:City><xades:CountryName>EE</xades:CountryName></xades:SignatureProductionPlaceV2>');
		expect(xml).toContain('<xades:ClaimedRole>Juhatuse liige &amp; &lt;CEO&gt;</xades:ClaimedRole>');
		expect(xml).toContain('<xades:MimeType>application/pdf</xades:MimeType>');
		verifyIndependently(xml, originals, { hash: 'SHA-384', scheme: 'rsassa-pss', signerPem: pki.signerPem, expectedUris: ['a.pdf', 'b.txt'] });
		expect(fs.existsSync(prepared.pending.partialContainer)).toBe(false);
	});

	it('legacy PKCS#1 v1.5 mode: xmlsec1 verifies the whole signature (references, SignedProperties, SignatureValue)', async () => {
		const originals = writeFiles('pkcs1', { 'test.txt': Buffer.from('legacy\n'), 'Faili nimi.txt': Buffer.from('space\n') });
		const out = path.join(dir, 'pkcs1.asice');
		const result = await buildAsice({
			files: originals,
			signerCertificate: pki.signerPem,
			hashAlgorithm: 'SHA-256',
			signatureScheme: 'rsassa-pkcs1-v1_5',
			out,
			services: opensslLtServices(pki),
			trust,
			issuer: pki.caPem,
			sign: keySigner(pki.signerKeyPem),
		});
		expect(result.signatureXml).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
		const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xmlsec-'));
		try {
			fs.writeFileSync(path.join(work, 'sig.xml'), result.signatureXml);
			fs.writeFileSync(path.join(work, 'root.pem'), pki.rootPem);
			fs.writeFileSync(path.join(work, 'ca.pem'), pki.caPem);
			const args = [
				'--verify',
				'--id-attr:Id', 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
				'--trusted-pem', 'root.pem',
				'--untrusted-pem', 'ca.pem',
				'sig.xml',
			];
			// The data files sit next to the signature under their real names; xmlsec1 resolves the URIs itself.
			fs.copyFileSync(originals[0].path, path.join(work, 'test.txt'));
			fs.copyFileSync(originals[1].path, path.join(work, 'Faili nimi.txt'));
			const ok = spawnSync('xmlsec1', args, { cwd: work, encoding: 'utf8' });
			expect(ok.stderr).toContain('OK');
			expect(ok.status).toBe(0);
			// Negative control: a changed data file fails.
			fs.writeFileSync(path.join(work, 'test.txt'), 'legacY\n');
			const bad = spawnSync('xmlsec1', args, { cwd: work, encoding: 'utf8' });
			expect(bad.status).not.toBe(0);
		} finally {
			fs.rmSync(work, { recursive: true, force: true });
		}
	});

	it('adds a second signature to a signed container, keeping every existing byte', async () => {
		const originals = writeFiles('append', { 'doc.txt': Buffer.from('two signers\n'), 'img.png': randomBytes(5000) });
		const first = path.join(dir, 'first.asice');
		await buildAsice({ files: originals, signerCertificate: pki.signerPem, out: first, services: opensslLtServices(pki), trust, issuer: pki.caPem, sign: keySigner(pki.signerKeyPem) });
		const before = fs.readFileSync(first);
		const second = path.join(dir, 'second.asice');
		const result = await buildAsice({
			container: first,
			signerCertificate: pki.signer2Pem,
			hashAlgorithm: 'SHA-256',
			out: second,
			services: opensslLtServices(pki),
			trust,
			issuer: pki.caPem,
			sign: keySigner(pki.signer2KeyPem),
		});
		expect(result.signatureFile).toBe('META-INF/signatures1.xml');
		expect(fs.readFileSync(first).equals(before)).toBe(true); // the source is untouched
		const after = fs.readFileSync(second);
		// Everything before the old central directory is byte-identical (Python finds where it starts).
		const cdOffset = Number(execFileSync('python3', ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.start_dir)', first], { encoding: 'utf8' }).trim());
		expect(after.subarray(0, cdOffset).equals(before.subarray(0, cdOffset))).toBe(true);
		const entries = pythonZipEntries(second);
		expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'doc.txt', 'img.png', 'META-INF/signatures0.xml', 'META-INF/signatures1.xml']);
		const oldEntries = pythonZipEntries(first);
		expect(entries.find((e) => e.name === 'META-INF/signatures0.xml')!.data.equals(oldEntries.find((e) => e.name === 'META-INF/signatures0.xml')!.data)).toBe(true);
		const xml0 = entries[4].data.toString('utf8');
		const xml1 = entries[5].data.toString('utf8');
		verifyIndependently(xml0, originals, { hash: 'SHA-256', scheme: 'rsassa-pss', signerPem: pki.signerPem, expectedUris: ['doc.txt', 'img.png'] });
		verifyIndependently(xml1, originals, { hash: 'SHA-256', scheme: 'rsassa-pss', signerPem: pki.signer2Pem, expectedUris: ['doc.txt', 'img.png'] });
		expect(xml1).toContain('<xades:MimeType>image/png</xades:MimeType>');
	});

	it('refuses bad input before writing anything', async () => {
		const base = { signerCertificate: pki.signerPem, out: path.join(dir, 'never.asice'), services: opensslLtServices(pki), trust, issuer: pki.caPem, sign: keySigner(pki.signerKeyPem) };
		const cases: [unknown[], string][] = [
			[[], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: 'a.txt', data: 'x' }, { name: 'a.txt', data: 'y' }], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: '../a.txt', data: 'x' }], 'ASICE_ZIP_BAD_NAME'],
			[[{ name: 'dir/a.txt', data: 'x' }], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: 'mimetype', data: 'x' }], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: 'a.txt', data: 'x', mimeType: 'text' }], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: 'a.txt' }], 'ASICE_BUILD_INVALID_INPUT'],
			[[{ name: 'a.txt', path: path.join(dir, 'does-not-exist') }], 'ASICE_BUILD_INVALID_INPUT'],
		];
		for (const [files, code] of cases) {
			await expect(buildAsice({ ...base, files: files as never })).rejects.toMatchObject({ code });
		}
		await expect(buildAsice({ ...base, files: [{ name: 'a.txt', data: 'x' }], hashAlgorithm: 'MD5' as never })).rejects.toMatchObject({ code: 'ASICE_BUILD_INVALID_INPUT' });
		await expect(buildAsice({ ...base, files: [{ name: 'a.txt', data: 'x' }], signerCertificate: 'bm90IGEgY2VydA==' })).rejects.toMatchObject({ code: 'ASICE_BUILD_INVALID_INPUT' });
		await expect(buildAsice({ ...base, files: [{ name: 'a.txt', data: 'x' }], signatureScheme: 'rsassa-pkcs1-v1_5', hashAlgorithm: 'SHA3-256' })).rejects.toMatchObject({ code: 'ASICE_BUILD_INVALID_INPUT' });
		await expect(buildAsice({ ...base, files: [{ name: 'e.txt', data: '' }], refuseEmptyFiles: true })).rejects.toMatchObject({ code: 'ASICE_BUILD_INVALID_INPUT' });
		expect(fs.existsSync(base.out)).toBe(false);
	});

	it('streams a data file from a Readable factory and reports a signer failure without leaving files', async () => {
		const data = randomBytes(1 << 20);
		const workFile = path.join(dir, 'work.partial');
		await expect(
			buildAsice({
				files: [{ name: 'stream.bin', stream: () => Readable.from([data.subarray(0, 1000), data.subarray(1000)]) }],
				signerCertificate: pki.signerPem,
				workFile,
				out: path.join(dir, 'refused.asice'),
				services: opensslLtServices(pki),
				trust,
				issuer: pki.caPem,
				sign: async () => {
					throw new Error('USER_REFUSED');
				},
			}),
		).rejects.toThrow('USER_REFUSED');
		expect(fs.existsSync(workFile)).toBe(false);
		expect(fs.existsSync(path.join(dir, 'refused.asice'))).toBe(false);

		// A source that fails half way: typed error, partial container removed, the signer never asked.
		let asked = false;
		const failing = async function* (): AsyncGenerator<Buffer> {
			yield data.subarray(0, 300_000);
			throw new Error('disk went away');
		};
		await expect(
			buildAsice({
				files: [{ name: 'broken.bin', stream: failing }],
				signerCertificate: pki.signerPem,
				workFile,
				out: path.join(dir, 'broken.asice'),
				services: opensslLtServices(pki),
				trust,
				issuer: pki.caPem,
				sign: async () => {
					asked = true;
					return '';
				},
			}),
		).rejects.toMatchObject({ code: 'ASICE_ZIP_WRITE_FAILED', message: expect.stringContaining('disk went away') });
		expect(asked).toBe(false);
		expect(fs.existsSync(workFile)).toBe(false);
	});

	it('a pending state pointing at some other file cannot truncate it; discard removes the partial container', async () => {
		const prepared = await prepareSignature({ files: [{ name: 'a.txt', data: 'a' }], signerCertificate: pki.signerPem, workFile: path.join(dir, 'discard.partial') });
		const victim = path.join(dir, 'victim.txt');
		fs.writeFileSync(victim, 'x'.repeat(10_000));
		const hijacked = { ...prepared.pending, partialContainer: victim };
		const signature = signDigest(pki.signerKeyPem, Buffer.from(prepared.digestToSign, 'base64'), 'sha256').toString('base64');
		await expect(finalizeSignature(hijacked, signature, { out: path.join(dir, 'h.asice'), services: opensslLtServices(pki), trust, issuer: pki.caPem })).rejects.toMatchObject({
			code: 'ASICE_BUILD_PENDING_INVALID',
		});
		expect(fs.readFileSync(victim, 'utf8')).toBe('x'.repeat(10_000));
		await discardPendingSignature(hijacked);
		expect(fs.existsSync(victim)).toBe(true);
		expect(fs.existsSync(prepared.pending.partialContainer)).toBe(true);
		await discardPendingSignature(JSON.stringify(prepared.pending));
		expect(fs.existsSync(prepared.pending.partialContainer)).toBe(false);
		await expect(finalizeSignature(prepared.pending, signature, { out: path.join(dir, 'h.asice'), services: opensslLtServices(pki), trust, issuer: pki.caPem })).rejects.toMatchObject({
			code: 'ASICE_BUILD_PENDING_INVALID',
		});
	});
});
