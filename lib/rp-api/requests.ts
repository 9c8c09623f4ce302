import { InvalidRequestError } from '../errors';
import type { HashAlgorithm } from '../hash-algorithm';
import { validateInitialCallbackUrl } from './callback-url';
import { parseDocumentNumber, parseSemanticsIdentifier } from './identifiers';
import { encodeInteractions, type InteractionFlow } from './interactions';
import {
	parseCertificateByDocument,
	parseDeviceLinkSessionInit,
	parseNotificationSessionInit,
	parseNotificationSignatureInit,
	parseSessionStatus,
} from './parse';
import { validateRelyingParty, type RelyingParty } from './relying-party';
import {
	AUTH_CERTIFICATE_LEVELS,
	generateNonce,
	SIGNING_CERTIFICATE_LEVELS,
	validateCapabilities,
	validateCertificateLevel,
	validateDigest,
	validateHashAlgorithm,
	validateNonce,
	validateSessionId,
	validateStatusTimeout,
} from './request-fields';
import { generateRpChallenge, validateRpChallenge } from './rp-challenge';
import {
	DEVICE_LINK_TYPES,
	type CertificateByDocumentResponse,
	type DeviceLinkSessionInit,
	type DeviceLinkType,
	type Interaction,
	type NotificationSessionInit,
	type SessionStatus,
} from './types';

/** Endpoint ids of spec §2 (A = authentication, S = signature, C = certificate, Q = query). */
export type EndpointId =
	| 'A1' | 'A2' | 'A3' | 'A4' | 'A5'
	| 'S1' | 'S2' | 'S3' | 'S4' | 'S5'
	| 'C1' | 'C2' | 'C3'
	| 'Q1';

/**
 * When the client may repeat a call (see client.ts):
 * - `idempotent`: reads (Q1, C3): on 5xx/580, timeouts and connection errors;
 * - `maintenance`: session POSTs that carry a nonce (a retry of the same body returns the same session within
 *   15 s): only on 580/503 and when the connection could not be made;
 * - `connect-only`: authentication POSTs (no nonce): only when the connection could not be made, i.e. nothing
 *   reached the server; a second push to the person's phone is worse than an error.
 */
export type RetryClass = 'idempotent' | 'maintenance' | 'connect-only';

/** A checked, ready-to-send request. `parse` turns the 2xx body into the typed response. */
export interface PreparedRequest<R> {
	endpoint: EndpointId;
	method: 'POST' | 'GET';
	/** Relative to the base URL (no leading `/`). */
	path: string;
	body?: Record<string, unknown>;
	/** Extra query parameters (Q1 `timeoutMs`). */
	query?: Record<string, string>;
	retry: RetryClass;
	parse: (body: unknown) => R;
}

/** Whom a session addresses: a person (ETSI id) or one of their documents (accounts). */
export type IdentityTarget = { semanticsIdentifier: string } | { documentNumber: string };

/** Device-link authentication may also be anonymous. */
export type DeviceLinkAuthTarget = IdentityTarget | { anonymous: true };

/** Options every session POST shares. */
export interface SessionRequestBase extends RelyingParty {
	/** Ask SK to report the phone's IP address (`requestProperties.shareMdClientIpAddress`). */
	shareMdClientIpAddress?: boolean;
	/** Only when agreed with SK. */
	capabilities?: string[];
}

/** Device-link specific options: which link kinds the RP will show, and the callback for same-device links. */
export interface DeviceLinkRequestOptions {
	/** Link kinds the RP offers for this session; Web2App/App2App need `initialCallbackUrl`, QR-only forbids it. */
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/** Options of A1-A5. */
export interface AuthenticationRequestOptions extends SessionRequestBase {
	certificateLevel?: 'ADVANCED' | 'QUALIFIED';
	/** Default SHA-512. */
	hashAlgorithm?: HashAlgorithm;
	interactions: Interaction[];
	/** Normally left out: a fresh one is generated. Only for tests and replays. */
	rpChallenge?: string;
}

/** Options of S1-S5. */
export interface SignatureRequestOptions extends SessionRequestBase {
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	hashAlgorithm: HashAlgorithm;
	/** Base64 of hash(dataToSign) with `hashAlgorithm`. */
	digest: string;
	interactions: Interaction[];
	/** Default: a fresh random nonce per logical request. */
	nonce?: string;
}

/** Options of C1, C2. */
export interface CertificateChoiceRequestOptions extends SessionRequestBase {
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	nonce?: string;
}

/** Options of C3. */
export interface SigningCertificateRequestOptions extends RelyingParty {
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
}

/** A built authentication request plus the exact values to store with the pending session. */
export interface PreparedAuthentication<R> {
	request: PreparedRequest<R>;
	rpChallenge: string;
	/** Base64 interactions string exactly as sent. */
	interactions: string;
	hashAlgorithm: HashAlgorithm;
	certificateLevel: 'ADVANCED' | 'QUALIFIED';
	initialCallbackUrl?: string;
	expectedSemanticsIdentifier?: string;
	expectedDocumentNumber?: string;
}

/** A built signature request plus the exact values to store. */
export interface PreparedSignatureRequest<R> {
	request: PreparedRequest<R>;
	digest: string;
	interactions: string;
	hashAlgorithm: HashAlgorithm;
	certificateLevel: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	nonce: string;
	initialCallbackUrl?: string;
	expectedSemanticsIdentifier?: string;
	expectedDocumentNumber?: string;
}

/** A built certificate-choice request plus the values to store. */
export interface PreparedCertificateChoice<R> {
	request: PreparedRequest<R>;
	certificateLevel: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	nonce: string;
	initialCallbackUrl?: string;
	expectedSemanticsIdentifier?: string;
}

interface ResolvedTarget {
	suffix: string;
	expectedSemanticsIdentifier?: string;
	expectedDocumentNumber?: string;
}

function resolveTarget(target: DeviceLinkAuthTarget | undefined, allowAnonymous: boolean): ResolvedTarget {
	if (target && 'documentNumber' in target) {
		const doc = parseDocumentNumber(target.documentNumber);
		return { suffix: `document/${encodeURIComponent(doc.value)}`, expectedDocumentNumber: doc.value };
	}
	if (target && 'semanticsIdentifier' in target) {
		const id = parseSemanticsIdentifier(target.semanticsIdentifier);
		return { suffix: `etsi/${encodeURIComponent(id.value)}`, expectedSemanticsIdentifier: id.value };
	}
	if (target && 'anonymous' in target && target.anonymous === true && allowAnonymous) {
		return { suffix: 'anonymous' };
	}
	throw new InvalidRequestError(
		allowAnonymous
			? 'say whom to authenticate: a semanticsIdentifier, a documentNumber, or anonymous'
			: 'this session needs a person: give a semanticsIdentifier or a documentNumber',
		{ field: 'target' },
	);
}

function commonBody(options: SessionRequestBase): Record<string, unknown> {
	const rp = validateRelyingParty(options);
	return { relyingPartyUUID: rp.relyingPartyUUID, relyingPartyName: rp.relyingPartyName };
}

function addOptional(body: Record<string, unknown>, options: SessionRequestBase): void {
	if (options.shareMdClientIpAddress === true) body.requestProperties = { shareMdClientIpAddress: true };
	const capabilities = validateCapabilities(options.capabilities);
	if (capabilities) body.capabilities = capabilities;
}

/** Check device-link options: at least one known link type; callback required iff a same-device type is offered. */
function resolveCallback(options: DeviceLinkRequestOptions | undefined): string | undefined {
	const types = options?.deviceLinkTypes;
	if (!Array.isArray(types) || types.length === 0) {
		throw new InvalidRequestError('deviceLinkTypes is empty: say which links you will show (QR, Web2App, App2App)', {
			field: 'deviceLinkTypes',
		});
	}
	for (const t of types) {
		if (!DEVICE_LINK_TYPES.includes(t)) {
			throw new InvalidRequestError(`deviceLinkTypes contains unknown type ${JSON.stringify(t)}; use QR, Web2App or App2App`, {
				field: 'deviceLinkTypes',
			});
		}
	}
	const sameDevice = types.some((t) => t !== 'QR');
	if (!sameDevice) {
		if (options?.initialCallbackUrl !== undefined && options.initialCallbackUrl !== '') {
			throw new InvalidRequestError(
				'initialCallbackUrl must be left out for QR-only sessions: it is used only by Web2App/App2App links',
				{ field: 'initialCallbackUrl' },
			);
		}
		return undefined;
	}
	return validateInitialCallbackUrl(options?.initialCallbackUrl);
}

function authenticationBody(
	options: AuthenticationRequestOptions,
	flow: InteractionFlow,
): { body: Record<string, unknown>; prepared: Omit<PreparedAuthentication<unknown>, 'request'> } {
	const body = commonBody(options);
	const certificateLevel = validateCertificateLevel(options.certificateLevel, AUTH_CERTIFICATE_LEVELS, 'authentication');
	const hashAlgorithm = validateHashAlgorithm(options.hashAlgorithm, 'SHA-512');
	const rpChallenge = options.rpChallenge === undefined ? generateRpChallenge() : validateRpChallenge(options.rpChallenge);
	const interactions = encodeInteractions(options.interactions, flow);
	body.certificateLevel = certificateLevel;
	body.signatureProtocol = 'ACSP_V2';
	body.signatureProtocolParameters = {
		rpChallenge,
		signatureAlgorithm: 'rsassa-pss',
		signatureAlgorithmParameters: { hashAlgorithm },
	};
	body.interactions = interactions;
	addOptional(body, options);
	return { body, prepared: { rpChallenge, interactions, hashAlgorithm, certificateLevel } };
}

/** A1/A2/A3: device-link authentication (anonymous, by semantics identifier, or by document number). */
export function deviceLinkAuthenticationRequest(
	options: AuthenticationRequestOptions & DeviceLinkRequestOptions,
	target: DeviceLinkAuthTarget,
): PreparedAuthentication<DeviceLinkSessionInit> {
	const t = resolveTarget(target, true);
	const { body, prepared } = authenticationBody(options, 'deviceLink');
	const initialCallbackUrl = resolveCallback(options);
	if (initialCallbackUrl) body.initialCallbackUrl = initialCallbackUrl;
	const endpoint: EndpointId = t.suffix === 'anonymous' ? 'A1' : t.suffix.startsWith('etsi/') ? 'A2' : 'A3';
	return {
		...prepared,
		...(initialCallbackUrl ? { initialCallbackUrl } : {}),
		...expected(t),
		request: {
			endpoint,
			method: 'POST',
			path: `authentication/device-link/${t.suffix}`,
			body,
			retry: 'connect-only',
			parse: parseDeviceLinkSessionInit,
		},
	};
}

/** A4/A5: notification (push) authentication. The verification code is computed by the RP (spec §5.5). */
export function notificationAuthenticationRequest(
	options: AuthenticationRequestOptions,
	target: IdentityTarget,
): PreparedAuthentication<NotificationSessionInit> {
	const t = resolveTarget(target as DeviceLinkAuthTarget, false);
	const { body, prepared } = authenticationBody(options, 'notification');
	body.vcType = 'numeric4';
	return {
		...prepared,
		...expected(t),
		request: {
			endpoint: t.suffix.startsWith('etsi/') ? 'A4' : 'A5',
			method: 'POST',
			path: `authentication/notification/${t.suffix}`,
			body,
			retry: 'connect-only',
			parse: parseNotificationSessionInit,
		},
	};
}

function expected(t: ResolvedTarget): { expectedSemanticsIdentifier?: string; expectedDocumentNumber?: string } {
	const out: { expectedSemanticsIdentifier?: string; expectedDocumentNumber?: string } = {};
	if (t.expectedSemanticsIdentifier) out.expectedSemanticsIdentifier = t.expectedSemanticsIdentifier;
	if (t.expectedDocumentNumber) out.expectedDocumentNumber = t.expectedDocumentNumber;
	return out;
}

function signatureBody(
	options: SignatureRequestOptions,
	flow: InteractionFlow,
): { body: Record<string, unknown>; prepared: Omit<PreparedSignatureRequest<unknown>, 'request'> } {
	const body = commonBody(options);
	const certificateLevel = validateCertificateLevel(options.certificateLevel, SIGNING_CERTIFICATE_LEVELS, 'signing');
	if (options.hashAlgorithm === undefined) {
		throw new InvalidRequestError('hashAlgorithm is missing: give the algorithm the digest was made with', {
			field: 'hashAlgorithm',
		});
	}
	const hashAlgorithm = validateHashAlgorithm(options.hashAlgorithm, 'SHA-512');
	const digest = validateDigest(options.digest, hashAlgorithm);
	const interactions = encodeInteractions(options.interactions, flow);
	const nonce = options.nonce === undefined ? generateNonce() : validateNonce(options.nonce);
	body.certificateLevel = certificateLevel;
	body.signatureProtocol = 'RAW_DIGEST_SIGNATURE';
	body.signatureProtocolParameters = {
		digest,
		signatureAlgorithm: 'rsassa-pss',
		signatureAlgorithmParameters: { hashAlgorithm },
	};
	body.nonce = nonce;
	body.interactions = interactions;
	addOptional(body, options);
	return { body, prepared: { digest, interactions, hashAlgorithm, certificateLevel, nonce } };
}

/** S1/S2: device-link signature (never anonymous). */
export function deviceLinkSignatureRequest(
	options: SignatureRequestOptions & DeviceLinkRequestOptions,
	target: IdentityTarget,
): PreparedSignatureRequest<DeviceLinkSessionInit> {
	const t = resolveTarget(target as DeviceLinkAuthTarget, false);
	const { body, prepared } = signatureBody(options, 'deviceLink');
	const initialCallbackUrl = resolveCallback(options);
	if (initialCallbackUrl) body.initialCallbackUrl = initialCallbackUrl;
	return {
		...prepared,
		...(initialCallbackUrl ? { initialCallbackUrl } : {}),
		...expected(t),
		request: {
			endpoint: t.suffix.startsWith('etsi/') ? 'S1' : 'S2',
			method: 'POST',
			path: `signature/device-link/${t.suffix}`,
			body,
			retry: 'maintenance',
			parse: parseDeviceLinkSessionInit,
		},
	};
}

/** S3/S4: notification signature; the response carries the server's verification code. */
export function notificationSignatureRequest(
	options: SignatureRequestOptions,
	target: IdentityTarget,
): PreparedSignatureRequest<Required<NotificationSessionInit>> {
	const t = resolveTarget(target as DeviceLinkAuthTarget, false);
	const { body, prepared } = signatureBody(options, 'notification');
	return {
		...prepared,
		...expected(t),
		request: {
			endpoint: t.suffix.startsWith('etsi/') ? 'S3' : 'S4',
			method: 'POST',
			path: `signature/notification/${t.suffix}`,
			body,
			retry: 'maintenance',
			parse: parseNotificationSignatureInit,
		},
	};
}

/** S5: linked notification signature after a completed device-link certificate choice (C1). */
export function linkedSignatureRequest(
	options: SignatureRequestOptions,
	documentNumber: string,
	linkedSessionID: string,
): PreparedSignatureRequest<NotificationSessionInit> {
	const doc = parseDocumentNumber(documentNumber);
	if (linkedSessionID === undefined || linkedSessionID === null || linkedSessionID === '') {
		throw new InvalidRequestError('linkedSessionID is missing: give the sessionID of the completed certificate choice', {
			field: 'linkedSessionID',
		});
	}
	const linked = validateSessionId(linkedSessionID, 'linkedSessionID');
	const { body, prepared } = signatureBody(options, 'linked');
	body.linkedSessionID = linked;
	return {
		...prepared,
		expectedDocumentNumber: doc.value,
		request: {
			endpoint: 'S5',
			method: 'POST',
			path: `signature/notification/linked/${encodeURIComponent(doc.value)}`,
			body,
			retry: 'maintenance',
			parse: parseNotificationSessionInit,
		},
	};
}

function certificateChoiceBody(options: CertificateChoiceRequestOptions): {
	body: Record<string, unknown>;
	certificateLevel: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	nonce: string;
} {
	const body = commonBody(options);
	const certificateLevel = validateCertificateLevel(
		options.certificateLevel,
		SIGNING_CERTIFICATE_LEVELS,
		'certificate choice',
	);
	const nonce = options.nonce === undefined ? generateNonce() : validateNonce(options.nonce);
	body.certificateLevel = certificateLevel;
	body.nonce = nonce;
	addOptional(body, options);
	return { body, certificateLevel, nonce };
}

/** C1: anonymous device-link certificate choice (start of the linked signature flow). */
export function deviceLinkCertificateChoiceRequest(
	options: CertificateChoiceRequestOptions & DeviceLinkRequestOptions,
): PreparedCertificateChoice<DeviceLinkSessionInit> {
	const { body, certificateLevel, nonce } = certificateChoiceBody(options);
	const initialCallbackUrl = resolveCallback(options);
	if (initialCallbackUrl) body.initialCallbackUrl = initialCallbackUrl;
	return {
		certificateLevel,
		nonce,
		...(initialCallbackUrl ? { initialCallbackUrl } : {}),
		request: {
			endpoint: 'C1',
			method: 'POST',
			path: 'signature/certificate-choice/device-link/anonymous',
			body,
			retry: 'maintenance',
			parse: parseDeviceLinkSessionInit,
		},
	};
}

/** C2: notification certificate choice by semantics identifier. */
export function notificationCertificateChoiceRequest(
	options: CertificateChoiceRequestOptions,
	semanticsIdentifier: string,
): PreparedCertificateChoice<NotificationSessionInit> {
	const id = parseSemanticsIdentifier(semanticsIdentifier);
	const { body, certificateLevel, nonce } = certificateChoiceBody(options);
	return {
		certificateLevel,
		nonce,
		expectedSemanticsIdentifier: id.value,
		request: {
			endpoint: 'C2',
			method: 'POST',
			path: `signature/certificate-choice/notification/etsi/${encodeURIComponent(id.value)}`,
			body,
			retry: 'maintenance',
			parse: parseNotificationSessionInit,
		},
	};
}

/** C3: synchronous signing-certificate query by document number (no user interaction). */
export function signingCertificateRequest(
	options: SigningCertificateRequestOptions,
	documentNumber: string,
): PreparedRequest<CertificateByDocumentResponse> {
	const doc = parseDocumentNumber(documentNumber);
	const rp = validateRelyingParty(options);
	const certificateLevel = validateCertificateLevel(
		options.certificateLevel,
		SIGNING_CERTIFICATE_LEVELS,
		'the signing certificate query',
	);
	return {
		endpoint: 'C3',
		method: 'POST',
		path: `signature/certificate/${encodeURIComponent(doc.value)}`,
		body: { relyingPartyUUID: rp.relyingPartyUUID, relyingPartyName: rp.relyingPartyName, certificateLevel },
		retry: 'idempotent',
		parse: parseCertificateByDocument,
	};
}

/** Q1: long-poll session status. */
export function sessionStatusRequest(sessionID: string, timeoutMs: number): PreparedRequest<SessionStatus> {
	const id = validateSessionId(sessionID);
	const timeout = validateStatusTimeout(timeoutMs);
	return {
		endpoint: 'Q1',
		method: 'GET',
		path: `session/${encodeURIComponent(id)}`,
		query: { timeoutMs: String(timeout) },
		retry: 'idempotent',
		parse: parseSessionStatus,
	};
}
