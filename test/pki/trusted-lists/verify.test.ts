import {
	TrustedListError,
	verifyLotl,
	verifyNationalList,
	verifyTrustedList,
	parseTrustedListXml,
	lotlSigningCertificates,
	pivotUrls,
} from '../../../lib/pki/trusted-lists';
import { AT, OJ_2019, OJ_PIVOT_SIGNER, TERRITORIES, lotlSigner, lotlUnverified, tlBytes } from './helpers';

function codeOf(fn: () => unknown): string {
	try {
		fn();
	} catch (err) {
		if (err instanceof TrustedListError) return err.code;
		throw err;
	}
	return 'PASSED';
}

describe('EU LOTL signature anchored in the Official Journal certificates', () => {
	it('verifies the 2019 LOTL at its issue date with the OJ certificate that signed it', () => {
		const v = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: AT });
		expect(v.list.sequenceNumber).toBe(248);
		expect(v.list.territory).toBe('EU');
		expect(v.signature.signer.subject).toContain('Patrick Kremer');
		expect(v.signature.signingTime?.toISOString()).toBe('2019-09-04T09:42:21.000Z');
		expect(v.pivots).toEqual([]);
		expect(v.expired).toBe(false);
		expect(lotlSigningCertificates(v.list)).toHaveLength(8);
	});

	it('refuses the LOTL when the OJ certificates do not include its signer and no pivot is given', () => {
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_PIVOT_SIGNER(), at: AT }))).toBe('TL_SIGNER_NOT_TRUSTED');
	});

	it('anchors the LOTL through pivot LOTL 247: OJ certificate -> pivot 247 -> its announced signers -> LOTL 248', () => {
		const v = verifyLotl(tlBytes('eu-lotl.xml'), {
			ojCertificates: OJ_PIVOT_SIGNER(),
			at: AT,
			pivots: [{ source: 'tl-pivot-247-mp.xml', bytes: tlBytes('eu-lotl-pivot.xml') }],
		});
		expect(v.pivots.map((p) => p.list.sequenceNumber)).toEqual([247]);
		expect(v.pivots[0].signature.signer.subject).toContain('de Boer');
		expect(v.signature.signer.subject).toContain('Patrick Kremer');
	});

	it('reads the pivot addresses a LOTL lists, oldest first (247 lists itself and 226, 191, 172; 248 lists none)', () => {
		expect(pivotUrls(lotlUnverified('eu-lotl-pivot.xml')).map((u) => /tl-pivot-(\d+)/.exec(u)?.[1])).toEqual(['172', '191', '226', '247']);
		expect(pivotUrls(lotlUnverified())).toEqual([]);
	});

	it('refuses a pivot that the OJ certificates did not sign (TL_PIVOT_FAILED)', () => {
		const other = [lotlSigner('Verbergt')];
		expect(
			codeOf(() => verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: other, at: AT, pivots: [{ source: 'p247', bytes: tlBytes('eu-lotl-pivot.xml') }] })),
		).toBe('TL_PIVOT_FAILED');
	});

	it('refuses the broken-signature and the unsigned LOTL with a named code', () => {
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl-broken-sig.xml'), { ojCertificates: OJ_2019(), at: AT }))).toBe('TL_DIGEST_MISMATCH');
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl-no-sig.xml'), { ojCertificates: OJ_2019(), at: AT }))).toBe('TL_SIGNATURE_MISSING');
	});

	it('refuses a LOTL whose SignatureValue was changed (TL_SIGNATURE_INVALID) or whose signer was swapped (TL_SIGNER_NOT_TRUSTED)', () => {
		const text = tlBytes('eu-lotl.xml').toString('utf8');
		const sv = /(<ds:SignatureValue[^>]*>)([A-Za-z0-9+/])/.exec(text)!;
		const flipped = text.replace(sv[0], sv[1] + (sv[2] === 'A' ? 'B' : 'A'));
		expect(codeOf(() => verifyLotl(Buffer.from(flipped), { ojCertificates: OJ_2019(), at: AT }))).toBe('TL_SIGNATURE_INVALID');
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: [lotlSigner('Ottoy')], at: AT }))).toBe('TL_SIGNER_NOT_TRUSTED');
	});

	it('refuses a list issued after the validation time, a DTD and an oversize list', () => {
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: new Date('2019-09-01T00:00:00Z') }))).toBe('TL_NOT_YET_ISSUED');
		const dtd = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>');
		expect(codeOf(() => parseTrustedListXml(dtd))).toBe('TL_XML_REFUSED');
		expect(codeOf(() => verifyTrustedList(tlBytes('eu-lotl.xml'), OJ_2019(), { at: AT, limits: { maxBytes: 100_000 } }))).toBe('TL_TOO_LARGE');
	});

	it('marks the LOTL expired after its NextUpdate but still verifies it', () => {
		const v = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: new Date('2020-06-01T00:00:00Z') });
		expect(v.expired).toBe(true);
	});
});

describe('national lists verified with the certificates the LOTL names for their territory', () => {
	const lotl = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: AT }).list;

	it.each(TERRITORIES)('%s verifies at the LOTL issue date', (t) => {
		const v = verifyNationalList(tlBytes(`${t}.xml`), lotl, t, { at: AT });
		expect(v.list.territory).toBe(t);
		expect(v.list.issueDate.getTime()).toBeLessThanOrEqual(AT.getTime());
		expect(v.list.providers.length).toBeGreaterThan(0);
		expect(v.signature.signingTime).not.toBeNull();
	});

	it('refuses the broken-signature CZ list, and a list presented for another territory', () => {
		expect(codeOf(() => verifyNationalList(tlBytes('CZ_broken-sig.xml'), lotl, 'CZ', { at: AT }))).toBe('TL_DIGEST_MISMATCH');
		expect(codeOf(() => verifyNationalList(tlBytes('LV.xml'), lotl, 'LT', { at: AT }))).toBe('TL_SIGNER_NOT_TRUSTED');
	});

	it('refuses the LOTL presented as a national list', () => {
		const unverified = lotlUnverified();
		expect(codeOf(() => verifyNationalList(tlBytes('eu-lotl.xml'), unverified, 'BE', { at: AT }))).toBe('TL_SIGNER_NOT_TRUSTED');
	});
});
