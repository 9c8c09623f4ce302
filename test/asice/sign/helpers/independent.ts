/**
 * Checks that use none of our code: xmllint (libxml2) for canonical XML, openssl for digests, RSASSA-PSS,
 * timestamp tokens and OCSP responses, Python's zipfile for the ZIP structure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const NS_DECLS = {
	asic: 'xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"',
	ds: 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
	xades: 'xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"',
};

function tmp(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'indep-'));
}

/** The text of the first `<qname ...>...</qname>` element in `xml` (no nesting of the same name in our files). */
export function extractElement(xml: string, qname: string, from = 0): string {
	const start = xml.indexOf(`<${qname}`, from);
	if (start < 0) throw new Error(`no <${qname}> in the document`);
	const endTag = `</${qname}>`;
	const end = xml.indexOf(endTag, start);
	if (end < 0) throw new Error(`no </${qname}>`);
	return xml.slice(start, end + endTag.length);
}

/** All element texts with that name. */
export function extractAll(xml: string, qname: string): string[] {
	const out: string[] = [];
	let at = 0;
	for (;;) {
		const start = xml.indexOf(`<${qname}`, at);
		if (start < 0) return out;
		const el = extractElement(xml, qname, start);
		out.push(el);
		at = start + el.length;
	}
}

/** Text content of a simple element. */
export function innerText(element: string): string {
	return element.slice(element.indexOf('>') + 1, element.lastIndexOf('</'));
}

/**
 * Exclusive c14n of an element cut out of its document: the element becomes a standalone document that
 * declares the namespaces in scope at its place (all of asic/ds/xades: exclusive c14n drops unused ones).
 */
export function xmllintExcC14n(element: string, inScope: string[] = Object.values(NS_DECLS)): Buffer {
	const dir = tmp();
	try {
		const nameEnd = element.search(/[\s>/]/);
		const standalone = element.slice(0, nameEnd) + ' ' + inScope.join(' ') + element.slice(nameEnd);
		fs.writeFileSync(path.join(dir, 'in.xml'), standalone);
		return execFileSync('xmllint', ['--exc-c14n', path.join(dir, 'in.xml')], { maxBuffer: 64 << 20 });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `openssl dgst -<alg> -binary`. */
export function opensslDigest(alg: 'sha256' | 'sha384' | 'sha512', data: Buffer): Buffer {
	return execFileSync('openssl', ['dgst', `-${alg}`, '-binary'], { input: data });
}

/** `sha256sum FILE` as Base64. */
export function sha256sumBase64(file: string): string {
	const hex = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
	return Buffer.from(hex, 'hex').toString('base64');
}

/** Verify a prehashed RSA signature with `openssl pkeyutl -verify` against a certificate. */
export function opensslVerifyDigest(certPem: string, digest: Buffer, signature: Buffer, alg: string, scheme: 'pss' | 'pkcs1'): boolean {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'cert.pem'), certPem);
		fs.writeFileSync(path.join(dir, 'digest.bin'), digest);
		fs.writeFileSync(path.join(dir, 'sig.bin'), signature);
		const opts = scheme === 'pss' ? ['-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:digest', '-pkeyopt', `digest:${alg}`] : ['-pkeyopt', 'rsa_padding_mode:pkcs1', '-pkeyopt', `digest:${alg}`];
		const r = spawnSync('openssl', ['pkeyutl', '-verify', '-certin', '-inkey', 'cert.pem', '-in', 'digest.bin', '-sigfile', 'sig.bin', ...opts], { cwd: dir, encoding: 'utf8' });
		return r.status === 0 && /Signature Verified Successfully/.test(r.stdout);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `openssl ts -verify` of a token over `data`, chaining to `caPem`. Returns openssl's output. */
export function opensslTsVerify(token: Buffer, data: Buffer, caPem: string): { ok: boolean; output: string } {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'token.der'), token);
		fs.writeFileSync(path.join(dir, 'data.bin'), data);
		fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
		const r = spawnSync('openssl', ['ts', '-verify', '-in', 'token.der', '-token_in', '-data', 'data.bin', '-CAfile', 'ca.pem'], { cwd: dir, encoding: 'utf8' });
		return { ok: r.status === 0 && /Verification: OK/.test(r.stdout), output: r.stdout + r.stderr };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `openssl ts -reply -in token -token_in -text`: the genTime line. */
export function opensslTsGenTime(token: Buffer): Date {
	const dir = tmp();
	let out: string;
	try {
		fs.writeFileSync(path.join(dir, 'token.der'), token);
		out = execFileSync('openssl', ['ts', '-reply', '-in', 'token.der', '-token_in', '-text'], { cwd: dir, encoding: 'utf8' });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	const m = /Time stamp: (.+)/.exec(out);
	if (!m) throw new Error('no genTime');
	return new Date(m[1].trim());
}

/** `openssl ocsp -respin` verification + status of `certPem`. */
export function opensslOcspCheck(response: Buffer, issuerPem: string, certPem: string, caPem: string): { ok: boolean; status: string; producedAt: Date; output: string } {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'resp.der'), response);
		fs.writeFileSync(path.join(dir, 'issuer.pem'), issuerPem);
		fs.writeFileSync(path.join(dir, 'cert.pem'), certPem);
		fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
		const r = spawnSync('openssl', ['ocsp', '-respin', 'resp.der', '-issuer', 'issuer.pem', '-cert', 'cert.pem', '-CAfile', 'ca.pem', '-no_nonce', '-resp_text'], { cwd: dir, encoding: 'utf8' });
		const output = r.stdout + r.stderr;
		const status = /cert\.pem: (\w+)/.exec(output)?.[1] ?? 'none';
		const produced = /Produced At: (.+)/.exec(output)?.[1] ?? '';
		return { ok: r.status === 0 && /Response verify OK/.test(output), status, producedAt: new Date(produced), output };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Entries of a ZIP as Python's zipfile reads them (testzip passes), with their bytes. */
export function pythonZipEntries(file: string): { name: string; data: Buffer; compress: number; extraLength: number }[] {
	const script = `
import zipfile, json, sys, base64
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, bad
print(json.dumps([{"name": i.filename, "data": base64.b64encode(z.read(i)).decode(), "compress": i.compress_type, "extra": len(i.extra)} for i in z.infolist()]))`;
	const list = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 512 << 20 })) as { name: string; data: string; compress: number; extra: number }[];
	return list.map((e) => ({ name: e.name, data: Buffer.from(e.data, 'base64'), compress: e.compress, extraLength: e.extra }));
}
