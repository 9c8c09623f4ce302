import type { HashAlgorithm } from '../hash-algorithm';

/** Certificate level a request may ask for (spec §2.1); `QSCD` is a signing-only alias of QUALIFIED. */
export type RequestedCertificateLevel = 'ADVANCED' | 'QUALIFIED' | 'QSCD';

/** Certificate level a response reports (spec §7.4). */
export type CertificateLevel = 'ADVANCED' | 'QUALIFIED';

/** How the user took part in a session (spec §3, `signature.flowType`). */
export type FlowType = 'QR' | 'Web2App' | 'App2App' | 'Notification';
export const FLOW_TYPES: readonly FlowType[] = ['QR', 'Web2App', 'App2App', 'Notification'];

/** Interaction types an RP may request (spec §2.2). */
export type InteractionType =
	| 'displayTextAndPIN'
	| 'confirmationMessage'
	| 'confirmationMessageAndVerificationCodeChoice';
export const INTERACTION_TYPES: readonly InteractionType[] = [
	'displayTextAndPIN',
	'confirmationMessage',
	'confirmationMessageAndVerificationCodeChoice',
];

/** One requested interaction, in preference order. */
export type Interaction =
	| { type: 'displayTextAndPIN'; displayText60: string }
	| { type: 'confirmationMessage'; displayText200: string }
	| { type: 'confirmationMessageAndVerificationCodeChoice'; displayText200: string };

/** `result.endResult` values (spec §3). Unknown values from the server are kept as strings, never crash. */
export type EndResult =
	| 'OK'
	| 'USER_REFUSED'
	| 'USER_REFUSED_INTERACTION'
	| 'USER_REFUSED_CERT_CHOICE'
	| 'TIMEOUT'
	| 'DOCUMENT_UNUSABLE'
	| 'ACCOUNT_UNUSABLE'
	| 'WRONG_VC'
	| 'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP'
	| 'PROTOCOL_FAILURE'
	| 'EXPECTED_LINKED_SESSION'
	| 'SERVER_ERROR';

/** `signature.signatureAlgorithmParameters` as returned (spec §3); kept loose so validation can judge it. */
export interface SignatureAlgorithmParameters {
	hashAlgorithm?: string;
	maskGenAlgorithm?: { algorithm?: string; parameters?: { hashAlgorithm?: string } };
	saltLength?: number;
	trailerField?: string;
}

/** The `signature` object of a completed session; fields present depend on the protocol. */
export interface SessionSignature {
	value?: string;
	serverRandom?: string;
	userChallenge?: string;
	flowType?: string;
	signatureAlgorithm?: string;
	signatureAlgorithmParameters?: SignatureAlgorithmParameters;
}

/**
 * A parsed `GET session/{id}` response (spec §3). Parsing checks types only; whether the content can be
 * trusted is decided by `lib/validation`, never here.
 */
export interface SessionStatus {
	state: 'RUNNING' | 'COMPLETE';
	result?: { endResult: string; documentNumber?: string; details?: { interaction?: string } };
	signatureProtocol?: string;
	signature?: SessionSignature;
	cert?: { value: string; certificateLevel?: string };
	interactionTypeUsed?: string;
	deviceIpAddress?: string;
	ignoredProperties?: string[];
}

/** Response of a device-link session init (A1-A3, S1-S2, C1). `sessionSecret` must never leave the engine. */
export interface DeviceLinkSessionInit {
	sessionID: string;
	sessionToken: string;
	sessionSecret: string;
	deviceLinkBase: string;
}

/** Response of a notification session init (A4-A5, C2, S5; S3-S4 add `vc`). */
export interface NotificationSessionInit {
	sessionID: string;
	vc?: { type: string; value: string };
}

/** Response of `signature/certificate/{documentNumber}` (C3). */
export interface CertificateByDocumentResponse {
	state: 'OK' | 'DOCUMENT_UNUSABLE' | string;
	cert?: { value: string; certificateLevel?: string };
}

/** Everything ACSP_V2 validation needs from the request side (spec §5.1 "store server-side"). */
export interface AuthenticationContext {
	schemeName: string;
	relyingPartyName: string;
	brokeredRpName?: string;
	/** Base64 rpChallenge exactly as sent. */
	rpChallenge: string;
	/** Base64 interactions string exactly as sent. */
	interactions: string;
	/** Callback URL exactly as sent (device-link same-device flows only). */
	initialCallbackUrl?: string;
	requestedCertificateLevel: 'ADVANCED' | 'QUALIFIED';
	hashAlgorithm: HashAlgorithm;
	/** Flow types this RP offered for the session (e.g. ['Notification'] or ['QR']). */
	allowedFlowTypes: FlowType[];
	/** Set for identified sessions: the cert and documentNumber must match it (spec §5.4-9). */
	expectedSemanticsIdentifier?: string;
	expectedDocumentNumber?: string;
}

/** Everything RAW_DIGEST_SIGNATURE validation needs from the request side (spec §6). */
export interface SignatureContext {
	/** Base64 digest exactly as sent. */
	digest: string;
	hashAlgorithm: HashAlgorithm;
	requestedCertificateLevel: RequestedCertificateLevel;
	interactions?: string;
	allowedFlowTypes: FlowType[];
	expectedDocumentNumber?: string;
	expectedSemanticsIdentifier?: string;
	/** Base64 DER of the certificate the signed object commits to (e.g. XAdES SigningCertificateV2). */
	expectedCertificate?: string;
	/** Accept the legacy PKCS#1 v1.5 answer (spec §6.3). Off unless the user opts in. */
	allowLegacyPkcs1?: boolean;
}

/** Kind of device link (spec §4.2 `deviceLinkType`). */
export type DeviceLinkType = 'QR' | 'Web2App' | 'App2App';
export const DEVICE_LINK_TYPES: readonly DeviceLinkType[] = ['QR', 'Web2App', 'App2App'];
