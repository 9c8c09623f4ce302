import type { X509Certificate } from 'node:crypto';
import type { HashAlgorithm } from '../hash-algorithm';
import type { CertificateLevel, FlowType, RequestedCertificateLevel } from '../rp-api/types';
import type { TrustStore } from '../pki/trust-store';
import type { Identity } from './identity';

/** Options shared by every validator. */
export interface ValidationOptions {
	/** Anchors (and helper intermediates) the user's certificate must chain to. */
	trust: TrustStore;
	/** Validation time (default: now). */
	now?: Date;
	/** From the same-device callback URL; required when flowType is Web2App or App2App (spec §4.5). */
	userChallengeVerifier?: string;
	/** Extra helper certificates for chain building. */
	intermediates?: (X509Certificate | Buffer)[];
	/** Accept legacy `sha*WithRSAEncryption` answers (spec §6.3). Off by default. */
	allowLegacyPkcs1?: boolean;
}

/** What the RP asked for in a certificate-choice session (C1/C2) or a certificate-by-document call (C3). */
export interface CertificateChoiceContext {
	requestedCertificateLevel: RequestedCertificateLevel;
	/** When set, a returned `signature.flowType` must be one of these. */
	allowedFlowTypes?: FlowType[];
	expectedDocumentNumber?: string;
	expectedSemanticsIdentifier?: string;
}

/** Which RSA signature scheme the Smart-ID answer used (RP API spelling). */
export type AnswerSignatureScheme = 'RSASSA-PSS' | 'RSASSA-PKCS1-v1_5';

/** A certificate that passed chain, level and purpose checks. */
export interface ValidatedCertificate {
	certificate: X509Certificate;
	/** Base64 DER as received. */
	certificateBase64: string;
	/** Level derived from the certificate policies (agrees with the JSON level). */
	certificateLevel: CertificateLevel;
	/** Leaf first, anchor last. */
	chain: X509Certificate[];
	identity: Identity;
	documentNumber: string;
}

/** A successfully validated ACSP_V2 authentication. */
export interface AuthenticationResult extends ValidatedCertificate {
	flowType: FlowType;
	interactionTypeUsed: string;
	signatureScheme: AnswerSignatureScheme;
	hashAlgorithm: HashAlgorithm;
	deviceIpAddress?: string;
}

/** A successfully validated RAW_DIGEST_SIGNATURE signature. */
export interface SignatureResult extends ValidatedCertificate {
	/** Raw signature bytes to embed (e.g. XAdES SignatureValue). */
	signature: Buffer;
	signatureBase64: string;
	signatureScheme: AnswerSignatureScheme;
	hashAlgorithm: HashAlgorithm;
	/** PSS salt length; absent for PKCS#1 v1.5. */
	saltLength?: number;
	flowType: FlowType;
	interactionTypeUsed?: string;
	deviceIpAddress?: string;
}

/** A successfully validated certificate choice. */
export interface CertificateChoiceResult extends ValidatedCertificate {
	flowType?: FlowType;
}
