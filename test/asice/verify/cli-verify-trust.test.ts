/** `smart-id verify` trust options: --trust sk|sk-demo|sk-both|eu|sk+eu, --trust-pem, --oj-pem, --tl-cache, --tl-offline. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../lib/cli/verify';
import { fixturePath } from '../../helpers/fixtures';
import { EU_LOTL_URL, TrustedListLoader } from '../../../lib/pki/trusted-lists';
import { AT, OJ_2019, TERRITORIES, lotlSigner, lotlUnverified, tlBytes } from '../../pki/trusted-lists/helpers';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
	let out = '';
	let err = '';
	const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
	const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
	try {
		return { code: await run(args), out, err };
	} finally {
		o.mockRestore();
		e.mockRestore();
	}
}

const valid = fixturePath('containers', 'valid-asice.asice');

describe('smart-id verify --trust', () => {
	it('sk-both and sk-demo pass an SK demo container and say which bundle trusted the signer; sk (live) does not', async () => {
		for (const t of ['sk-both', 'sk-demo', 'demo']) {
			const r = await cli([valid, '--trust', t]);
			expect([t, r.code]).toEqual([t, 0]);
			expect(r.out).toMatch(/trusted by sk-demo: sk-demo anchor ".*"; level from the certificate's QCStatements: QESig/);
		}
		const live = await cli([valid, '--trust', 'sk']);
		expect(live.code).toBe(1);
		expect(live.out).toMatch(/CHAIN_UNTRUSTED/);
	});

	it('--json carries trustedBy per signature', async () => {
		const r = await cli([valid, '--json', '--trust', 'sk-demo']);
		const report = JSON.parse(r.out) as { validationConclusion: { signatures: Array<{ trustedBy: { source: string; signatureLevel: string } }> } };
		expect(report.validationConclusion.signatures[0].trustedBy).toMatchObject({ source: 'sk-demo', signatureLevel: 'QESig' });
	});

	it('eu with an empty --oj-pem file, or offline without a cache: exit 2 with the code', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-trust-'));
		const empty = path.join(dir, 'empty.pem');
		fs.writeFileSync(empty, '');
		const a = await cli([valid, '--trust', 'eu', '--oj-pem', empty, '--tl-cache', path.join(dir, 'empty'), '--tl-offline']);
		expect(a.code).toBe(2);
		expect(a.err).toMatch(/TRUST_OJ_CERTIFICATES_REQUIRED/);
		// No --oj-pem: the bundled set is used, so what is missing now is the cache.
		const b = await cli([valid, '--trust', 'sk+eu', '--tl-cache', path.join(dir, 'empty'), '--tl-offline']);
		expect(b.code).toBe(2);
		expect(b.err).toMatch(/TRUST_LISTS_UNAVAILABLE/);
		expect(b.out).toBe('');
	});

	it('sk+eu offline from a verified cache: the lists in use are named, and the SK demo container stays untrusted', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-trust-eu-'));
		const lotl = lotlUnverified();
		const locations = new Map<string, string>([[EU_LOTL_URL, 'eu-lotl.xml']]);
		for (const p of lotl.pointers) if ((TERRITORIES as readonly string[]).includes(p.territory)) locations.set(p.location, `${p.territory}.xml`);
		// Fill the cache the way a first online start would (the 2019 lists, checked at their issue date).
		const snap = await new TrustedListLoader({
			ojCertificates: OJ_2019(),
			cacheDir: dir,
			territories: [...TERRITORIES],
			fetcher: async (url) => tlBytes(locations.get(url)!),
			validationTime: () => AT,
		}).load();
		expect(snap.problems).toEqual([]);
		// No --oj-pem: the bundled Official Journal set verifies the cached LOTL.
		const r = await cli([valid, '--trust', 'sk+eu', '--tl-cache', dir, '--tl-offline']);
		expect(r.out).toMatch(/^trust: sk\+eu; EU LOTL 248, lists (BE|LT|LV|SE) \d+, .*; no problems$/m);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/CHAIN_UNTRUSTED/);
		// --oj-pem REPLACES the bundled set: a certificate that did not sign LOTL 248 leaves nothing verified.
		const other = path.join(os.tmpdir(), `cli-trust-oj-${process.pid}.pem`);
		fs.writeFileSync(other, lotlSigner('Ottoy').toString());
		const replaced = await cli([valid, '--trust', 'sk+eu', '--oj-pem', other, '--tl-cache', dir, '--tl-offline']);
		expect(replaced.code).toBe(2);
		expect(replaced.err).toMatch(/TRUST_LISTS_UNAVAILABLE.*TL_SIGNER_NOT_TRUSTED/s);
		// ...and the given one that did: verified again.
		fs.writeFileSync(other, OJ_2019()[0].toString());
		expect((await cli([valid, '--trust', 'sk+eu', '--oj-pem', other, '--tl-cache', dir, '--tl-offline'])).out).toMatch(/EU LOTL 248/);
	});

	it('refuses an unknown trust name and an unreadable --trust-pem', async () => {
		const a = await cli([valid, '--trust', 'everything']);
		expect(a.code).toBe(2);
		expect(a.err).toMatch(/--trust must be one of sk, sk-demo, sk-both, eu, sk\+eu/);
		const b = await cli([valid, '--trust-pem', '/nonexistent.pem']);
		expect(b.code).toBe(2);
		expect(b.err).toMatch(/Cannot read --trust-pem file/);
	});
});
