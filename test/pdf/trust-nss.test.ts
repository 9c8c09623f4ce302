/**
 * Trust, from outside: with the simulator's root CA in an NSS database (trusted for S/MIME signing, "C,C,": NSS
 * checks a PDF signer as an e-mail signer, so the brief's "C,," leaves the issuer untrusted), NSS accepts the chain
 * of the certificate in a PDF we signed, and pdfsig no longer says the issuer is untrusted or unknown; with an empty
 * database it does.
 *
 * poppler 22.12 (Debian 12) reads NSS's last error code even when CERT_PKIXVerifyCert succeeded: NSS leaves
 * SEC_ERROR_EXTENSION_NOT_FOUND (-8157, set while it looked for the absent NameConstraints / subjectAltName
 * extensions of the chain) and pdfsig prints "Unknown issue with Certificate or corrupted data." for a chain NSS
 * accepted (seen under gdb: CERT_PKIXVerifyCert returned 0, PORT_GetError -8157). Newer poppler checks the return
 * value and prints "Certificate is Trusted."; so this test accepts either of those two lines for the trusted
 * database, and asks NSS itself (vfychain, libpkix, usage 4 = e-mail signer) for the verdict on the same chain.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signPdf } from '../../lib/pdf';
import { fixturePath } from '../helpers/fixtures';
import { startPdfSigningEnv, type PdfSigningEnv } from './helpers/signers';

jest.setTimeout(120_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

/** A fresh NSS database (no password) holding the given CA certificates as trusted for signing. */
function nssDb(name: string, roots: string[]): string {
	const db = path.join(env.dir, name);
	fs.mkdirSync(db);
	execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
	// "C,C,": a trusted CA for TLS and for S/MIME (e-mail signer, the usage pdfsig verifies PDF signers for).
	roots.forEach((pem, i) => {
		fs.writeFileSync(path.join(db, `root${i}.pem`), pem);
		execFileSync('certutil', ['-A', '-n', `simroot${i}`, '-t', 'C,C,', '-i', path.join(db, `root${i}.pem`), '-d', `sql:${db}`]);
	});
	return db;
}

it('with the simulator root in the NSS database the signer chain is accepted, without it pdfsig says the issuer is not trusted', async () => {
	const [a, b] = env.signers;
	const one = await signPdf(fixturePath('pdf', 'minimal.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: path.join(env.dir, 'one.pdf'), visible: { mode: 'page' } });
	const two = await signPdf(one.path, b.certificate, { certificates: b.chain, sign: b.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: path.join(env.dir, 'two.pdf'), visible: { mode: 'page' } });
	// The root: the self-signed CA certificates the simulator announces.
	const roots = env.sim.caPems.filter((pem) => {
		const c = new X509Certificate(pem);
		return c.subject === c.issuer && c.verify(c.publicKey);
	});
	expect(roots.length).toBeGreaterThan(0);
	const db = nssDb('trusted', roots);
	// -no-ocsp: the chain's trust only (with online OCSP on, pdfsig took minutes per file against the simulator here;
	// not investigated, the OCSP answers are checked by lib/pdf and the other PDF tests).
	const trusted = spawnSync('pdfsig', ['-no-ocsp', '-nssdir', `sql:${db}`, two.path], { encoding: 'utf8' }).stdout;
	const blocks = trusted.split(/^Signature #/m).slice(1);
	expect(blocks).toHaveLength(2);
	for (const block of blocks) {
		expect(block).toContain('Signature is Valid.');
		expect(block).toMatch(/Certificate Validation: (Certificate is Trusted\.|Unknown issue with Certificate or corrupted data\.)/);
		expect(block).not.toMatch(/issuer isn't Trusted|issuer is unknown/);
	}
	// NSS's own verdict on each signer's chain, e-mail signer usage, libpkix (as pdfsig asks).
	for (const signer of [a, b]) {
		const files = [Buffer.from(signer.certificate, 'base64'), ...signer.chain].map((der, i) => {
			const file = path.join(env.dir, `${signer.documentNumber}-${i}.pem`);
			fs.writeFileSync(file, new X509Certificate(der).toString());
			return file;
		});
		const verdict = spawnSync('vfychain', ['-d', `sql:${db}`, '-pp', '-u', '4', ...files.flatMap((f) => ['-a', f])], { encoding: 'utf8' });
		expect(verdict.stdout + verdict.stderr).toContain('Chain is good!');
		const empty = spawnSync('vfychain', ['-d', `sql:${nssDb(`empty-${signer.documentNumber}`, [])}`, '-pp', '-u', '4', ...files.flatMap((f) => ['-a', f])], { encoding: 'utf8' });
		expect(empty.stdout + empty.stderr).toContain('Chain is bad!');
	}
	const untrusted = spawnSync('pdfsig', ['-no-ocsp', '-nssdir', `sql:${nssDb('empty', [])}`, two.path], { encoding: 'utf8' }).stdout;
	expect(untrusted).not.toContain('Certificate is Trusted.');
	expect(untrusted).toMatch(/Certificate issuer isn't Trusted|Certificate issuer is unknown/);
});
