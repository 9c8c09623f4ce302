import type { Element } from '@xmldom/xmldom';
import { NS, childElements, textOf, isElement } from '../xml';

const EC_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** A c14n step: algorithm URI plus the exclusive InclusiveNamespaces PrefixList, if any. */
export interface C14nStep {
	algorithm: string;
	prefixes?: string[];
}

/** One ds:Reference. */
export interface ParsedReference {
	element: Element;
	id: string | null;
	uri: string | null;
	type: string | null;
	transforms: C14nStep[];
	digestMethod: string;
	digestValue: Buffer | null;
}

/** One xades:SigningCertificate(V2)/Cert. */
export interface SigningCertRef {
	digestMethod: string;
	digestValue: Buffer | null;
	issuerName?: string;
	serialNumber?: string;
	issuerSerialV2?: Buffer;
}

/** An xades:SignatureTimeStamp or xades141:ArchiveTimeStamp. */
export interface TimestampProperty {
	element: Element;
	c14n: C14nStep | null;
	tokens: Buffer[];
}

/** Everything the verifier reads out of one ds:Signature (nothing verified yet). */
export interface ParsedSignature {
	element: Element;
	id: string | null;
	signedInfo: Element | null;
	c14n: C14nStep | null;
	signatureMethod: string | null;
	signatureMethodElement: Element | null;
	references: ParsedReference[];
	signatureValueElement: Element | null;
	signatureValue: Buffer | null;
	keyInfoElement: Element | null;
	keyInfoCertificates: Buffer[];
	signedProperties: Element | null;
	qualifyingProperties: Element | null;
	signingTime: Date | null;
	signingCertificate: { version: 1 | 2; certs: SigningCertRef[] } | null;
	policy: { identifier: string; qualifier: string | null; spuri: string | null } | 'implied' | null;
	/** DataObjectFormat ObjectReference (without '#') → MimeType. */
	dataObjectFormats: Map<string, string>;
	unsignedSignatureProperties: Element | null;
	signatureTimestamps: TimestampProperty[];
	archiveTimestamps: TimestampProperty[];
	certificateValues: Buffer[];
	ocspValues: Buffer[];
	/** Structural problems found while reading (each becomes a FORMAT_ERROR). */
	formatErrors: string[];
	/** Elements with an Id inside this signature (Id → elements; more than one = ambiguous). */
	ids: Map<string, Element[]>;
}

/** Base64 that may be wrapped (libdigidocpp wraps at 60/64 columns); null when not Base64 at all. */
export function decodeWrappedBase64(text: string): Buffer | null {
	const compact = text.replace(/[\s]+/g, '');
	if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return null;
	return Buffer.from(compact, 'base64');
}

function one(parent: Element, ns: string, name: string, errors: string[], required = true): Element | null {
	const all = childElements(parent, ns, name);
	if (all.length > 1) errors.push(`${parent.localName} has ${all.length} ${name} elements where one is allowed.`);
	if (all.length === 0 && required) errors.push(`${parent.localName} has no ${name} element.`);
	return all[0] ?? null;
}

function c14nStepOf(el: Element): C14nStep {
	const algorithm = el.getAttribute('Algorithm') ?? '';
	const inc = childElements(el, EC_NS, 'InclusiveNamespaces')[0];
	const list = inc?.getAttribute('PrefixList');
	return list ? { algorithm, prefixes: list.trim().split(/\s+/) } : { algorithm };
}

function collectIds(root: Element): Map<string, Element[]> {
	const ids = new Map<string, Element[]>();
	const stack: Element[] = [root];
	while (stack.length) {
		const el = stack.pop()!;
		const id = el.getAttribute('Id');
		if (id !== null && el.hasAttribute('Id')) ids.set(id, [...(ids.get(id) ?? []), el]);
		for (const c of childElements(el)) stack.push(c);
	}
	return ids;
}

function parseReference(el: Element, errors: string[]): ParsedReference {
	const transforms: C14nStep[] = [];
	const tr = one(el, NS.ds, 'Transforms', errors, false);
	if (tr) for (const t of childElements(tr, NS.ds, 'Transform')) transforms.push(c14nStepOf(t));
	const dm = one(el, NS.ds, 'DigestMethod', errors);
	const dv = one(el, NS.ds, 'DigestValue', errors);
	const digestValue = dv ? decodeWrappedBase64(textOf(dv)) : null;
	if (dv && !digestValue) errors.push('A Reference DigestValue is not Base64.');
	return {
		element: el,
		id: el.hasAttribute('Id') ? el.getAttribute('Id') : null,
		uri: el.hasAttribute('URI') ? el.getAttribute('URI') : null,
		type: el.hasAttribute('Type') ? el.getAttribute('Type') : null,
		transforms,
		digestMethod: dm?.getAttribute('Algorithm') ?? '',
		digestValue,
	};
}

function parseSigningCertificate(ssp: Element, errors: string[]): ParsedSignature['signingCertificate'] {
	const v1 = childElements(ssp, NS.xades, 'SigningCertificate');
	const v2 = childElements(ssp, NS.xades, 'SigningCertificateV2');
	if (v1.length + v2.length > 1) errors.push('SignedSignatureProperties has more than one SigningCertificate element.');
	const el = v1[0] ?? v2[0];
	if (!el) return null;
	const version = v1[0] ? 1 : 2;
	const certs: SigningCertRef[] = [];
	for (const cert of childElements(el, NS.xades, 'Cert')) {
		const cd = one(cert, NS.xades, 'CertDigest', errors);
		const dm = cd ? one(cd, NS.ds, 'DigestMethod', errors) : null;
		const dv = cd ? one(cd, NS.ds, 'DigestValue', errors) : null;
		const ref: SigningCertRef = { digestMethod: dm?.getAttribute('Algorithm') ?? '', digestValue: dv ? decodeWrappedBase64(textOf(dv)) : null };
		if (version === 1) {
			const is = one(cert, NS.xades, 'IssuerSerial', errors, false);
			if (is) {
				const name = one(is, NS.ds, 'X509IssuerName', errors);
				const serial = one(is, NS.ds, 'X509SerialNumber', errors);
				if (name) ref.issuerName = textOf(name).trim();
				if (serial) ref.serialNumber = textOf(serial).trim();
			}
		} else {
			const is = one(cert, NS.xades, 'IssuerSerialV2', errors, false);
			if (is) ref.issuerSerialV2 = decodeWrappedBase64(textOf(is)) ?? undefined;
		}
		certs.push(ref);
	}
	if (certs.length === 0) errors.push('SigningCertificate has no Cert element.');
	return { version, certs };
}

function parsePolicy(ssp: Element, errors: string[]): ParsedSignature['policy'] {
	const spi = one(ssp, NS.xades, 'SignaturePolicyIdentifier', errors, false);
	if (!spi) return null;
	if (childElements(spi, NS.xades, 'SignaturePolicyImplied').length > 0) return 'implied';
	const id = childElements(spi, NS.xades, 'SignaturePolicyId')[0];
	const sigPolicyId = id ? childElements(id, NS.xades, 'SigPolicyId')[0] : undefined;
	const ident = sigPolicyId ? childElements(sigPolicyId, NS.xades, 'Identifier')[0] : undefined;
	let spuri: string | null = null;
	const quals = id ? childElements(id, NS.xades, 'SigPolicyQualifiers')[0] : undefined;
	if (quals) {
		for (const q of childElements(quals, NS.xades, 'SigPolicyQualifier')) {
			const s = childElements(q, NS.xades, 'SPURI')[0];
			if (s) spuri = textOf(s).trim();
		}
	}
	return { identifier: ident ? textOf(ident).trim() : '', qualifier: ident?.getAttribute('Qualifier') ?? null, spuri };
}

function parseTimestamp(el: Element, errors: string[]): TimestampProperty {
	const cm = childElements(el, NS.ds, 'CanonicalizationMethod')[0];
	const tokens: Buffer[] = [];
	for (const ets of [...childElements(el, NS.xades, 'EncapsulatedTimeStamp'), ...childElements(el, NS.xades141, 'EncapsulatedTimeStamp')]) {
		const der = decodeWrappedBase64(textOf(ets));
		if (der) tokens.push(der);
		else errors.push('An EncapsulatedTimeStamp is not Base64.');
	}
	return { element: el, c14n: cm ? c14nStepOf(cm) : null, tokens };
}

/** Read the parts of a ds:Signature the verifier needs; structural problems go to `formatErrors`. */
export function parseSignature(sig: Element): ParsedSignature {
	const errors: string[] = [];
	const out: ParsedSignature = {
		element: sig,
		id: sig.hasAttribute('Id') ? sig.getAttribute('Id') : null,
		signedInfo: null,
		c14n: null,
		signatureMethod: null,
		signatureMethodElement: null,
		references: [],
		signatureValueElement: null,
		signatureValue: null,
		keyInfoElement: null,
		keyInfoCertificates: [],
		signedProperties: null,
		qualifyingProperties: null,
		signingTime: null,
		signingCertificate: null,
		policy: null,
		dataObjectFormats: new Map(),
		unsignedSignatureProperties: null,
		signatureTimestamps: [],
		archiveTimestamps: [],
		certificateValues: [],
		ocspValues: [],
		formatErrors: errors,
		ids: collectIds(sig),
	};
	const si = one(sig, NS.ds, 'SignedInfo', errors);
	out.signedInfo = si;
	if (si) {
		const cm = one(si, NS.ds, 'CanonicalizationMethod', errors);
		out.c14n = cm ? c14nStepOf(cm) : null;
		out.signatureMethodElement = one(si, NS.ds, 'SignatureMethod', errors);
		out.signatureMethod = out.signatureMethodElement?.getAttribute('Algorithm') ?? null;
		out.references = childElements(si, NS.ds, 'Reference').map((r) => parseReference(r, errors));
		if (out.references.length === 0) errors.push('SignedInfo has no Reference.');
	}
	out.signatureValueElement = one(sig, NS.ds, 'SignatureValue', errors);
	if (out.signatureValueElement) {
		out.signatureValue = decodeWrappedBase64(textOf(out.signatureValueElement));
		if (!out.signatureValue) errors.push('SignatureValue is not Base64.');
	}
	out.keyInfoElement = one(sig, NS.ds, 'KeyInfo', errors, false);
	if (out.keyInfoElement) {
		for (const xd of childElements(out.keyInfoElement, NS.ds, 'X509Data')) {
			for (const c of childElements(xd, NS.ds, 'X509Certificate')) {
				const der = decodeWrappedBase64(textOf(c));
				if (der) out.keyInfoCertificates.push(der);
				else errors.push('A KeyInfo X509Certificate is not Base64.');
			}
		}
	}
	const qps = childElements(sig, NS.ds, 'Object').flatMap((o) => childElements(o, NS.xades, 'QualifyingProperties'));
	if (qps.length !== 1) errors.push(qps.length === 0 ? 'The signature has no xades:QualifyingProperties.' : 'The signature has more than one QualifyingProperties.');
	const qp = qps[0];
	if (!qp) return out;
	out.qualifyingProperties = qp;
	const target = qp.getAttribute('Target');
	if (out.id !== null && target !== `#${out.id}`) errors.push(`QualifyingProperties Target "${target ?? ''}" does not point at the signature Id "${out.id}".`);
	const sp = one(qp, NS.xades, 'SignedProperties', errors);
	out.signedProperties = sp;
	if (sp) {
		const ssp = one(sp, NS.xades, 'SignedSignatureProperties', errors);
		if (ssp) {
			const st = one(ssp, NS.xades, 'SigningTime', errors, false);
			if (st) {
				const d = new Date(textOf(st).trim());
				if (Number.isNaN(d.getTime())) errors.push('SigningTime is not a valid date-time.');
				else out.signingTime = d;
			}
			out.signingCertificate = parseSigningCertificate(ssp, errors);
			out.policy = parsePolicy(ssp, errors);
		}
		const sdop = childElements(sp, NS.xades, 'SignedDataObjectProperties')[0];
		if (sdop) {
			for (const dof of childElements(sdop, NS.xades, 'DataObjectFormat')) {
				const ref = (dof.getAttribute('ObjectReference') ?? '').replace(/^#/, '');
				const mt = childElements(dof, NS.xades, 'MimeType')[0];
				if (mt) out.dataObjectFormats.set(ref, textOf(mt).trim());
			}
		}
	}
	const up = childElements(qp, NS.xades, 'UnsignedProperties')[0];
	const usp = up ? childElements(up, NS.xades, 'UnsignedSignatureProperties')[0] : undefined;
	if (usp) {
		out.unsignedSignatureProperties = usp;
		for (const child of childElements(usp)) {
			if (isElement(child, NS.xades, 'SignatureTimeStamp')) out.signatureTimestamps.push(parseTimestamp(child, errors));
			else if (isElement(child, NS.xades141, 'ArchiveTimeStamp') || isElement(child, NS.xades, 'ArchiveTimeStamp')) {
				out.archiveTimestamps.push(parseTimestamp(child, errors));
			} else if (isElement(child, NS.xades, 'CertificateValues')) {
				for (const c of childElements(child, NS.xades, 'EncapsulatedX509Certificate')) {
					const der = decodeWrappedBase64(textOf(c));
					if (der) out.certificateValues.push(der);
				}
			} else if (isElement(child, NS.xades, 'RevocationValues')) {
				for (const ov of childElements(child, NS.xades, 'OCSPValues')) {
					for (const v of childElements(ov, NS.xades, 'EncapsulatedOCSPValue')) {
						const der = decodeWrappedBase64(textOf(v));
						if (der) out.ocspValues.push(der);
						else errors.push('An EncapsulatedOCSPValue is not Base64.');
					}
				}
			}
		}
	}
	for (const ts of out.signatureTimestamps) {
		if (ts.tokens.length !== 1) errors.push(`A SignatureTimeStamp holds ${ts.tokens.length} EncapsulatedTimeStamp elements; exactly one is allowed.`);
	}
	return out;
}
