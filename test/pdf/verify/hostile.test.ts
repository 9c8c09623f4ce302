/**
 * Hostile changes to a real valid signed PDF (our signer on the simulator, TOTAL-PASSED as it is): each one is
 * refused or flagged with a named code and never TOTAL-PASSED. pdfsig is run beside where it has a say (integrity).
 * (a) a revision adds a page, (b) replaces the page content stream, (c) overrides objects, (d) hides content,
 * (e) a byte changes inside the signed range, (f) the ByteRange leaves bytes uncovered, (g) two signatures overlap,
 * (h) the CMS of another document, (i) a message-digest mismatch, (j) ESS signing-certificate-v2 for another
 * certificate, (k) a signature timestamp over other bytes.
 */
import { constants, createHash, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Report, SignatureReport } from '../../../lib/asice/verify';
import { signedAttributes, signedData, signPdf, verifyPdf } from '../../../lib/pdf';
import { issuerAndSerial } from '../../../lib/pdf/cms';
import { children, contextConstructed, integer, octetString, oid, readTlv, sequence, setOf, tlv } from '../../../lib/pdf/der';
import { requestTimestamp } from '../../../lib/pki/timestamp-client';
import type { TrustStore } from '../../../lib/pki/trust-store';
import { fixturePath } from '../../helpers/fixtures';
import { pdfsig, signaturesOf, signerInfoParts } from '../helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from '../helpers/signers';
import { appendRevision, codes, contentsHole, localSigner, nextObject, replaceContents } from './helpers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
let base: string;
beforeAll(async () => {
	env = await startPdfSigningEnv();
	const a = env.signers[0];
	base = (await signPdf(fixturePath('pdf', 'minimal.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: path.join(env.dir, 'base.pdf') })).path;
});
afterAll(async () => {
	await env?.stop();
});

const out = (name: string): string => path.join(env.dir, name);

async function verdict(file: string, trust: TrustStore = env.trust): Promise<{ report: Report; sig: SignatureReport }> {
	const report = await verifyPdf(file, { trust });
	return { report, sig: report.validationConclusion.signatures[0] };
}

/** The body of the newest `num 0 obj ... endobj` of the file. */
function objectText(file: string, num: number): string {
	const text = fs.readFileSync(file, 'latin1');
	const all = [...text.matchAll(new RegExp(`(?:^|[\\r\\n])${num} 0 obj\\s*([\\s\\S]*?)\\s*endobj`, 'g'))];
	return all[all.length - 1][1];
}

function expectRefused(sig: SignatureReport, report: Report, ...expected: string[]): void {
	expect(codes(sig)).toEqual(expect.arrayContaining(expected));
	expect(sig.indication).not.toBe('TOTAL-PASSED');
	expect(report.validationConclusion.indication).not.toBe('TOTAL-PASSED');
}

it('the base file is valid: TOTAL-PASSED, whole document signed (pdfsig agrees)', async () => {
	const { report, sig } = await verdict(base);
	expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
	expect(sig.pdf!.coversWholeFile).toBe(true);
	expect(pdfsig(base).signatures[0]).toMatchObject({ valid: true, total: true });
});

describe('(a-d) later revisions that change the content', () => {
	it('(a) a revision that adds a page', async () => {
		const n = nextObject(base);
		const file = appendRevision(base, out('a.pdf'), {
			2: '<< /Type /Pages /Kids [3 0 R ' + n + ' 0 R] /Count 2 /MediaBox [0 0 300 144] >>',
			[n]: `<< /Type /Page /Parent 2 0 R /Resources << >> /Contents ${n + 1} 0 R >>`,
			[n + 1]: '<< /Length 37 >>\nstream\nBT /F1 18 Tf 0 0 Td (Pay 1000) Tj ET\nendstream',
		});
		const { report, sig } = await verdict(file);
		expectRefused(sig, report, 'REVISION_PAGES_CHANGED');
		expect(sig.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
		expect(sig.signatureScopes[0]).toMatchObject({ scope: 'PartialSignatureScope', content: expect.stringContaining('later revisions changed the content') });
		// pdfsig: the signature itself is intact but does not cover the whole file; our verdict adds what changed.
		expect(pdfsig(file).signatures[0]).toMatchObject({ valid: true, total: false });
	});

	it('(b) a revision that replaces the page content stream', async () => {
		const file = appendRevision(base, out('b.pdf'), { 4: '<< /Length 44 >>\nstream\nBT /F1 18 Tf 0 0 Td (Goodbye World) Tj ET\nendstream' });
		const { report, sig } = await verdict(file);
		expectRefused(sig, report, 'REVISION_CONTENT_CHANGED');
	});

	it('(c) a revision that overrides objects: the page tree (an inherited MediaBox) and the signature dictionary', async () => {
		const pages = appendRevision(base, out('c1.pdf'), { 2: '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 30 14] >>' });
		const one = await verdict(pages);
		expectRefused(one.sig, one.report, 'REVISION_OBJECT_REPLACED');
		const sigNum = Number(/(\d+) 0 obj\s*<<\s*\/Type\s*\/Sig\b/.exec(fs.readFileSync(base, 'latin1'))![1]);
		const sigText = objectText(base, sigNum).replace('/Type /Sig', '/Type /Sig /Reason (I agree to pay)');
		const shadow = appendRevision(base, out('c2.pdf'), { [sigNum]: sigText });
		const two = await verdict(shadow);
		// The signature dictionary now read is the later one, outside the signed bytes: refused before any diff.
		expectRefused(two.sig, two.report, 'SIGNATURE_DICTIONARY_UNCOVERED');
		expect(pdfsig(shadow).signatures[0]).toMatchObject({ total: false });
	});

	it('(d) a revision that hides content: a hidden annotation, the signature widget flagged hidden, optional content in the catalog', async () => {
		const n = nextObject(base);
		const page = objectText(base, 3);
		const annotsRef = /\/Annots\s+(\d+)\s+0\s+R/.exec(page);
		const annot = `<< /Type /Annot /Subtype /FreeText /Rect [0 0 200 40] /Contents (Void) /DA (/Helv 12 Tf 0 g) /F 2 /P 3 0 R >>`;
		const objects: Record<number, string> = { [n]: annot };
		if (annotsRef) objects[Number(annotsRef[1])] = objectText(base, Number(annotsRef[1])).replace('[', `[${n} 0 R `);
		else objects[3] = page.replace('/Annots [', `/Annots [${n} 0 R `);
		const hidden = await verdict(appendRevision(base, out('d1.pdf'), objects));
		expectRefused(hidden.sig, hidden.report, 'REVISION_ANNOTATION_ADDED', 'REVISION_HIDDEN_CONTENT');

		const widgetNum = Number(/(\d+) 0 obj\s*<<[^>]*\/Subtype\s*\/Widget/.exec(fs.readFileSync(base, 'latin1'))![1]);
		const widget = objectText(base, widgetNum);
		const hiddenWidget = /\/F\s+\d+/.test(widget) ? widget.replace(/\/F\s+\d+/, '/F 2') : widget.replace(/>>\s*$/, '/F 2 >>');
		const hid = await verdict(appendRevision(base, out('d3.pdf'), { [widgetNum]: hiddenWidget }));
		expectRefused(hid.sig, hid.report, 'REVISION_HIDDEN_CONTENT');

		const m = nextObject(base);
		const catalog = objectText(base, 1).replace(/>>\s*$/, `/OCProperties << /OCGs [${m} 0 R] /D << /OFF [${m} 0 R] >> >> >>`);
		const oc = await verdict(appendRevision(base, out('d2.pdf'), { 1: catalog, [m]: '<< /Type /OCG /Name (Layer) >>' }));
		expectRefused(oc.sig, oc.report, 'REVISION_HIDDEN_CONTENT');
	});

	it('control: a later revision that only adds an object nothing refers to changes nothing shown', async () => {
		const n = nextObject(base);
		const file = appendRevision(base, out('info.pdf'), { [n]: '<< /Producer (someone) >>' });
		const { report } = await verdict(file);
		// An unreferenced new object changes nothing shown: the signature still passes, and says it does not cover the whole file.
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(codes(report.validationConclusion.signatures[0])).toContain('REVISION_LATER_SIGNATURES_ONLY');
	});
});

describe('(e-g) the signed bytes and their coverage', () => {
	it('(e) one byte changed inside the signed range', async () => {
		const bytes = fs.readFileSync(base);
		const at = bytes.indexOf('Hello World');
		expect(at).toBeGreaterThan(0);
		bytes[at + 4] = 'p'.charCodeAt(0);
		fs.writeFileSync(out('e.pdf'), bytes);
		const { report, sig } = await verdict(out('e.pdf'));
		expectRefused(sig, report, 'MESSAGE_DIGEST_MISMATCH');
		expect(sig.indication).toBe('TOTAL-FAILED');
		expect(pdfsig(out('e.pdf')).signatures[0].valid).toBe(false);
	});

	function rewriteByteRange(name: string, change: (br: number[]) => number[]): string {
		const bytes = Buffer.from(fs.readFileSync(base));
		const hole = contentsHole(bytes);
		const old = bytes.toString('latin1', hole.brText.start, hole.brText.end);
		const next = `/ByteRange [${change(hole.byteRange).join(' ')}]`.padEnd(old.length, ' ');
		expect(next.length).toBe(old.length);
		bytes.write(next, hole.brText.start, 'latin1');
		fs.writeFileSync(out(name), bytes);
		return out(name);
	}

	it('(f) a ByteRange whose gap is more than /Contents, and one that stops before the end of the revision', async () => {
		const wide = await verdict(rewriteByteRange('f1.pdf', ([a, b, c, d]) => [a, b - 10, c, d]));
		expectRefused(wide.sig, wide.report, 'BYTE_RANGE_GAP_NOT_CONTENTS');
		const short = await verdict(rewriteByteRange('f2.pdf', ([a, b, c, d]) => [a, b, c, d - 20]));
		expectRefused(short.sig, short.report, 'COVERAGE_ENDS_INSIDE_REVISION');
		for (const f of ['f1.pdf', 'f2.pdf']) expect(pdfsig(out(f)).signatures[0].valid).toBe(false);
	});

	it('(f) a /ByteRange that is not four numbers (a reference to nothing): refused, never passed for want of findings', async () => {
		const bytes = Buffer.from(fs.readFileSync(base));
		const hole = contentsHole(bytes);
		bytes.write('/ByteRange 999 0 R'.padEnd(hole.brText.end - hole.brText.start, ' '), hole.brText.start, 'latin1');
		fs.writeFileSync(out('f3.pdf'), bytes);
		const { report, sig } = await verdict(out('f3.pdf'));
		expectRefused(sig, report, 'BYTE_RANGE_MALFORMED');
		expect(sig.indication).toBe('TOTAL-FAILED');
	});

	it('any single changed signed byte (40 places spread over the file) or a cut file: never TOTAL-PASSED; inside /Contents a pass agrees with pdfsig', async () => {
		const original = fs.readFileSync(base);
		const hole = contentsHole(original);
		const seen = new Set<string>();
		for (let i = 0; i < 40; i++) {
			const at = Math.floor(((i + 0.5) * original.length) / 40);
			const bytes = Buffer.from(original);
			// Inside the hole, another hex digit (not a case variant: that would be the same bytes); elsewhere, one bit.
			bytes[at] = at > hole.hexStart && at < hole.hexEnd ? (bytes[at] === 0x30 ? 0x31 : 0x30) : bytes[at] ^ 0x01;
			fs.writeFileSync(out('flip.pdf'), bytes);
			const report = await verifyPdf(out('flip.pdf'), { trust: env.trust });
			if (at > hole.hexStart && at < hole.hexEnd) {
				// Inside /Contents: parts of a CMS are unsigned (e.g. the certificate bag); a pass must agree with pdfsig.
				if (report.validationConclusion.indication === 'TOTAL-PASSED') expect({ at, pdfsig: pdfsig(out('flip.pdf')).signatures[0].valid }).toEqual({ at, pdfsig: true });
			} else {
				expect({ at, indication: report.validationConclusion.indication }).not.toEqual({ at, indication: 'TOTAL-PASSED' });
			}
			for (const s of report.validationConclusion.signatures) for (const e of s.errors) seen.add(e.code);
			for (const e of report.validationConclusion.containerErrors) seen.add(e.code);
		}
		expect(seen).toContain('MESSAGE_DIGEST_MISMATCH');
		for (const cut of [100, Math.floor(original.length / 2), original.length - 10]) {
			fs.writeFileSync(out('cut.pdf'), original.subarray(0, cut));
			const report = await verifyPdf(out('cut.pdf'), { trust: env.trust });
			expect({ cut, indication: report.validationConclusion.indication }).not.toEqual({ cut, indication: 'TOTAL-PASSED' });
		}
	});

	it('(g) two signatures with overlapping ranges (the real overlap file)', async () => {
		const report = await verifyPdf(fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf'), { trust: env.trust });
		const two = report.validationConclusion.signatures[1];
		expectRefused(two, report, 'SIGNATURE_RANGES_CONFLICT');
		expect(two.indication).toBe('TOTAL-FAILED');
	});
});

describe('(h-k) the CMS', () => {
	it('(h) the CMS of another document (same signer, same size) in /Contents', async () => {
		const a = env.signers[0];
		const other = (await signPdf(fixturePath('pdf', 'minimal-two-pages.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: out('other.pdf') })).path;
		const file = replaceContents(base, out('h.pdf'), signaturesOf(other)[0].cms);
		const { report, sig } = await verdict(file);
		expectRefused(sig, report, 'MESSAGE_DIGEST_MISMATCH');
		expect(pdfsig(file).signatures[0].valid).toBe(false);
	});

	it('(i) a message-digest attribute that is not the digest of the signed bytes', async () => {
		const cms = Buffer.from(signaturesOf(base)[0].cms);
		const oid = Buffer.from('06092a864886f70d010904', 'hex'); // id-messageDigest
		const at = cms.indexOf(oid) + oid.length + 4; // SET, OCTET STRING headers
		cms[at] ^= 0xff;
		const { report, sig } = await verdict(replaceContents(base, out('i.pdf'), cms));
		expectRefused(sig, report, 'MESSAGE_DIGEST_MISMATCH', 'SIGNATURE_VALUE_INVALID');
	});

	// (j), (k): a CMS made here with a key we hold, so everything but the one flaw is right (the controls pass).
	async function localCms(
		name: string,
		options: { essFor?: Buffer; timestampOver?: 'signature' | 'other'; signingTime?: boolean; saltLength?: number },
	): Promise<{ report: Report; sig: SignatureReport }> {
		const k = localSigner('PDF hostile test signer');
		const covered = signaturesOf(base)[0].covered;
		let attrs = signedAttributes('SHA-256', createHash('sha256').update(covered).digest(), options.essFor ?? k.der);
		if (options.signingTime) {
			// A CMS signing-time attribute (UTCTime), which PAdES baseline does not allow (the time is /M).
			const signingTime = sequence(oid('1.2.840.113549.1.9.5'), setOf(tlv(0x17, Buffer.from('261203000000Z', 'latin1'))));
			attrs = setOf(...children(attrs, readTlv(attrs, 0)).map((c) => attrs.subarray(c.start, c.end)), signingTime);
		}
		const value = cryptoSign('sha256', attrs, { key: createPrivateKey(k.keyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: options.saltLength ?? 32 });
		let timestampToken: Buffer | undefined;
		if (options.timestampOver) {
			const data = options.timestampOver === 'signature' ? value : Buffer.from('other bytes');
			timestampToken = (await requestTimestamp(env.sim.tsaUrl, { data }, { hashAlgorithm: 'SHA-256', trust: env.trust })).tokenDer;
		}
		const cms = signedData({ hashAlgorithm: 'SHA-256', signedAttributes: attrs, signature: value, signerDer: k.der, certificates: [], ...(timestampToken ? { timestampToken } : {}) });
		if (timestampToken) expect(signerInfoParts(cms).timestampToken).toEqual(timestampToken);
		return verdict(replaceContents(base, out(name), cms), env.trust.withAnchors([k.certPem]));
	}

	it('control: the locally made CMS with a right ESS binding and a right timestamp passes', async () => {
		const { report, sig } = await localCms('control.pdf', { timestampOver: 'signature' });
		expect(sig.errors).toEqual([]);
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(sig.bestSignatureTimeSource).toBe('SIGNATURE_TIMESTAMP');
	});

	it('a CMS signing-time attribute is a warning (PAdES takes the time from /M); the signature still passes', async () => {
		const { report, sig } = await localCms('signing-time.pdf', { signingTime: true });
		expect(sig.errors).toEqual([]);
		expect(codes(sig)).toContain('SIGNING_TIME_ATTRIBUTE_PRESENT');
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
	});

	it('RSASSA-PSS parameters are enforced: a value made with another salt length than the CMS declares is refused', async () => {
		const { report, sig } = await localCms('pss-salt.pdf', { saltLength: 20 });
		expectRefused(sig, report, 'SIGNATURE_VALUE_INVALID');
	});

	it('(j) ESS signing-certificate-v2 naming another certificate than the signer', async () => {
		const other = Buffer.from(env.signers[1].certificate, 'base64');
		const { report, sig } = await localCms('j.pdf', { essFor: other });
		expectRefused(sig, report, 'SIGNING_CERTIFICATE_MISMATCH');
	});

	it('(k) a signature timestamp over other bytes', async () => {
		const { report, sig } = await localCms('k.pdf', { timestampOver: 'other' });
		expectRefused(sig, report, 'TIMESTAMP_IMPRINT_MISMATCH');
		expect(sig.indication).toBe('TOTAL-FAILED');
	});

	/** A CMS with an ECDSA P-256 SignerInfo (ecdsa-with-SHA256), built here from the DER pieces of lib/pdf. */
	function ecdsaCms(over: Buffer | null): { cms: Buffer; certPem: string } {
		const k = localSigner('PDF ECDSA test signer', 'ec');
		const covered = signaturesOf(base)[0].covered;
		const attrs = signedAttributes('SHA-256', createHash('sha256').update(covered).digest(), k.der);
		const value = cryptoSign('sha256', over ?? attrs, createPrivateKey(k.keyPem));
		const { issuer, serial } = issuerAndSerial(k.der);
		const sha256 = sequence(oid('2.16.840.1.101.3.4.2.1'));
		const signerInfo = sequence(integer(1), sequence(issuer, serial), sha256, tlv(0xa0, attrs.subarray(readTlv(attrs, 0).contentStart)), sequence(oid('1.2.840.10045.4.3.2')), octetString(value));
		const sd = sequence(integer(1), setOf(sha256), sequence(oid('1.2.840.113549.1.7.1')), tlv(0xa0, k.der), setOf(signerInfo));
		return { cms: sequence(oid('1.2.840.113549.1.7.2'), contextConstructed(0, sd)), certPem: k.certPem };
	}

	it('ECDSA (P-256) CMS: passes when it signs the signed attributes, fails when it signs other bytes', async () => {
		const good = ecdsaCms(null);
		const ok = await verdict(replaceContents(base, out('ec-ok.pdf'), good.cms), env.trust.withAnchors([good.certPem]));
		expect(ok.sig.errors).toEqual([]);
		expect(ok.sig.signatureMethod).toContain('ecdsaWithSha256');
		expect(ok.report.validationConclusion.indication).toBe('TOTAL-PASSED');
		const bad = ecdsaCms(Buffer.from('other bytes'));
		const no = await verdict(replaceContents(base, out('ec-bad.pdf'), bad.cms), env.trust.withAnchors([bad.certPem]));
		expectRefused(no.sig, no.report, 'SIGNATURE_VALUE_INVALID');
	});
});
