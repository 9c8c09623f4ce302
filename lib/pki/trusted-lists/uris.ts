/** ETSI TS 119 612 namespaces and URIs the engine reads. */

/** Official address of the EU List of Trusted Lists. */
export const EU_LOTL_URL = 'https://ec.europa.eu/tools/lotl/eu-lotl.xml';

/** Namespaces of TS 119 612 v2 (tsl), its additional types and the service-information extensions. */
export const TSL_NS = {
	tsl: 'http://uri.etsi.org/02231/v2#',
	additional: 'http://uri.etsi.org/02231/v2/additionaltypes#',
	ecc: 'http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#',
} as const;

/** TSLType of the EU LOTL and of an EU member state list. */
export const TSL_TYPE = {
	euLotl: 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists',
	euGeneric: 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric',
} as const;

/** MIME type of a machine-processable list in an OtherTSLPointer (the PDF form is skipped). */
export const TSL_MIME_XML = 'application/vnd.etsi.tsl+xml';

const SVC = 'http://uri.etsi.org/TrstSvc/Svctype/';
/** Service type identifiers (TS 119 612 §5.5.1). */
export const SERVICE_TYPE = {
	caQc: `${SVC}CA/QC`,
	caPkc: `${SVC}CA/PKC`,
	ocspQc: `${SVC}Certstatus/OCSP/QC`,
	ocsp: `${SVC}Certstatus/OCSP`,
	crlQc: `${SVC}Certstatus/CRL/QC`,
	crl: `${SVC}Certstatus/CRL`,
	tsaQtst: `${SVC}TSA/QTST`,
	tsa: `${SVC}TSA`,
	tsaTssQc: `${SVC}TSA/TSS-QC`,
	tsaTssAdesQcAndQes: `${SVC}TSA/TSS-AdESQCandQES`,
} as const;

const ST = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/';
/** Service status URIs: eIDAS (granted/withdrawn) and the Directive 1999/93/EC ones used before 2016-07-01. */
export const SERVICE_STATUS = {
	granted: `${ST}granted`,
	withdrawn: `${ST}withdrawn`,
	underSupervision: `${ST}undersupervision`,
	supervisionInCessation: `${ST}supervisionincessation`,
	supervisionRevoked: `${ST}supervisionrevoked`,
	accredited: `${ST}accredited`,
	accreditationCeased: `${ST}accreditationceased`,
	accreditationRevoked: `${ST}accreditationrevoked`,
	setByNationalLaw: `${ST}setbynationallaw`,
	deprecatedByNationalLaw: `${ST}deprecatedbynationallaw`,
	recognisedAtNationalLevel: `${ST}recognisedatnationallevel`,
	deprecatedAtNationalLevel: `${ST}deprecatedatnationallevel`,
} as const;

/** eIDAS (Regulation 910/2014) trust-service provisions apply from this instant. */
export const EIDAS_START = new Date('2016-07-01T00:00:00Z');

const ACCEPTABLE_BEFORE_EIDAS = new Set<string>([
	SERVICE_STATUS.underSupervision,
	SERVICE_STATUS.supervisionInCessation,
	SERVICE_STATUS.accredited,
	SERVICE_STATUS.setByNationalLaw,
]);

/**
 * Whether a status, in force from `statusStart`, makes the service trusted/qualified: `granted` under eIDAS; under
 * the Directive (a phase that started before 2016-07-01) also undersupervision, supervisionincessation, accredited
 * and setbynationallaw (the same rule DSS applies).
 */
export function isAcceptableStatus(status: string, statusStart: Date): boolean {
	if (status === SERVICE_STATUS.granted) return true;
	return statusStart.getTime() < EIDAS_START.getTime() && ACCEPTABLE_BEFORE_EIDAS.has(status);
}

const EXT = 'http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/';
/** AdditionalServiceInformation URIs saying what a CA/QC service issues qualified certificates for. */
export const ADDITIONAL_INFO = {
	forESignatures: `${EXT}ForeSignatures`,
	forESeals: `${EXT}ForeSeals`,
	forWebSiteAuthentication: `${EXT}ForWebSiteAuthentication`,
	rootCaQc: `${EXT}RootCA-QC`,
} as const;

/** Qualifier URIs of a Qualifications extension (TS 119 612 §5.5.9.2). */
export const QUALIFIER = {
	qcWithSscd: `${EXT}QCWithSSCD`,
	qcNoSscd: `${EXT}QCNoSSCD`,
	qcSscdStatusAsInCert: `${EXT}QCSSCDStatusAsInCert`,
	qcWithQscd: `${EXT}QCWithQSCD`,
	qcNoQscd: `${EXT}QCNoQSCD`,
	qcQscdStatusAsInCert: `${EXT}QCQSCDStatusAsInCert`,
	qcQscdManagedOnBehalf: `${EXT}QCQSCDManagedOnBehalf`,
	qcForLegalPerson: `${EXT}QCForLegalPerson`,
	qcForESig: `${EXT}QCForESig`,
	qcForESeal: `${EXT}QCForESeal`,
	qcForWsa: `${EXT}QCForWSA`,
	notQualified: `${EXT}NotQualified`,
	qcStatement: `${EXT}QCStatement`,
} as const;

/** The last path segment of a URI (`…/Svctype/CA/QC` → `CA/QC` for service types, `granted` for statuses). */
export function shortName(uri: string): string {
	if (uri.startsWith(SVC)) return uri.slice(SVC.length);
	const i = uri.lastIndexOf('/');
	return i >= 0 ? uri.slice(i + 1) : uri;
}
