import 'reflect-metadata';
import * as asn1js from 'asn1js';
import * as x509 from '@peculiar/x509';

/** OIDs of the SK Smart-ID certificate profile (spec §5.4, §6.2, §7.3) that the test PKI reproduces. */
export const PROFILE_OID = {
	skQualified: '1.3.6.1.4.1.10015.17.2',
	skAdvanced: '1.3.6.1.4.1.10015.17.1',
	ncpPlus: '0.4.0.2042.1.2',
	ncp: '0.4.0.2042.1.1',
	qcpNaturalQscd: '0.4.0.194112.1.2',
	smartIdAuthEku: '1.3.6.1.4.1.62306.5.7.0',
	ocspSigning: '1.3.6.1.5.5.7.3.9',
	timeStamping: '1.3.6.1.5.5.7.3.8',
	ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
	subjectDirectoryAttributes: '2.5.29.9',
	dateOfBirth: '1.3.6.1.5.5.7.9.1',
	qcStatements: '1.3.6.1.5.5.7.1.3',
	qcSemanticsV2: '1.3.6.1.5.5.7.11.2',
	semanticsNaturalPerson: '0.4.0.194121.1.1',
	qcCompliance: '0.4.0.1862.1.1',
	qcSscd: '0.4.0.1862.1.4',
	qcPds: '0.4.0.1862.1.5',
	qcType: '0.4.0.1862.1.6',
	qcTypeEsign: '0.4.0.1862.1.6.1',
} as const;

const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const seq = (...value: asn1js.BaseBlock[]) => new asn1js.Sequence({ value });

function der(block: asn1js.BaseBlock): ArrayBuffer {
	return block.toBER(false);
}

/** subjectDirectoryAttributes with id-pda-dateOfBirth as `YYYYMMDD120000Z`, the way SK writes it. */
export function dateOfBirthExtension(dateOfBirth: string): x509.Extension {
	const compact = dateOfBirth.replace(/-/g, '');
	const time = new asn1js.GeneralizedTime({ value: `${compact}120000Z` });
	const value = seq(seq(oid(PROFILE_OID.dateOfBirth), new asn1js.Set({ value: [time] })));
	return new x509.Extension(PROFILE_OID.subjectDirectoryAttributes, false, der(value));
}

/** QC statements of an SK qualified signing certificate: semantics id, QcCompliance, QcSSCD, QcType esign, PDS. */
export function qualifiedSigningQcStatements(pdsUrl: string): x509.Extension {
	const value = seq(
		seq(oid(PROFILE_OID.qcSemanticsV2), seq(oid(PROFILE_OID.semanticsNaturalPerson))),
		seq(oid(PROFILE_OID.qcCompliance)),
		seq(oid(PROFILE_OID.qcSscd)),
		seq(oid(PROFILE_OID.qcType), seq(oid(PROFILE_OID.qcTypeEsign))),
		seq(
			oid(PROFILE_OID.qcPds),
			seq(seq(new asn1js.IA5String({ value: pdsUrl }), new asn1js.PrintableString({ value: 'en' }))),
		),
	);
	return new x509.Extension(PROFILE_OID.qcStatements, false, der(value));
}

/** id-pkix-ocsp-nocheck: clients need not check the delegated responder's own revocation status. */
export function ocspNoCheckExtension(): x509.Extension {
	return new x509.Extension(PROFILE_OID.ocspNoCheck, false, der(new asn1js.Null()));
}
