/**
 * TrustSource: verification trust from the SK bundle (live / demo / both), the EU trusted lists and extra PEMs.
 * The EU part is loaded through the real fetch path (node:http against a loopback server serving the 2019 LOTL and
 * LV/LT/BE/SE lists at the addresses the LOTL names; the official LOTL address is the one asked for), then read
 * from the verified cache offline. The 2019 lists name no CA of the signers in our container fixtures (checked in
 * test/pki/trusted-lists/query.test.ts), so a real Belgian qualified certificate from the LOTL (EC_DIGIT, issued by
 * QuoVadis BE) stands in for a signer chaining through the lists.
 */
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
import { AT, OJ_2019, TERRITORIES, lotlSigner, lotlUnverified, tlBytes } from './trusted-lists/helpers';

jest.setTimeout(60_000);

let server: http.Server;
let base = '';
const asked: string[] = [];
const files = new Map<string, string>([['/lotl.xml', 'eu-lotl.xml'], ...TERRITORIES.map((t) => [`/${t}.xml`, `${t}.xml`] as [string, string])]);

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

function euOptions(cacheDir: string, extra: Record<string, unknown> = {}) {
	return { ojCertificates: OJ_2019(), cacheDir, fetcher: loopback, territories: [...TERRITORIES], listValidationTime: AT, now: () => new Date('2019-09-04T12:00:00Z'), timeoutMs: 2000, ...extra };
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

	it('EU lists without Official Journal certificates: TRUST_OJ_CERTIFICATES_REQUIRED, nothing fetched', async () => {
		const before = asked.length;
		await expect(TrustSource.load({ choice: 'eu', eu: { ojCertificates: [] } })).rejects.toMatchObject({ code: 'TRUST_OJ_CERTIFICATES_REQUIRED' });
		await expect(TrustSource.load({ choice: 'sk+eu' })).rejects.toBeInstanceOf(TrustSourceError);
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
