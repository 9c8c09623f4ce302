/**
 * Certified documents (DocMDP): a certification signature with "no changes allowed" (P=1) passes alone and fails
 * with DOCMDP_VIOLATION once a later signature is added. The signatures are made by hand here (our signer refuses
 * to sign a P=1 document, rightly): an incremental update with the field, widget and signature dictionary, the
 * ByteRange filled in, and a CMS from lib/pdf's DER pieces signed with a local key.
 */
import { constants, createHash, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signedAttributes, signedData, verifyPdf } from '../../../lib/pdf';
import { TrustStore } from '../../../lib/pki/trust-store';
import { fixturePath } from '../../helpers/fixtures';
import { pdfsig } from '../helpers/oracles';
import { appendRevision, codes, contentsHole, localSigner, replaceContents } from './helpers';

const HOLE_HEX = 16384;
const PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

/** Fill the ByteRange of the newest signature (`which`) and put a CMS by `key` over the covered bytes into /Contents. */
function finishSignature(file: string, which: number, key: ReturnType<typeof localSigner>): void {
	const bytes = Buffer.from(fs.readFileSync(file));
	const hole = contentsHole(bytes, which);
	// The placeholder's numbers are zeros: the hole is the /Contents string that follows it.
	const start = bytes.indexOf('/Contents <', hole.brText.end) + '/Contents '.length;
	const end = start + HOLE_HEX + 2;
	const br = [0, start, end, bytes.length - end];
	bytes.write(`/ByteRange [${br.join(' ')}]`.padEnd(PLACEHOLDER.length, ' '), hole.brText.start, 'latin1');
	fs.writeFileSync(file, bytes);
	const covered = Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]);
	const attrs = signedAttributes('SHA-256', createHash('sha256').update(covered).digest(), key.der);
	const value = cryptoSign('sha256', attrs, { key: createPrivateKey(key.keyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
	replaceContents(file, file, signedData({ hashAlgorithm: 'SHA-256', signedAttributes: attrs, signature: value, signerDer: key.der, certificates: [] }), which);
}

const sigDict = (extra = ''): string => `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20261203000000+00'00')${extra} ${PLACEHOLDER} /Contents <${'0'.repeat(HOLE_HEX)}> >>`;
const page = (annots: string): string => `<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >> >> >> /Contents 4 0 R /Annots [${annots}] >>`;
const widget = (name: string, v: number): string => `<< /Type /Annot /Subtype /Widget /FT /Sig /T (${name}) /Rect [0 0 0 0] /F 132 /P 3 0 R /V ${v} 0 R >>`;

describe('DocMDP certification', () => {
	let dir: string;
	let key: ReturnType<typeof localSigner>;
	let trust: TrustStore;
	let certified: string;
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-docmdp-'));
		key = localSigner('PDF DocMDP test signer');
		trust = TrustStore.fromPem([key.certPem], 'local');
		// minimal.pdf: catalog 1, pages 2, page 3, content 4; the certification adds field/widget 5 and signature 6.
		certified = appendRevision(fixturePath('pdf', 'minimal.pdf'), path.join(dir, 'certified.pdf'), {
			1: '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> /Perms << /DocMDP 6 0 R >> >>',
			3: page('5 0 R'),
			5: widget('Certification', 6),
			6: sigDict(' /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>]'),
		});
		finishSignature(certified, 0, key);
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('a P=1 certification alone passes (pdfsig: valid, whole document)', async () => {
		const vc = (await verifyPdf(certified, { trust })).validationConclusion;
		expect(vc.signatures[0].errors).toEqual([]);
		expect(vc.indication).toBe('TOTAL-PASSED');
		expect(pdfsig(certified).signatures[0]).toMatchObject({ valid: true, total: true });
	});

	it('a later signature breaks a P=1 certification: DOCMDP_VIOLATION on the certification, the later one is intact', async () => {
		const later = appendRevision(certified, path.join(dir, 'later.pdf'), {
			1: '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 7 0 R] /SigFlags 3 >> /Perms << /DocMDP 6 0 R >> >>',
			3: page('5 0 R 7 0 R'),
			7: widget('Later', 8),
			8: sigDict(),
		});
		finishSignature(later, 1, key);
		const vc = (await verifyPdf(later, { trust })).validationConclusion;
		const [certification, second] = vc.signatures;
		expect(codes(certification)).toContain('DOCMDP_VIOLATION');
		expect(certification.indication).toBe('TOTAL-FAILED');
		expect(second.indication).toBe('TOTAL-PASSED');
		expect(pdfsig(later).signatures.map((s) => s.valid)).toEqual([true, true]);
	});
});
