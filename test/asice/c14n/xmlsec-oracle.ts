import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What xmlsec1 (libxml2's c14n, an implementation independent of ours) computed while signing a template. */
export interface OracleOutput {
	/** Pre-digest bytes of each ds:Reference, in SignedInfo order. */
	preDigest: string[];
	/** Canonical SignedInfo bytes (over the signed document). */
	preSigned: string;
	/** The signed document xmlsec1 wrote. */
	signedXml: string;
}

let dir: string | undefined;

/** True when the xmlsec1 binary is on PATH (Debian package `xmlsec1`). */
export function hasXmlsec1(): boolean {
	try {
		execFileSync('xmlsec1', ['--version'], { stdio: 'pipe' });
		return true;
	} catch {
		return false;
	}
}

/**
 * Sign `template` (containing one ds:Signature with empty DigestValue/SignatureValue) with an HMAC key
 * and return xmlsec1's pre-digest and pre-signed buffers. `idAttr` is `ns:LocalName` of elements whose
 * `Id` attribute is an ID.
 */
export function xmlsecSign(template: string, idAttrs: string[]): OracleOutput {
	dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'c14n-oracle-'));
	const tmpl = path.join(dir, 'tmpl.xml');
	const out = path.join(dir, 'out.xml');
	const key = path.join(dir, 'hmac.bin');
	fs.writeFileSync(key, 'oracle-hmac-key');
	fs.writeFileSync(tmpl, template);
	const args = ['--sign', '--hmackey', key, '--store-references', '--store-signatures', '--print-debug', '--output', out];
	for (const id of idAttrs) args.push(`--id-attr:Id`, id);
	args.push(tmpl);
	const debug = execFileSync('xmlsec1', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const preDigest: string[] = [];
	const re = /== PreDigest data - start buffer:\n([\s\S]*?)\n== PreDigest data - end buffer/g;
	for (let m = re.exec(debug); m; m = re.exec(debug)) preDigest.push(m[1]);
	const ps = /== PreSigned data - start buffer:\n([\s\S]*?)\n== PreSigned data - end buffer/.exec(debug);
	return { preDigest, preSigned: ps ? ps[1] : '', signedXml: fs.readFileSync(out, 'utf8') };
}
