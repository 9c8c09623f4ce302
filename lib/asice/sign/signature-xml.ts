import type { Element } from '@xmldom/xmldom';
import type { HashAlgorithm } from '../../hash-algorithm';
import { C14N, canonicalize } from '../c14n';
import { NS, childElement, childElements, parseXmlSafely } from '../xml';
import { digestMethodUri, signatureMethodUri, type ReferenceDigestAlgorithm, type XadesSignatureScheme } from './algorithms';
import { AsiceBuildError } from './errors';
import { escapeAttribute as attr, escapeText as text } from './xml-text';

/** Optional xades:SignatureProductionPlaceV2 fields (EN 319 132-1 order). */
export interface ProductionPlace {
	city?: string;
	streetAddress?: string;
	stateOrProvince?: string;
	postalCode?: string;
	countryName?: string;
}

/** One signed data file as it appears in SignedInfo and SignedProperties. */
export interface SignedFile {
	name: string;
	mimeType: string;
	/** Reference URI (percent-encoded name). */
	uri: string;
	/** Base64 digest of the file bytes with the reference digest algorithm. */
	digest: string;
}

/** Everything that decides the signed part of the signature, byte for byte. JSON-serializable. */
export interface SignatureParameters {
	/** 32 lower-case hex characters; all Ids derive from it (DigiDoc4j style `id-…`, `r-id-…-1`, `xades-id-…`). */
	idBase: string;
	/** `YYYY-MM-DDThh:mm:ssZ`. */
	signingTime: string;
	/** Base64 DER of the signer certificate. */
	signerCertificate: string;
	/** Base64 DER of IssuerSerial (RFC 5035) for xades:IssuerSerialV2. */
	issuerSerial: string;
	hashAlgorithm: HashAlgorithm;
	signatureScheme: XadesSignatureScheme;
	referenceDigest: ReferenceDigestAlgorithm;
	files: SignedFile[];
	productionPlace?: ProductionPlace;
	roles?: string[];
}

/** Unsigned (LT) material added after the signature value. */
export interface UnsignedMaterial {
	/** RFC 3161 TimeStampToken (CMS ContentInfo) DER. */
	timestampToken: Buffer;
	/** CertificateValues (CA, TSA, OCSP responder certificates), DER. */
	certificates: Buffer[];
	/** Complete OCSPResponse DER values. */
	ocspResponses: Buffer[];
}

const ASIC_ROOT_OPEN = `<asic:XAdESSignatures xmlns:asic="${NS.asic}">`;

/** The Ids used inside one signature. */
export function signatureIds(idBase: string): {
	signature: string;
	signedProperties: string;
	signatureValue: string;
	reference: (index: number) => string;
	timestamp: string;
	encapsulatedTimestamp: string;
} {
	return {
		signature: `id-${idBase}`,
		signedProperties: `xades-id-${idBase}`,
		signatureValue: `value-id-${idBase}`,
		reference: (index) => `r-id-${idBase}-${index + 1}`,
		timestamp: `T-${idBase}`,
		encapsulatedTimestamp: `ET-${idBase}`,
	};
}

function productionPlaceXml(place: ProductionPlace | undefined): string {
	if (!place) return '';
	const fields: [keyof ProductionPlace, string][] = [
		['city', 'City'],
		['streetAddress', 'StreetAddress'],
		['stateOrProvince', 'StateOrProvince'],
		['postalCode', 'PostalCode'],
		['countryName', 'CountryName'],
	];
	const inner = fields
		.filter(([key]) => place[key] !== undefined && place[key] !== '')
		.map(([key, element]) => `<xades:${element}>${text(place[key] as string)}</xades:${element}>`)
		.join('');
	return inner ? `<xades:SignatureProductionPlaceV2>${inner}</xades:SignatureProductionPlaceV2>` : '';
}

function rolesXml(roles: string[] | undefined): string {
	if (!roles || roles.length === 0) return '';
	const claimed = roles.map((r) => `<xades:ClaimedRole>${text(r)}</xades:ClaimedRole>`).join('');
	return `<xades:SignerRoleV2><xades:ClaimedRoles>${claimed}</xades:ClaimedRoles></xades:SignerRoleV2>`;
}

/**
 * xades:SignedProperties as written in the document. Elements are written with explicit end tags and
 * attributes in canonical order, so the saved bytes are already close to their canonical form.
 */
export function signedPropertiesXml(p: SignatureParameters, certDigest: string): string {
	const ids = signatureIds(p.idBase);
	const formats = p.files
		.map((f, i) => `<xades:DataObjectFormat ObjectReference="#${attr(ids.reference(i))}"><xades:MimeType>${text(f.mimeType)}</xades:MimeType></xades:DataObjectFormat>`)
		.join('');
	return (
		`<xades:SignedProperties Id="${attr(ids.signedProperties)}"><xades:SignedSignatureProperties>` +
		`<xades:SigningTime>${text(p.signingTime)}</xades:SigningTime>` +
		`<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>` +
		`<ds:DigestMethod Algorithm="${attr(digestMethodUri(p.referenceDigest))}"></ds:DigestMethod><ds:DigestValue>${certDigest}</ds:DigestValue>` +
		`</xades:CertDigest><xades:IssuerSerialV2>${p.issuerSerial}</xades:IssuerSerialV2></xades:Cert></xades:SigningCertificateV2>` +
		productionPlaceXml(p.productionPlace) +
		rolesXml(p.roles) +
		`</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>${formats}</xades:SignedDataObjectProperties></xades:SignedProperties>`
	);
}

/** ds:SignedInfo: exclusive c14n, one Reference per data file (no transforms), one to SignedProperties. */
export function signedInfoXml(p: SignatureParameters, signedPropertiesDigest: string): string {
	const ids = signatureIds(p.idBase);
	const digestMethod = `<ds:DigestMethod Algorithm="${attr(digestMethodUri(p.referenceDigest))}"></ds:DigestMethod>`;
	const references = p.files
		.map((f, i) => `<ds:Reference Id="${attr(ids.reference(i))}" URI="${attr(f.uri)}">${digestMethod}<ds:DigestValue>${f.digest}</ds:DigestValue></ds:Reference>`)
		.join('');
	return (
		`<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${C14N.exc}"></ds:CanonicalizationMethod>` +
		`<ds:SignatureMethod Algorithm="${attr(signatureMethodUri(p.signatureScheme, p.hashAlgorithm))}"></ds:SignatureMethod>` +
		references +
		`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#${attr(ids.signedProperties)}">` +
		`<ds:Transforms><ds:Transform Algorithm="${C14N.exc}"></ds:Transform></ds:Transforms>${digestMethod}` +
		`<ds:DigestValue>${signedPropertiesDigest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
	);
}

/** xades:UnsignedProperties of an LT signature: SignatureTimeStamp, CertificateValues, RevocationValues. */
export function unsignedPropertiesXml(idBase: string, m: UnsignedMaterial): string {
	const ids = signatureIds(idBase);
	const certs = m.certificates.map((c, i) => `<xades:EncapsulatedX509Certificate Id="C${i}-${idBase}">${c.toString('base64')}</xades:EncapsulatedX509Certificate>`).join('');
	const ocsps = m.ocspResponses.map((o, i) => `<xades:EncapsulatedOCSPValue Id="N${i}-${idBase}">${o.toString('base64')}</xades:EncapsulatedOCSPValue>`).join('');
	return (
		`<xades:UnsignedProperties><xades:UnsignedSignatureProperties>` +
		`<xades:SignatureTimeStamp Id="${ids.timestamp}"><ds:CanonicalizationMethod Algorithm="${C14N.exc}"></ds:CanonicalizationMethod>` +
		`<xades:EncapsulatedTimeStamp Id="${ids.encapsulatedTimestamp}">${m.timestampToken.toString('base64')}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>` +
		(certs ? `<xades:CertificateValues>${certs}</xades:CertificateValues>` : '') +
		`<xades:RevocationValues><xades:OCSPValues>${ocsps}</xades:OCSPValues></xades:RevocationValues>` +
		`</xades:UnsignedSignatureProperties></xades:UnsignedProperties>`
	);
}

/**
 * The whole `META-INF/signaturesN.xml` document (one line after the XML declaration, DigiDoc4j layout:
 * `ds` declared on ds:Signature, `xades` on QualifyingProperties, exclusive c14n everywhere).
 */
export function signatureDocumentXml(parts: {
	idBase: string;
	signedInfo: string;
	signatureValue: string;
	signerCertificate: string;
	signedProperties: string;
	unsignedProperties?: string;
}): string {
	const ids = signatureIds(parts.idBase);
	return (
		'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' +
		ASIC_ROOT_OPEN +
		`<ds:Signature xmlns:ds="${NS.ds}" Id="${ids.signature}">` +
		parts.signedInfo +
		`<ds:SignatureValue Id="${ids.signatureValue}">${parts.signatureValue}</ds:SignatureValue>` +
		`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${parts.signerCertificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
		`<ds:Object><xades:QualifyingProperties xmlns:xades="${NS.xades}" Target="#${ids.signature}">` +
		parts.signedProperties +
		(parts.unsignedProperties ?? '') +
		`</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>`
	);
}

/** Canonical (exclusive c14n) bytes of the signed parts, computed by parsing the document as it will be saved. */
export interface CanonicalParts {
	signedInfo: Buffer;
	signedProperties: Buffer;
	signatureValue: Buffer;
}

function one(parent: Element, ns: string, name: string): Element {
	const el = childElement(parent, ns, name);
	if (!el) throw new AsiceBuildError('ASICE_BUILD_PENDING_INVALID', `Internal error: the built signature has no ${name} element.`);
	return el;
}

/** Parse a built signature document and canonicalize SignedInfo, SignedProperties and SignatureValue. */
export function canonicalParts(documentXml: string): CanonicalParts {
	const doc = parseXmlSafely(documentXml);
	const root = doc.documentElement as unknown as Element;
	const signatures = childElements(root, NS.ds, 'Signature');
	if (signatures.length !== 1) throw new AsiceBuildError('ASICE_BUILD_PENDING_INVALID', 'Internal error: the built document must hold one ds:Signature.');
	const signature = signatures[0];
	const object = one(signature, NS.ds, 'Object');
	const qualifying = one(object, NS.xades, 'QualifyingProperties');
	return {
		signedInfo: canonicalize(one(signature, NS.ds, 'SignedInfo'), C14N.exc),
		signedProperties: canonicalize(one(qualifying, NS.xades, 'SignedProperties'), C14N.exc),
		signatureValue: canonicalize(one(signature, NS.ds, 'SignatureValue'), C14N.exc),
	};
}
