import * as fs from 'node:fs';
import { verifyContainer } from '../../../lib/asice/verify';
import { readZip } from '../../../lib/asice/zip/reader';
import { TrustStore } from '../../../lib/pki/trust-store';
import { fixturePath, anchorPath } from '../../helpers/fixtures';
import { makeZip, type TestEntry } from './zip-fixture';

// Start from a real valid container, change one thing, and expect exactly that to be reported.
const original = fs.readFileSync(fixturePath('containers', 'valid-asice.asice'));

function rebuild(edit: (name: string, data: Buffer) => Buffer | null): Buffer {
	const zip = readZip(original);
	const entries: TestEntry[] = [];
	for (const e of zip.entries) {
		const data = edit(e.name, zip.read(e));
		if (data) entries.push({ name: e.name, data, deflate: e.method === 8 });
	}
	return makeZip(entries);
}

function editSignature(fn: (xml: string) => string): Buffer {
	return rebuild((name, data) => (name === 'META-INF/signatures0.xml' ? Buffer.from(fn(data.toString('utf8'))) : data));
}

async function codes(buf: Buffer, trust: 'demo' | TrustStore = 'demo', at?: Date): Promise<{ indication: string; codes: string[] }> {
	const r = await verifyContainer(buf, { trust, ...(at ? { at } : {}) });
	const vc = r.validationConclusion;
	return { indication: vc.indication, codes: [...vc.containerErrors, ...vc.signatures.flatMap((s) => s.errors)].map((e) => e.code) };
}

describe('tampering with a valid real container', () => {
	it('re-zipped unchanged it still passes', async () => {
		expect(await codes(rebuild((_, d) => d))).toEqual({ indication: 'TOTAL-PASSED', codes: [] });
	});

	it('changed data file → REFERENCE_DIGEST_MISMATCH', async () => {
		const r = await codes(rebuild((name, d) => (name === 'test.txt' ? Buffer.from('see on testfaiL') : d)));
		expect(r).toEqual({ indication: 'TOTAL-FAILED', codes: ['REFERENCE_DIGEST_MISMATCH'] });
	});

	it('changed SigningTime (inside SignedProperties) → REFERENCE_DIGEST_MISMATCH', async () => {
		const r = await codes(editSignature((x) => x.replace('2018-11-23T12:24:04Z', '2018-11-23T12:24:05Z')));
		expect(r.codes).toEqual(['REFERENCE_DIGEST_MISMATCH']);
	});

	it('changed SignatureValue → SIGNATURE_VALUE_INVALID and the timestamp no longer covers it', async () => {
		const r = await codes(editSignature((x) => x.replace(/(<ds:SignatureValue[^>]*>)(.)/, (_, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'))));
		expect(r.indication).toBe('TOTAL-FAILED');
		expect(r.codes).toEqual(expect.arrayContaining(['SIGNATURE_VALUE_INVALID', 'TIMESTAMP_IMPRINT_MISMATCH', 'TIMESTAMP_INVALID']));
	});

	it('pretty-printing SignedInfo breaks the signature (whitespace is signed)', async () => {
		const r = await codes(editSignature((x) => x.replace('<ds:SignedInfo>', '<ds:SignedInfo>\n  ')));
		expect(r.codes).toContain('SIGNATURE_VALUE_INVALID');
	});

	it('altered timestamp token signature → TIMESTAMP_CORRUPT (a definite failure, unlike an untrusted TSA)', async () => {
		const r = await codes(
			editSignature((x) =>
				x.replace(/(<xades:EncapsulatedTimeStamp[^>]*>)([^<]*)(<)/, (_, a: string, b64: string, c: string) => {
					const der = Buffer.from(b64, 'base64');
					der[der.length - 10] ^= 0xff; // inside the SignerInfo signature, the token's last field
					return a + der.toString('base64') + c;
				}),
			),
		);
		expect(r.indication).toBe('TOTAL-FAILED');
		expect(r.codes).toEqual(expect.arrayContaining(['TIMESTAMP_CORRUPT', 'TIMESTAMP_INVALID']));
	});

	it('removed OCSP → OCSP_MISSING (INDETERMINATE)', async () => {
		const r = await codes(editSignature((x) => x.replace(/<xades:RevocationValues>[\s\S]*<\/xades:RevocationValues>/, '')));
		expect(r).toEqual({ indication: 'INDETERMINATE', codes: ['OCSP_MISSING'] });
	});

	it('an extra unsigned file → DATAFILE_NOT_SIGNED; a removed manifest entry → SIGNED_FILE_NOT_IN_MANIFEST', async () => {
		const zip = readZip(original);
		const entries: TestEntry[] = zip.entries.map((e) => ({ name: e.name, data: zip.read(e) }));
		const extra = await codes(makeZip([...entries, { name: 'extra.txt', data: Buffer.from('x') }]));
		expect(extra).toEqual({ indication: 'TOTAL-FAILED', codes: ['DATAFILE_NOT_SIGNED'] });
		const noEntry = await codes(
			makeZip(entries.map((e) => (e.name === 'META-INF/manifest.xml' ? { ...e, data: Buffer.from(e.data.toString('utf8').replace(/<manifest:file-entry[^>]*test\.txt[^>]*\/>/, '')) } : e))),
		);
		expect(noEntry.codes).toEqual(['SIGNED_FILE_NOT_IN_MANIFEST']);
	});

	it('with only an unrelated anchor nothing chains → CHAIN_UNTRUSTED and the timestamp/OCSP are not trusted', async () => {
		const other = TrustStore.fromPem(fs.readFileSync(anchorPath('demo', 'TEST_of_ESTEID2018.pem'), 'utf8'));
		// Validated while the signer certificate was still valid, so trust (not expiry) is what fails.
		const r = await codes(original, other, new Date('2019-06-01T00:00:00Z'));
		expect(r.indication).toBe('TOTAL-FAILED');
		expect(r.codes).toEqual(expect.arrayContaining(['CHAIN_UNTRUSTED', 'TIMESTAMP_INVALID', 'OCSP_INVALID']));
	});

	it('a wrapping attempt (second element with the SignedProperties Id) is refused', async () => {
		const r = await codes(editSignature((x) => x.replace('<ds:Object>', '<ds:Object><x:Decoy xmlns:x="urn:x" Id="xades-id-8c2a30729f251c6cb8336844b97f0657"/>')));
		expect(r.codes).toContain('FORMAT_ERROR');
		expect(r.indication).toBe('TOTAL-FAILED');
	});
});

describe('tampering with the LTA container', () => {
	const lta = fs.readFileSync(fixturePath('containers', 'valid-asice-lta.asice'));
	function editLta(fn: (xml: string) => string): Buffer {
		const zip = readZip(lta);
		return makeZip(zip.entries.map((e) => ({ name: e.name, data: e.name === 'META-INF/signatures1.xml' ? Buffer.from(fn(zip.read(e).toString('utf8'))) : zip.read(e) })));
	}

	it('the archive timestamp passes as is', async () => {
		const r = await verifyContainer(editLta((x) => x), { trust: 'demo' });
		expect(r.validationConclusion.signatures[0].signatureFormat).toBe('XAdES_BASELINE_LTA');
		expect(r.validationConclusion.indication).toBe('TOTAL-PASSED');
	});

	it('an unsigned property slipped in before the ArchiveTimeStamp breaks its imprint', async () => {
		const r = await verifyContainer(
			editLta((x) => x.replace('<xades141:ArchiveTimeStamp', '<xades:CertificateValues></xades:CertificateValues><xades141:ArchiveTimeStamp')),
			{ trust: 'demo' },
		);
		const s = r.validationConclusion.signatures[0];
		expect(s.errors.map((e) => e.code)).toEqual(['ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH']);
		expect(s.indication).toBe('TOTAL-FAILED');
	});
});
