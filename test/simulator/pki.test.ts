import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountRegistry } from '../../lib/simulator/accounts';
import { TestPki } from '../../lib/simulator/pki';
import { StateDir } from '../../lib/simulator/state-dir';
import { TEST_STATE_DIR } from './helpers';

jest.setTimeout(120_000);

const OCSP_URL = 'http://127.0.0.1:45678/ocsp';
let pki: TestPki;
const registry = new AccountRegistry();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-pki-'));

function text(pem: string): string {
	const file = path.join(work, `c${Math.random().toString(16).slice(2)}.pem`);
	fs.writeFileSync(file, pem);
	return execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
}

beforeAll(async () => {
	pki = await TestPki.open(new StateDir(TEST_STATE_DIR));
});

describe('test PKI', () => {
	it('writes root and both issuing CAs as PEM files, ECDSA "E" and RSA "R"', () => {
		const paths = pki.caPemPaths();
		expect(paths).toHaveLength(3);
		const [root, e, r] = paths.map((p) => fs.readFileSync(p, 'utf8'));
		expect(text(root)).toMatch(/Subject: CN ?= ?TEST of Smart-ID Simulator ROOT G1E/);
		expect(text(e)).toMatch(/ASN1 OID: secp384r1/);
		expect(text(r)).toMatch(/rsaEncryption[\s\S]*Public-Key: \(4096 bit\)/);
		// Both issuing CAs chain to the root (openssl, independent of our code).
		for (const ca of [e, r]) {
			const file = path.join(work, 'ca.pem');
			fs.writeFileSync(file, ca);
			expect(execFileSync('openssl', ['verify', '-CAfile', paths[0], file], { encoding: 'utf8' })).toContain(': OK');
		}
	});

	it('reopens from the state dir with the same CA (stable across restarts)', async () => {
		const again = await TestPki.open(new StateDir(TEST_STATE_DIR));
		expect(again.entity('root').der.equals(pki.entity('root').der)).toBe(true);
		expect(again.entity('tsa').der.equals(pki.entity('tsa').der)).toBe(true);
	});

	it('OCSP responders are delegated (EKU OCSPSigning, nocheck) and the TSA has critical EKU timeStamping', () => {
		const ocsp = text(pki.entity('ocsp-E').pem);
		expect(ocsp).toMatch(/Extended Key Usage: critical\s+OCSP Signing/);
		expect(ocsp).toMatch(/OCSP No Check/);
		expect(ocsp).toMatch(/Issuer: CN ?= ?TEST of Smart-ID Simulator EID-Q 2024E/);
		expect(text(pki.entity('tsa').pem)).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
	});

	it('issues a qualified auth + signing certificate pair with the SK profile', async () => {
		const account = registry.byDocumentNumber('PNOEE-40504040001-DEM0-Q')!;
		const auth = await pki.credentials(account, 'auth', OCSP_URL);
		const sign = await pki.credentials(account, 'sign', OCSP_URL);
		const authText = text(auth.cert.toString());
		expect(authText).toMatch(/Subject: C ?= ?EE, CN ?= ?"?TEST,OK"?, SN ?= ?TEST, GN ?= ?OK, serialNumber ?= ?PNOEE-40504040001/);
		expect(authText).toContain('DirName:/CN=PNOEE-40504040001-DEM0-Q');
		expect(authText).toMatch(/Policy: 1\.3\.6\.1\.4\.1\.10015\.17\.2[\s\S]*Policy: 0\.4\.0\.2042\.1\.2/);
		expect(authText).toMatch(/Extended Key Usage:\s+1\.3\.6\.1\.4\.1\.62306\.5\.7\.0/);
		expect(authText).toMatch(/Key Usage: critical\s+Digital Signature\n/);
		expect(authText).toContain(`OCSP - URI:${OCSP_URL}`);
		expect(authText).toMatch(/Public-Key: \((4096|6144) bit\)/);
		const signText = text(sign.cert.toString());
		expect(signText).toMatch(/Policy: 1\.3\.6\.1\.4\.1\.10015\.17\.2[\s\S]*Policy: 0\.4\.0\.194112\.1\.2/);
		expect(signText).toMatch(/Key Usage: critical\s+Non Repudiation/);
		expect(signText).toContain('qcStatements');
		expect(signText).not.toContain('Extended Key Usage');
		// DOB attribute: signing cert from the code, auth cert with SK's mock quirk.
		expect(sign.der.toString('latin1')).toContain('19050404120000Z');
		expect(auth.der.toString('latin1')).toContain('19990101120000Z');
		expect(auth.cert.checkPrivateKey(auth.privateKey)).toBe(true);
		const chain = path.join(work, 'leaf.pem');
		fs.writeFileSync(chain, sign.cert.toString());
		const [root, e] = pki.caPemPaths();
		expect(
			execFileSync('openssl', ['verify', '-CAfile', root, '-untrusted', e, chain], { encoding: 'utf8' }),
		).toContain(': OK');
	});

	it('issues Basic (ADVANCED) certificates with NQ policies and no QC statements, from the RSA CA for LV', async () => {
		const account = registry.byDocumentNumber('PNOLV-050404-19993-DEMO-NQ')!;
		const sign = await pki.credentials(account, 'sign', OCSP_URL);
		const signText = text(sign.cert.toString());
		expect(signText).toMatch(/Policy: 1\.3\.6\.1\.4\.1\.10015\.17\.1[\s\S]*Policy: 0\.4\.0\.2042\.1\.1/);
		expect(signText).not.toContain('qcStatements');
		expect(signText).toMatch(/Signature Algorithm: sha384WithRSAEncryption/);
		expect(signText).toMatch(/Issuer: CN ?= ?TEST of Smart-ID Simulator EID-Q 2024R/);
	});

	it('re-issues (same key) when the OCSP URL changes, and knows what it issued', async () => {
		const account = registry.byDocumentNumber('PNOEE-40504040001-DEM0-Q')!;
		const a = await pki.credentials(account, 'auth', OCSP_URL);
		const b = await pki.credentials(account, 'auth', 'http://127.0.0.1:45679/ocsp');
		expect(a.cert.serialNumber).not.toBe(b.cert.serialNumber);
		expect(b.cert.checkPrivateKey(a.privateKey)).toBe(true);
		expect(pki.issuedCertificate(b.cert.serialNumber)?.raw.equals(b.der)).toBe(true);
		expect(pki.issuedCertificate('7f0102030405')).toBeUndefined();
	});

	it('two simulators opening one fresh state dir at once end up with the same CA (lock); other dirs differ', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-pki-race-'));
		const [a, b] = await Promise.all([TestPki.open(new StateDir(dir)), TestPki.open(new StateDir(dir))]);
		expect(a.entity('root').der.equals(b.entity('root').der)).toBe(true);
		expect(a.entity('R').der.equals(b.entity('R').der)).toBe(true);
		// ... and separate state dirs are independent PKIs.
		expect(a.entity('root').der.equals(pki.entity('root').der)).toBe(false);
		fs.rmSync(dir, { recursive: true, force: true });
	});
});
