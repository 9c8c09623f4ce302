import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { anchorPath } from '../helpers/fixtures';
import { call, TEST_STATE_DIR } from './helpers';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);
let sim: RunningSimulator;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-ocsp-'));
const file = (name: string) => path.join(work, name);
/** openssl with stdout + stderr (ocsp prints "Response verify OK" on stderr); throws with both on failure. */
function openssl(args: string[]): string {
	const run = spawnSync('openssl', args, { encoding: 'utf8' });
	const output = `${run.stdout}${run.stderr}`;
	if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${output}`);
	return output;
}

/** openssl whose exit status says nothing here (it exits non-zero for a non-successful OCSP response). */
function opensslOutput(args: string[]): string {
	const run = spawnSync('openssl', args, { encoding: 'utf8' });
	return `${run.stdout}${run.stderr}`;
}

interface CertInfo {
	serialNumber: string;
	pem: string;
	issuerPem: string;
	ocspStatus: string;
}

async function certificatesOf(documentNumber: string): Promise<{ auth: CertInfo; sign: CertInfo }> {
	return (await call(`${sim.controlUrl}accounts/${documentNumber}/certificates`)).body;
}

/**
 * POST: openssl itself sends the request (with a nonce) to the responder and checks signature, responder chain
 * and nonce (async, so this process keeps serving). GET: openssl builds the request, we GET it, openssl checks the
 * response against that request (no -cert: with -cert openssl would build a new request with another nonce).
 */
async function ocspCheck(info: CertInfo, tag: string, method: 'POST' | 'GET' = 'POST'): Promise<string> {
	fs.writeFileSync(file(`${tag}.leaf.pem`), info.pem);
	fs.writeFileSync(file(`${tag}.issuer.pem`), info.issuerPem);
	fs.writeFileSync(file('anchors.pem'), sim.caPems.join(''));
	if (method === 'POST') {
		const { stdout, stderr } = await execFileAsync('openssl', [
			'ocsp', '-issuer', file(`${tag}.issuer.pem`), '-cert', file(`${tag}.leaf.pem`), '-url', sim.ocspUrl,
			'-CAfile', file('anchors.pem'), '-resp_text',
		]);
		return `${stdout}${stderr}`;
	}
	openssl(['ocsp', '-issuer', file(`${tag}.issuer.pem`), '-cert', file(`${tag}.leaf.pem`), '-reqout', file(`${tag}.req`)]);
	const request = fs.readFileSync(file(`${tag}.req`));
	const response = await call(`${sim.ocspUrl}/${encodeURIComponent(request.toString('base64'))}`);
	expect(response.status).toBe(200);
	expect(response.contentType).toBe('application/ocsp-response');
	fs.writeFileSync(file(`${tag}.resp`), response.body);
	return openssl(['ocsp', '-reqin', file(`${tag}.req`), '-respin', file(`${tag}.resp`), '-CAfile', file('anchors.pem'), '-resp_text']);
}

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR });
});
afterAll(async () => {
	await sim.stop();
	fs.rmSync(work, { recursive: true, force: true });
});

describe('OCSP responder (RFC 6960) checked by openssl', () => {
	it('answers good for an issued certificate (ECDSA issuer), signed by the delegated responder, nonce echoed', async () => {
		const { auth } = await certificatesOf('PNOEE-40504040001-DEM0-Q');
		const out = await ocspCheck(auth, 'good');
		expect(out).toContain('Response verify OK');
		expect(out).toMatch(/leaf\.pem: good/);
		expect(out).toContain('OCSP Nonce');
		expect(out).toMatch(/Responder Id: [0-9A-F]{40}/);
		expect(out).toContain('TEST of Smart-ID Simulator EID-Q 2024E AIA OCSP RESPONDER');
	});

	it('answers through GET too, for the RSA issuer', async () => {
		const { sign } = await certificatesOf('PNOLV-050405-10009-DEM0-Q');
		const out = await ocspCheck(sign, 'get', 'GET');
		expect(out).toContain('Response verify OK');
		expect(out).toMatch(/Cert Status: good/);
		expect(out).toContain(`Serial Number: ${sign.serialNumber.toUpperCase()}`);
		expect(out).toContain('EID-Q 2024R AIA OCSP RESPONDER');
	});

	it('reports revoked after the control API revokes a certificate, with time and reason', async () => {
		const { sign } = await certificatesOf('PNOLT-40504040001-MOCK-Q');
		const revoked = await call(`${sim.controlUrl}certificates/revoke`, {
			body: { documentNumber: 'PNOLT-40504040001-MOCK-Q', purpose: 'sign', reason: 1, revocationTime: '2026-01-02T03:04:05Z' },
		});
		expect(revoked.body.serialNumbers).toEqual([sign.serialNumber]);
		const out = await ocspCheck(sign, 'revoked');
		expect(out).toContain('Response verify OK');
		expect(out).toMatch(/leaf\.pem: revoked/);
		expect(out).toMatch(/Reason: keyCompromise/);
		expect(out).toMatch(/Revocation Time: Jan {2}2 03:04:05 2026 GMT/);
		await call(`${sim.controlUrl}certificates/status`, { body: { serialNumber: sign.serialNumber, status: 'good' } });
		expect(await ocspCheck(sign, 'regood')).toMatch(/leaf\.pem: good/);
	});

	it('answers unknown for a serial it never issued and for a status set to unknown', async () => {
		const { auth } = await certificatesOf('PNOEE-40504040001-DEM0-Q');
		fs.writeFileSync(file('u.issuer.pem'), auth.issuerPem);
		fs.writeFileSync(file('anchors.pem'), sim.caPems.join(''));
		openssl(['ocsp', '-issuer', file('u.issuer.pem'), '-serial', `0x${randomBytes(12).toString('hex')}`, '-reqout', file('u.req')]);
		const response = await call(sim.ocspUrl, { raw: fs.readFileSync(file('u.req')), contentType: 'application/ocsp-request' });
		fs.writeFileSync(file('u.resp'), response.body);
		const out = openssl(['ocsp', '-reqin', file('u.req'), '-respin', file('u.resp'), '-issuer', file('u.issuer.pem'), '-CAfile', file('anchors.pem'), '-resp_text']);
		expect(out).toContain('Response verify OK');
		expect(out).toMatch(/Cert Status: unknown/);
		const { sign } = await certificatesOf('PNOEE-40504040001-DEM0-Q');
		await call(`${sim.controlUrl}certificates/status`, { body: { documentNumber: 'PNOEE-40504040001-DEM0-Q', purpose: 'sign', status: 'unknown' } });
		expect(await ocspCheck(sign, 'unk')).toMatch(/leaf\.pem: unknown/);
	});

	it('answers for the issuing CAs themselves (signed by the root) and for SHA-256 CertIDs', async () => {
		fs.writeFileSync(file('root.pem'), sim.caPems[0]);
		fs.writeFileSync(file('e.pem'), sim.caPems[1]);
		fs.writeFileSync(file('anchors.pem'), sim.caPems.join(''));
		const { stdout, stderr } = await execFileAsync('openssl', [
			'ocsp', '-issuer', file('root.pem'), '-cert', file('e.pem'), '-url', sim.ocspUrl, '-CAfile', file('anchors.pem'), '-resp_text',
		]);
		expect(`${stdout}${stderr}`).toContain('Response verify OK');
		expect(stdout).toMatch(/e\.pem: good/);
		expect(stdout).not.toContain('AIA OCSP RESPONDER');
		const { auth } = await certificatesOf('PNOEE-40504040001-DEM0-Q');
		fs.writeFileSync(file('s.leaf.pem'), auth.pem);
		fs.writeFileSync(file('s.issuer.pem'), auth.issuerPem);
		const sha256 = await execFileAsync('openssl', [
			'ocsp', '-sha256', '-issuer', file('s.issuer.pem'), '-cert', file('s.leaf.pem'), '-url', sim.ocspUrl, '-CAfile', file('anchors.pem'), '-resp_text',
		]);
		expect(sha256.stdout).toMatch(/Hash Algorithm: sha256/);
		expect(sha256.stdout).toMatch(/s\.leaf\.pem: good/);
	});

	it('answers unauthorized for an issuer it does not serve, malformedRequest for garbage', async () => {
		const foreign = anchorPath('demo', 'TEST_of_SK_ID_Solutions_EID-Q_2024E.pem');
		openssl(['ocsp', '-issuer', foreign, '-serial', '0x01', '-reqout', file('f.req')]);
		const unauthorized = await call(sim.ocspUrl, { raw: fs.readFileSync(file('f.req')), contentType: 'application/ocsp-request' });
		fs.writeFileSync(file('f.resp'), unauthorized.body);
		expect(opensslOutput(['ocsp', '-respin', file('f.resp'), '-resp_text', '-noverify'])).toMatch(/unauthorized/);
		const garbage = await call(sim.ocspUrl, { raw: Buffer.from('hello'), contentType: 'application/ocsp-request' });
		fs.writeFileSync(file('g.resp'), garbage.body);
		expect(opensslOutput(['ocsp', '-respin', file('g.resp'), '-resp_text', '-noverify'])).toMatch(/malformedrequest/i);
	});

	it('OCSP faults apply to the responder (503 then normal)', async () => {
		await call(`${sim.controlUrl}faults`, { body: { kind: 'status', status: 503, target: 'ocsp', times: 1 } });
		const { auth } = await certificatesOf('PNOEE-40504040001-DEM0-Q');
		fs.writeFileSync(file('fault.leaf.pem'), auth.pem);
		fs.writeFileSync(file('fault.issuer.pem'), auth.issuerPem);
		openssl(['ocsp', '-issuer', file('fault.issuer.pem'), '-cert', file('fault.leaf.pem'), '-reqout', file('fault.req')]);
		const first = await call(sim.ocspUrl, { raw: fs.readFileSync(file('fault.req')), contentType: 'application/ocsp-request' });
		expect(first.status).toBe(503);
		expect(await ocspCheck(auth, 'after')).toContain('Response verify OK');
	});
});

describe('TSA (RFC 3161) checked by openssl ts', () => {
	function query(data: Buffer, tag: string, digest = '-sha256', cert = true): Buffer {
		fs.writeFileSync(file(`${tag}.data`), data);
		const args = ['ts', '-query', '-data', file(`${tag}.data`), digest, '-out', file(`${tag}.tsq`)];
		if (cert) args.push('-cert');
		openssl(args);
		return fs.readFileSync(file(`${tag}.tsq`));
	}

	it('issues a token openssl ts -verify accepts against the simulator root, nonce and imprint matching', async () => {
		const data = randomBytes(200);
		const response = await call(sim.tsaUrl, { raw: query(data, 'ts1'), contentType: 'application/timestamp-query' });
		expect(response.status).toBe(200);
		expect(response.contentType).toBe('application/timestamp-reply');
		fs.writeFileSync(file('ts1.tsr'), response.body);
		fs.writeFileSync(file('root.pem'), sim.caPems[0]);
		fs.writeFileSync(file('tsa.pem'), sim.tsaCertPem);
		const verified = openssl(['ts', '-verify', '-in', file('ts1.tsr'), '-queryfile', file('ts1.tsq'), '-CAfile', file('root.pem'), '-untrusted', file('tsa.pem')]);
		expect(verified).toContain('Verification: OK');
		expect(openssl(['ts', '-verify', '-in', file('ts1.tsr'), '-data', file('ts1.data'), '-CAfile', file('root.pem'), '-untrusted', file('tsa.pem')])).toContain('Verification: OK');
		const text = openssl(['ts', '-reply', '-in', file('ts1.tsr'), '-text']);
		expect(text).toContain('Status: Granted');
		expect(text).toMatch(/Policy OID: 0\.4\.0\.2023\.1\.1/);
		// Other data must not verify (the check can fail).
		fs.writeFileSync(file('other.data'), randomBytes(10));
		expect(() => openssl(['ts', '-verify', '-in', file('ts1.tsr'), '-data', file('other.data'), '-CAfile', file('root.pem'), '-untrusted', file('tsa.pem')])).toThrow();
	});

	it('supports SHA-512 imprints and requests without certReq', async () => {
		const response = await call(sim.tsaUrl, { raw: query(randomBytes(50), 'ts2', '-sha512', false), contentType: 'application/timestamp-query' });
		fs.writeFileSync(file('ts2.tsr'), response.body);
		fs.writeFileSync(file('root.pem'), sim.caPems[0]);
		fs.writeFileSync(file('tsa.pem'), sim.tsaCertPem);
		expect(
			openssl(['ts', '-verify', '-in', file('ts2.tsr'), '-data', file('ts2.data'), '-sha512', '-CAfile', file('root.pem'), '-untrusted', file('tsa.pem')].filter((a) => a !== '-sha512')),
		).toContain('Verification: OK');
	});

	it('TSA faults: a dropped connection, then latency', async () => {
		await call(`${sim.controlUrl}faults`, { body: { kind: 'drop', target: 'tsa', times: 1 } });
		const request = query(randomBytes(20), 'ts3');
		await expect(fetch(sim.tsaUrl, { method: 'POST', body: request, headers: { 'content-type': 'application/timestamp-query' } })).rejects.toThrow();
		await call(`${sim.controlUrl}faults`, { body: { kind: 'latency', latencyMs: 400, target: 'tsa', times: 1 } });
		const slow = await call(sim.tsaUrl, { raw: request, contentType: 'application/timestamp-query' });
		expect(slow.status).toBe(200);
		expect(slow.ms).toBeGreaterThanOrEqual(380);
	});

	it('rejects garbage with a PKIStatus rejection', async () => {
		const response = await call(sim.tsaUrl, { raw: Buffer.from('nope'), contentType: 'application/timestamp-query' });
		fs.writeFileSync(file('bad.tsr'), response.body);
		expect(openssl(['ts', '-reply', '-in', file('bad.tsr'), '-text'])).toMatch(/Status: Rejected/);
	});
});
