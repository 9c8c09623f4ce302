import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import JSZip from 'jszip';
import { fixturePath, readFixtureJson } from '../../helpers/fixtures';
import {
	ADDITIONAL_INFO,
	SERVICE_TYPE,
	findServicesFor,
	phaseAt,
	qualifyCertificate,
	servicesAt,
	verifyLotl,
	verifyNationalList,
	type TrustedList,
} from '../../../lib/pki/trusted-lists';
import { AT, OJ_2019, TERRITORIES, lotlSigner, tlBytes } from './helpers';

const lotl = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: AT }).list;
const lists: TrustedList[] = TERRITORIES.map((t) => verifyNationalList(tlBytes(`${t}.xml`), lotl, t, { at: AT }).list);

function service(territory: string, name: string) {
	const l = lists.find((x) => x.territory === territory)!;
	for (const p of l.providers) for (const s of p.services) if (s.phases[0].name.en === name) return s;
	throw new Error(`no service ${name}`);
}

describe('servicesAt: which services were granted at a time, with list and service names', () => {
	it('lists granted CA/QC services of the four lists at the LOTL date, each with its list, provider and service', () => {
		const cas = servicesAt(lists, AT, { types: [SERVICE_TYPE.caQc], acceptableOnly: true });
		const names = cas.map((s) => `${s.territory}: ${s.service}`);
		expect(names).toEqual(expect.arrayContaining(['LV: eParaksts CA 2017', 'LT: RCSC qualified seals and signatures certificates issuing authority', 'BE: QuoVadis BE PKI Certification Authority G2', 'BE: CN=Belgium Root CA4, C=BE']));
		expect(cas.every((s) => s.statusName === 'granted' && s.typeName === 'CA/QC' && s.certificates.length > 0)).toBe(true);
		// Withdrawn services are there without the filter, not acceptable.
		const all = servicesAt(lists, AT, { types: [SERVICE_TYPE.caQc] });
		expect(all.find((s) => s.service === 'CN=Belgium Root CA, C=BE')).toMatchObject({ statusName: 'withdrawn', acceptable: false });
	});

	it('lists qualified timestamp and OCSP services too', () => {
		const tsa = servicesAt(lists, AT, { types: [SERVICE_TYPE.tsaQtst], acceptableOnly: true }).map((s) => `${s.territory}: ${s.service}`);
		expect(tsa).toEqual(expect.arrayContaining(['LV: eParaksts TSA A 2018', 'LT: Qualified time stamp service 3']));
		expect(tsa).not.toContain('LV: eParaksts TSA A 2017');
		const ocsp = servicesAt(lists, AT, { types: [SERVICE_TYPE.ocspQc], acceptableOnly: true }).map((s) => `${s.territory}: ${s.service}`);
		expect(ocsp).toContain('LT: ADIC_OCSP Service-1 (OCSP for ADIC CA-A)');
		expect(ocsp).not.toContain('SE: SignGuard Europe AB – Qualified OCSP Service');
	});

	it('follows the status history: Belgium Root CA under supervision (2010), granted (2016-08), withdrawn (2019)', () => {
		const s = service('BE', 'CN=Belgium Root CA, C=BE');
		const at = (iso: string) => servicesAt(lists, new Date(iso), { types: [SERVICE_TYPE.caQc] }).find((x) => x.trustService === s)!;
		expect(at('2010-01-01T00:00:00Z')).toMatchObject({ statusName: 'undersupervision', acceptable: true });
		expect(at('2016-08-01T00:00:00Z')).toMatchObject({ statusName: 'granted', acceptable: true });
		expect(at('2019-09-04T00:00:00Z')).toMatchObject({ statusName: 'withdrawn', acceptable: false });
		expect(phaseAt(s, new Date('2000-01-01T00:00:00Z'))).toBeNull();
		// A TSA recognised at national level only is not a qualified status.
		const lt = service('LT', 'Qualified time stamp service');
		expect(servicesAt(lists, new Date('2016-06-30T22:00:00.500Z'), { types: [SERVICE_TYPE.tsaTssAdesQcAndQes] }).find((x) => x.trustService === lt)).toMatchObject({
			typeName: 'TSA/TSS-AdESQCandQES',
			statusName: 'recognisedatnationallevel',
			acceptable: false,
		});
	});

	it('exposes additional service information and qualifiers (ForeSignatures/ForeSeals, QCWithQSCD)', () => {
		const lv = servicesAt(lists, AT, { types: [SERVICE_TYPE.caQc] }).find((s) => s.service === 'eParaksts CA 2017')!;
		expect(lv.phase.additionalInfo).toEqual(expect.arrayContaining([ADDITIONAL_INFO.forESignatures, ADDITIONAL_INFO.forESeals]));
		const eme = servicesAt(lists, AT, { types: [SERVICE_TYPE.caQc] }).find((s) => s.service === 'E-ME SI (CA1) from 10.2013')!;
		expect(eme.phase.qualifications[0].qualifiers).toContain('http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD');
		expect(eme.phase.qualifications[0].criteria).toMatchObject({ assert: 'atLeastOne', keyUsage: [{ nonRepudiation: true }] });
		const ssc = servicesAt(lists, new Date('2018-01-01T00:00:00Z'), { types: [SERVICE_TYPE.caQc] }).find((s) => s.service.startsWith('SSC_Qualified certificates for electronic signature-1'))!;
		expect(ssc.phase.qualifications[0].criteria.policySets).toContainEqual(['1.3.6.1.4.1.22501.1.3.0']);
	});
});

describe('a signer certificate against the lists at signature time', () => {
	it('a Belgian qualified certificate (EC_DIGIT, issued by QuoVadis Belgium Issuing CA G2) chains to a CA the BE list names as granted', () => {
		const cert = lotlSigner('EC_DIGIT');
		const r = qualifyCertificate(cert, lists, AT);
		expect(r.match?.service).toMatchObject({ territory: 'BE', provider: 'QuoVadis Trustlink BVBA', service: 'QuoVadis BE PKI Certification Authority G2', statusName: 'granted' });
		expect(r.match?.path).toHaveLength(2);
		expect(r.qualification).toBe('QC_FOR_ESEAL');
		// The certificate says QcSSCD and the service has no QSCD qualifier: a seal made with it is a QESeal.
		expect(r).toMatchObject({ qscd: true, signatureLevel: 'QESeal' });
		expect(r.summary).toContain('BE list 43');
		// Before the G2 service existed in any form, the same certificate has no trusted service.
		expect(qualifyCertificate(cert, lists, new Date('2016-01-01T00:00:00Z')).qualification).toBe('NO_TRUSTED_SERVICE');
	});

	it('a TSA unit listed itself is found as a granted TSA/QTST service', () => {
		const tsa = servicesAt(lists, AT, { types: [SERVICE_TYPE.tsaQtst] }).find((s) => s.service === 'eParaksts TSA A 2018')!;
		const m = findServicesFor(tsa.certificates[0], lists, AT, { types: [SERVICE_TYPE.tsaQtst], acceptableOnly: true });
		expect(m.map((x) => x.service.service)).toEqual(['eParaksts TSA A 2018']);
		expect(m[0].path).toHaveLength(1);
	});

	it('the Latvian signer of the containers (DEMO LV eID ICA 2021) is on no 2019 list: no trusted service', async () => {
		const manifest = readFixtureJson<{ containers: { file: string; signatures: { file: string; signer: { issuer_cn: string } }[] }[] }>('containers', 'manifest.json');
		const entry = manifest.containers.find((c) => c.signatures.some((s) => s.signer.issuer_cn.startsWith('DEMO LV')))!;
		const zip = await JSZip.loadAsync(fs.readFileSync(fixturePath('containers', entry.file)));
		const xml = await zip.file(entry.signatures[0].file)!.async('string');
		const b64 = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(xml)![1];
		const cert = new X509Certificate(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
		const signingTime = new Date(/<(?:\w+:)?SigningTime>([^<]+)</.exec(xml)![1]);
		expect(cert.issuer).toContain('DEMO LV eID ICA 2021');
		const r = qualifyCertificate(cert, lists, signingTime);
		expect(r).toMatchObject({ qualification: 'NO_TRUSTED_SERVICE', signatureLevel: 'NA', match: null });
	});
});
