/**
 * Test-side helpers of the PDF verifier tests: outside readings (qpdf JSON, openssl) to find the certificates a file
 * carries, the verdict vocabulary, and hand-made incremental updates and /Contents replacements for hostile inputs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SignatureReport } from '../../../lib/asice/verify';

/** Codes that say the signed bytes or the CMS are not intact (what pdfsig's "Signature is Valid" is about). */
export const INTEGRITY_CODES = [
	'BYTE_RANGE_MALFORMED',
	'BYTE_RANGE_NOT_FROM_START',
	'BYTE_RANGE_OUTSIDE_FILE',
	'BYTE_RANGE_OVERLAP',
	'BYTE_RANGE_GAP_NOT_CONTENTS',
	'SIGNATURE_DICTIONARY_UNCOVERED',
	'COVERAGE_ENDS_INSIDE_REVISION',
	'SIGNATURE_RANGES_CONFLICT',
	'CMS_MALFORMED',
	'MESSAGE_DIGEST_MISMATCH',
	'SIGNATURE_VALUE_INVALID',
	'SIGNING_CERTIFICATE_MISSING',
	'TIMESTAMP_IMPRINT_MISMATCH',
	'TIMESTAMP_CORRUPT',
];

/** True when the report finds the signature's bytes and CMS intact (chain and time aside). */
export function intact(s: SignatureReport): boolean {
	return !s.errors.some((e) => INTEGRITY_CODES.includes(e.code));
}

/** Every finding code of a signature (errors and warnings). */
export const codes = (s: SignatureReport): string[] => [...s.errors, ...s.warnings].map((e) => e.code);

/** Every certificate the file carries, as qpdf (streams: DSS) and openssl (CMS certificate sets) read them. */
export function certificatesIn(file: string): X509Certificate[] {
	const out: X509Certificate[] = [];
	// qpdf exits 3 on warnings (e.g. a wrong /Size) but still writes the JSON.
	const run = spawnSync('qpdf', ['--json-output', '--json-stream-data=inline', '--decode-level=generalized', file], { maxBuffer: 256 * 1024 * 1024 });
	if (run.status !== 0 && run.status !== 3) throw new Error(`qpdf failed on ${file}: ${run.stderr.toString()}`);
	const json = JSON.parse(run.stdout.toString('utf8')) as {
		qpdf: [unknown, Record<string, { stream?: { data?: string } }>];
	};
	for (const obj of Object.values(json.qpdf[1])) {
		if (!obj.stream?.data) continue;
		try {
			out.push(new X509Certificate(Buffer.from(obj.stream.data, 'base64')));
		} catch {
			// not a certificate
		}
	}
	const bytes = fs.readFileSync(file);
	const text = bytes.toString('latin1');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-certs-'));
	try {
		for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
			const [a, b, c] = m.slice(1, 4).map(Number);
			fs.writeFileSync(path.join(dir, 'cms.der'), Buffer.from(text.slice(a + b + 1, c - 1), 'hex'));
			const r = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', 'cms.der', '-print_certs'], { cwd: dir, encoding: 'utf8' });
			for (const pem of r.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) out.push(new X509Certificate(pem));
		}
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return out;
}

/** The self-signed certificates a file carries, as PEM (the roots a test may pass as anchors). */
export function rootsIn(file: string): string[] {
	const seen = new Set<string>();
	return certificatesIn(file)
		.filter((c) => c.subject === c.issuer && c.verify(c.publicKey))
		.map((c) => c.toString())
		.filter((pem) => !seen.has(pem) && seen.add(pem) !== undefined);
}

/** Trailer facts of the newest revision, read from the tail of the file (startxref, /Root, /Size). */
function tailFacts(bytes: Buffer): { startxref: number; root: string; size: number; info?: string } {
	const text = bytes.toString('latin1');
	const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1]);
	const after = text.slice(startxref);
	const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(after)![1];
	const size = Number(/\/Size\s+(\d+)/.exec(after)![1]);
	const info = /\/Info\s+(\d+\s+\d+\s+R)/.exec(after)?.[1];
	return { startxref, root, size, ...(info ? { info } : {}) };
}

/**
 * Append one incremental update (classic xref table, /Prev to the last section) holding `objects` ("num" → the text
 * between `n 0 obj` and `endobj`); returns the new file path. `newObjects` get numbers from /Size on.
 */
export function appendRevision(file: string, out: string, objects: Record<number, string>): string {
	const bytes = fs.readFileSync(file);
	const facts = tailFacts(bytes);
	const parts: Buffer[] = [bytes];
	let pos = bytes.length;
	const add = (s: string): void => {
		const b = Buffer.from(s, 'latin1');
		parts.push(b);
		pos += b.length;
	};
	if (bytes[bytes.length - 1] !== 0x0a) add('\n');
	const offsets: [number, number][] = [];
	for (const [num, body] of Object.entries(objects)) {
		offsets.push([Number(num), pos]);
		add(`${num} 0 obj\n${body}\nendobj\n`);
	}
	const xref = pos;
	let table = 'xref\n';
	for (const [num, off] of offsets.sort((x, y) => x[0] - y[0])) table += `${num} 1\n${String(off).padStart(10, '0')} 00000 n \n`;
	const size = Math.max(facts.size, ...offsets.map(([n]) => n + 1));
	add(`${table}trailer\n<</Size ${size} /Root ${facts.root}${facts.info ? ` /Info ${facts.info}` : ''} /Prev ${facts.startxref}>>\nstartxref\n${xref}\n%%EOF\n`);
	fs.writeFileSync(out, Buffer.concat(parts));
	return out;
}

/** Next free object number of a file (its newest /Size). */
export const nextObject = (file: string): number => tailFacts(fs.readFileSync(file)).size;

/** The first ByteRange of the file and where its /Contents hex digits are. */
export function contentsHole(bytes: Buffer, which = 0): { byteRange: number[]; hexStart: number; hexEnd: number; brText: { start: number; end: number } } {
	const text = bytes.toString('latin1');
	const m = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)][which];
	const br = m.slice(1, 5).map(Number);
	return { byteRange: br, hexStart: br[1] + 1, hexEnd: br[2] - 1, brText: { start: m.index!, end: m.index! + m[0].length } };
}

/** Put `cms` (hex, zero-padded) into the /Contents hole of signature `which`; refuses when it does not fit. */
export function replaceContents(file: string, out: string, cms: Buffer, which = 0): string {
	const bytes = Buffer.from(fs.readFileSync(file));
	const hole = contentsHole(bytes, which);
	const hex = cms.toString('hex').toUpperCase();
	if (hex.length > hole.hexEnd - hole.hexStart) throw new Error('the CMS does not fit the /Contents hole');
	bytes.write(hex.padEnd(hole.hexEnd - hole.hexStart, '0'), hole.hexStart, 'latin1');
	fs.writeFileSync(out, bytes);
	return out;
}

/** A self-signed RSA (or EC P-256) signing certificate with its key (PEM), made by openssl. */
export function localSigner(cn: string, key: 'rsa' | 'ec' = 'rsa'): { certPem: string; keyPem: string; der: Buffer } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-key-'));
	try {
		execFileSync(
			'openssl',
			['req', '-x509', ...(key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-subj', `/CN=${cn}`, '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'],
			{ cwd: dir, stdio: 'ignore' },
		);
		const certPem = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
		return { certPem, keyPem: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), der: new X509Certificate(certPem).raw };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
