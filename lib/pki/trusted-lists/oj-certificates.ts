import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { anchorsDirectory } from '../trust-store';
import { TrustedListError } from './errors';

/** One line of `lib/pki/anchors/oj/index.json` (see its SOURCES.md). */
export interface OjCertificateEntry {
	/** File name below `anchors/oj/`. */
	file: string;
	/** Path in the source repository and the commit that last changed it there. */
	sourcePath: string;
	lastChangedIn: string;
	subjectCn: string;
	issuerCn: string;
	serialHex: string;
	notBefore: string;
	notAfter: string;
	/** SHA-256 of the DER, checked on every load. */
	sha256: string;
}

/** `anchors/oj/index.json`: where the set came from and one entry per certificate. */
export interface OjCertificateIndex {
	source: { repository: string; commit: string; commitDate: string; what: string };
	certificates: OjCertificateEntry[];
}

/** Folder of the bundled Official Journal set (copied into dist/ with the other anchors). */
export function ojCertificatesDirectory(): string {
	return path.join(anchorsDirectory(), 'oj');
}

/** The bundled set's index (throws TL_UNAVAILABLE when the package is incomplete). */
export function bundledOjIndex(dir = ojCertificatesDirectory()): OjCertificateIndex {
	const file = path.join(dir, 'index.json');
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as OjCertificateIndex;
	} catch (err) {
		throw new TrustedListError('TL_UNAVAILABLE', `The bundled Official Journal certificates are missing or unreadable (${file}); reinstall the package or give your own set.`, { file }, { cause: err });
	}
}

let cached: X509Certificate[] | null = null;

/**
 * The LOTL signing certificates the Official Journal published, as bundled with the package (the default root of
 * EU trust; a user-given set replaces it). Each file must match its index fingerprint, so an altered file refuses
 * to load instead of silently trusting another signer. `dir` (tests) reads another folder of the same layout.
 */
export function bundledOjCertificates(dir?: string): X509Certificate[] {
	if (cached && !dir) return [...cached];
	const folder = dir ?? ojCertificatesDirectory();
	const index = bundledOjIndex(folder);
	const out: X509Certificate[] = [];
	for (const entry of index.certificates) {
		const file = path.join(folder, entry.file);
		let cert: X509Certificate;
		try {
			cert = new X509Certificate(fs.readFileSync(file));
		} catch (err) {
			throw new TrustedListError('TL_UNAVAILABLE', `Bundled Official Journal certificate ${entry.file} is missing or unreadable; reinstall the package.`, { file }, { cause: err });
		}
		if (createHash('sha256').update(cert.raw).digest('hex') !== entry.sha256) {
			throw new TrustedListError('TL_UNAVAILABLE', `Bundled Official Journal certificate ${entry.file} does not match its recorded SHA-256; reinstall the package.`, { file });
		}
		out.push(cert);
	}
	if (out.length === 0) throw new TrustedListError('TL_UNAVAILABLE', `The bundled Official Journal certificate index (${folder}) lists no certificate; reinstall the package.`, { folder });
	if (!dir) cached = out;
	return [...out];
}
