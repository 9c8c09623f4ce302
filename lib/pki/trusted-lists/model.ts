/** The typed view of an ETSI TS 119 612 trusted list (the LOTL or a national list). */

/** A name in several languages; `en` is the English one when the list has it, else the first. */
export interface MultiLangName {
	en: string;
	all: { lang: string; value: string }[];
}

/** A LOTL entry pointing at one list (national list, or the LOTL itself) and the certificates allowed to sign it. */
export interface TrustedListPointer {
	/** SchemeTerritory, e.g. `LV`; `EU` for the LOTL's pointer to itself. */
	territory: string;
	/** TSLLocation (where the list is published). */
	location: string;
	/** MimeType from AdditionalInformation (`application/vnd.etsi.tsl+xml` for the XML form), '' when absent. */
	mimeType: string;
	/** TSLType of the list pointed to. */
	tslType: string;
	/** DER of each X509Certificate under ServiceDigitalIdentities: the certificates that may sign that list. */
	certificates: Buffer[];
}

/** A Qualifications element: qualifiers and the criteria saying to which certificates they apply. */
export interface Qualification {
	/** Qualifier URIs (see `QUALIFIER`). */
	qualifiers: string[];
	criteria: QualificationCriteria;
}

/** CriteriaList (TS 119 612 §5.5.9.2.1): `all`, `atLeastOne` or `none` of the items must match. */
export interface QualificationCriteria {
	assert: 'all' | 'atLeastOne' | 'none';
	/** KeyUsage items: bit name → required value. */
	keyUsage: Array<Record<string, boolean>>;
	/** PolicySet items: every OID of one set must be among the certificate's policies. */
	policySets: string[][];
	/** Nested CriteriaList elements. */
	nested: QualificationCriteria[];
	/** True when the list contains criteria this engine does not evaluate (otherCriteriaList…); they never match. */
	hasUnsupported: boolean;
}

/** One period of a service: the current information, or one ServiceHistoryInstance. */
export interface ServicePhase {
	/** ServiceTypeIdentifier URI (see `SERVICE_TYPE`). */
	type: string;
	name: MultiLangName;
	/** ServiceStatus URI (see `SERVICE_STATUS`). */
	status: string;
	/** StatusStartingTime. */
	start: Date;
	/** Start of the next phase (exclusive), null for the current one. */
	end: Date | null;
	/** AdditionalServiceInformation URIs (e.g. ForeSignatures, ForeSeals). */
	additionalInfo: string[];
	qualifications: Qualification[];
	/** ExpiredCertsRevocationInfo, when given. */
	expiredCertsRevocationInfo: Date | null;
}

/** A TSPService: its digital identity and its phases (current first, then history, newest first). */
export interface TrustService {
	/** Index of the service within its provider, for stable identification. */
	index: number;
	/** X509Certificate values of the current ServiceDigitalIdentity (DER). */
	certificates: Buffer[];
	/** X509SubjectName values. */
	subjectNames: string[];
	/** X509SKI values (Base64 as in the list). */
	skis: string[];
	/** Current phase first, then ServiceHistoryInstance entries, newest first; each knows its end. */
	phases: ServicePhase[];
}

/** A TrustServiceProvider. */
export interface TrustServiceProvider {
	name: MultiLangName;
	tradeNames: string[];
	services: TrustService[];
}

/** A parsed list; trust in it comes only from `verifyTrustedList` / the loader, never from parsing. */
export interface TrustedList {
	tslType: string;
	/** SchemeTerritory, e.g. `EU` for the LOTL, `LV` for Latvia. */
	territory: string;
	sequenceNumber: number;
	version: number;
	operatorName: MultiLangName;
	issueDate: Date;
	/** NextUpdate; null when the list is closed (no NextUpdate dateTime). */
	nextUpdate: Date | null;
	/** SchemeInformationURI values (the LOTL lists its Official Journal and pivot addresses here). */
	schemeInformationUris: string[];
	/** PointersToOtherTSL (the LOTL's pointers to national lists; a national list's pointers back to the LOTL). */
	pointers: TrustedListPointer[];
	providers: TrustServiceProvider[];
}
