/**
 * A real Belgian qualified signer chains through the real BE trusted list (issue 16): the DSS PAdES fixture
 * belgian_pki_multiple_ocsps_lt.pdf is signed by "Patrick Kremer (Signature)" (issued by Citizen CA 201803, carried
 * in the file, issued by Belgium Root CA4). The 2019 LOTL (sequence 248) and BE list (sequence 43, issued
 * 2019-06-13) are downloaded over loopback HTTP at the addresses the LOTL names, verified with the Official Journal
 * set bundled with the package (no certificate given) at the LOTL's issue date, and cached; the PDF is then
 * verified with the same TrustSource as containers, through the library and through `smart-id verify`.
 *
 * What BE.xml says (read by hand, not forced here): Certipost's service "CN=Belgium Root CA4, C=BE" is CA/QC,
 * "granted" since 2016-06-30T22:00Z (under supervision since 2013), with RootCA-QC and ForeSignatures and no
 * qualifiers, so the qualification comes from the signer's QCStatements (QcCompliance, QcSSCD, QcType esign, read
 * here with openssl): QC_FOR_ESIG, QESig.
 *
 * The signature is from 2020-09-05, after these 2019 lists (still the latest we have; the lists are not judged
 * stale here): the PDF is validated on 2020-09-06. Its timestamp comes from Universign (France): the FR list is not
 * among the fixtures, so the TSA unit's own certificate (read from the file with qpdf/openssl) is given as an extra
 * trusted certificate for the TOTAL-PASSED case; without it the timestamp is not trusted and the signature stays
 * INDETERMINATE, while its signer is still trusted through the BE list.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as cli } from '../../../lib/cli/verify';
import { verifyPdf } from '../../../lib/pdf';
import { TrustSource } from '../../../lib/pki/trust-source';
import { fixturePath } from '../../helpers/fixtures';
import { AT, TERRITORIES, serveTrustedLists } from '../../pki/trusted-lists/helpers';
import { certificatesIn, codes } from './helpers';

jest.setTimeout(60_000);

const FILE = fixturePath('pdf-verify', 'belgian_pki_multiple_ocsps_lt.pdf');
/** A day after the signature (timestamp 2020-09-05T21:37:19Z); fixed, so the test does not age. */
const VALIDATION = new Date('2020-09-06T00:00:00Z');

const BE_TRUST = {
	source: 'eu-trusted-list',
	anchor: 'Belgium Root CA4',
	list: { territory: 'BE', sequenceNumber: 43 },
	provider: 'Certipost n.v./s.a.',
	service: 'CN=Belgium Root CA4, C=BE',
	serviceStatus: 'granted',
	qualification: 'QC_FOR_ESIG',
	signatureLevel: 'QESig',
	grantedAtBestSignatureTime: true,
};

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-eu-trust-'));
let eu: TrustSource;
let tsuPem = '';

beforeAll(async () => {
	const served = await serveTrustedLists();
	try {
		// No ojCertificates: the bundled Official Journal set anchors the LOTL.
		eu = await TrustSource.load({ choice: 'eu', eu: { cacheDir, fetcher: served.fetcher, territories: [...TERRITORIES], listValidationTime: AT, timeoutMs: 5000 } });
	} finally {
		await served.close();
	}
	const tsu = certificatesIn(FILE).find((c) => /CN=Universign Timestamping Unit 027/.test(c.subject));
	if (!tsu) throw new Error('the Universign TSA unit certificate is not in the file');
	tsuPem = tsu.toString();
});

describe('Belgian eID signer of a DSS PAdES file, EU trust from the BE list', () => {
	it('the lists came from the loopback server and verified with the bundled OJ set', () => {
		expect(eu.eu).toMatchObject({ lotlSequenceNumber: 248, problems: [] });
		expect(eu.eu!.territories.find((t) => t.territory === 'BE')).toMatchObject({ sequenceNumber: 43, origin: 'network' });
	});

	it('the signer certificate carries QcCompliance, QcSSCD and QcType esign (openssl asn1parse)', () => {
		const signer = certificatesIn(FILE).find((c) => c.subject.includes('CN=Patrick Kremer (Signature)'))!;
		const der = path.join(cacheDir, 'signer.der');
		fs.writeFileSync(der, signer.raw);
		const all = execFileSync('openssl', ['asn1parse', '-inform', 'der', '-in', der], { encoding: 'utf8' });
		const at = /^\s*(\d+):.*:qcStatements$/m.exec(all);
		expect(at).not.toBeNull();
		// The extension value is the OCTET STRING right after the OID (and the critical flag, when present).
		const offset = all.split('\n').map((l) => /^\s*(\d+):.*OCTET STRING/.exec(l)?.[1]).find((o) => o !== undefined && Number(o) > Number(at![1]));
		const qc = execFileSync('openssl', ['asn1parse', '-inform', 'der', '-in', der, '-strparse', String(offset)], { encoding: 'utf8' });
		for (const oid of ['0.4.0.1862.1.1', '0.4.0.1862.1.4', '0.4.0.1862.1.6.1']) expect(qc).toContain(`:${oid}`);
		expect(qc).not.toContain(':0.4.0.1862.1.6.2');
	});

	it('TOTAL-PASSED with the TSA unit given: trusted by BE list 43, Certipost, Belgium Root CA4 (CA/QC, granted), QESig', async () => {
		const r = await verifyPdf(FILE, { trust: eu.withExtraPems([tsuPem]), at: VALIDATION });
		const [s] = r.validationConclusion.signatures;
		expect(r.validationConclusion.signatures).toHaveLength(1);
		expect(s).toMatchObject({ indication: 'TOTAL-PASSED', signatureFormat: 'PAdES_BASELINE_LT', bestSignatureTimeSource: 'SIGNATURE_TIMESTAMP', trustedBy: BE_TRUST });
		expect(s.bestSignatureTime).toBe('2020-09-05T21:37:19.805Z');
		expect(s.ocsp).toMatchObject({ status: 'GOOD' });
		expect(s.errors).toEqual([]);
		expect(s.trustedBy!.summary).toMatch(/^BE list 43, provider "Certipost n\.v\.\/s\.a\.", service "CN=Belgium Root CA4, C=BE" \(CA\/QC\), granted since 2016-06-30T22:00:00\.000Z; QC_FOR_ESIG, QESig$/);
	});

	it('without the TSA unit: the signer is still trusted through BE, but the French timestamp is not (INDETERMINATE)', async () => {
		const [s] = (await verifyPdf(FILE, { trust: eu, at: VALIDATION })).validationConclusion.signatures;
		expect(s.indication).toBe('INDETERMINATE');
		expect(codes(s)).toContain('TIMESTAMP_INVALID');
		expect(codes(s)).not.toContain('CHAIN_UNTRUSTED');
		expect(s.trustedBy).toMatchObject({ source: 'eu-trusted-list', list: { territory: 'BE', sequenceNumber: 43 }, service: 'CN=Belgium Root CA4, C=BE' });
	});

	it('without EU trust (SK live + the same TSA unit): INDETERMINATE, the issuer unknown, no trustedBy', async () => {
		const [s] = (await verifyPdf(FILE, { trust: TrustSource.sk('live').withExtraPems([tsuPem]), at: VALIDATION })).validationConclusion.signatures;
		expect(s.indication).toBe('INDETERMINATE');
		expect(codes(s)).toContain('CHAIN_UNTRUSTED');
		expect(s.trustedBy).toBeNull();
	});
});

describe('smart-id verify FILE.pdf --trust eu, offline from the verified cache', () => {
	async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
		let out = '';
		let err = '';
		const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
		const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
		try {
			return { code: await cli(args), out, err };
		} finally {
			o.mockRestore();
			e.mockRestore();
		}
	}

	it('exit 0 and "trusted by eu-trusted-list: BE list 43 …" with the TSA unit; exit 2 with sk only', async () => {
		const tsu = path.join(cacheDir, 'universign-tsu.pem');
		fs.writeFileSync(tsu, tsuPem);
		const at = VALIDATION.toISOString();
		const ok = await run([FILE, '--trust', 'eu', '--tl-cache', cacheDir, '--tl-offline', '--trust-pem', tsu, '--at', at]);
		expect(ok.err).toBe('');
		expect(ok.code).toBe(0);
		expect(ok.out).toMatch(/^trust: eu; EU LOTL 248, lists .*BE 43.*; no problems$/m);
		expect(ok.out).toMatch(/TOTAL-PASSED PAdES_BASELINE_LT by "Patrick Kremer \(Signature\)" at 2020-09-05T21:37:19\.805Z \(signature timestamp\)/);
		expect(ok.out).toContain('trusted by eu-trusted-list: BE list 43, provider "Certipost n.v./s.a.", service "CN=Belgium Root CA4, C=BE" (CA/QC), granted since 2016-06-30T22:00:00.000Z; QC_FOR_ESIG, QESig');
		const json = await run([FILE, '--json', '--trust', 'eu', '--tl-cache', cacheDir, '--tl-offline', '--trust-pem', tsu, '--at', at]);
		expect(JSON.parse(json.out).validationConclusion.signatures[0].trustedBy).toMatchObject(BE_TRUST);
		const sk = await run([FILE, '--trust', 'sk', '--trust-pem', tsu, '--at', at]);
		expect(sk.code).toBe(2);
		expect(sk.out).toMatch(/error CHAIN_UNTRUSTED/);
		expect(sk.out).not.toMatch(/trusted by/);
	});
});
