/**
 * Signed PDFs of other producers (test/fixtures/pdf-verify, EU DSS test data): per-signature integrity agrees with
 * pdfsig run here on the same file, the corrupted and overlapping files are refused with named codes, and foreign
 * chains stay INDETERMINATE until their roots are given.
 */
import * as fs from 'node:fs';
import { verifyPdf } from '../../../lib/pdf';
import { TrustStore } from '../../../lib/pki/trust-store';
import { fixturePath } from '../../helpers/fixtures';
import { pdfsig } from '../helpers/oracles';
import { codes, intact, rootsIn } from './helpers';

jest.setTimeout(120_000);

const DIR = fixturePath('pdf-verify');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.pdf'));

describe('integrity agrees with pdfsig on every signature', () => {
	it('covers every fixture file', () => {
		expect(files.length).toBeGreaterThanOrEqual(7);
	});

	it.each(files)('%s', async (name) => {
		const file = `${DIR}/${name}`;
		const oracle = pdfsig(file).signatures;
		const report = await verifyPdf(file, { trust: 'demo' });
		const vc = report.validationConclusion;
		expect(vc.format).toBe('pdf');
		if (vc.containerErrors.some((e) => e.code === 'CONTAINER_UNREADABLE')) {
			// We refuse the whole file; pdfsig must not call any of its signatures valid either.
			expect(oracle.length).toBeGreaterThan(0);
			for (const s of oracle) expect({ name, index: s.index, valid: s.valid }).toEqual({ name, index: s.index, valid: false });
			return;
		}
		expect(vc.signatures.length).toBe(oracle.length);
		vc.signatures.forEach((s, i) => {
			const o = oracle[i];
			if (s.kind === 'documentTimestamp') {
				// pdfsig does not verify RFC 3161 document timestamps ("not yet verified"); ours must be intact over its range.
				expect(o.valid).toBe(false);
				expect({ name, i, codes: codes(s) }).toEqual({ name, i, codes: expect.not.arrayContaining(['TIMESTAMP_IMPRINT_MISMATCH', 'CMS_MALFORMED']) });
			} else {
				expect({ name, i, intact: intact(s) }).toEqual({ name, i, intact: o.valid });
			}
			expect({ name, i, whole: s.pdf!.coversWholeFile }).toEqual({ name, i, whole: o.total });
			// Foreign signers: never TOTAL-PASSED on the SK demo anchors.
			expect(s.indication).not.toBe('TOTAL-PASSED');
		});
	});
});

describe('refused with named codes', () => {
	it('the corrupted file: unreadable, exit-code class 2, nothing passes', async () => {
		const r = await verifyPdf(fixturePath('pdf-verify', 'pdf-signed-corrupted.pdf'), { trust: 'demo' });
		expect(r.validationConclusion.containerErrors).toEqual([expect.objectContaining({ code: 'CONTAINER_UNREADABLE', reason: 'PDF_MALFORMED' })]);
		expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	});

	it('the overlapping ByteRange: the second signature fails with the coverage and conflict codes', async () => {
		const r = await verifyPdf(fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf'), { trust: 'demo' });
		const [one, two] = r.validationConclusion.signatures;
		expect(intact(one)).toBe(true);
		expect(two.indication).toBe('TOTAL-FAILED');
		expect(codes(two)).toEqual(expect.arrayContaining(['BYTE_RANGE_GAP_NOT_CONTENTS', 'SIGNATURE_DICTIONARY_UNCOVERED', 'SIGNATURE_RANGES_CONFLICT']));
		expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
	});
});

describe('foreign chains', () => {
	const cases: Array<[string, string]> = [
		['belgian_pki_multiple_ocsps_lt.pdf', 'PAdES_BASELINE_LT'],
		['doc-firmado-LT.pdf', 'PAdES_BASELINE_LT'],
	];
	it.each(cases)('%s: INDETERMINATE without its anchors, TOTAL-PASSED with the roots it carries', async (name, format) => {
		const file = fixturePath('pdf-verify', name);
		const without = (await verifyPdf(file, { trust: 'demo' })).validationConclusion.signatures[0];
		expect(without.indication).toBe('INDETERMINATE');
		expect(codes(without)).toContain('CHAIN_UNTRUSTED');
		const roots = rootsIn(file);
		expect(roots.length).toBeGreaterThan(0);
		const withRoots = (await verifyPdf(file, { trust: TrustStore.fromPem(roots, 'roots-in-file') })).validationConclusion;
		expect(withRoots.signatures[0]).toMatchObject({ indication: 'TOTAL-PASSED', signatureFormat: format, bestSignatureTimeSource: 'SIGNATURE_TIMESTAMP' });
		expect(withRoots.signatures[0].ocsp).toMatchObject({ status: 'GOOD' });
		expect(withRoots.indication).toBe('TOTAL-PASSED');
	});

	it('roots given through the container option `anchors` decide the chain too (first signature of the overlap file)', async () => {
		const file = fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf');
		const roots = rootsIn(file);
		expect(roots.length).toBeGreaterThan(0);
		// No timestamp: the signer (expired since 2021-09) is judged at the validation time we give.
		const at = new Date('2021-05-11T00:00:00Z');
		const without = (await verifyPdf(file, { trust: 'demo', at })).validationConclusion.signatures[0];
		expect(without.indication).toBe('INDETERMINATE');
		expect(codes(without)).toContain('CHAIN_UNTRUSTED');
		const r = (await verifyPdf(file, { trust: 'demo', anchors: roots, at })).validationConclusion;
		expect(codes(r.signatures[0])).not.toContain('CHAIN_UNTRUSTED');
		expect(r.signatures[0]).toMatchObject({ indication: 'TOTAL-PASSED', signatureFormat: 'PAdES_BASELINE_B' });
		expect(codes(r.signatures[0])).toContain('REVOCATION_DATA_MISSING');
		// The forged second signature stays refused whatever the trust.
		expect(r.signatures[1].indication).toBe('TOTAL-FAILED');
	});
});

describe('a third-party PDF signed twice into its two existing fields', () => {
	it('the earlier signature is not held against the later filling of the second field; pdfsig agrees on integrity', async () => {
		const file = fixturePath('pdf', 'minimal-two-fields-signed-twice.pdf');
		const vc = (await verifyPdf(file, { trust: 'demo' })).validationConclusion;
		const oracle = pdfsig(file).signatures;
		expect(vc.signatures.map((s) => s.pdf!.fieldName)).toEqual(['Sig1', 'Sig2']);
		vc.signatures.forEach((s, i) => {
			expect(intact(s)).toBe(oracle[i].valid);
			expect(codes(s).filter((c) => c.startsWith('REVISION_') && c !== 'REVISION_METADATA_CHANGED')).toEqual([]);
		});
	});
});
