/**
 * ByteRange coverage check against signed PDFs of other producers: pyHanko's coverage-anomaly fixtures (which
 * pdfsig calls valid, because the CMS does match the odd ranges), DSS's overlapping ByteRange, and clean files.
 */
import { checkByteRanges } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';

const codes = (r: { anomalies: { code: string }[] }): string[] => r.anomalies.map((a) => a.code);

it('flags an unsigned tail that is not a later revision', async () => {
	const [r] = await checkByteRanges(fixturePath('pdf', 'coverage-anomalies_tail-uncovered.pdf'));
	expect(r.byteRange).toEqual([0, 690, 6692, 400]);
	expect(r.uncoveredTail).toBe(394);
	expect(codes(r)).toEqual(['COVERAGE_ENDS_INSIDE_REVISION']);
});

it('flags a ByteRange whose gap is not the /Contents and leaves the signature dictionary unsigned', async () => {
	const [r] = await checkByteRanges(fixturePath('pdf', 'coverage-anomalies_weird-byterange.pdf'));
	expect(codes(r)).toEqual(['BYTE_RANGE_GAP_NOT_CONTENTS', 'SIGNATURE_DICTIONARY_UNCOVERED', 'COVERAGE_ENDS_INSIDE_REVISION']);
});

it('flags the second signature of DSS pdf-byterange-overlap.pdf and not the first', async () => {
	const [first, second] = await checkByteRanges(fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf'));
	expect(codes(first)).toEqual([]);
	expect(codes(second)).toEqual(['BYTE_RANGE_GAP_NOT_CONTENTS', 'SIGNATURE_DICTIONARY_UNCOVERED']);
});

it.each([
	['pdf', 'minimal-two-fields-signed-twice.pdf', [true, false]],
	['pdf', 'pades-lta-dss-indirect-arrs-test.pdf', [false, false]],
	['pdf-verify', 'pdf-signed-original.pdf', [true]],
	['pdf-verify', 'timestamped_and_signed.pdf', [false, true]],
	['pdf-verify', 'belgian_pki_multiple_ocsps_lt.pdf', [false]],
	['pdf-verify', 'Signature-P-BG_BOR-1.pdf', [true]],
] as const)('%s/%s: normal coverage, later revisions are not anomalies', async (folder, file, whole) => {
	const reports = await checkByteRanges(fixturePath(folder, file));
	expect(reports.map((r) => r.coversWholeFile)).toEqual(whole);
	for (const r of reports) expect({ field: r.fieldName, codes: codes(r) }).toEqual({ field: r.fieldName, codes: [] });
});
