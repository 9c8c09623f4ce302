/**
 * The Official Journal LOTL signing certificates bundled with the package (lib/pki/anchors/oj, copied from
 * open-eid/libdigidocpp etc/tl-mp*.crt): each file matches its recorded fingerprint, SOURCES.md says the same as
 * index.json, and the bundled set alone anchors the real 2019 LOTL (signed by tl-mp1, Patrick Kremer) at its issue
 * date, so EU trust works without any user-supplied certificate. Refusals keep their named reasons.
 */
import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
	TrustedListError,
	bundledOjCertificates,
	bundledOjIndex,
	ojCertificatesDirectory,
	verifyLotl,
	verifyNationalList,
} from '../../../lib/pki/trusted-lists';
import { AT, TERRITORIES, lotlSigner, tlBytes } from './helpers';

function codeOf(fn: () => unknown): string {
	try {
		fn();
	} catch (err) {
		if (err instanceof TrustedListError) return err.code;
		throw err;
	}
	return 'PASSED';
}

const sha256 = (c: X509Certificate): string => createHash('sha256').update(c.raw).digest('hex');
const cn = (dn: string): string | undefined => /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1];
const iso = (d: string): string => new Date(d).toISOString().replace('.000Z', 'Z');

describe('bundled Official Journal certificates', () => {
	const index = bundledOjIndex();
	const certs = bundledOjCertificates();

	it('six certificates from libdigidocpp bc64a76d, each file matching its index line', () => {
		expect(index.source).toMatchObject({ repository: 'open-eid/libdigidocpp', commit: 'bc64a76d46a524f92299ee5c57f6a91fc3e58ccb' });
		expect(index.certificates.map((e) => e.file)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `tl-mp${i}.pem`));
		expect(certs).toHaveLength(6);
		index.certificates.forEach((e, i) => {
			const c = certs[i];
			expect([e.file, sha256(c), cn(c.subject), cn(c.issuer), c.serialNumber.toUpperCase(), iso(c.validFrom), iso(c.validTo)]).toEqual([
				e.file,
				e.sha256,
				e.subjectCn,
				e.issuerCn,
				e.serialHex,
				e.notBefore,
				e.notAfter,
			]);
			expect(e.sourcePath).toBe(`etc/${e.file.replace('.pem', '.crt')}`);
		});
	});

	it('SOURCES.md states the same path, subject, issuer, validity and fingerprint as index.json', () => {
		const md = fs.readFileSync(path.join(ojCertificatesDirectory(), 'SOURCES.md'), 'utf8');
		expect(md).toContain('bc64a76d46a524f92299ee5c57f6a91fc3e58ccb');
		for (const e of index.certificates) {
			const row = md.split('\n').find((l) => l.startsWith(`| \`${e.file}\``));
			expect(row).toBe(
				`| \`${e.file}\` | \`${e.sourcePath}\` (\`${e.lastChangedIn.slice(0, 7)}\`) | ${e.subjectCn} | ${e.issuerCn} | ${e.notBefore} to ${e.notAfter} | \`${e.sha256}\` |`,
			);
		}
	});

	it('tl-mp1 is the LOTL signer the 2019 LOTL announces (Patrick Kremer, SHA-256 D2:06:4F:DD:…:84:74)', () => {
		const kremer = lotlSigner('Patrick Kremer');
		expect(certs[0].raw.equals(kremer.raw)).toBe(true);
		expect(sha256(certs[0])).toBe('d2064fdd70f6982dcc516b86d9d5c56aea939417c624b2e478c0b29de54f8474');
	});

	it('the bundled set alone verifies the 2019 LOTL at its issue date, and each national list under it', () => {
		const v = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: bundledOjCertificates(), at: AT });
		expect(v.list.sequenceNumber).toBe(248);
		expect(v.signature.signer.subject).toContain('Patrick Kremer');
		expect(v.pivots).toEqual([]);
		for (const t of TERRITORIES) expect(verifyNationalList(tlBytes(`${t}.xml`), v.list, t, { at: AT }).list.territory).toBe(t);
	});

	it('the broken-signature and the unsigned LOTL are still refused with their named reason', () => {
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl-broken-sig.xml'), { ojCertificates: bundledOjCertificates(), at: AT }))).toBe('TL_DIGEST_MISMATCH');
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl-no-sig.xml'), { ojCertificates: bundledOjCertificates(), at: AT }))).toBe('TL_SIGNATURE_MISSING');
	});

	it('the pivot LOTL 247 (signed by an OJ C 233/2016-era certificate not in the current set) is not anchored by the bundled set', () => {
		expect(codeOf(() => verifyLotl(tlBytes('eu-lotl-pivot.xml'), { ojCertificates: bundledOjCertificates(), at: AT }))).toBe('TL_SIGNER_NOT_TRUSTED');
	});

	it('hostile package contents: a swapped certificate file, a missing index, an empty index: TL_UNAVAILABLE', () => {
		const copy = (): string => {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oj-bundle-'));
			fs.cpSync(ojCertificatesDirectory(), dir, { recursive: true });
			return dir;
		};
		expect(bundledOjCertificates(copy())).toHaveLength(6);
		const swapped = copy();
		// Another real certificate in place of tl-mp2: loads as a certificate, but not the recorded one.
		fs.writeFileSync(path.join(swapped, 'tl-mp2.pem'), lotlSigner('Ottoy').toString());
		expect(codeOf(() => bundledOjCertificates(swapped))).toBe('TL_UNAVAILABLE');
		const missing = copy();
		fs.rmSync(path.join(missing, 'index.json'));
		expect(codeOf(() => bundledOjCertificates(missing))).toBe('TL_UNAVAILABLE');
		const empty = copy();
		fs.writeFileSync(path.join(empty, 'index.json'), JSON.stringify({ source: index.source, certificates: [] }));
		expect(codeOf(() => bundledOjCertificates(empty))).toBe('TL_UNAVAILABLE');
		const garbage = copy();
		fs.writeFileSync(path.join(garbage, 'tl-mp3.pem'), 'not a certificate');
		expect(codeOf(() => bundledOjCertificates(garbage))).toBe('TL_UNAVAILABLE');
	});
});
