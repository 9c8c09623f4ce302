import type { SignerTrust } from '../../pki/trust-source';
import type { ContainerFindingCode, Indication } from './codes';

/** One error or warning: stable `code`, human `message`. */
export interface ReportIssue {
	code: string;
	/** For CONTAINER_UNREADABLE: the ZIP/ASiC reader's specific, stable cause (e.g. ZIP_DUPLICATE_ENTRY). */
	reason?: string;
	message: string;
}

/** A container-level error or warning; its code is one of CONTAINER_CODES (codes.ts). */
export interface ContainerIssue extends ReportIssue {
	code: ContainerFindingCode;
}

/** What a signature covers (SiVa `signatureScopes`). */
export interface SignatureScope {
	name: string;
	/** PDF: PartialSignatureScope when the signature covers an earlier revision, not the whole file. */
	scope: 'FullSignatureScope' | 'PartialSignatureScope';
	content: string;
}

/** Per-signature result, shaped like SiVa's simple report. */
export interface SignatureReport {
	/** ds:Signature Id (may repeat across files; `signatureFile` + `index` are unique). */
	id: string;
	signatureFile: string;
	index: number;
	/** XAdES_BASELINE_B / _T / _LT / _LTA, or XAdES_BASELINE_LT_TM for BDOC time-mark signatures. */
	signatureFormat: string;
	signatureMethod: string;
	/** Qualification as far as the certificate tells: QESIG (QC + QSCD), ADESIG_QC, ADESIG, or NA. */
	signatureLevel: string;
	signedBy: string;
	subjectDistinguishedName: { commonName: string; serialNumber: string };
	claimedSigningTime: string;
	bestSignatureTime: string;
	/** Where bestSignatureTime comes from. */
	bestSignatureTimeSource: 'SIGNATURE_TIMESTAMP' | 'OCSP_TIME_MARK' | 'VALIDATION_TIME' | 'DOCUMENT_TIMESTAMP';
	ocsp: { status: string; producedAt: string } | null;
	/**
	 * Which trust source made the signer trusted (SK bundle, EU trusted list, extra PEM), with the list (territory +
	 * sequence number), provider and service, and the DSS-style label (QESig / QESeal / AdESig-QC / AdESig / …);
	 * null when the chain reached no anchor.
	 */
	trustedBy: SignerTrust | null;
	/** Archive timestamps (LTA) that verified, oldest first: when they were made and until when their TSA path is valid (null: listed TSA). */
	archiveTimestamps: Array<{ genTime: string; tsa: string; tsaValidUntil: string | null }>;
	indication: Indication;
	subIndication: string;
	errors: ReportIssue[];
	warnings: ReportIssue[];
	signatureScopes: SignatureScope[];
	/** PDF only: a signature or a document timestamp (absent for container signatures). */
	kind?: 'signature' | 'documentTimestamp';
	/** PDF only: where the signature sits and what it covers. */
	pdf?: PdfSignatureDetails;
}

/** PDF only: the signature field, its /SubFilter and coverage, and what later revisions changed. */
export interface PdfSignatureDetails {
	fieldName: string;
	subFilter: string;
	byteRange: number[] | null;
	/** True when the signed bytes are the whole file except the /Contents hole. */
	coversWholeFile: boolean;
	/** Bytes of later incremental revisions after the signed part. */
	laterRevisionBytes: number;
	/** Objects added, replaced or freed by later revisions. */
	laterChangedObjects: number;
}

/** The whole report (SiVa-like `validationConclusion`). */
export interface Report {
	validationConclusion: {
		policy: { policyName: string; policyDescription: string };
		validationTime: string;
		signaturesCount: number;
		validSignaturesCount: number;
		signatureForm: string;
		/** 'pdf' for a PDF (PAdES); absent for ASiC-E containers. */
		format?: 'pdf';
		validatedDocument: { filename: string; sha256: string };
		/** Overall verdict: TOTAL-PASSED only when every signature passed and there is no container error. */
		indication: Indication;
		signatures: SignatureReport[];
		containerErrors: ContainerIssue[];
		containerWarnings: ContainerIssue[];
	};
}

/** Name and description of the validation policy this verifier applies. */
export const POLICY = {
	policyName: 'SMARTID-ASICE-1',
	policyDescription:
		'XAdES baseline B/T/LT/LTA and BDOC 2.1 time-mark signatures in ASiC-E; validation at best-signature-time ' +
		'(earliest valid signature timestamp, or OCSP producedAt for time-marks); a listed certificate is a trust anchor by itself; ' +
		'container/manifest/signature consistency as DigiDoc4j checks it.',
};
