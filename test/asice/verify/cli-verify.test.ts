import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../lib/cli/verify';
import { fixturePath, anchorPath } from '../../helpers/fixtures';
import { forgeZip, splitZip } from './forge';

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

const fixture = (f: string): string => fixturePath('containers', f);

describe('smart-id verify', () => {
	it('exit 0 and a human summary for a valid container', async () => {
		const r = await cli([fixture('valid-asice.asice')]);
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/valid-asice\.asice: TOTAL-PASSED \(1\/1 signatures valid\)/);
		expect(r.out).toMatch(/XAdES_BASELINE_LT by "ŽÕRINÜWŠKY,MÄRÜ-LÖÖZ,11404176865" at 2018-11-23T12:24:04.000Z \(signature timestamp\)/);
	});

	it('exit 1 for a failed signature, 2 for indeterminate, 1 wins over 2', async () => {
		expect((await cli([fixture('forged_lt.asice')])).code).toBe(1);
		expect((await cli([fixture('bdoc-tm-ocsp-revoked.bdoc')])).code).toBe(2);
		expect((await cli([fixture('bdoc-tm-ocsp-revoked.bdoc'), fixture('forged_lt.asice')])).code).toBe(1);
	});

	it('exit 1 without signatures, 2 for an unreadable file', async () => {
		expect((await cli([fixture('container_without_signatures.asice')])).code).toBe(1);
		const junk = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-cli-')), 'junk.asice');
		fs.writeFileSync(junk, 'not a zip at all');
		const r = await cli([junk]);
		expect(r.code).toBe(2);
		expect(r.out).toMatch(/CONTAINER_UNREADABLE/);
		expect((await cli([path.join(path.dirname(junk), 'missing.asice')])).code).toBe(2);
	});

	it('exit 1 and the named code for a forged container (unsigned twin, hidden local entry)', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-cli-'));
		const entries = splitZip(fs.readFileSync(fixture('valid-asice.asice')));
		const twin = path.join(dir, 'twin.asice');
		fs.writeFileSync(twin, forgeZip([...entries, { name: 'TEST.TXT', data: Buffer.from('evil') }]));
		const a = await cli([twin]);
		expect(a.code).toBe(1);
		expect(a.out).toMatch(/container error DATAFILE_NOT_SIGNED: .*<TEST\.TXT>/);
		expect(a.out).toMatch(/container error ENTRY_NAME_COLLISION/);
		const hidden = path.join(dir, 'hidden.asice');
		fs.writeFileSync(hidden, forgeZip([...entries, { name: 'evil.exe', data: Buffer.from('MZ'), unlisted: true }]));
		const b = await cli([hidden]);
		expect(b.code).toBe(1);
		expect(b.out).toMatch(/container error ZIP_UNLISTED_DATA/);
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('--json prints the SiVa-like report; --trust live and --anchor change trust', async () => {
		const r = await cli([fixture('latvian_LT_signature_with_7min_difference_between_TS_and_OCSP.asice'), '--json', '--trust', 'live']);
		const report = JSON.parse(r.out);
		expect(report.validationConclusion.signatures[0].errors.map((e: { code: string }) => e.code)).toContain('CHAIN_UNTRUSTED');
		expect(r.code).toBe(1);
		const lv = anchorPath('demo', 'DEMO_LV_eID_ICA_2021.pem');
		const tsa = anchorPath('demo', 'DEMO_SK_TIMESTAMPING_AUTHORITY_2023E.pem');
		const ok = await cli([fixture('latvian_LT_signature_with_7min_difference_between_TS_and_OCSP.asice'), '--trust', 'live', '--anchor', lv, '--anchor', tsa, '--json']);
		expect(JSON.parse(ok.out).validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(ok.code).toBe(0);
	});

	it('usage errors exit 2', async () => {
		expect((await cli([])).code).toBe(2);
		expect((await cli(['--trust', 'nope', 'x'])).code).toBe(2);
		expect((await cli(['--bogus', 'x'])).code).toBe(2);
	});
});
