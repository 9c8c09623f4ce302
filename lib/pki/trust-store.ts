import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmartIdError } from '../errors';
import { CertificateParseError, parseCertificate, pemToDerList, toX509, type CertificateInput } from './certificate';

/** Bundled environments (spec §7.5, docs/DECISIONS.md 7). */
export type BundledTrustName = 'demo' | 'live';

/**
 * Which bundled certificates act as anchors:
 * - `smart-id`: only the Smart-ID roots (SK ID Solutions ROOT G1E/G1R, EE Certification Centre Root CA);
 * - `trusted-list`: only certificates listed in the Estonian (TEST) trusted list, like DigiDoc4j;
 * - `all` (default): both. Every other bundled certificate is kept as an intermediate (chain helper).
 */
export type TrustProfile = 'all' | 'smart-id' | 'trusted-list';

/** One line of `lib/pki/anchors/index.json`. */
export interface BundledCertificateEntry {
	/** Path relative to the anchors folder, e.g. `demo/TEST_of_SK_ID_Solutions_ROOT_G1E.pem`. */
	file: string;
	env: BundledTrustName;
	subjectCn: string;
	issuerCn: string;
	serialHex: string;
	notBefore: string;
	notAfter: string;
	/** SHA-256 of the DER, lowercase hex. */
	sha256: string;
	role: 'ca' | 'root-ca' | 'tsa' | 'ocsp' | string;
	/** True when the certificate is an anchor in at least one profile. */
	anchor: boolean;
	anchorFor: Exclude<TrustProfile, 'all'>[];
	/** One of the Smart-ID roots or issuing CAs of spec §7.5. */
	smartId: boolean;
	listedIn: string[];
}

/** The bundled trust material is missing or was altered after packaging. */
export class TrustStoreError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}) {
		super('SMARTID_TRUST_STORE_INVALID', message, details);
	}
}

/** Folder holding the bundled PEM files (copied into dist/ by scripts/copy-assets.js). */
export function anchorsDirectory(): string {
	return path.join(__dirname, 'anchors');
}

let indexCache: readonly BundledCertificateEntry[] | undefined;

/** Contents of `anchors/index.json`: every bundled certificate with its fingerprint and role. */
export function bundledCertificateIndex(): readonly BundledCertificateEntry[] {
	if (!indexCache) {
		const file = path.join(anchorsDirectory(), 'index.json');
		if (!fs.existsSync(file)) {
			throw new TrustStoreError(`Bundled trust anchors not found at ${file}. Reinstall the package.`);
		}
		indexCache = JSON.parse(fs.readFileSync(file, 'utf8')) as BundledCertificateEntry[];
	}
	return indexCache;
}

function sha256Hex(cert: X509Certificate): string {
	return createHash('sha256').update(cert.raw).digest('hex');
}

function toCertificates(input: CertificateInput | CertificateInput[]): X509Certificate[] {
	const list = Array.isArray(input) ? input : [input];
	const out: X509Certificate[] = [];
	for (const item of list) {
		if (typeof item === 'string' && item.includes('-----BEGIN')) {
			const ders = pemToDerList(item);
			if (ders.length === 0) throw new CertificateParseError('The PEM text contains no certificate.');
			for (const der of ders) out.push(toX509(der));
		} else {
			out.push(toX509(item));
		}
	}
	return out;
}

const bundledCache = new Map<string, TrustStore>();

/**
 * Trust anchors plus non-anchor helper certificates (intermediates) for chain building. Immutable: the `with*`
 * methods return a new store. A certificate that is an anchor is trusted by itself (docs/DECISIONS.md 6).
 */
export class TrustStore {
	readonly label: string;
	private readonly anchorList: X509Certificate[];
	private readonly intermediateList: X509Certificate[];
	private readonly anchorPrints: Set<string>;

	private constructor(label: string, anchors: X509Certificate[], intermediates: X509Certificate[]) {
		this.label = label;
		const seen = new Set<string>();
		this.anchorList = [];
		for (const cert of anchors) {
			const print = sha256Hex(cert);
			if (seen.has(print)) continue;
			seen.add(print);
			this.anchorList.push(cert);
		}
		this.anchorPrints = new Set(seen);
		this.intermediateList = [];
		for (const cert of intermediates) {
			const print = sha256Hex(cert);
			if (seen.has(print)) continue;
			seen.add(print);
			this.intermediateList.push(cert);
		}
	}

	/**
	 * The certificates shipped with the package for `demo` or `live` (spec §7.5 plus the TSA/OCSP/CA
	 * certificates needed to verify containers). Each file's SHA-256 is checked against index.json on load.
	 */
	static bundled(name: BundledTrustName, options: { profile?: TrustProfile } = {}): TrustStore {
		if (name !== 'demo' && name !== 'live') {
			throw new TrustStoreError(`Unknown bundled trust store "${String(name)}". Use "demo" or "live".`);
		}
		const profile = options.profile ?? 'all';
		const key = `${name}:${profile}`;
		const cached = bundledCache.get(key);
		if (cached) return cached;
		const anchors: X509Certificate[] = [];
		const intermediates: X509Certificate[] = [];
		for (const entry of bundledCertificateIndex()) {
			if (entry.env !== name) continue;
			const file = path.join(anchorsDirectory(), entry.file);
			const cert = toX509(fs.readFileSync(file, 'utf8'));
			if (sha256Hex(cert) !== entry.sha256) {
				throw new TrustStoreError(
					`Bundled certificate ${entry.file} does not match its recorded SHA-256 fingerprint. Reinstall the package.`,
					{ file: entry.file },
				);
			}
			const isAnchor = profile === 'all' ? entry.anchor : entry.anchorFor.includes(profile);
			(isAnchor ? anchors : intermediates).push(cert);
		}
		const store = new TrustStore(`bundled:${key}`, anchors, intermediates);
		bundledCache.set(key, store);
		return store;
	}

	/** A store whose anchors are exactly the given certificates (PEM text may hold several). */
	static fromPem(pems: string[] | string, label = 'custom'): TrustStore {
		const certs = toCertificates(pems);
		if (certs.length === 0) throw new CertificateParseError('No trust anchor certificate was given.');
		return new TrustStore(label, certs, []);
	}

	/** A store from explicit anchor and intermediate certificates. */
	static of(anchors: CertificateInput[], intermediates: CertificateInput[] = [], label = 'custom'): TrustStore {
		return new TrustStore(label, toCertificates(anchors), toCertificates(intermediates));
	}

	/** This store plus more anchors (e.g. a user's own CA). A bundled intermediate given here becomes an anchor. */
	withAnchors(pems: CertificateInput[] | string): TrustStore {
		const added = toCertificates(pems);
		const addedPrints = new Set(added.map(sha256Hex));
		return new TrustStore(
			this.label,
			[...this.anchorList, ...added],
			this.intermediateList.filter((c) => !addedPrints.has(sha256Hex(c))),
		);
	}

	/** This store plus more non-anchor helper certificates. */
	withIntermediates(certs: CertificateInput[] | string): TrustStore {
		return new TrustStore(this.label, this.anchorList, [...this.intermediateList, ...toCertificates(certs)]);
	}

	/** Trust anchors. */
	anchors(): X509Certificate[] {
		return [...this.anchorList];
	}

	/** Helper certificates that may complete a path but are not trusted by themselves. */
	intermediates(): X509Certificate[] {
		return [...this.intermediateList];
	}

	/** True when `cert` (compared by DER) is an anchor. */
	isAnchor(cert: X509Certificate): boolean {
		return this.anchorPrints.has(sha256Hex(cert));
	}

	/** Anchors then intermediates whose subject equals `subject` (node:crypto `X509Certificate.subject` form). */
	findBySubject(subject: string): X509Certificate[] {
		return [...this.anchorList, ...this.intermediateList].filter((c) => c.subject === subject);
	}

	/** Anchors then intermediates whose SubjectKeyIdentifier is `ski` (hex, any case, colons allowed). */
	findBySubjectKeyIdentifier(ski: string): X509Certificate[] {
		const wanted = ski.replace(/:/g, '').toLowerCase();
		return [...this.anchorList, ...this.intermediateList].filter(
			(c) => parseCertificate(c).subjectKeyIdentifier === wanted,
		);
	}
}
