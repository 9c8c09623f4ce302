import { X509Certificate, createHash } from 'node:crypto';
import { SmartIdError } from '../errors';
import { parseCertificate, pemToDerList, toX509, type CertificateInput } from './certificate';
import { TrustStore } from './trust-store';
import {
	SERVICE_TYPE,
	TrustedListLoader,
	bundledOjCertificates,
	describe,
	isAcceptableStatus,
	qualifyCertificate,
	type CertificateQualification,
	type SignatureQualificationLabel,
	type TrustedList,
	type TrustedListFetcher,
	type TrustedListSnapshot,
} from './trusted-lists';

/**
 * Where verification takes its trust from (issue 16/17): the bundled SK ID Solutions certificates (live, demo or
 * both), the EU trusted lists (verified LOTL + national lists), and extra PEM certificates, in any combination.
 * Nothing here depends on a Smart-ID credential: verifying needs no RP account.
 */
export type TrustChoice = 'sk' | 'sk-demo' | 'sk-both' | 'eu' | 'sk+eu';

/** Every accepted spelling of a {@link TrustChoice} (CLI and node), with the bundled names kept as aliases. */
const CHOICES: Record<string, TrustChoice> = {
	sk: 'sk',
	live: 'sk',
	'sk-live': 'sk',
	'sk-demo': 'sk-demo',
	demo: 'sk-demo',
	'sk-both': 'sk-both',
	eu: 'eu',
	'sk+eu': 'sk+eu',
};

/** Which SK bundle(s) and whether EU lists belong to a choice. */
function partsOf(choice: TrustChoice): { sk: Array<'live' | 'demo'>; eu: boolean } {
	switch (choice) {
		case 'sk':
			return { sk: ['live'], eu: false };
		case 'sk-demo':
			return { sk: ['demo'], eu: false };
		case 'sk-both':
			return { sk: ['live', 'demo'], eu: false };
		case 'eu':
			return { sk: [], eu: true };
		case 'sk+eu':
			return { sk: ['live'], eu: true };
	}
}

/** Parse a trust choice ("sk", "sk-demo", "sk-both", "eu", "sk+eu"; "live"/"demo" as aliases); null when unknown. */
export function parseTrustChoice(value: string): TrustChoice | null {
	return CHOICES[value.trim().toLowerCase()] ?? null;
}

/** Why a trust source could not be set up; `code` names the rule. */
export type TrustSourceErrorCode = 'TRUST_OJ_CERTIFICATES_REQUIRED' | 'TRUST_LISTS_UNAVAILABLE' | 'TRUST_CHOICE_INVALID' | 'TRUST_PEM_INVALID';

export class TrustSourceError extends SmartIdError {
	declare readonly code: TrustSourceErrorCode;
	constructor(code: TrustSourceErrorCode, message: string, details: Record<string, unknown> = {}) {
		super(code, message, details);
	}
}

/** Options for the EU trusted lists part of a trust source. */
export interface EuTrustOptions {
	/**
	 * LOTL signing certificates published in the Official Journal (DER, PEM text with one or more certificates, or
	 * X509Certificate): the root of EU trust. Absent: the set bundled with the package (`lib/pki/anchors/oj/`). Given:
	 * it REPLACES the bundled set. An empty list is refused (TRUST_OJ_CERTIFICATES_REQUIRED): nothing would anchor
	 * the LOTL.
	 */
	ojCertificates?: CertificateInput[];
	/** Verified cache directory (recommended: a start with a fresh cache uses no network). */
	cacheDir?: string;
	/** Use the cache only, never the network (the cache must hold a verified LOTL). */
	offline?: boolean;
	/** LOTL address (default the official one). */
	lotlUrl?: string;
	fetcher?: TrustedListFetcher;
	/** Territories to load (default all). */
	territories?: string[];
	/** Validation time for the list signatures (default now; tests pin the lists' issue date). */
	listValidationTime?: Date;
	/** Clock for cache age and refresh interval (default now). */
	now?: () => Date;
	timeoutMs?: number;
}

/** How to build a trust source. */
export interface TrustSourceOptions {
	choice: TrustChoice;
	/** EU list options when the choice includes them (default: bundled OJ set, official LOTL, no cache). */
	eu?: EuTrustOptions;
	/** Extra trust anchors (PEM text, several certificates allowed), trusted for what their content allows. */
	extraPems?: string[];
}

/** Where the trust for one signer came from (report field `trustedBy`). */
export interface SignerTrust {
	/** `sk-live` / `sk-demo` (bundled SK certificates), `eu-trusted-list`, or `extra-pem` (given by the user). */
	source: 'sk-live' | 'sk-demo' | 'eu-trusted-list' | 'extra-pem' | 'custom';
	/** Subject CN of the trust anchor the signer's chain ends in. */
	anchor: string;
	/** EU lists only: the national list (territory + sequence number), provider and service. */
	list?: { territory: string; sequenceNumber: number };
	provider?: string;
	service?: string;
	/** Status of that service at the best-signature-time (`granted`, `withdrawn`, …). */
	serviceStatus?: string;
	/** EU lists only: qualification of the signer certificate in DSS's terms (QC_FOR_ESIG, NOT_QC, …). */
	qualification?: CertificateQualification;
	/** DSS-style label of the signature: QESig / QESeal / AdESig-QC / AdESeal-QC / AdESig / AdESeal / NA. */
	signatureLevel: SignatureQualificationLabel;
	/** False when the anchor comes only from the EU lists and its service was not granted at the best-signature-time. */
	grantedAtBestSignatureTime: boolean;
	summary: string;
}

/** What the EU part of a source holds (for reports and logs). */
export interface EuTrustInfo {
	lotlSequenceNumber: number | null;
	territories: Array<{ territory: string; sequenceNumber: number; origin: string }>;
	/** Age of the oldest list in use, ms. */
	ageMs: number | null;
	problems: Array<{ territory: string; code: string; outcome: string }>;
}

function print(c: X509Certificate): string {
	return createHash('sha256').update(c.raw).digest('hex');
}

function cn(c: X509Certificate): string {
	return /(?:^|\n)CN=([^\n]+)/.exec(c.subject)?.[1] ?? c.subject;
}

/** Certificate-only label (no list): QC + QSCD → QESig, QC → AdESig-QC, else AdESig (seals by QcType). */
function labelFromCertificate(cert: X509Certificate): SignatureQualificationLabel {
	try {
		const qc = parseCertificate(cert).qcStatements;
		const seal = qc.eseal && !qc.esign;
		if (qc.compliance && qc.sscd) return seal ? 'QESeal' : 'QESig';
		if (qc.compliance) return seal ? 'AdESeal-QC' : 'AdESig-QC';
		return seal ? 'AdESeal' : 'AdESig';
	} catch {
		return 'NA';
	}
}

const SIGNER_TYPES = new Set<string>([SERVICE_TYPE.caQc, SERVICE_TYPE.caPkc]);
const TSA_TYPES = new Set<string>([SERVICE_TYPE.tsaQtst, SERVICE_TYPE.tsa, SERVICE_TYPE.tsaTssQc, SERVICE_TYPE.tsaTssAdesQcAndQes]);
const OCSP_TYPES = new Set<string>([SERVICE_TYPE.ocspQc, SERVICE_TYPE.ocsp]);

/**
 * Anchors from verified trusted lists, by use: CA/QC and CA/PKC services sign signers' certificates, TSA services
 * time-stamp, OCSP services answer for the CAs of their own provider. A service counts when any of its phases
 * had an acceptable status (granted, or Directive-era equivalents); whether it was granted at a signature's
 * best-signature-time is checked per signature ({@link TrustSource.explainSigner}), as DSS does.
 */
export function storeFromTrustedLists(lists: TrustedList[], label = 'eu-trusted-lists'): TrustStore {
	const signer: X509Certificate[] = [];
	const tsa: X509Certificate[] = [];
	const ocsp: Array<{ responder: X509Certificate; forIssuers: X509Certificate[] }> = [];
	const read = (der: Buffer): X509Certificate | null => {
		try {
			return new X509Certificate(der);
		} catch {
			return null;
		}
	};
	for (const list of lists) {
		for (const provider of list.providers) {
			const providerCas: X509Certificate[] = [];
			const providerOcsp: X509Certificate[] = [];
			for (const service of provider.services) {
				const types = new Set(service.phases.filter((p) => isAcceptableStatus(p.status, p.start)).map((p) => p.type));
				if (types.size === 0) continue;
				const certs = service.certificates.map(read).filter((c): c is X509Certificate => c !== null);
				if ([...types].some((t) => SIGNER_TYPES.has(t))) {
					signer.push(...certs);
					providerCas.push(...certs);
				}
				if ([...types].some((t) => TSA_TYPES.has(t))) tsa.push(...certs);
				if ([...types].some((t) => OCSP_TYPES.has(t))) providerOcsp.push(...certs);
			}
			for (const r of providerOcsp) if (providerCas.length > 0) ocsp.push({ responder: r, forIssuers: providerCas });
		}
	}
	let store = TrustStore.of([], [], label);
	if (signer.length > 0) store = store.withAnchors(signer, ['signer']);
	if (tsa.length > 0) store = store.withAnchors(tsa, ['tsa']);
	if (ocsp.length > 0) store = store.withOcspServices(ocsp);
	return store;
}

/**
 * The trust a verifier uses: one {@link TrustStore} for chain building (`store`) plus what is needed to say, per
 * signature, which source, list and service made the signer trusted and qualified ({@link explainSigner}).
 */
export class TrustSource {
	private constructor(
		readonly choice: TrustChoice | 'custom',
		readonly store: TrustStore,
		/** Verified national lists in use (empty without EU). */
		readonly lists: TrustedList[],
		private readonly origin: ReadonlyMap<string, SignerTrust['source']>,
		readonly eu: EuTrustInfo | null,
	) {}

	/** Bundled SK certificates only (no network, no lists). */
	static sk(which: 'live' | 'demo' | 'both'): TrustSource {
		const parts: Array<'live' | 'demo'> = which === 'both' ? ['live', 'demo'] : [which];
		const choice: TrustChoice = which === 'both' ? 'sk-both' : which === 'live' ? 'sk' : 'sk-demo';
		return TrustSource.assemble(choice, parts, null, []);
	}

	/** A ready store (tests, custom environments): every anchor's source is `custom`. */
	static fromStore(store: TrustStore): TrustSource {
		const origin = new Map<string, SignerTrust['source']>();
		for (const a of store.anchors()) origin.set(print(a), 'custom');
		return new TrustSource('custom', store, [], origin, null);
	}

	/** From already verified lists (e.g. a loader snapshot the caller keeps), optionally with the SK bundle. */
	static fromTrustedLists(snapshot: TrustedListSnapshot, options: { sk?: 'live' | 'demo' | 'both' | null; extraPems?: string[] } = {}): TrustSource {
		const sk: Array<'live' | 'demo'> = !options.sk ? [] : options.sk === 'both' ? ['live', 'demo'] : [options.sk];
		const choice: TrustChoice = sk.length === 0 ? 'eu' : 'sk+eu';
		return TrustSource.assemble(choice, sk, snapshot, options.extraPems ?? []);
	}

	/**
	 * Build the source a choice names. EU lists are loaded through {@link TrustedListLoader} (verified cache first,
	 * the official LOTL address when online); with `offline` only the verified cache is read.
	 */
	static async load(options: TrustSourceOptions): Promise<TrustSource> {
		const { sk, eu } = partsOf(options.choice);
		let snapshot: TrustedListSnapshot | null = null;
		if (eu) snapshot = await loadLists(options.eu);
		return TrustSource.assemble(options.choice, sk, snapshot, options.extraPems ?? []);
	}

	private static assemble(choice: TrustChoice, sk: Array<'live' | 'demo'>, snapshot: TrustedListSnapshot | null, extraPems: string[]): TrustSource {
		const origin = new Map<string, SignerTrust['source']>();
		let store: TrustStore | null = null;
		for (const env of sk) {
			const bundled = TrustStore.bundled(env);
			for (const a of bundled.anchors()) if (!origin.has(print(a))) origin.set(print(a), env === 'live' ? 'sk-live' : 'sk-demo');
			store = store ? store.merged(bundled, `${store.label}+${env}`) : bundled;
		}
		const lists = snapshot?.trustedLists ?? [];
		if (snapshot) {
			const euStore = storeFromTrustedLists(lists);
			for (const a of euStore.anchors()) if (!origin.has(print(a))) origin.set(print(a), 'eu-trusted-list');
			store = store ? store.merged(euStore) : euStore;
		}
		store ??= TrustStore.of([], [], 'empty');
		for (const pem of extraPems) {
			let certs: X509Certificate[];
			try {
				certs = TrustStore.fromPem(pem).anchors();
			} catch (e) {
				throw new TrustSourceError('TRUST_PEM_INVALID', `An extra trusted certificate is not a readable PEM certificate (${(e as Error).message}); paste the whole "-----BEGIN CERTIFICATE-----" block.`);
			}
			for (const c of certs) if (!origin.has(print(c))) origin.set(print(c), 'extra-pem');
			store = store.withAnchors(certs);
		}
		const info: EuTrustInfo | null = snapshot
			? {
					lotlSequenceNumber: snapshot.lotl?.list.sequenceNumber ?? null,
					territories: [...snapshot.lists.values()].map((l) => ({ territory: l.list.territory, sequenceNumber: l.list.sequenceNumber, origin: l.origin })),
					ageMs: snapshot.ageMs,
					problems: snapshot.problems.map((p) => ({ territory: p.territory, code: p.code, outcome: p.outcome })),
				}
			: null;
		return new TrustSource(choice, store, lists, origin, info);
	}

	/** This source plus extra anchors (PEM text), e.g. a foreign CA. */
	withExtraPems(pems: string[]): TrustSource {
		if (pems.length === 0) return this;
		const origin = new Map(this.origin);
		let store = this.store;
		for (const pem of pems) {
			const certs = TrustStore.fromPem(pem).anchors();
			for (const c of certs) if (!origin.has(print(c))) origin.set(print(c), 'extra-pem');
			store = store.withAnchors(certs);
		}
		return new TrustSource(this.choice, store, this.lists, origin, this.eu);
	}

	/**
	 * Which source trusts a signer whose chain (signer first, anchor last) was built at `at` (its best-signature-time),
	 * and what the EU lists say about it then: list, provider, service, status and DSS-style label. A chain ending in
	 * an anchor that only the lists provide must have its service granted at `at`.
	 */
	explainSigner(signer: X509Certificate, chain: X509Certificate[], at: Date, helpers: X509Certificate[] = []): SignerTrust {
		const anchor = chain[chain.length - 1] ?? signer;
		const source = this.origin.get(print(anchor)) ?? 'custom';
		if (this.lists.length > 0) {
			const q = qualifyCertificate(signer, this.lists, at, [...chain.slice(1), ...helpers]);
			if (q.match) {
				const s = q.match.service;
				const granted = q.match.service.acceptable;
				return {
					source: granted ? 'eu-trusted-list' : source,
					anchor: cn(anchor),
					list: { territory: s.territory, sequenceNumber: s.listSequenceNumber },
					provider: s.provider,
					service: s.service,
					serviceStatus: s.statusName,
					qualification: q.qualification,
					signatureLevel: granted ? q.signatureLevel : 'NA',
					grantedAtBestSignatureTime: granted || source !== 'eu-trusted-list',
					summary: granted ? `${q.summary}; ${q.qualification}, ${q.signatureLevel}` : `${describe(s)}: not granted at ${at.toISOString()}`,
				};
			}
		}
		// An anchor only the lists provide, but no service granted at that time: the lists vouch for nothing then.
		const label = source === 'eu-trusted-list' ? 'NA' : labelFromCertificate(signer);
		return {
			source,
			anchor: cn(anchor),
			signatureLevel: label,
			grantedAtBestSignatureTime: source !== 'eu-trusted-list',
			summary:
				source === 'eu-trusted-list'
					? `no CA/QC service of the trusted lists was granted for "${cn(anchor)}" at ${at.toISOString()}`
					: `${source} anchor "${cn(anchor)}"; level from the certificate's QCStatements: ${label}`,
		};
	}
}

/**
 * The OJ certificates to anchor the LOTL in: the caller's (each PEM text may hold several), else the bundled set.
 * An explicitly empty set is refused rather than falling back, so "trust nothing" never means "trust the bundle".
 */
function ojCertificatesOf(eu: EuTrustOptions | undefined): X509Certificate[] {
	const given = eu?.ojCertificates;
	if (given === undefined) return bundledOjCertificates();
	const out: X509Certificate[] = [];
	for (const c of Array.isArray(given) ? given : []) {
		try {
			if (typeof c === 'string') {
				const ders = pemToDerList(c);
				if (ders.length === 0 && c.trim() !== '') throw new Error('no "-----BEGIN CERTIFICATE-----" block');
				out.push(...ders.map((d) => toX509(d)));
			} else {
				out.push(toX509(c));
			}
		} catch (e) {
			throw new TrustSourceError('TRUST_PEM_INVALID', `An Official Journal certificate is not a readable certificate (${(e as Error).message}); paste the whole PEM block(s), or leave the option empty to use the bundled set.`);
		}
	}
	if (out.length === 0) {
		throw new TrustSourceError(
			'TRUST_OJ_CERTIFICATES_REQUIRED',
			'EU trusted lists need at least one LOTL signing certificate published in the Official Journal of the EU (the root of EU trust), but an empty set was given. ' +
				'Leave the option out to use the set bundled with the package, or pass the current OJ certificates as PEM (CLI --oj-pem FILE, node option "Official Journal Certificates").',
		);
	}
	return out;
}

async function loadLists(options: EuTrustOptions | undefined): Promise<TrustedListSnapshot> {
	const oj = ojCertificatesOf(options);
	const eu: EuTrustOptions = options ?? {};
	const loader = new TrustedListLoader({
		ojCertificates: oj,
		...(eu.cacheDir ? { cacheDir: eu.cacheDir } : {}),
		...(eu.lotlUrl ? { lotlUrl: eu.lotlUrl } : {}),
		...(eu.fetcher ? { fetcher: eu.fetcher } : {}),
		...(eu.territories ? { territories: eu.territories } : {}),
		...(eu.timeoutMs ? { timeoutMs: eu.timeoutMs } : {}),
		...(eu.listValidationTime ? { validationTime: () => eu.listValidationTime! } : {}),
		...(eu.now ? { now: eu.now } : {}),
	});
	if (eu.offline && !eu.cacheDir) {
		throw new TrustSourceError('TRUST_LISTS_UNAVAILABLE', 'Offline EU trust needs a trusted-list cache folder that holds verified lists; set the cache folder or go online once.');
	}
	const snapshot = eu.offline ? loader.fromCacheOnly() : await loader.load();
	if (!snapshot.lotl) {
		const why = snapshot.problems.map((p) => `${p.territory}: ${p.code} ${p.message}`).join('; ');
		throw new TrustSourceError(
			'TRUST_LISTS_UNAVAILABLE',
			`No verified EU list of trusted lists is available${eu.offline ? ' in the cache' : ''}${why ? ` (${why.slice(0, 600)})` : ''}. ` +
				'Check the network / cache folder and the Official Journal certificates.',
		);
	}
	return snapshot;
}
