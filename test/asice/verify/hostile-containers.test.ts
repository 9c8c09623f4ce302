import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { verifyContainer } from '../../../lib/asice/verify';
import { readZip } from '../../../lib/asice/zip/reader';
import { ContainerReadError } from '../../../lib/asice/zip/reader-error';
import { fixturePath } from '../../helpers/fixtures';
import { makeZip, manifestXml, MIMETYPE } from './zip-fixture';

// Hostile inputs must end as a clear container-level error quickly, never as a crash, hang or memory blow-up.

async function containerError(buf: Buffer): Promise<{ codes: string[]; messages: string; ms: number }> {
	const t0 = Date.now();
	const r = await verifyContainer(buf, { trust: 'demo' });
	const vc = r.validationConclusion;
	expect(vc.signaturesCount).toBe(0);
	expect(vc.indication).not.toBe('TOTAL-PASSED');
	return { codes: vc.containerErrors.map((e) => e.code), messages: vc.containerErrors.map((e) => e.message).join(' | '), ms: Date.now() - t0 };
}

function reason(fn: () => unknown): string {
	try {
		fn();
	} catch (e) {
		if (e instanceof ContainerReadError) return e.reason;
		throw e;
	}
	return 'no error';
}

describe('hostile containers', () => {
	it('zip bomb by ratio (64 MiB of zeros) is refused before inflating', async () => {
		const zip = makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml(['bomb.txt']) }, { name: 'bomb.txt', data: Buffer.alloc(64 * 1024 * 1024), deflate: true }]);
		const r = await containerError(zip);
		expect(r.codes).toEqual(['CONTAINER_UNREADABLE']);
		expect(r.messages).toMatch(/ZIP bomb/);
		expect(r.ms).toBeLessThan(2000);
	});

	it('zip bomb lying about its size is cut off at the declared size', () => {
		const zip = makeZip([MIMETYPE, { name: 'x.txt', data: Buffer.alloc(8 * 1024 * 1024), deflate: true, declaredSize: 1000 }]);
		const archive = readZip(zip);
		expect(reason(() => archive.read(archive.get('x.txt')!))).toBe('ZIP_ENTRY_TOO_LARGE');
	});

	it('100 000 entries (needs ZIP64) and 60 000 entries are refused from the central directory alone', async () => {
		const many = (n: number) => makeZip([MIMETYPE, ...Array.from({ length: n }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0) }))]);
		const big = await containerError(many(100_000));
		expect(big.messages).toMatch(/ZIP64/);
		expect(big.ms).toBeLessThan(2000);
		const r = await containerError(many(60_000));
		expect(r.messages).toMatch(/60001 entries, above the limit of 1000/);
		expect(r.ms).toBeLessThan(2000);
	});

	it.each([
		['folder/../evil.txt', /"\.\." path segment/],
		['/etc/passwd', /absolute path/],
		['dir\\evil.txt', /backslash/],
		['a//b.txt', /empty path segment/],
		['./x', /"\." path segment/],
		['C:/x', /drive letter/],
	])('entry name %s is refused', async (name, why) => {
		const r = await containerError(makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml([]) }, { name, data: Buffer.from('x') }]));
		expect(r.codes).toEqual(['CONTAINER_UNREADABLE']);
		expect(r.messages).toMatch(why);
	});

	it('duplicate names and an empty name are refused', () => {
		expect(reason(() => readZip(makeZip([MIMETYPE, MIMETYPE])))).toBe('ZIP_DUPLICATE_ENTRY');
		expect(reason(() => readZip(makeZip([MIMETYPE, { name: '', data: Buffer.from('x') }])))).toBe('ZIP_BAD_ENTRY_NAME');
	});

	it('entity expansion in manifest.xml is refused', async () => {
		const lol = '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>';
		const r = await containerError(makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml([], lol) }]));
		expect(r.messages).toMatch(/DOCTYPE or entity/);
	});

	it('deeply nested signature XML is a container error, not a crash', async () => {
		const deep = Buffer.from(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}</asic:XAdESSignatures>`);
		const t0 = Date.now();
		const r = await verifyContainer(
			makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml(['t.txt']) }, { name: 't.txt', data: Buffer.from('x') }, { name: 'META-INF/signatures0.xml', data: deep }]),
			{ trust: 'demo' },
		);
		expect(r.validationConclusion.containerErrors.map((e) => e.code)).toContain('SIGNATURE_FILE_INVALID');
		expect(r.validationConclusion.containerErrors[0].message).toMatch(/nest deeper/);
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
		expect(Date.now() - t0).toBeLessThan(2000);
	});

	it('a truncated real container and random bytes are unreadable', async () => {
		const real = fs.readFileSync(fixturePath('containers', 'valid-asice.asice'));
		for (const cut of [real.subarray(0, real.length - 10), real.subarray(0, 100), real.subarray(0, 21)]) {
			const r = await containerError(cut);
			expect(r.codes).toEqual(['CONTAINER_UNREADABLE']);
			expect(r.messages).toMatch(/truncated|too short|not a ZIP|corrupt/);
		}
		for (let i = 0; i < 20; i++) {
			const r = await containerError(randomBytes(1 + i * 997));
			expect(r.codes).toEqual(['CONTAINER_UNREADABLE']);
		}
	});

	it('a corrupted data entry fails its CRC check', () => {
		const zip = makeZip([MIMETYPE, { name: 'a.txt', data: Buffer.from('hello world') }]);
		const i = zip.indexOf('hello world');
		zip[i] ^= 1;
		const archive = readZip(zip);
		expect(reason(() => archive.read(archive.get('a.txt')!))).toBe('ZIP_CORRUPT_ENTRY');
	});

	it('mimetype rules: missing, wrong value, not first', async () => {
		expect((await containerError(makeZip([{ name: 'META-INF/manifest.xml', data: manifestXml([]) }]))).messages).toMatch(/no "mimetype" entry/);
		expect((await containerError(makeZip([{ name: 'mimetype', data: Buffer.from('application/zip') }]))).messages).toMatch(/mimetype is "application\/zip"/);
		const r = await verifyContainer(makeZip([{ name: 'META-INF/manifest.xml', data: manifestXml([]) }, MIMETYPE]), { trust: 'demo' });
		// libdigidocpp's rule (DigiDoc4j only reads it): a container error, the signatures are still reported.
		expect(r.validationConclusion.containerErrors.map((e) => e.code)).toEqual(['MIMETYPE_NOT_FIRST', 'NO_SIGNATURES']);
	});
});

describe('ZIP consistency', () => {
	it('refuses a local header whose name differs from the central directory', () => {
		const zip = makeZip([MIMETYPE, { name: 'a.txt', data: Buffer.from('x') }]);
		const local = zip.indexOf('a.txt');
		zip.write('b', local);
		expect(reason(() => readZip(zip))).toBe('ZIP_LOCAL_HEADER_MISMATCH');
	});
});

describe('work limits inside a readable container', () => {
	it('a signature with 5000 references to one big file is refused without hashing it 5000 times', async () => {
		const refs = Array.from({ length: 5000 }, () => '<ds:Reference URI="big.bin"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>').join('');
		const xml = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S0"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${refs}</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></asic:XAdESSignatures>`;
		const t0 = Date.now();
		const r = await verifyContainer(
			makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml(['big.bin']) }, { name: 'big.bin', data: randomBytes(8 * 1024 * 1024) }, { name: 'META-INF/signatures0.xml', data: Buffer.from(xml) }]),
			{ trust: 'demo' },
		);
		expect(Date.now() - t0).toBeLessThan(3000);
		const s = r.validationConclusion.signatures[0];
		expect(s.indication).toBe('TOTAL-FAILED');
		expect(s.errors.map((e) => e.message).join(' ')).toMatch(/5000 references, above the limit/);
	});

	it('999 references to one 8 MiB file hash it once', async () => {
		const refs = Array.from({ length: 999 }, () => '<ds:Reference URI="big.bin"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>').join('');
		const xml = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S0"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${refs}</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></asic:XAdESSignatures>`;
		const t0 = Date.now();
		const r = await verifyContainer(
			makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml(['big.bin']) }, { name: 'big.bin', data: randomBytes(8 * 1024 * 1024) }, { name: 'META-INF/signatures0.xml', data: Buffer.from(xml) }]),
			{ trust: 'demo' },
		);
		expect(Date.now() - t0).toBeLessThan(3000);
		expect(r.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('REFERENCE_DIGEST_MISMATCH');
	});

	it('more than 100 signatures are refused as a container error', async () => {
		const one = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>';
		const xml = `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">${one.repeat(101)}</asic:XAdESSignatures>`;
		const r = await verifyContainer(
			makeZip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifestXml(['a.txt']) }, { name: 'a.txt', data: Buffer.from('a') }, { name: 'META-INF/signatures0.xml', data: Buffer.from(xml) }]),
			{ trust: 'demo' },
		);
		expect(r.validationConclusion.containerErrors.map((e) => e.code)).toContain('TOO_MANY_SIGNATURES');
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
	});
});
