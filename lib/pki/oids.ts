/**
 * Named object identifiers used by certificate parsing, chain building and Smart-ID validation.
 * Values are facts from RFC 5280, RFC 3739, ETSI EN 319 412 and SK ID Solutions' certificate profiles.
 */
export const OID = {
	// Distinguished-name attributes (X.520).
	commonName: '2.5.4.3',
	surname: '2.5.4.4',
	serialNumber: '2.5.4.5',
	countryName: '2.5.4.6',
	localityName: '2.5.4.7',
	stateOrProvinceName: '2.5.4.8',
	streetAddress: '2.5.4.9',
	organizationName: '2.5.4.10',
	organizationalUnitName: '2.5.4.11',
	givenName: '2.5.4.42',
	organizationIdentifier: '2.5.4.97',
	/** PKCS #9 emailAddress (legacy, in subject names). */
	emailAddress: '1.2.840.113549.1.9.1',
	domainComponent: '0.9.2342.19200300.100.1.25',
	userId: '0.9.2342.19200300.100.1.1',

	// Certificate extensions (RFC 5280).
	subjectDirectoryAttributes: '2.5.29.9',
	subjectKeyIdentifier: '2.5.29.14',
	keyUsage: '2.5.29.15',
	subjectAltName: '2.5.29.17',
	basicConstraints: '2.5.29.19',
	crlDistributionPoints: '2.5.29.31',
	certificatePolicies: '2.5.29.32',
	authorityKeyIdentifier: '2.5.29.35',
	extKeyUsage: '2.5.29.37',
	authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
	qcStatements: '1.3.6.1.5.5.7.1.3',

	// Authority information access methods.
	accessOcsp: '1.3.6.1.5.5.7.48.1',
	accessCaIssuers: '1.3.6.1.5.5.7.48.2',

	// Extended key usages.
	ekuServerAuth: '1.3.6.1.5.5.7.3.1',
	ekuClientAuth: '1.3.6.1.5.5.7.3.2',
	ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
	ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
	ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
	/** Smart-ID authentication EKU on certificates issued since 2025-04 (spec §5.4-6). */
	ekuSmartIdAuthentication: '1.3.6.1.4.1.62306.5.7.0',

	// Personal data attributes (RFC 3739).
	pdaDateOfBirth: '1.3.6.1.5.5.7.9.1',

	// QC statements (ETSI EN 319 412-5, RFC 3739).
	qcsSemanticsIdV2: '1.3.6.1.5.5.7.11.2',
	qcCompliance: '0.4.0.1862.1.1',
	qcSscd: '0.4.0.1862.1.4',
	qcPds: '0.4.0.1862.1.5',
	qcType: '0.4.0.1862.1.6',
	qcTypeEsign: '0.4.0.1862.1.6.1',
	qcTypeEseal: '0.4.0.1862.1.6.2',
	qcTypeWeb: '0.4.0.1862.1.6.3',
	semanticsIdNaturalPerson: '0.4.0.194121.1.1',
	semanticsIdLegalPerson: '0.4.0.194121.1.2',

	// Certificate policies (spec §5.4-5, §6.2).
	/** SK: Smart-ID qualified certificate. */
	policySkSmartIdQualified: '1.3.6.1.4.1.10015.17.2',
	/** SK: Smart-ID non-qualified (Basic, ADVANCED) certificate. */
	policySkSmartIdNonQualified: '1.3.6.1.4.1.10015.17.1',
	/** SK: legacy TEST variant of the qualified Smart-ID policy (old demo certificates). */
	policySkSmartIdQualifiedTestLegacy: '1.3.6.1.4.1.10015.3.17.2',
	/** ETSI EN 319 411-1 NCP. */
	policyEtsiNcp: '0.4.0.2042.1.1',
	/** ETSI EN 319 411-1 NCP+ (requires a secure device). */
	policyEtsiNcpPlus: '0.4.0.2042.1.2',
	/** ETSI EN 319 411-2 QCP-n-qscd (qualified, natural person, QSCD). */
	policyEtsiQcpNQscd: '0.4.0.194112.1.2',
	/** ETSI EN 319 411-2 QCP-n (qualified, natural person). */
	policyEtsiQcpN: '0.4.0.194112.1.0',

	// OCSP (RFC 6960), CMS (RFC 5652), time-stamping (RFC 3161) and ESS signing-certificate (RFC 2634, RFC 5035).
	ocspBasic: '1.3.6.1.5.5.7.48.1.1',
	ocspNonce: '1.3.6.1.5.5.7.48.1.2',
	cmsSignedData: '1.2.840.113549.1.7.2',
	ctTstInfo: '1.2.840.113549.1.9.16.1.4',
	attrContentType: '1.2.840.113549.1.9.3',
	attrMessageDigest: '1.2.840.113549.1.9.4',
	attrSigningCertificate: '1.2.840.113549.1.9.16.2.12',
	attrSigningCertificateV2: '1.2.840.113549.1.9.16.2.47',

	// Public key and signature algorithms.
	rsaEncryption: '1.2.840.113549.1.1.1',
	rsassaPss: '1.2.840.113549.1.1.10',
	sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
	sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
	sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
	sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
	sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
	rsaWithSha3_256: '2.16.840.1.101.3.4.3.14',
	rsaWithSha3_384: '2.16.840.1.101.3.4.3.15',
	rsaWithSha3_512: '2.16.840.1.101.3.4.3.16',
	ecPublicKey: '1.2.840.10045.2.1',
	ecdsaWithSha1: '1.2.840.10045.4.1',
	ecdsaWithSha224: '1.2.840.10045.4.3.1',
	ecdsaWithSha256: '1.2.840.10045.4.3.2',
	ecdsaWithSha384: '1.2.840.10045.4.3.3',
	ecdsaWithSha512: '1.2.840.10045.4.3.4',
	ecdsaWithSha3_256: '2.16.840.1.101.3.4.3.10',
	ecdsaWithSha3_384: '2.16.840.1.101.3.4.3.11',
	ecdsaWithSha3_512: '2.16.840.1.101.3.4.3.12',
	ed25519: '1.3.101.112',
	secp256r1: '1.2.840.10045.3.1.7',
	secp384r1: '1.3.132.0.34',
	secp521r1: '1.3.132.0.35',
	mgf1: '1.2.840.113549.1.1.8',
	sha1: '1.3.14.3.2.26',
	sha224: '2.16.840.1.101.3.4.2.4',
	sha256: '2.16.840.1.101.3.4.2.1',
	sha384: '2.16.840.1.101.3.4.2.2',
	sha512: '2.16.840.1.101.3.4.2.3',
	sha3_224: '2.16.840.1.101.3.4.2.7',
	sha3_256: '2.16.840.1.101.3.4.2.8',
	sha3_384: '2.16.840.1.101.3.4.2.9',
	sha3_512: '2.16.840.1.101.3.4.2.10',
} as const;

/** Any of the OID strings in {@link OID}. */
export type KnownOid = (typeof OID)[keyof typeof OID];

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(OID).map(([name, oid]) => [oid, name]));

/** Name of a known OID (e.g. `ekuClientAuth`), or the dotted OID itself when unknown. */
export function oidName(oid: string): string {
	return NAMES[oid] ?? oid;
}
