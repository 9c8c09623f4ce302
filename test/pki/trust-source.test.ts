/**
 * TrustSource: verification trust from the SK bundle (live / demo / both), the EU trusted lists and extra PEMs.
 * The EU part is loaded through the real fetch path (node:http against a loopback server serving the 2019 LOTL and
 * LV/LT/BE/SE lists at the addresses the LOTL names; the official LOTL address is the one asked for), then read
 * from the verified cache offline. The 2019 lists name no CA of the signers in our container fixtures (checked in
 * test/pki/trusted-lists/query.test.ts, and the Latvian container below), so a real Belgian qualified certificate
 * from the LOTL (EC_DIGIT, issued by QuoVadis BE) stands in for a container signer chaining through the lists; a real
 * Belgian PDF signer does so in test/pdf/verify/pdf-eu-trust.test.ts. No OJ certificate is given: the bundled set
 * anchors the LOTL.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { verifyContainer } from '../../lib/asice/verify';
import { buildChain } from '../../lib/pki/chain';
import { TrustSource, TrustSourceError, parseTrustChoice, storeFromTrustedLists } from '../../lib/pki/trust-source';
import { EU_LOTL_URL, httpFetcher, type TrustedListFetcher } from '../../lib/pki/trusted-lists';
import { fixturePath } from '../helpers/fixtures';
import { AT, TERRITORIES, lotlSigner, lotlUnverified, tlBytes } from './trusted-lists/helpers';

jest.setTimeout(60_000);

let server: http.Server;
let base = '';
const asked: string[] = [];
const files = new Map<string, string>([
	['/lotl.xml', 'eu-lotl.xml'],
	['/lotl-broken-sig.xml', 'eu-lotl-broken-sig.xml'],
	['/lotl-no-sig.xml', 'eu-lotl-no-sig.xml'],
	...TERRITORIES.map((t) => [`/${t}.xml`, `${t}.xml`] as [string, string]),
]);

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const f = files.get(req.url ?? '');
		if (!f) return void res.writeHead(404).end();
		const body = tlBytes(f);
		res.writeHead(200, { 'content-type': 'application/vnd.etsi.tsl+xml', 'content-length': body.length }).end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The addresses the LOTL names, answered by the loopback server over real HTTP. */
const locations = new Map<string, string>([[EU_LOTL_URL, '/lotl.xml']]);
for (const p of lotlUnverified().pointers) if ((TERRITORIES as readonly string[]).includes(p.territory)) locations.set(p.location, `/${p.territory}.xml`);
const loopback: TrustedListFetcher = (url, o) => {
	asked.push(url);
	return httpFetcher(`${base}${locations.get(url) ?? '/unknown'}`, o);
};
const unplugged: TrustedListFetcher = () => Promise.reject(new Error('no network in this test'));

/** EU options as the CLI / node build them: no OJ certificates given, so the bundled set anchors the LOTL. */
function euOptions(cacheDir: string, extra: Record<string, unknown> = {}) {
	return { cacheDir, fetcher: loopback, territories: [...TERRITORIES], listValidationTime: AT, now: () => new Date('2019-09-04T12:00:00Z'), timeoutMs: 2000, ...extra };
}

describe('trust choices', () => {
	it('parses the CLI / node spellings and refuses others', () => {
		expect(['sk', 'live', 'sk-demo', 'demo', 'sk-both', 'eu', 'SK+EU'].map(parseTrustChoice)).toEqual(['sk', 'sk', 'sk-demo', 'sk-demo', 'sk-both', 'eu', 'sk+eu']);
		expect(parseTrustChoice('everything')).toBeNull();
	});

	it('SK live + demo trusts what each bundle trusts', async () => {
		const both = TrustSource.sk('both');
		for (const env of ['live', 'demo'] as const) {
			for (const a of TrustSource.sk(env).store.anchors('signer')) expect(both.store.isAnchorFor(a, 'signer')).toBe(true);
		}
		const r = await verifyContainer(fs.readFileSync(fixturePath('containers', 'valid-asice.asice')), { trust: both });
		expect(r.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(r.validationConclusion.signatures[0].trustedBy).toMatchObject({ source: 'sk-demo' });
		const live = await verifyContainer(fs.readFileSync(fixturePath('containers', 'valid-asice.asice')), { trust: TrustSource.sk('live') });
		expect(live.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('CHAIN_UNTRUSTED');
	});

	it('EU lists with an explicitly empty OJ set: TRUST_OJ_CERTIFICATES_REQUIRED, nothing fetched; unreadable OJ PEM: TRUST_PEM_INVALID', async () => {
		const before = asked.length;
		await expect(TrustSource.load({ choice: 'eu', eu: { ojCertificates: [] } })).rejects.toMatchObject({ code: 'TRUST_OJ_CERTIFICATES_REQUIRED' });
		await expect(TrustSource.load({ choice: 'sk+eu', eu: { ojCertificates: ['  \n'] } })).rejects.toBeInstanceOf(TrustSourceError);
		await expect(TrustSource.load({ choice: 'eu', eu: { ojCertificates: ['hello'] } })).rejects.toMatchObject({ code: 'TRUST_PEM_INVALID' });
		expect(asked.length).toBe(before);
	});

	it('a broken extra PEM: TRUST_PEM_INVALID', async () => {
		await expect(TrustSource.load({ choice: 'sk-demo', extraPems: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'] })).rejects.toMatchObject({ code: 'TRUST_PEM_INVALID' });
	});
});

describe('EU trusted lists as a trust source', () => {
	const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-'));
	let eu: TrustSource;

	beforeAll(async () => {
		eu = await TrustSource.load({ choice: 'eu', eu: euOptions(cacheDir) });
	});

	it('fetches the official LOTL address and the lists it names, over HTTP', () => {
		expect(asked[0]).toBe(EU_LOTL_URL);
		expect(asked.slice(1).sort()).toEqual([...locations.keys()].filter((u) => u !== EU_LOTL_URL).sort());
		expect(eu.eu).toMatchObject({ lotlSequenceNumber: 248, problems: [] });
		expect(eu.eu!.territories.map((t) => t.territory).sort()).toEqual([...TERRITORIES].sort());
	});

	it('works out of the box: the bundled OJ set anchored LOTL 248 (signed by tl-mp1, Patrick Kremer) with no certificate given', () => {
		expect(eu.eu?.lotlSequenceNumber).toBe(248);
		expect(eu.lists.map((l) => l.territory).sort()).toEqual([...TERRITORIES].sort());
	});

	it('given OJ certificates REPLACE the bundled set: a set without the LOTL signer refuses it; one PEM text may hold several', async () => {
		const notTheSigner = await TrustSource.load({ choice: 'eu', eu: euOptions(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-oj-')), { ojCertificates: [lotlSigner('Ottoy').toString()] }) }).catch((e: unknown) => e);
		expect(notTheSigner).toMatchObject({ code: 'TRUST_LISTS_UNAVAILABLE', message: expect.stringMatching(/TL_SIGNER_NOT_TRUSTED/) });
		const pem = `${lotlSigner('de Boer').toString()}\n${lotlSigner('Patrick Kremer').toString()}`;
		const two = await TrustSource.load({ choice: 'eu', eu: euOptions(fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-oj-')), { ojCertificates: [pem] }) });
		expect(two.eu?.lotlSequenceNumber).toBe(248);
	});

	it.each([
		['/lotl-broken-sig.xml', 'TL_DIGEST_MISMATCH'],
		['/lotl-no-sig.xml', 'TL_SIGNATURE_MISSING'],
	])('bundled set, LOTL served from %s: refused (%s); an empty cache stays empty, a filled one is kept unchanged', async (route, code) => {
		const served: TrustedListFetcher = (url, o) => httpFetcher(`${base}${url === EU_LOTL_URL ? route : (locations.get(url) ?? '/unknown')}`, o);
		const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-bad-'));
		const refused = await TrustSource.load({ choice: 'eu', eu: euOptions(empty, { fetcher: served }) }).catch((e: unknown) => e);
		expect(refused).toMatchObject({ code: 'TRUST_LISTS_UNAVAILABLE', message: expect.stringContaining(code) });
		expect(fs.readdirSync(empty)).toEqual([]);
		// A verified cache two days old: the refresh downloads the bad LOTL, refuses it and keeps the cached lists.
		const filled = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-kept-'));
		fs.cpSync(cacheDir, filled, { recursive: true });
		// The list bytes and the LOTL's metadata (the national lists' download time may move: they downloaded fine).
		const snapshotFiles = (): Record<string, string> =>
			Object.fromEntries(
				fs
					.readdirSync(filled)
					.filter((f) => f.endsWith('.xml') || f.startsWith('lotl'))
					.sort()
					.map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(filled, f))).digest('hex')]),
			);
		const before = snapshotFiles();
		const kept = await TrustSource.load({ choice: 'eu', eu: euOptions(filled, { fetcher: served, now: () => new Date('2019-09-06T12:00:00Z') }) });
		expect(kept.eu).toMatchObject({ lotlSequenceNumber: 248, problems: [{ territory: 'EU', code, outcome: 'used-cache' }] });
		expect(snapshotFiles()).toEqual(before);
	});

	it('anchors by use: CA/QC for signers, TSA/QTST for timestamps, OCSP for their provider\'s CAs only', () => {
		const store = storeFromTrustedLists(eu.lists);
		expect(store.anchors('signer').length).toBeGreaterThan(10);
		expect(store.anchors('tsa').some((c) => c.subject.includes('eParaksts TSA A 2018'))).toBe(true);
		// No SK certificate: EU-only trust does not include the bundle.
		for (const a of TrustSource.sk('live').store.anchors('signer')) expect(eu.store.isAnchorFor(a, 'signer')).toBe(false);
	});

	it('a Belgian qualified certificate: trusted by the BE list, service and DSS label in the explanation', () => {
		const cert = lotlSigner('EC_DIGIT');
		const chain = buildChain(cert, { trust: eu.store, intermediates: [], at: AT }).chain;
		expect(chain).toHaveLength(2);
		const t = eu.explainSigner(cert, chain, AT);
		expect(t).toMatchObject({
			source: 'eu-trusted-list',
			list: { territory: 'BE', sequenceNumber: 43 },
			provider: 'QuoVadis Trustlink BVBA',
			service: 'QuoVadis BE PKI Certification Authority G2',
			serviceStatus: 'granted',
			qualification: 'QC_FOR_ESEAL',
			signatureLevel: 'QESeal',
			grantedAtBestSignatureTime: true,
		});
		// Before that service existed, the lists do not vouch for the signer: not granted at that time.
		const early = eu.explainSigner(cert, chain, new Date('2016-01-01T00:00:00Z'));
		expect(early).toMatchObject({ source: 'eu-trusted-list', signatureLevel: 'NA', grantedAtBestSignatureTime: false });
	});

	it('EU only: an SK demo container is untrusted; SK demo + EU: trusted by the bundle, said so per signature', async () => {
		const buf = fs.readFileSync(fixturePath('containers', 'valid-asice.asice'));
		const euOnly = await verifyContainer(buf, { trust: eu });
		expect(euOnly.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('CHAIN_UNTRUSTED');
		expect(euOnly.validationConclusion.signatures[0].trustedBy).toBeNull();
		const offline = await TrustSource.load({ choice: 'eu', eu: euOptions(cacheDir, { offline: true, fetcher: unplugged }) });
		const both = await verifyContainer(buf, { trust: TrustSource.fromTrustedLists({ ...snapshotOf(offline) }, { sk: 'demo' }) });
		expect(both.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(both.validationConclusion.signatures[0].trustedBy).toMatchObject({ source: 'sk-demo', signatureLevel: 'QESig' });
	});

	it('the Latvian container signer (DEMO LV eID ICA 2021 under DEMO eParaksts Root CA, a test PKI) chains through no list', async () => {
		const buf = fs.readFileSync(fixturePath('containers', 'latvian_LT_signature_with_7min_difference_between_TS_and_OCSP.asice'));
		const [s] = (await verifyContainer(buf, { trust: eu })).validationConclusion.signatures;
		expect(s.errors.map((e) => e.code)).toContain('CHAIN_UNTRUSTED');
		expect(s.trustedBy).toBeNull();
	});

	it('offline: the verified cache alone serves, without network; without a cache: TRUST_LISTS_UNAVAILABLE', async () => {
		const before = asked.length;
		const offline = await TrustSource.load({ choice: 'sk+eu', eu: euOptions(cacheDir, { offline: true, fetcher: unplugged }) });
		expect(asked.length).toBe(before);
		expect(offline.eu!.territories.every((t) => t.origin === 'cache')).toBe(true);
		expect(offline.lists).toHaveLength(4);
		const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-source-empty-'));
		await expect(TrustSource.load({ choice: 'eu', eu: euOptions(empty, { offline: true, fetcher: unplugged }) })).rejects.toMatchObject({ code: 'TRUST_LISTS_UNAVAILABLE' });
		// Online but nothing reachable and no cache: refused with the same code, the cause in the message.
		await expect(TrustSource.load({ choice: 'eu', eu: euOptions(empty, { fetcher: unplugged }) })).rejects.toThrow(/TRUST|no network/);
	});
});

/** A minimal snapshot carrying the lists of a loaded source (for fromTrustedLists). */
function snapshotOf(s: TrustSource): Parameters<typeof TrustSource.fromTrustedLists>[0] {
	return { lotl: null, lists: new Map(), problems: [], loadedAt: new Date(), oldestFetchedAt: null, ageMs: null, trustedLists: s.lists };
}
