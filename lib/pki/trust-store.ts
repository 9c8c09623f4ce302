import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SmartIdError } from '../errors';
import { CertificateParseError, parseCertificate, pemToDerList, toX509, type CertificateInput } from './certificate';
import { OID } from './oids';

/** Bundled environments (spec §7.5, docs/DECISIONS.md 7). */
export type BundledTrustName = 'demo' | 'live';

/**
 * Which bundled certificates act as anchors:
 * - `smart-id`: only the Smart-ID roots (SK ID Solutions ROOT G1E/G1R, EE Certification Centre Root CA);
 * - `trusted-list`: only certificates listed in the Estonian (TEST) trusted list, like DigiDoc4j;
 * - `all` (default): both. Every other bundled certificate is kept as an intermediate (chain helper).
 */
export type TrustProfile = 'all' | 'smart-id' | 'trusted-list';

/**
 * What a trust entry vouches for (issue 11 item 6). An anchor is used only for its own uses:
 * - `smart-id`: certificates returned by the Smart-ID RP API (authentication / signing). Bundled: the Smart-ID
 *   issuing CAs of the environment (index.json `smartId` + role `ca`), never the roots that also issue ID cards.
 * - `signer`: signers' certificates in containers (CAs of the trusted list).
 * - `tsa`: timestamp units (RFC 3161); a CA entry does not make a TSA trusted and vice versa.
 * - `ocsp`: OCSP responders, each only for the CAs it is listed for (trusted-list style, explicit per issuer).
 */
export type TrustUse = 'smart-id' | 'signer' | 'tsa' | 'ocsp';

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
	/** OCSP responders only: subject CNs of the CAs (same environment) this responder is a service for. */
	ocspFor?: string[];
	listedIn: string[];
}

/** Uses and OCSP service mapping of one trust entry. */
interface EntryUses {
	uses: ReadonlySet<TrustUse>;
	/** For `ocsp` entries: identities ({@link caIdentity}) of the CAs this responder may answer for. */
	ocspFor: ReadonlySet<string>;
}

const NO_USES: EntryUses = { uses: new Set(), ocspFor: new Set() };

/** Identity of a CA for OCSP service mappings: subject name plus public key (a re-issued CA keeps both). */
export function caIdentity(cert: X509Certificate): string {
	const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
	return `${cert.subject}|${createHash('sha256').update(spki).digest('hex')}`;
}

/**
 * Uses of a certificate the user supplied without saying what for, from what the certificate itself allows:
 * a CA certificate gets `caUses`, a timeStamping certificate is a TSA entry, an OCSPSigning certificate an OCSP entry (for no CA until
 * {@link TrustStore.withOcspService} names one; RFC 6960 delegation needs no entry),
 * anything else a signer certificate trusted by itself (DECISIONS 6).
 */
function usesFromContent(cert: X509Certificate, caUses: readonly TrustUse[]): EntryUses {
	const view = parseCertificate(cert);
	if (view.basicConstraints?.ca) return { uses: new Set(caUses), ocspFor: new Set() };
	if (view.extendedKeyUsages.includes(OID.ekuTimeStamping)) return { uses: new Set(['tsa']), ocspFor: new Set() };
	if (view.extendedKeyUsages.includes(OID.ekuOcspSigning)) return { uses: new Set(['ocsp']), ocspFor: new Set() };
	return { uses: new Set(['signer']), ocspFor: new Set() };
}

/**
 * Uses of a custom store's CA anchors (`fromPem`, `of`): a list without purposes, e.g. the simulator's or a
 * `custom` environment's CAs, vouches for the Smart-ID certificates, signers and TSAs issued under it.
 * Bundled stores never do this: their uses come from index.json roles, and CAs added to them serve signers only.
 */
const CUSTOM_CA_USES: readonly TrustUse[] = ['smart-id', 'signer', 'tsa'];
const ADDED_CA_USES: readonly TrustUse[] = ['signer'];

const USE_LABEL: Record<TrustUse, string> = {
	'smart-id': 'Smart-ID certificates',
	signer: 'signers\' certificates',
	tsa: 'timestamps',
	ocsp: 'OCSP responses',
};

/** Human words for a use, for error messages. */
export function trustUseLabel(use: TrustUse): string {
	return USE_LABEL[use];
}

/** The bundled trust material is missing or was altered after packaging. */
export class TrustStoreError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}) {
		super('SMARTID_TRUST_STORE_INVALID', message, details);
	}
}

function validAt(cert: X509Certificate, at: Date): boolean {
	const view = parseCertificate(cert);
	return at.getTime() >= view.notBefore.getTime() && at.getTime() <= view.notAfter.getTime();
}

/**
 * Uses of a bundled certificate, from its index.json line: the Smart-ID issuing CAs serve Smart-ID answers
 * (whatever the profile); the profile's anchors serve signers (CAs), timestamps (TSA units) or OCSP (responders,
 * each only for the CAs named in `ocspFor`).
 */
function bundledUses(entry: BundledCertificateEntry, isAnchor: boolean, loaded: ReadonlyMap<BundledCertificateEntry, X509Certificate>): EntryUses {
	const uses = new Set<TrustUse>();
	const ocspFor = new Set<string>();
	if (entry.smartId && entry.role === 'ca') uses.add('smart-id');
	if (isAnchor) {
		if (entry.role === 'ca' || entry.role === 'root-ca') uses.add('signer');
		else if (entry.role === 'tsa') uses.add('tsa');
		else if (entry.role === 'ocsp') {
			uses.add('ocsp');
			for (const [other, cert] of loaded) {
				if ((entry.ocspFor ?? []).includes(other.subjectCn) && (other.role === 'ca' || other.role === 'root-ca')) ocspFor.add(caIdentity(cert));
			}
		}
	}
	return uses.size > 0 ? { uses, ocspFor } : NO_USES;
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
	/** Uses per DER SHA-256; a certificate without an entry is a chain helper only. */
	private readonly useMap: ReadonlyMap<string, EntryUses>;
	/** Uses given to CA certificates added without saying what for. */
	private readonly caUses: readonly TrustUse[];

	private constructor(
		label: string,
		anchors: X509Certificate[],
		intermediates: X509Certificate[],
		useMap: ReadonlyMap<string, EntryUses> | undefined = undefined,
		caUses: readonly TrustUse[] = CUSTOM_CA_USES,
	) {
		this.label = label;
		this.caUses = caUses;
		const map = new Map(useMap ?? []);
		// Anchors given without uses take them from their content (custom stores, added anchors).
		for (const cert of anchors) {
			const print = sha256Hex(cert);
			if (!map.has(print)) map.set(print, usesFromContent(cert, caUses));
		}
		this.useMap = map;
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
		const uses = new Map<string, EntryUses>();
		const envEntries = bundledCertificateIndex().filter((e) => e.env === name);
		const loaded = new Map<BundledCertificateEntry, X509Certificate>();
		for (const entry of envEntries) {
			const file = path.join(anchorsDirectory(), entry.file);
			const cert = toX509(fs.readFileSync(file, 'utf8'));
			if (sha256Hex(cert) !== entry.sha256) {
				throw new TrustStoreError(
					`Bundled certificate ${entry.file} does not match its recorded SHA-256 fingerprint. Reinstall the package.`,
					{ file: entry.file },
				);
			}
			loaded.set(entry, cert);
		}
		for (const [entry, cert] of loaded) {
			const isAnchor = profile === 'all' ? entry.anchor : entry.anchorFor.includes(profile);
			(isAnchor ? anchors : intermediates).push(cert);
			const entryUses = bundledUses(entry, isAnchor, loaded);
			if (entryUses.uses.size > 0) uses.set(sha256Hex(cert), entryUses);
		}
		const store = new TrustStore(`bundled:${key}`, anchors, intermediates, uses, ADDED_CA_USES);
		bundledCache.set(key, store);
		return store;
	}

	/** A store whose anchors are exactly the given certificates (PEM text may hold several). */
	static fromPem(pems: string[] | string, label = 'custom'): TrustStore {
		const certs = toCertificates(pems);
		if (certs.length === 0) throw new CertificateParseError('No trust anchor certificate was given.');
		return new TrustStore(label, certs, []);
	}

	/**
	 * A store from explicit anchor and intermediate certificates. Anchors take their uses from their content
	 * (see {@link usesFromContent}; CAs: Smart-ID, signers and TSAs) unless `uses` says exactly what they are for.
	 */
	static of(anchors: CertificateInput[], intermediates: CertificateInput[] = [], label = 'custom', uses?: readonly TrustUse[]): TrustStore {
		const certs = toCertificates(anchors);
		const map = uses ? new Map(certs.map((c) => [sha256Hex(c), { uses: new Set(uses), ocspFor: new Set<string>() }] as const)) : undefined;
		return new TrustStore(label, certs, toCertificates(intermediates), map);
	}

	/**
	 * This store plus more anchors (e.g. a user's own CA). A bundled intermediate given here becomes an anchor and
	 * keeps its bundled uses. Without `uses`, an added certificate is used for what its content allows; an added CA
	 * in a bundled store serves signers only (never Smart-ID answers: those chain to the environment's issuing CAs).
	 */
	withAnchors(pems: CertificateInput[] | string, uses?: readonly TrustUse[]): TrustStore {
		const added = toCertificates(pems);
		const addedPrints = new Set(added.map(sha256Hex));
		const map = new Map(this.useMap);
		for (const cert of added) {
			const print = sha256Hex(cert);
			const known = map.get(print);
			const fresh = uses ? { uses: new Set(uses), ocspFor: new Set<string>() } : usesFromContent(cert, this.caUses);
			map.set(print, known ? { uses: new Set([...known.uses, ...fresh.uses]), ocspFor: known.ocspFor } : fresh);
		}
		return new TrustStore(
			this.label,
			[...this.anchorList, ...added],
			this.intermediateList.filter((c) => !addedPrints.has(sha256Hex(c))),
			map,
			this.caUses,
		);
	}

	/**
	 * This store plus an OCSP responder trusted as the OCSP service of the given CAs only (trusted-list style,
	 * for responders that are neither the CA nor delegated by it per RFC 6960 §4.2.2.2).
	 */
	withOcspService(responder: CertificateInput, forIssuers: CertificateInput[]): TrustStore {
		const cert = toX509(responder);
		const print = sha256Hex(cert);
		const map = new Map(this.useMap);
		const known = map.get(print);
		const ocspFor = new Set([...(known?.ocspFor ?? []), ...toCertificates(forIssuers).map(caIdentity)]);
		map.set(print, { uses: new Set([...(known?.uses ?? []), 'ocsp' as const]), ocspFor });
		return new TrustStore(
			this.label,
			[...this.anchorList, cert],
			this.intermediateList.filter((c) => sha256Hex(c) !== print),
			map,
			this.caUses,
		);
	}

	/**
	 * This store plus several OCSP responders at once, each trusted only for its CAs (see {@link withOcspService});
	 * one copy of the store however many responders a trusted list names.
	 */
	withOcspServices(services: Array<{ responder: CertificateInput; forIssuers: CertificateInput[] }>): TrustStore {
		const map = new Map(this.useMap);
		const added: X509Certificate[] = [];
		for (const s of services) {
			const cert = toX509(s.responder);
			const print = sha256Hex(cert);
			const known = map.get(print);
			map.set(print, {
				uses: new Set([...(known?.uses ?? []), 'ocsp' as const]),
				ocspFor: new Set([...(known?.ocspFor ?? []), ...toCertificates(s.forIssuers).map(caIdentity)]),
			});
			added.push(cert);
		}
		const prints = new Set(added.map(sha256Hex));
		return new TrustStore(this.label, [...this.anchorList, ...added], this.intermediateList.filter((c) => !prints.has(sha256Hex(c))), map, this.caUses);
	}

	/**
	 * The union of this store and `other`: anchors of either (a certificate anchored in one and a helper in the other
	 * is an anchor), uses and OCSP mappings joined. Used to combine trust sources (SK live + demo, SK + EU lists).
	 */
	merged(other: TrustStore, label = `${this.label}+${other.label}`): TrustStore {
		const map = new Map(this.useMap);
		for (const [print, entry] of other.useMap) {
			const known = map.get(print);
			map.set(print, known ? { uses: new Set([...known.uses, ...entry.uses]), ocspFor: new Set([...known.ocspFor, ...entry.ocspFor]) } : entry);
		}
		const anchors = [...this.anchorList, ...other.anchorList];
		const anchorPrints = new Set(anchors.map(sha256Hex));
		const helpers = [...this.intermediateList, ...other.intermediateList].filter((c) => !anchorPrints.has(sha256Hex(c)));
		return new TrustStore(label, anchors, helpers, map, this.caUses);
	}

	/** This store plus more non-anchor helper certificates. */
	withIntermediates(certs: CertificateInput[] | string): TrustStore {
		return new TrustStore(this.label, this.anchorList, [...this.intermediateList, ...toCertificates(certs)], this.useMap, this.caUses);
	}

	/**
	 * This store with only the anchors and intermediates `keep` accepts (uses unchanged), e.g. to make path
	 * building cheaper; a narrowed store never trusts more than the original.
	 */
	narrowed(keep: (cert: X509Certificate, isAnchor: boolean) => boolean, label = `${this.label}:narrowed`): TrustStore {
		const entries = [...this.entriesWithUses()];
		return new TrustStore(
			label,
			this.anchorList.filter((c) => keep(c, true)),
			[...this.intermediateList.filter((c) => keep(c, false))],
			new Map(entries.filter(([, , cert]) => keep(cert, this.isAnchor(cert))).map(([print, entry]) => [print, entry] as const)),
			this.caUses,
		);
	}

	private *entriesWithUses(): Generator<[string, EntryUses, X509Certificate]> {
		for (const cert of [...this.anchorList, ...this.intermediateList]) {
			const print = sha256Hex(cert);
			const entry = this.useMap.get(print);
			if (entry) yield [print, entry, cert];
		}
	}

	/**
	 * Trust anchors. Without `use`: the profile's anchors (every use; what a certificate may be trusted for is
	 * {@link usesOf}). With `use`: only the certificates trusted for that use (they may be bundled intermediates,
	 * e.g. the Smart-ID issuing CAs of `live`), and with `at` only those valid then (an anchor is never used
	 * outside its validity).
	 */
	anchors(use?: TrustUse, at?: Date): X509Certificate[] {
		if (use === undefined) return [...this.anchorList];
		const out: X509Certificate[] = [];
		for (const [, entry, cert] of this.entriesWithUses()) {
			if (entry.uses.has(use) && (at === undefined || validAt(cert, at))) out.push(cert);
		}
		return out;
	}

	/** What `cert` (compared by DER) is trusted for; empty for a chain helper or an unknown certificate. */
	usesOf(cert: X509Certificate): TrustUse[] {
		return [...(this.useMap.get(sha256Hex(cert))?.uses ?? [])];
	}

	/** True when `cert` is trusted for `use` and valid at `at` (when given). */
	isAnchorFor(cert: X509Certificate, use: TrustUse, at?: Date): boolean {
		return (this.useMap.get(sha256Hex(cert))?.uses.has(use) ?? false) && (at === undefined || validAt(cert, at));
	}

	/**
	 * True when `responder` is an OCSP entry of this store listed as a service for `issuer` and valid at `at`.
	 * A responder certificate re-issued for the same subject and key counts as the listed one.
	 */
	isOcspServiceFor(responder: X509Certificate, issuer: X509Certificate, at: Date): boolean {
		const wanted = caIdentity(issuer);
		const responderKey = caIdentity(responder);
		for (const [, entry, cert] of this.entriesWithUses()) {
			if (!entry.uses.has('ocsp') || !entry.ocspFor.has(wanted) || !validAt(cert, at)) continue;
			if (cert.raw.equals(responder.raw) || caIdentity(cert) === responderKey) return true;
		}
		return false;
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
