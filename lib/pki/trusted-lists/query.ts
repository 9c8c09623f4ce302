import { X509Certificate } from 'node:crypto';
import { parseCertificate } from '..';
import type { QualificationCriteria, ServicePhase, TrustService, TrustServiceProvider, TrustedList } from './model';
import { ADDITIONAL_INFO, QUALIFIER, SERVICE_TYPE, isAcceptableStatus, shortName } from './uris';

/** A service as it stood at one time, with the list and provider that name it (for reports). */
export interface ServiceAtTime {
	/** Territory of the list (e.g. `LV`) and its sequence number. */
	territory: string;
	listSequenceNumber: number;
	/** Provider name (English when given). */
	provider: string;
	/** Service name of the phase in force (English when given). */
	service: string;
	/** ServiceTypeIdentifier URI of the phase in force and its short form (`CA/QC`, `TSA/QTST`, `Certstatus/OCSP/QC`). */
	type: string;
	typeName: string;
	/** ServiceStatus URI and short form (`granted`, `withdrawn`, `accredited`, …). */
	status: string;
	statusName: string;
	/** Start (inclusive) and end (exclusive, null = still current) of that phase. */
	statusStart: Date;
	statusEnd: Date | null;
	/** Granted under eIDAS, or an acceptable Directive-era status before 2016-07-01. */
	acceptable: boolean;
	phase: ServicePhase;
	trustService: TrustService;
	/** Service certificates (node:crypto), unreadable ones left out. */
	certificates: X509Certificate[];
}

/** Filter of {@link servicesAt}. */
export interface ServiceFilter {
	/** Service type URIs to keep (see `SERVICE_TYPE`); all types when absent. */
	types?: string[];
	/** Keep only services whose status at that time is acceptable (granted / Directive-era equivalents). */
	acceptableOnly?: boolean;
}

const certCache = new WeakMap<Buffer, X509Certificate | null>();

function x509(der: Buffer): X509Certificate | null {
	if (certCache.has(der)) return certCache.get(der)!;
	let c: X509Certificate | null = null;
	try {
		c = new X509Certificate(der);
	} catch {
		c = null;
	}
	certCache.set(der, c);
	return c;
}

/** The phase of a service in force at `at` (start <= at < end), or null when the service did not exist yet. */
export function phaseAt(service: TrustService, at: Date): ServicePhase | null {
	const t = at.getTime();
	for (const p of service.phases) {
		if (p.start.getTime() <= t && (p.end === null || t < p.end.getTime())) return p;
	}
	return null;
}

function view(list: TrustedList, provider: TrustServiceProvider, service: TrustService, phase: ServicePhase): ServiceAtTime {
	return {
		territory: list.territory,
		listSequenceNumber: list.sequenceNumber,
		provider: provider.name.en,
		service: phase.name.en,
		type: phase.type,
		typeName: shortName(phase.type),
		status: phase.status,
		statusName: shortName(phase.status),
		statusStart: phase.start,
		statusEnd: phase.end,
		acceptable: isAcceptableStatus(phase.status, phase.start),
		phase,
		trustService: service,
		certificates: service.certificates.map(x509).filter((c): c is X509Certificate => c !== null),
	};
}

/**
 * Every service of the lists as it stood at `at` (the phase in force then), optionally only some types and only
 * those with an acceptable status. E.g. `servicesAt(lists, t, { types: [SERVICE_TYPE.caQc], acceptableOnly: true })`
 * are the CAs issuing qualified certificates that were granted at `t`.
 */
export function servicesAt(lists: TrustedList[], at: Date, filter: ServiceFilter = {}): ServiceAtTime[] {
	const out: ServiceAtTime[] = [];
	const types = filter.types ? new Set(filter.types) : null;
	for (const list of lists) {
		for (const provider of list.providers) {
			for (const service of provider.services) {
				const phase = phaseAt(service, at);
				if (!phase) continue;
				if (types && !types.has(phase.type)) continue;
				const v = view(list, provider, service, phase);
				if (filter.acceptableOnly && !v.acceptable) continue;
				out.push(v);
			}
		}
	}
	return out;
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
	try {
		return cert.checkIssued(ca) && cert.verify(ca.publicKey);
	} catch {
		return false;
	}
}

/** How a certificate was tied to a listed service. */
export interface ServiceMatch {
	service: ServiceAtTime;
	/** From the certificate (first) up to the service certificate (last); the certificate itself when it is listed. */
	path: X509Certificate[];
}

/**
 * The listed services (at `at`) whose certificate is the given certificate or one of its issuers, walking up
 * through `intermediates` (at most 8 steps, each checked by signature). Use it for a signer's CA (types CA/QC),
 * a timestamp unit (TSA/QTST) or an OCSP responder (Certstatus/OCSP/QC).
 */
export function findServicesFor(cert: X509Certificate, lists: TrustedList[], at: Date, filter: ServiceFilter = {}, intermediates: X509Certificate[] = []): ServiceMatch[] {
	const services = servicesAt(lists, at, filter);
	const out: ServiceMatch[] = [];
	let path: X509Certificate[] = [cert];
	for (let step = 0; step < 8; step++) {
		const cur = path[path.length - 1];
		for (const s of services) {
			for (const sc of s.certificates) {
				if (sc.raw.equals(cur.raw) || issuedBy(cur, sc)) {
					out.push({ service: s, path: sc.raw.equals(cur.raw) ? path : [...path, sc] });
					break;
				}
			}
		}
		if (out.length > 0) return out;
		const next = intermediates.find((i) => !path.some((p) => p.raw.equals(i.raw)) && issuedBy(cur, i));
		if (!next) return out;
		path = [...path, next];
	}
	return out;
}

function criteriaMatch(c: QualificationCriteria, policies: Set<string>, keyUsage: Record<string, boolean> | null): boolean {
	if (c.hasUnsupported) return false;
	const results: boolean[] = [];
	for (const ku of c.keyUsage) results.push(!!keyUsage && Object.entries(ku).every(([bit, v]) => (keyUsage[bit] ?? false) === v));
	for (const set of c.policySets) results.push(set.length > 0 && set.every((oid) => policies.has(oid)));
	for (const n of c.nested) results.push(criteriaMatch(n, policies, keyUsage));
	if (results.length === 0) return false;
	if (c.assert === 'all') return results.every(Boolean);
	if (c.assert === 'none') return !results.some(Boolean);
	return results.some(Boolean);
}

/** The qualifier URIs of a phase that apply to a certificate (its policies and KeyUsage match the criteria). */
export function applicableQualifiers(phase: ServicePhase, cert: X509Certificate): string[] {
	const parsed = parseCertificate(cert);
	const policies = new Set(parsed.policies);
	const ku = parsed.keyUsage as unknown as Record<string, boolean> | null;
	const out: string[] = [];
	for (const q of phase.qualifications) if (criteriaMatch(q.criteria, policies, ku)) out.push(...q.qualifiers);
	return [...new Set(out)];
}

/** DSS-style qualification labels of a certificate at a time. */
export type CertificateQualification = 'QC_FOR_ESIG' | 'QC_FOR_ESEAL' | 'QC_FOR_WSA' | 'QC' | 'NOT_QC' | 'NO_TRUSTED_SERVICE';

/**
 * Signature-level label in DSS's words, assuming the signature itself is AdES-valid (the verifier decides that):
 * QESig/QESeal (qualified certificate for that use, key in a QSCD), AdESig-QC/AdESeal-QC (qualified certificate,
 * no QSCD), AdESig/AdESeal (trusted CA, certificate not qualified), NA (no trusted CA/QC service at that time).
 */
export type SignatureQualificationLabel = 'QESig' | 'QESeal' | 'AdESig-QC' | 'AdESeal-QC' | 'AdESig' | 'AdESeal' | 'NA';

/** What the lists say about a (signer) certificate at a time: which service, and the qualification it gives. */
export interface CertificateQualificationResult {
	qualification: CertificateQualification;
	/** Key in a (Q)SCD: from the service's qualifiers (QCWithQSCD, QCNoQSCD, …AsInCert) or else the certificate's QcSSCD. */
	qscd: boolean;
	/** DSS-style label of a valid signature made with this certificate at that time. */
	signatureLevel: SignatureQualificationLabel;
	/** The CA/QC service (granted/acceptable at `at`) that issued the certificate, null when none. */
	match: ServiceMatch | null;
	/** Qualifiers of that service applying to the certificate. */
	qualifiers: string[];
	/** Certificate QCStatements: QcCompliance and the QcType(s). */
	qcCompliance: boolean;
	/** One line for a report: list, provider, service, status. */
	summary: string;
}

/**
 * Qualification of a certificate at `at` from the trusted lists, in the spirit of DSS (simplified: no "QSCD"
 * determination): the issuing service must be CA/QC with an acceptable status then; NotQualified removes the
 * qualification; QCStatement / QCForESig / QCForESeal / QCForWSA qualifiers override the certificate; otherwise
 * the certificate's QcCompliance and QcType decide, and the service's AdditionalServiceInformation must allow
 * that use (when it says anything).
 */
export function qualifyCertificate(cert: X509Certificate, lists: TrustedList[], at: Date, intermediates: X509Certificate[] = []): CertificateQualificationResult {
	const matches = findServicesFor(cert, lists, at, { types: [SERVICE_TYPE.caQc] }, intermediates);
	const parsed = parseCertificate(cert);
	const qc = parsed.qcStatements;
	const granted = matches.find((m) => m.service.acceptable) ?? null;
	if (!granted) {
		const m = matches[0] ?? null;
		return {
			qualification: 'NO_TRUSTED_SERVICE',
			qscd: false,
			signatureLevel: 'NA',
			match: m,
			qualifiers: [],
			qcCompliance: qc.compliance,
			summary: m ? `${describe(m.service)} is not granted at ${at.toISOString()}` : `no CA/QC service of the lists issued this certificate at ${at.toISOString()}`,
		};
	}
	const qualifiers = applicableQualifiers(granted.service.phase, cert);
	const has = (q: string): boolean => qualifiers.includes(q);
	const asi = granted.service.phase.additionalInfo;
	let qualified = qc.compliance;
	if (has(QUALIFIER.qcStatement)) qualified = true;
	if (has(QUALIFIER.notQualified)) qualified = false;
	let use: CertificateQualification = 'QC';
	if (has(QUALIFIER.qcForESig)) use = 'QC_FOR_ESIG';
	else if (has(QUALIFIER.qcForESeal)) use = 'QC_FOR_ESEAL';
	else if (has(QUALIFIER.qcForWsa)) use = 'QC_FOR_WSA';
	else if (qc.esign) use = 'QC_FOR_ESIG';
	else if (qc.eseal) use = 'QC_FOR_ESEAL';
	// EN 319 412-5: a qualified certificate without QcType is one for electronic signatures.
	else if (qc.types.length === 0) use = 'QC_FOR_ESIG';
	const allowed: Record<string, string> = { QC_FOR_ESIG: ADDITIONAL_INFO.forESignatures, QC_FOR_ESEAL: ADDITIONAL_INFO.forESeals, QC_FOR_WSA: ADDITIONAL_INFO.forWebSiteAuthentication };
	const asiLimits = asi.filter((u) => u !== ADDITIONAL_INFO.rootCaQc);
	if (asiLimits.length > 0 && allowed[use] && !asiLimits.includes(allowed[use])) qualified = false;
	let qscd = qc.sscd;
	if (has(QUALIFIER.qcWithQscd) || has(QUALIFIER.qcWithSscd) || has(QUALIFIER.qcQscdManagedOnBehalf)) qscd = true;
	else if (has(QUALIFIER.qcNoQscd) || has(QUALIFIER.qcNoSscd)) qscd = false;
	const seal = use === 'QC_FOR_ESEAL';
	let signatureLevel: SignatureQualificationLabel;
	if (!qualified) signatureLevel = seal ? 'AdESeal' : 'AdESig';
	else if (use === 'QC_FOR_WSA') signatureLevel = 'AdESig';
	else if (qscd) signatureLevel = seal ? 'QESeal' : 'QESig';
	else signatureLevel = seal ? 'AdESeal-QC' : 'AdESig-QC';
	return {
		qualification: qualified ? use : 'NOT_QC',
		qscd,
		signatureLevel,
		match: granted,
		qualifiers,
		qcCompliance: qc.compliance,
		summary: `${describe(granted.service)}${qualified ? '' : ' (certificate not qualified for this use)'}`,
	};
}

/** "LV list 123, provider P, service S (CA/QC), granted since 2016-07-01" */
export function describe(s: ServiceAtTime): string {
	return `${s.territory} list ${s.listSequenceNumber}, provider "${s.provider}", service "${s.service}" (${s.typeName}), ${s.statusName} since ${s.statusStart.toISOString()}`;
}
