/**
 * Outside checks of signed PDFs: poppler's pdfsig (NSS; verifies RSASSA-PSS CMS and ByteRange coverage), qpdf
 * --check (structure) and openssl (cms -verify over the ByteRange bytes, ts -verify of the embedded token). The
 * CMS is located by the test itself from the /ByteRange text, not by the code under test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PdfsigSignature {
	index: number;
	valid: boolean;
	total: boolean;
	subFilter: string;
	text: string;
}

/** `pdfsig -nocert file`, split per signature. */
export function pdfsig(file: string): { signatures: PdfsigSignature[]; output: string } {
	const r = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
	const output = r.stdout + r.stderr;
	const parts = output.split(/^Signature #/m).slice(1);
	return {
		output,
		signatures: parts.map((text, i) => ({
			index: i + 1,
			valid: /Signature Validation: Signature is Valid\./.test(text),
			total: /Total document signed/.test(text),
			subFilter: /Signature Type: (\S+)/.exec(text)?.[1] ?? '',
			text,
		})),
	};
}

/** `qpdf --check`; ok when the exit status is 0 (2 = errors, 3 = warnings only). */
export function qpdfCheck(file: string): { ok: boolean; status: number | null; output: string } {
	const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
	return { ok: r.status === 0, status: r.status, output: r.stdout + r.stderr };
}

/** Rewrite with qpdf (e.g. `--object-streams=generate`, `--linearize`). */
export function qpdfRewrite(file: string, out: string, args: string[]): void {
	execFileSync('qpdf', [...args, file, out]);
}

/** Every signature of the file as located from its /ByteRange: the range, the covered bytes and the DER CMS. */
export function signaturesOf(file: string): { byteRange: number[]; covered: Buffer; cms: Buffer }[] {
	const bytes = fs.readFileSync(file);
	const text = bytes.toString('latin1');
	const out: { byteRange: number[]; covered: Buffer; cms: Buffer }[] = [];
	for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
		const br = m.slice(1, 5).map(Number);
		const hex = text.slice(br[1] + 1, br[2] - 1);
		const der = Buffer.from(hex, 'hex');
		// DER length of the outer SEQUENCE gives the real size (the rest is zero padding).
		let len = der[1];
		let head = 2;
		if (len & 0x80) {
			const n = len & 0x7f;
			len = 0;
			for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
			head += n;
		}
		out.push({ byteRange: br, covered: Buffer.concat([bytes.subarray(br[0], br[0] + br[1]), bytes.subarray(br[2], br[2] + br[3])]), cms: der.subarray(0, head + len) });
	}
	return out;
}

function tmp(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-oracle-'));
}

/** `openssl cms -verify -binary -inform DER -content covered -noverify`. */
export function opensslCmsVerify(cms: Buffer, covered: Buffer): { ok: boolean; output: string } {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'sig.der'), cms);
		fs.writeFileSync(path.join(dir, 'data.bin'), covered);
		const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'data.bin', '-noverify', '-out', '/dev/null'], { cwd: dir, encoding: 'utf8' });
		return { ok: r.status === 0 && /Verification successful/.test(r.stderr + r.stdout), output: r.stdout + r.stderr };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `openssl cms -cmsout -print` text (to read the algorithms and attributes as openssl parses them). */
export function opensslCmsPrint(cms: Buffer): string {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'sig.der'), cms);
		return execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'sig.der'], { cwd: dir, encoding: 'utf8' });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** `openssl ts -verify -digest <hex> -token_in` with the given CA bundle. */
export function opensslTsVerifyDigest(token: Buffer, sha256: Buffer, caPem: string): { ok: boolean; output: string } {
	const dir = tmp();
	try {
		fs.writeFileSync(path.join(dir, 'token.der'), token);
		fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
		const r = spawnSync('openssl', ['ts', '-verify', '-in', 'token.der', '-token_in', '-digest', sha256.toString('hex'), '-CAfile', 'ca.pem'], { cwd: dir, encoding: 'utf8' });
		return { ok: r.status === 0 && /Verification: OK/.test(r.stdout), output: r.stdout + r.stderr };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Minimal DER walk (test-side, independent of lib/pdf/der.ts): [tag, contentStart, end] of the children. */
function kids(buf: Buffer, start: number, end: number): [number, number, number][] {
	const out: [number, number, number][] = [];
	for (let p = start; p < end; ) {
		const tag = buf[p];
		let len = buf[p + 1];
		let c = p + 2;
		if (len & 0x80) {
			const n = len & 0x7f;
			len = 0;
			for (let i = 0; i < n; i++) len = len * 256 + buf[c + i];
			c += n;
		}
		out.push([tag, c, c + len]);
		p = c + len;
	}
	return out;
}

/** The signature value and the signature-time-stamp token of the first SignerInfo. */
export function signerInfoParts(cms: Buffer): { signature: Buffer; timestampToken?: Buffer } {
	const [ci] = kids(cms, 0, cms.length);
	const [, explicit] = kids(cms, ci[1], ci[2]);
	const [sd] = kids(cms, explicit[1], explicit[2]);
	const sdKids = kids(cms, sd[1], sd[2]);
	const infos = sdKids[sdKids.length - 1];
	const [si] = kids(cms, infos[1], infos[2]);
	const siKids = kids(cms, si[1], si[2]);
	const sig = siKids.find((k) => k[0] === 0x04)!;
	const unsigned = siKids.find((k) => k[0] === 0xa1);
	let timestampToken: Buffer | undefined;
	if (unsigned) {
		const [attr] = kids(cms, unsigned[1], unsigned[2]);
		const [, set] = kids(cms, attr[1], attr[2]);
		const [token] = kids(cms, set[1], set[2]);
		timestampToken = cms.subarray(set[1], token[2]);
	}
	return { signature: cms.subarray(sig[1], sig[2]), timestampToken };
}

export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
