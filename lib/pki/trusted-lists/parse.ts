import type { Document, Element } from '@xmldom/xmldom';
import { NS, childElements, parseXmlSafely, textOf, XmlParseError } from '../../asice/xml';
import { TrustedListError } from './errors';
import type {
	MultiLangName,
	Qualification,
	QualificationCriteria,
	ServicePhase,
	TrustService,
	TrustServiceProvider,
	TrustedList,
	TrustedListPointer,
} from './model';
import { TSL_NS } from './uris';

/** Size and shape limits applied to untrusted list XML before and while parsing. */
export interface TrustedListLimits {
	/** Maximum bytes of one list (default 32 MiB; the 2019 lists are 60 KiB–640 KiB, today's largest a few MiB). */
	maxBytes?: number;
	/** Maximum XML nodes (default 2 000 000). */
	maxNodes?: number;
	/** Maximum providers × services × phases considered (default 100 000). */
	maxServicePhases?: number;
}

const DEFAULT_LIMITS: Required<TrustedListLimits> = { maxBytes: 32 * 1024 * 1024, maxNodes: 2_000_000, maxServicePhases: 100_000 };

/** Resolve limits with their defaults. */
export function resolveLimits(limits: TrustedListLimits = {}): Required<TrustedListLimits> {
	return { ...DEFAULT_LIMITS, ...limits };
}

/**
 * Parse list bytes into a DOM with the hardened parser (no DTD or entities, UTF-8 only, size/depth/node limits).
 * @throws TrustedListError TL_TOO_LARGE or TL_XML_REFUSED.
 */
export function parseTrustedListXml(bytes: Buffer, limits: TrustedListLimits = {}): Document {
	const lim = resolveLimits(limits);
	if (bytes.length > lim.maxBytes) {
		throw new TrustedListError('TL_TOO_LARGE', `The trusted list is ${bytes.length} bytes, above the ${lim.maxBytes}-byte limit.`, { size: bytes.length, limit: lim.maxBytes });
	}
	try {
		return parseXmlSafely(bytes, { maxBytes: lim.maxBytes, maxNodes: lim.maxNodes, maxDepth: 64 });
	} catch (err) {
		if (err instanceof XmlParseError) {
			throw new TrustedListError('TL_XML_REFUSED', `The trusted list XML was refused: ${err.message}`, { xmlReason: err.reason }, { cause: err });
		}
		throw err;
	}
}

function kids(el: Element, name: string, ns: string = TSL_NS.tsl): Element[] {
	return childElements(el, ns, name);
}

function kid(el: Element, name: string, ns: string = TSL_NS.tsl): Element | null {
	return kids(el, name, ns)[0] ?? null;
}

function need(el: Element | null, what: string): Element {
	if (!el) throw new TrustedListError('TL_MALFORMED', `The trusted list has no ${what}.`, { missing: what });
	return el;
}

function text(el: Element | null): string {
	return el ? textOf(el).trim() : '';
}

function byLocalName(el: Element, localName: string): Element[] {
	const out: Element[] = [];
	for (const c of childElements(el)) if (c.localName === localName) out.push(c);
	return out;
}

function date(el: Element | null, what: string): Date {
	const s = text(el);
	const d = new Date(s);
	if (!s || Number.isNaN(d.getTime())) throw new TrustedListError('TL_MALFORMED', `The trusted list's ${what} is not a date: "${s.slice(0, 40)}".`, { field: what });
	return d;
}

function names(el: Element | null): MultiLangName {
	const all: { lang: string; value: string }[] = [];
	if (el) {
		for (const n of kids(el, 'Name')) all.push({ lang: n.getAttributeNS(NS.xml, 'lang') || n.getAttribute('xml:lang') || '', value: text(n) });
	}
	const en = all.find((n) => n.lang.toLowerCase() === 'en') ?? all[0];
	return { en: en?.value ?? '', all };
}

function base64Der(el: Element): Buffer | null {
	const compact = textOf(el).replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
	return Buffer.from(compact, 'base64');
}

interface Identity {
	certificates: Buffer[];
	subjectNames: string[];
	skis: string[];
}

function digitalIdentity(container: Element | null): Identity {
	const id: Identity = { certificates: [], subjectNames: [], skis: [] };
	if (!container) return id;
	for (const sdi of [container, ...kids(container, 'ServiceDigitalIdentity')]) {
		for (const d of kids(sdi, 'DigitalId')) {
			for (const c of kids(d, 'X509Certificate')) {
				const der = base64Der(c);
				if (der && der.length > 0) id.certificates.push(der);
			}
			for (const s of kids(d, 'X509SubjectName')) id.subjectNames.push(text(s));
			for (const s of kids(d, 'X509SKI')) id.skis.push(text(s).replace(/\s+/g, ''));
		}
	}
	return id;
}

function pointer(p: Element): TrustedListPointer {
	const location = text(kid(p, 'TSLLocation'));
	let territory = '';
	let mimeType = '';
	let tslType = '';
	const info = kid(p, 'AdditionalInformation');
	for (const other of info ? kids(info, 'OtherInformation') : []) {
		for (const c of childElements(other)) {
			if (c.localName === 'SchemeTerritory') territory = text(c);
			else if (c.localName === 'MimeType') mimeType = text(c);
			else if (c.localName === 'TSLType') tslType = text(c);
		}
	}
	const ids = digitalIdentity(kid(p, 'ServiceDigitalIdentities'));
	return { territory, location, mimeType, tslType, certificates: ids.certificates };
}

function criteria(el: Element): QualificationCriteria {
	const a = el.getAttribute('assert');
	const out: QualificationCriteria = {
		assert: a === 'all' || a === 'none' ? a : 'atLeastOne',
		keyUsage: [],
		policySets: [],
		nested: [],
		hasUnsupported: false,
	};
	for (const c of childElements(el)) {
		if (c.localName === 'KeyUsage') {
			const bits: Record<string, boolean> = {};
			for (const b of byLocalName(c, 'KeyUsageBit')) bits[b.getAttribute('name') ?? ''] = text(b) === 'true';
			out.keyUsage.push(bits);
		} else if (c.localName === 'PolicySet') {
			const oids: string[] = [];
			for (const pid of byLocalName(c, 'PolicyIdentifier')) {
				for (const idEl of byLocalName(pid, 'Identifier')) oids.push(text(idEl).replace(/^urn:oid:/i, ''));
			}
			out.policySets.push(oids);
		} else if (c.localName === 'CriteriaList') {
			out.nested.push(criteria(c));
		} else if (c.localName !== 'Description') {
			out.hasUnsupported = true;
		}
	}
	return out;
}

function extensions(info: Element): Pick<ServicePhase, 'additionalInfo' | 'qualifications' | 'expiredCertsRevocationInfo'> {
	const additionalInfo: string[] = [];
	const qualifications: Qualification[] = [];
	let expiredCertsRevocationInfo: Date | null = null;
	const exts = kid(info, 'ServiceInformationExtensions');
	for (const ext of exts ? kids(exts, 'Extension') : []) {
		for (const c of childElements(ext)) {
			if (c.localName === 'AdditionalServiceInformation') {
				const uri = text(kid(c, 'URI'));
				if (uri) additionalInfo.push(uri);
			} else if (c.localName === 'Qualifications') {
				for (const q of byLocalName(c, 'QualificationElement')) {
					const qualifiers: string[] = [];
					for (const qs of byLocalName(q, 'Qualifiers')) {
						for (const one of byLocalName(qs, 'Qualifier')) {
							const uri = one.getAttribute('uri');
							if (uri) qualifiers.push(uri);
						}
					}
					const cl = byLocalName(q, 'CriteriaList')[0];
					qualifications.push({
						qualifiers,
						criteria: cl ? criteria(cl) : { assert: 'atLeastOne', keyUsage: [], policySets: [], nested: [], hasUnsupported: true },
					});
				}
			} else if (c.localName === 'ExpiredCertsRevocationInfo') {
				const d = new Date(text(c));
				if (!Number.isNaN(d.getTime())) expiredCertsRevocationInfo = d;
			}
		}
	}
	return { additionalInfo, qualifications, expiredCertsRevocationInfo };
}

function phase(info: Element, end: Date | null): ServicePhase {
	return {
		type: text(need(kid(info, 'ServiceTypeIdentifier'), 'ServiceTypeIdentifier')),
		name: names(kid(info, 'ServiceName')),
		status: text(need(kid(info, 'ServiceStatus'), 'ServiceStatus')),
		start: date(kid(info, 'StatusStartingTime'), 'StatusStartingTime'),
		end,
		...extensions(info),
	};
}

/**
 * Read an ETSI TS 119 612 TrustServiceStatusList DOM into a {@link TrustedList}: scheme information, pointers to
 * other lists (with the certificates allowed to sign them), providers and services with their status history.
 * Parsing says nothing about trust: call it on a document whose signature has been verified.
 * @throws TrustedListError TL_MALFORMED when the root or a mandatory field is missing or unreadable.
 */
export function readTrustedList(doc: Document, limits: TrustedListLimits = {}): TrustedList {
	const lim = resolveLimits(limits);
	const root = doc.documentElement;
	if (!root || root.namespaceURI !== TSL_NS.tsl || root.localName !== 'TrustServiceStatusList') {
		throw new TrustedListError('TL_MALFORMED', 'The document is not an ETSI TS 119 612 TrustServiceStatusList.', { root: root?.localName });
	}
	const si = need(kid(root, 'SchemeInformation'), 'SchemeInformation');
	const nextUpdateEl = kid(si, 'NextUpdate');
	const nextUpdateText = nextUpdateEl ? text(kid(nextUpdateEl, 'dateTime')) : '';
	const siUris = kid(si, 'SchemeInformationURI');
	const pointersEl = kid(si, 'PointersToOtherTSL');
	const list: TrustedList = {
		tslType: text(kid(si, 'TSLType')),
		territory: text(kid(si, 'SchemeTerritory')),
		sequenceNumber: Number(text(kid(si, 'TSLSequenceNumber'))),
		version: Number(text(kid(si, 'TSLVersionIdentifier'))),
		operatorName: names(kid(si, 'SchemeOperatorName')),
		issueDate: date(kid(si, 'ListIssueDateTime'), 'ListIssueDateTime'),
		nextUpdate: nextUpdateText ? date(kid(nextUpdateEl!, 'dateTime'), 'NextUpdate') : null,
		schemeInformationUris: siUris ? kids(siUris, 'URI').map(text) : [],
		pointers: pointersEl ? kids(pointersEl, 'OtherTSLPointer').map(pointer) : [],
		providers: [],
	};
	if (!list.territory) throw new TrustedListError('TL_MALFORMED', 'The trusted list has no SchemeTerritory.', { missing: 'SchemeTerritory' });
	let budget = lim.maxServicePhases;
	const tspList = kid(root, 'TrustServiceProviderList');
	for (const tsp of tspList ? kids(tspList, 'TrustServiceProvider') : []) {
		const info = need(kid(tsp, 'TSPInformation'), 'TSPInformation');
		const trade = kid(info, 'TSPTradeName');
		const provider: TrustServiceProvider = { name: names(kid(info, 'TSPName')), tradeNames: trade ? names(trade).all.map((n) => n.value) : [], services: [] };
		const servicesEl = kid(tsp, 'TSPServices');
		for (const [index, svc] of (servicesEl ? kids(servicesEl, 'TSPService') : []).entries()) {
			const current = need(kid(svc, 'ServiceInformation'), 'ServiceInformation');
			const ids = digitalIdentity(kid(current, 'ServiceDigitalIdentity'));
			const phases: ServicePhase[] = [phase(current, null)];
			const history = kid(svc, 'ServiceHistory');
			// History instances, newest first; each ends where the later phase begins.
			const hist = (history ? kids(history, 'ServiceHistoryInstance') : []).map((h) => phase(h, null));
			hist.sort((a, b) => b.start.getTime() - a.start.getTime());
			for (const h of hist) {
				h.end = phases[phases.length - 1].start;
				phases.push(h);
			}
			budget -= phases.length;
			if (budget < 0) {
				throw new TrustedListError('TL_TOO_LARGE', `The trusted list has more than ${lim.maxServicePhases} service phases; refusing it.`, { limit: lim.maxServicePhases });
			}
			const service: TrustService = { index, certificates: ids.certificates, subjectNames: ids.subjectNames, skis: ids.skis, phases };
			provider.services.push(service);
		}
		list.providers.push(provider);
	}
	return list;
}
