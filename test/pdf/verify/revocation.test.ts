/**
 * Revocation data in the DSS: a CRL (no OCSP) from a local openssl CA proves the status of a locally made signature
 * timestamped by the simulator's TSA. Not revoked: TOTAL-PASSED as PAdES_BASELINE_LT; revoked before the signature
 * timestamp: CERTIFICATE_REVOKED; a CRL not signed by the issuer is not accepted.
 */
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signedAttributes, signedData, signPdf, verifyPdf } from '../../../lib/pdf';
import { requestTimestamp } from '../../../lib/pki/timestamp-client';
import { fixturePath } from '../../helpers/fixtures';
import { pdfsig, signaturesOf } from '../helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from '../helpers/signers';
import { appendRevision, codes, nextObject, replaceContents } from './helpers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
let base: string;
beforeAll(async () => {
	env = await startPdfSigningEnv();
	const a = env.signers[0];
	base = (await signPdf(fixturePath('pdf', 'minimal.pdf'), a.certificate, { certificates: a.chain, sign: a.sign, tsaUrl: env.sim.tsaUrl, trust: env.trust, out: path.join(env.dir, 'base.pdf') })).path;
});
afterAll(async () => {
	await env?.stop();
});

/** A CA with a signer certificate, made by openssl in `dir`; `revoke` revokes the signer now. */
function localCa(dir: string): { caPem: string; leafPem: string; leafKey: string; revoke(): void; crl(): Buffer } {
	fs.mkdirSync(dir, { recursive: true });
	const run = (args: string[]): void => {
		execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
	};
	fs.writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n');
	fs.writeFileSync(path.join(dir, 'index.txt'), '');
	fs.writeFileSync(path.join(dir, 'crlnumber'), '01\n');
	fs.writeFileSync(path.join(dir, 'ext'), 'keyUsage=critical,nonRepudiation,digitalSignature\n');
	run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=PDF CRL test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=PDF CRL test signer']);
	run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '10', '-extfile', 'ext']);
	const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
	return {
		caPem: read('ca.pem'),
		leafPem: read('leaf.pem'),
		leafKey: read('leaf.key'),
		revoke: () => run(['ca', '-config', 'ca.cnf', '-revoke', 'leaf.pem', '-keyfile', 'ca.key', '-cert', 'ca.pem']),
		crl: () => {
			run(['ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'crl.pem']);
			run(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
			return fs.readFileSync(path.join(dir, 'crl.der'));
		},
	};
}

/** The base PDF with a locally made, timestamped CMS, then a DSS revision holding `crl` and the CA certificate. */
async function signedWithCrl(name: string, ca: ReturnType<typeof localCa>, beforeCrl: () => void = () => undefined, crlFrom: ReturnType<typeof localCa> = ca): Promise<string> {
	const leaf = new X509Certificate(ca.leafPem).raw;
	const caDer = new X509Certificate(ca.caPem).raw;
	const attrs = signedAttributes('SHA-256', createHash('sha256').update(signaturesOf(base)[0].covered).digest(), leaf);
	const value = cryptoSign('sha256', attrs, { key: createPrivateKey(ca.leafKey), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
	const timestampToken = (await requestTimestamp(env.sim.tsaUrl, { data: value }, { hashAlgorithm: 'SHA-256', trust: env.trust })).tokenDer;
	const cms = signedData({ hashAlgorithm: 'SHA-256', signedAttributes: attrs, signature: value, signerDer: leaf, certificates: [caDer], timestampToken });
	const signed = replaceContents(base, path.join(env.dir, `${name}-signed.pdf`), cms);
	beforeCrl();
	const crl = crlFrom.crl();
	const n = nextObject(signed);
	const catalog = fs
		.readFileSync(signed, 'latin1')
		.match(/(?:^|\n)1 0 obj\s*([\s\S]*?)\s*endobj/g)!
		.pop()!
		.replace(/^\n?1 0 obj\s*/, '')
		.replace(/\s*endobj$/, '')
		.replace(/>>\s*$/, `/DSS ${n} 0 R >>`);
	const stream = (der: Buffer): string => `<< /Length ${der.length} >>\nstream\n${der.toString('latin1')}\nendstream`;
	return appendRevision(signed, path.join(env.dir, `${name}.pdf`), {
		1: catalog,
		[n]: `<< /Type /DSS /CRLs [${n + 1} 0 R] /Certs [${n + 2} 0 R] >>`,
		[n + 1]: stream(crl),
		[n + 2]: stream(caDer),
	});
}

it('a good status from a DSS CRL: TOTAL-PASSED as PAdES_BASELINE_LT (pdfsig: intact)', async () => {
	const ca = localCa(path.join(env.dir, 'ca-good'));
	const file = await signedWithCrl('good', ca);
	const vc = (await verifyPdf(file, { trust: env.trust.withAnchors([ca.caPem]) })).validationConclusion;
	expect(vc.signatures[0]).toMatchObject({ indication: 'TOTAL-PASSED', signatureFormat: 'PAdES_BASELINE_LT', bestSignatureTimeSource: 'SIGNATURE_TIMESTAMP' });
	expect(codes(vc.signatures[0])).toEqual(['REVISION_LATER_SIGNATURES_ONLY']);
	expect(pdfsig(file).signatures[0].valid).toBe(true);
});

it('revoked before the signature timestamp: CERTIFICATE_REVOKED', async () => {
	const ca = localCa(path.join(env.dir, 'ca-revoked'));
	ca.revoke();
	const file = await signedWithCrl('revoked', ca);
	const sig = (await verifyPdf(file, { trust: env.trust.withAnchors([ca.caPem]) })).validationConclusion.signatures[0];
	expect(codes(sig)).toContain('CERTIFICATE_REVOKED');
	expect(sig.indication).not.toBe('TOTAL-PASSED');
});

it('revoked only after the signature timestamp: the signature keeps its proof of existence and passes', async () => {
	const ca = localCa(path.join(env.dir, 'ca-later'));
	const file = await signedWithCrl('later', ca, () => {
		execFileSync('sleep', ['1.2']);
		ca.revoke();
	});
	const sig = (await verifyPdf(file, { trust: env.trust.withAnchors([ca.caPem]) })).validationConclusion.signatures[0];
	expect(codes(sig)).not.toContain('CERTIFICATE_REVOKED');
	expect(sig.indication).toBe('TOTAL-PASSED');
});

it('a CRL of another CA with the same name is not accepted (its signature does not verify)', async () => {
	const ca = localCa(path.join(env.dir, 'ca-one'));
	const impostor = localCa(path.join(env.dir, 'ca-two'));
	const file = await signedWithCrl('impostor', ca, () => undefined, impostor);
	const sig = (await verifyPdf(file, { trust: env.trust.withAnchors([ca.caPem]) })).validationConclusion.signatures[0];
	expect(codes(sig)).toContain('CRL_INVALID');
	expect(sig.indication).toBe('INDETERMINATE');
});
