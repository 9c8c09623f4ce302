import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { fixturePath } from '../../helpers/fixtures';
import { EU_LOTL_URL, httpFetcher, parseTrustedListXml, readTrustedList, type TrustedList, type TrustedListFetcher } from '../../../lib/pki/trusted-lists';

/** Bytes of a file in test/fixtures/trusted-lists. */
export function tlBytes(name: string): Buffer {
	return fs.readFileSync(fixturePath('trusted-lists', name));
}

/** Validation time: shortly after the LOTL (sequence 248) was issued, 2019-09-04T08:00Z. */
export const AT = new Date('2019-09-04T10:00:00Z');

/** The LOTL read without verification (only to pick certificates the tests then set as known-good). */
export function lotlUnverified(name = 'eu-lotl.xml'): TrustedList {
	return readTrustedList(parseTrustedListXml(tlBytes(name)));
}

/** The LOTL signing certificate announced in the LOTL whose subject contains `cn`. */
export function lotlSigner(cn: string): X509Certificate {
	const eu = lotlUnverified().pointers.find((p) => p.territory === 'EU')!;
	const c = eu.certificates.map((d) => new X509Certificate(d)).find((x) => x.subject.includes(cn));
	if (!c) throw new Error(`no LOTL signer ${cn}`);
	return c;
}

/**
 * Known-good Official Journal certificates for the 2019 fixtures: OJ C 276 (2019) announced the set the LOTL of
 * 2019-09-04 is signed with; Patrick Kremer's certificate signed it.
 */
export const OJ_2019 = (): X509Certificate[] => [lotlSigner('Patrick Kremer')];
/** The signer of pivot LOTL 247 (an OJ C 233 (2016)-era certificate): anchors 248 only through the pivot. */
export const OJ_PIVOT_SIGNER = (): X509Certificate[] => [lotlSigner('de Boer')];

export const TERRITORIES = ['LV', 'LT', 'BE', 'SE'] as const;

/**
 * A loopback HTTP server answering the official LOTL address and the TSLLocation of each of `territories` with the
 * fixture lists, through the real fetcher (node:http): the way the loader meets the network, without the network.
 */
export async function serveTrustedLists(territories: readonly string[] = TERRITORIES): Promise<{ fetcher: TrustedListFetcher; asked: string[]; close: () => Promise<void> }> {
	const files = new Map<string, string>([['/lotl.xml', 'eu-lotl.xml'], ...territories.map((t) => [`/${t}.xml`, `${t}.xml`] as [string, string])]);
	const server = http.createServer((req, res) => {
		const f = files.get(req.url ?? '');
		if (!f) return void res.writeHead(404).end();
		const body = tlBytes(f);
		res.writeHead(200, { 'content-type': 'application/vnd.etsi.tsl+xml', 'content-length': body.length }).end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const paths = new Map<string, string>([[EU_LOTL_URL, '/lotl.xml']]);
	for (const p of lotlUnverified().pointers) if (territories.includes(p.territory)) paths.set(p.location, `/${p.territory}.xml`);
	const asked: string[] = [];
	const fetcher: TrustedListFetcher = (url, o) => {
		asked.push(url);
		return httpFetcher(`${base}${paths.get(url) ?? '/unknown'}`, o);
	};
	return { fetcher, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
