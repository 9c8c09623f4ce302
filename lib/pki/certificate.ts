import { X509Certificate, createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmartIdError, ValidationError } from '../errors';
import { cachedCertificateForm, certificateCacheEntries, clearCertificateForms, deepFreeze, derCacheKey } from './certificate-cache';
import { fromSchema, parseAsn1 } from './asn1';
import { OID } from './oids';

/** A certificate could not be read (bad PEM/Base64/DER, or a malformed extension the engine relies on). */
export class CertificateParseError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
		super('SMARTID_CERTIFICATE_INVALID', message, details, options);
	}
}

/** Distinguished-name attributes the engine uses; `attributes` keeps every attribute in order. */
export interface DistinguishedName {
	C?: string;
	CN?: string;
	SN?: string;
	GN?: string;
	serialNumber?: string;
	O?: string;
	OU?: string[];
	organizationIdentifier?: string;
	attributes: { type: string; value: string }[];
}

/** KeyUsage bits (RFC 5280 §4.2.1.3); `nonRepudiation` is also called contentCommitment. */
export interface KeyUsageFlags {
	digitalSignature: boolean;
	nonRepudiation: boolean;
	keyEncipherment: boolean;
	dataEncipherment: boolean;
	keyAgreement: boolean;
	keyCertSign: boolean;
	cRLSign: boolean;
	encipherOnly: boolean;
	decipherOnly: boolean;
}

/** What the QCStatements extension says (ETSI EN 319 412-5). */
export interface QcStatementsInfo {
	/** Every statement id present, in order. */
	statementIds: string[];
	/** QcCompliance: an EU qualified certificate. */
	compliance: boolean;
	/** QcSSCD: the private key lives in a qualified signature creation device. */
	sscd: boolean;
	/** QcType values (0.4.0.1862.1.6.x). */
	types: string[];
	/** QcType contains id-etsi-qct-esign. */
	esign: boolean;
	/** QcType contains id-etsi-qct-eseal. */
	eseal: boolean;
	/** PKI disclosure statement locations. */
	pds: { url: string; language: string }[];
	/** Semantics identifiers of QcsSemanticsIdV2 statements (e.g. natural person 0.4.0.194121.1.1). */
	semanticsIds: string[];
}

/** Public key algorithm of the subject key. */
export interface PublicKeyInfo {
	/** node:crypto key type: `rsa`, `rsa-pss`, `ec`, `ed25519`, ... */
	type: string;
	/** RSA modulus length in bits. */
	modulusLength?: number;
	/** EC curve name as node reports it, e.g. `prime256v1`, `secp384r1`. */
	namedCurve?: string;
}

/**
 * A certificate seen both by node:crypto (key, validity) and by pkijs (names, extensions, raw fields): the raw
 * model OCSP/TSP code works on. Cached and shared: `der`/`asn` must be treated as read-only.
 */
export interface CertView {
	readonly x509: X509Certificate;
	readonly der: Buffer;
	readonly asn: pkijs.Certificate;
}

/** Typed, read-only view of an X.509 certificate: THE certificate model (a {@link CertView} plus what the engine reads). */
export interface ParsedCertificate extends CertView {
	/** node:crypto certificate (signature checks, public key). */
	x509: X509Certificate;
	der: Buffer;
	/** The pkijs certificate the fields were read from (read-only). */
	asn: pkijs.Certificate;
	/** SHA-256 of the DER, lowercase hex without separators. */
	sha256: string;
	subject: DistinguishedName;
	issuer: DistinguishedName;
	/** Serial number, uppercase hex as node reports it. */
	serialNumberHex: string;
	notBefore: Date;
	notAfter: Date;
	/** CN values of directoryName entries of subjectAltName (Smart-ID: the document number). */
	subjectAltNameDirectoryCns: string[];
	policies: string[];
	/** Null when the certificate has no KeyUsage extension. */
	keyUsage: KeyUsageFlags | null;
	extendedKeyUsages: string[];
	qcStatements: QcStatementsInfo;
	/** Null when the certificate has no basicConstraints extension (i.e. not a CA). */
	basicConstraints: { ca: boolean; pathLength?: number } | null;
	/** subjectDirectoryAttributes dateOfBirth as `YYYY-MM-DD`, or null. */
	dateOfBirth: string | null;
	ocspUrls: string[];
	caIssuerUrls: string[];
	crlUrls: string[];
	/** Lowercase hex, or null. */
	subjectKeyIdentifier: string | null;
	/** keyIdentifier of the AKI extension, lowercase hex, or null. */
	authorityKeyIdentifier: string | null;
	publicKey: PublicKeyInfo;
	/** OID of the algorithm the issuer signed this certificate with. */
	signatureAlgorithm: string;
	/** Extension OIDs marked critical. */
	criticalExtensions: string[];
}

/** Anything a certificate may arrive as: node object, DER bytes, PEM text or Base64 DER text. */
export type CertificateInput = X509Certificate | Buffer | Uint8Array | string;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** All certificates of a PEM text, as DER. */
export function pemToDerList(pem: string): Buffer[] {
	const out: Buffer[] = [];
	for (const match of pem.matchAll(PEM_BLOCK)) {
		const body = match[1].replace(/\s+/g, '');
		if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
			throw new CertificateParseError('A PEM certificate block contains characters that are not Base64.');
		}
		out.push(Buffer.from(body, 'base64'));
	}
	return out;
}

function inputToDer(input: Exclude<CertificateInput, X509Certificate>): Buffer {
	if (typeof input !== 'string') {
		return Buffer.from(input);
	}
	const text = input.trim();
	if (text.includes('-----BEGIN')) {
		const ders = pemToDerList(text);
		if (ders.length !== 1) {
			throw new CertificateParseError(
				`Expected exactly one PEM certificate, found ${ders.length}. Pass one certificate per value.`,
			);
		}
		return ders[0];
	}
	const compact = text.replace(/\s+/g, '');
	if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
		throw new CertificateParseError('The certificate is neither PEM nor Base64-encoded DER.');
	}
	return Buffer.from(compact, 'base64');
}

/** A node:crypto certificate from any accepted input; malformed input throws {@link CertificateParseError}. */
export function toX509(input: CertificateInput): X509Certificate {
	if (input instanceof X509Certificate) {
		return input;
	}
	const der = inputToDer(input);
	try {
		return new X509Certificate(der);
	} catch (err) {
		throw new CertificateParseError(
			'The bytes are not a readable X.509 certificate (DER). Check that the full certificate was supplied.',
			{ length: der.length },
			{ cause: err },
		);
	}
}


/**
 * Parse a certificate into a typed view. Results are cached per X509Certificate object and, bounded (LRU), per
 * DER SHA-256, so the same certificate arriving as fresh bytes is parsed once. The view is shared and frozen
 * (its `der` Buffer and `x509` must be treated as read-only); for an X509Certificate input from the byte cache,
 * `x509` may be another object for the same certificate.
 * @throws CertificateParseError on malformed input or a malformed extension.
 */
export function parseCertificate(input: CertificateInput): ParsedCertificate {
	const object = input instanceof X509Certificate ? input : undefined;
	const der = object ? object.raw : inputToDer(input as Exclude<CertificateInput, X509Certificate>);
	return cachedCertificateForm('parsed', derCacheKey(der), object, () => {
		const x509 = object ?? toX509(der);
		// The view describes exactly what node:crypto accepted (it may drop trailing bytes after the certificate).
		const acceptedDer = x509.raw;
		let cert: pkijs.Certificate;
		try {
			cert = pkijs.Certificate.fromBER(acceptedDer);
		} catch (err) {
			throw new CertificateParseError('The certificate structure could not be decoded.', {}, { cause: err });
		}
		return { form: deepFreeze(buildView(x509, Buffer.from(acceptedDer), cert)), x509 };
	});
}

/**
 * The raw {@link CertView} of DER bytes or a node certificate, strictly decoded (one complete DER value, readable
 * public key); shares the one certificate cache with {@link parseCertificate}.
 * @throws ValidationError `certificate.malformed` naming `what`.
 */
export function certView(input: X509Certificate | Uint8Array, what = 'certificate'): CertView {
	const object = input instanceof X509Certificate ? input : undefined;
	// Only well-formed inputs reach the byte cache; anything else is parsed (and refused) below.
	const bytes = object ? object.raw : input instanceof Uint8Array && input.length > 0 ? input : undefined;
	return cachedCertificateForm('view', bytes ? derCacheKey(bytes) : undefined, object, () => {
		const view = buildCertView(input, what);
		return { form: Object.freeze(view), x509: view.x509 };
	});
}

function buildCertView(input: X509Certificate | Uint8Array, what: string): CertView {
	const der = input instanceof X509Certificate ? input.raw : Buffer.from(input);
	let x509: X509Certificate;
	try {
		x509 = input instanceof X509Certificate ? input : new X509Certificate(der);
		void x509.publicKey; // node parses the key lazily and throws later on a broken one; fail here instead
	} catch (error) {
		throw new ValidationError('certificate.malformed', `The ${what} is not a valid X.509 certificate.`, {
			reason: error instanceof Error ? error.message : String(error),
		});
	}
	const asn = fromSchema(
		() => new pkijs.Certificate({ schema: parseAsn1(der, 'certificate.malformed', `The ${what}`) }),
		'certificate.malformed',
		`The ${what}`,
	);
	return { x509, der, asn };
}

/** Forget the byte-keyed certificate cache (tests, or to release memory). */
export function clearCertificateCache(): void {
	clearCertificateForms();
}

/** Number of certificates in the byte-keyed certificate cache (typed and raw views share it). */
export function certificateCacheSize(): number {
	return certificateCacheEntries();
}

/**
 * The extendedKeyUsage extension: purposes and criticality, or undefined when the certificate has none. The one
 * EKU reader (typed view, chain building, OCSP responder and TSA checks).
 * @throws CertificateParseError when the extension is present but malformed.
 */
export function extendedKeyUsageOf(cert: CertView): { purposes: string[]; critical: boolean } | undefined {
	const ext = cert.asn.extensions?.find((e) => e.extnID === OID.extKeyUsage);
	return ext ? { purposes: ekuPurposes(ext), critical: ext.critical } : undefined;
}

function ekuPurposes(ext: pkijs.Extension): string[] {
	return parsedOf(ext, pkijs.ExtKeyUsage).keyPurposes;
}

function buildView(x509: X509Certificate, der: Buffer, cert: pkijs.Certificate): ParsedCertificate {
	const view: ParsedCertificate = {
		x509,
		der,
		asn: cert,
		sha256: createHash('sha256').update(der).digest('hex'),
		subject: readName(cert.subject),
		issuer: readName(cert.issuer),
		serialNumberHex: x509.serialNumber.toUpperCase(),
		notBefore: cert.notBefore.value,
		notAfter: cert.notAfter.value,
		subjectAltNameDirectoryCns: [],
		policies: [],
		keyUsage: null,
		extendedKeyUsages: [],
		qcStatements: emptyQc(),
		basicConstraints: null,
		dateOfBirth: null,
		ocspUrls: [],
		caIssuerUrls: [],
		crlUrls: [],
		subjectKeyIdentifier: null,
		authorityKeyIdentifier: null,
		publicKey: readPublicKey(x509),
		signatureAlgorithm: cert.signatureAlgorithm.algorithmId,
		criticalExtensions: [],
	};
	for (const ext of cert.extensions ?? []) {
		if (ext.critical) view.criticalExtensions.push(ext.extnID);
		try {
			readExtension(view, ext);
		} catch (err) {
			if (err instanceof CertificateParseError) throw err;
			throw new CertificateParseError(
				`The certificate extension ${ext.extnID} is malformed.`,
				{ extension: ext.extnID },
				{ cause: err },
			);
		}
	}
	return view;
}

function emptyQc(): QcStatementsInfo {
	return { statementIds: [], compliance: false, sscd: false, types: [], esign: false, eseal: false, pds: [], semanticsIds: [] };
}

function readPublicKey(x509: X509Certificate): PublicKeyInfo {
	let key;
	try {
		// node:crypto decodes the SubjectPublicKeyInfo lazily: a certificate that parsed can still hold an unreadable key.
		key = x509.publicKey;
	} catch (err) {
		throw new CertificateParseError('The certificate public key cannot be decoded; the certificate is corrupt.', {}, { cause: err });
	}
	const details = key.asymmetricKeyDetails ?? {};
	return {
		type: key.asymmetricKeyType ?? 'unknown',
		...(details.modulusLength !== undefined ? { modulusLength: details.modulusLength } : {}),
		...(details.namedCurve !== undefined ? { namedCurve: details.namedCurve } : {}),
	};
}

/** Text of a DirectoryString / IA5String / PrintableString ASN.1 value. */
function asn1Text(value: unknown): string {
	const block = (value as { valueBlock?: { value?: unknown } }).valueBlock;
	if (block && typeof block.value === 'string') return block.value;
	throw new CertificateParseError('A name attribute is not a string.');
}

const NAME_KEYS: Record<string, keyof Omit<DistinguishedName, 'attributes' | 'OU'>> = {
	[OID.countryName]: 'C',
	[OID.commonName]: 'CN',
	[OID.surname]: 'SN',
	[OID.givenName]: 'GN',
	[OID.serialNumber]: 'serialNumber',
	[OID.organizationName]: 'O',
	[OID.organizationIdentifier]: 'organizationIdentifier',
};

function readName(name: pkijs.RelativeDistinguishedNames): DistinguishedName {
	const dn: DistinguishedName = { attributes: [] };
	for (const atv of name.typesAndValues) {
		const value = asn1Text(atv.value);
		dn.attributes.push({ type: atv.type, value });
		if (atv.type === OID.organizationalUnitName) {
			(dn.OU ??= []).push(value);
			continue;
		}
		const key = NAME_KEYS[atv.type];
		if (key && dn[key] === undefined) dn[key] = value;
	}
	return dn;
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
	return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

function parsedOf<T>(ext: pkijs.Extension, type: new (params: { schema: unknown }) => T): T {
	const raw = ext.extnValue.valueBlock.valueHexView;
	const asn1 = asn1js.fromBER(raw);
	if (asn1.offset === -1) throw new CertificateParseError(`The certificate extension ${ext.extnID} is not valid DER.`);
	return new type({ schema: asn1.result });
}

function rawOf(ext: pkijs.Extension): ReturnType<typeof asn1js.fromBER>["result"] {
	const asn1 = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
	if (asn1.offset === -1) throw new CertificateParseError(`The certificate extension ${ext.extnID} is not valid DER.`);
	return asn1.result;
}

function uriOf(name: pkijs.GeneralName): string | null {
	// GeneralName [6] uniformResourceIdentifier.
	return name.type === 6 && typeof name.value === 'string' ? name.value : null;
}

function readExtension(view: ParsedCertificate, ext: pkijs.Extension): void {
	switch (ext.extnID) {
		case OID.subjectAltName: {
			const alt = parsedOf(ext, pkijs.AltName);
			for (const name of alt.altNames) {
				if (name.type === 4) {
					const cn = readName(name.value as pkijs.RelativeDistinguishedNames).CN;
					if (cn !== undefined) view.subjectAltNameDirectoryCns.push(cn);
				}
			}
			return;
		}
		case OID.certificatePolicies: {
			const policies = parsedOf(ext, pkijs.CertificatePolicies);
			view.policies = policies.certificatePolicies.map((p) => p.policyIdentifier);
			return;
		}
		case OID.keyUsage: {
			const bits = rawOf(ext);
			if (!(bits instanceof asn1js.BitString)) throw new CertificateParseError('KeyUsage is not a BIT STRING.');
			const bytes = bits.valueBlock.valueHexView;
			const bit = (i: number): boolean => (bytes[i >> 3] ?? 0) & (0x80 >> (i & 7)) ? true : false;
			view.keyUsage = {
				digitalSignature: bit(0),
				nonRepudiation: bit(1),
				keyEncipherment: bit(2),
				dataEncipherment: bit(3),
				keyAgreement: bit(4),
				keyCertSign: bit(5),
				cRLSign: bit(6),
				encipherOnly: bit(7),
				decipherOnly: bit(8),
			};
			return;
		}
		case OID.extKeyUsage: {
			view.extendedKeyUsages = ekuPurposes(ext);
			return;
		}
		case OID.basicConstraints: {
			const bc = parsedOf(ext, pkijs.BasicConstraints);
			const path = bc.pathLenConstraint;
			const pathLength = typeof path === 'number' ? path : path?.valueBlock.valueDec;
			view.basicConstraints = { ca: bc.cA === true, ...(pathLength !== undefined ? { pathLength } : {}) };
			return;
		}
		case OID.authorityInfoAccess: {
			const aia = parsedOf(ext, pkijs.InfoAccess);
			for (const desc of aia.accessDescriptions) {
				const uri = uriOf(desc.accessLocation);
				if (uri === null) continue;
				if (desc.accessMethod === OID.accessOcsp) view.ocspUrls.push(uri);
				if (desc.accessMethod === OID.accessCaIssuers) view.caIssuerUrls.push(uri);
			}
			return;
		}
		case OID.crlDistributionPoints: {
			const dps = parsedOf(ext, pkijs.CRLDistributionPoints);
			for (const dp of dps.distributionPoints) {
				const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
				for (const name of names) {
					const uri = uriOf(name);
					if (uri !== null) view.crlUrls.push(uri);
				}
			}
			return;
		}
		case OID.subjectKeyIdentifier: {
			const ski = rawOf(ext);
			if (!(ski instanceof asn1js.OctetString)) throw new CertificateParseError('SubjectKeyIdentifier is not an OCTET STRING.');
			view.subjectKeyIdentifier = hex(ski.valueBlock.valueHexView);
			return;
		}
		case OID.authorityKeyIdentifier: {
			const aki = parsedOf(ext, pkijs.AuthorityKeyIdentifier);
			if (aki.keyIdentifier) view.authorityKeyIdentifier = hex(aki.keyIdentifier.valueBlock.valueHexView);
			return;
		}
		case OID.subjectDirectoryAttributes: {
			const sda = parsedOf(ext, pkijs.SubjectDirectoryAttributes);
			for (const attr of sda.attributes) {
				if (attr.type !== OID.pdaDateOfBirth) continue;
				const value = attr.values[0];
				if (!(value instanceof asn1js.GeneralizedTime)) {
					throw new CertificateParseError('The dateOfBirth attribute is not a GeneralizedTime.');
				}
				view.dateOfBirth = isoDate(value.year, value.month, value.day);
			}
			return;
		}
		case OID.qcStatements: {
			view.qcStatements = readQcStatements(rawOf(ext));
			return;
		}
		default:
			return;
	}
}

function isoDate(year: number, month: number, day: number): string {
	const d = new Date(Date.UTC(year, month - 1, day));
	if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
		throw new CertificateParseError('The dateOfBirth attribute is not a real calendar date.');
	}
	return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function sequenceItems(node: unknown, what: string): unknown[] {
	if (!(node instanceof asn1js.Sequence)) throw new CertificateParseError(`${what} is not a SEQUENCE.`);
	return node.valueBlock.value;
}

function oidOf(node: unknown, what: string): string {
	if (!(node instanceof asn1js.ObjectIdentifier)) throw new CertificateParseError(`${what} is not an OBJECT IDENTIFIER.`);
	return node.valueBlock.toString();
}

function readQcStatements(root: unknown): QcStatementsInfo {
	const info = emptyQc();
	for (const statement of sequenceItems(root, 'QCStatements')) {
		const [idNode, info0] = sequenceItems(statement, 'QCStatement');
		const id = oidOf(idNode, 'QCStatement id');
		info.statementIds.push(id);
		switch (id) {
			case OID.qcCompliance:
				info.compliance = true;
				break;
			case OID.qcSscd:
				info.sscd = true;
				break;
			case OID.qcType:
				for (const t of sequenceItems(info0, 'QcType')) info.types.push(oidOf(t, 'QcType value'));
				break;
			case OID.qcPds:
				for (const loc of sequenceItems(info0, 'QcPDS')) {
					const [url, language] = sequenceItems(loc, 'PdsLocation');
					info.pds.push({ url: asn1Text(url), language: asn1Text(language) });
				}
				break;
			case OID.qcsSemanticsIdV2: {
				const first = info0 === undefined ? undefined : sequenceItems(info0, 'SemanticsInformation')[0];
				if (first instanceof asn1js.ObjectIdentifier) info.semanticsIds.push(first.valueBlock.toString());
				break;
			}
			default:
				break;
		}
	}
	info.esign = info.types.includes(OID.qcTypeEsign);
	info.eseal = info.types.includes(OID.qcTypeEseal);
	return info;
}

/** Lowercase hex SHA-256 fingerprint of a certificate's DER. */
export function certificateSha256(cert: X509Certificate): string {
	return createHash('sha256').update(cert.raw).digest('hex');
}
