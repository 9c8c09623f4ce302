import { timingSafeEqual } from 'node:crypto';
import { authCodePayload, computeAuthCode, type DeviceLinkSessionType } from '../flows/auth-code';
import { sessionSecretDigest } from '../flows/callback-digests';
import type { FlowType } from '../rp-api/types';
import type { AccountRegistry, SimulatorAccount } from './accounts';
import { badRequest, SimulatorProblem } from './problem';
import type { SimSession, SessionStore } from './sessions';

/** Body of `POST /mock/device-link`: the simulated Smart-ID app "scans" or "taps" a device link (spec §8). */
export interface MockScanRequest {
	documentNumber: string;
	deviceLink: string;
	flowType: Exclude<FlowType, 'Notification'>;
	initialCallbackUrl?: string;
}

/** What the mock app reports back: for same-device flows, the URL the app would open. */
export interface MockScanResult {
	sessionID: string;
	flowType: FlowType;
	/** Callback with `sessionSecretDigest` (+ `userChallengeVerifier` for authentication) appended (spec §4.5). */
	callbackUrl?: string;
}

/** A checked scan: the session, the account and the flow the app used. */
export interface AcceptedScan {
	session: SimSession;
	account: SimulatorAccount;
	flowType: Exclude<FlowType, 'Notification'>;
}

const SESSION_TYPES: Record<SimSession['kind'], DeviceLinkSessionType> = { auth: 'auth', sign: 'sign', cert: 'cert' };
const FLOW_TYPES = ['QR', 'Web2App', 'App2App'];

/** Settings of the app's link checks. */
export interface MockAppOptions {
	schemeName: string;
	/** How old (seconds, by elapsedSeconds vs the server clock) a QR link may be before the app ignores it. */
	qrMaxAgeSeconds: number;
}

/** The app found the link itself broken or forged: the backend fails the session (PROTOCOL_FAILURE). */
export class ProtocolFailure extends SimulatorProblem {
	constructor(
		readonly session: SimSession,
		detail: string,
	) {
		super(400, detail);
	}
}

function parseBody(body: unknown): MockScanRequest {
	if (typeof body !== 'object' || body === null) throw badRequest('Body must be a JSON object');
	const { documentNumber, deviceLink, flowType, initialCallbackUrl } = body as Record<string, unknown>;
	if (typeof documentNumber !== 'string' || !documentNumber) throw badRequest('documentNumber is required');
	if (typeof deviceLink !== 'string' || !deviceLink) throw badRequest('deviceLink is required');
	if (typeof flowType !== 'string' || !FLOW_TYPES.includes(flowType)) throw badRequest('flowType must be QR, Web2App or App2App');
	if (initialCallbackUrl !== undefined && typeof initialCallbackUrl !== 'string') throw badRequest('initialCallbackUrl must be a string');
	return { documentNumber, deviceLink, flowType: flowType as MockScanRequest['flowType'], initialCallbackUrl };
}

function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Check a scanned device link the way the app and SK's backend do (spec §4): known token, exact parameter order,
 * link type = flow, freshness of QR links, authCode recomputed from the session's stored request values, identity
 * for identified sessions. Broken format / stale / wrong person: 4xx and the session keeps running (the app
 * ignores the link); authCode mismatch: {@link ProtocolFailure}.
 */
export function checkScan(body: unknown, store: SessionStore, accounts: AccountRegistry, options: MockAppOptions): AcceptedScan {
	const scan = parseBody(body);
	const authIndex = scan.deviceLink.lastIndexOf('&authCode=');
	if (authIndex < 0) throw badRequest('deviceLink has no authCode parameter');
	const unprotected = scan.deviceLink.slice(0, authIndex);
	const authCode = scan.deviceLink.slice(authIndex + '&authCode='.length);
	const queryIndex = unprotected.indexOf('?');
	if (queryIndex < 0) throw badRequest('deviceLink has no query');
	const params = new URLSearchParams(unprotected.slice(queryIndex + 1));
	const token = params.get('sessionToken');
	const session = token ? store.byDeviceLinkToken(token) : undefined;
	if (!session) throw new SimulatorProblem(404, 'No running device-link session has this sessionToken');
	if (session.state !== 'RUNNING') throw new SimulatorProblem(409, 'The session of this link has already ended');
	const linkType = params.get('deviceLinkType');
	const elapsed = params.get('elapsedSeconds');
	const expected =
		`${session.deviceLinkBase}?deviceLinkType=${linkType}` +
		(linkType === 'QR' ? `&elapsedSeconds=${elapsed}` : '') +
		`&sessionToken=${token}&sessionType=${params.get('sessionType')}&version=${params.get('version')}&lang=${params.get('lang')}`;
	if (unprotected !== expected) {
		throw badRequest(
			'deviceLink must be deviceLinkBase + ?deviceLinkType, [elapsedSeconds for QR], sessionToken, sessionType, version, lang, authCode in that order',
		);
	}
	if (linkType !== scan.flowType) throw badRequest(`deviceLinkType ${linkType} does not match flowType ${scan.flowType}`);
	if (params.get('sessionType') !== SESSION_TYPES[session.kind]) {
		throw badRequest(`sessionType must be ${SESSION_TYPES[session.kind]} for this session`);
	}
	if (params.get('version') !== '1.0') throw badRequest('version must be 1.0');
	if (!/^[a-z]{3}$/.test(params.get('lang') ?? '')) throw badRequest('lang must be a 3-letter ISO 639-2 code');
	const sameDevice = scan.flowType !== 'QR';
	if (scan.flowType === 'QR') {
		if (elapsed === null || !/^(0|[1-9]\d*)$/.test(elapsed)) throw badRequest('QR links need a whole-number elapsedSeconds');
		const actual = Math.floor((Date.now() - session.createdAt) / 1000);
		const claimed = Number(elapsed);
		if (claimed > actual + 1) throw badRequest('elapsedSeconds is ahead of the session clock');
		if (actual - claimed > options.qrMaxAgeSeconds) {
			throw new SimulatorProblem(410, `QR link is stale (${actual - claimed} s old); links must be regenerated every second`);
		}
	} else if (!session.request.initialCallbackUrl) {
		throw badRequest(`${scan.flowType} needs a session created with initialCallbackUrl`);
	}
	if (sameDevice && scan.initialCallbackUrl !== undefined && scan.initialCallbackUrl !== session.request.initialCallbackUrl) {
		throw badRequest('initialCallbackUrl differs from the one the session was created with');
	}
	const account = accounts.byDocumentNumber(scan.documentNumber);
	if (!account) throw new SimulatorProblem(404, 'documentNumber is not a simulator account');
	const protocol = session.kind === 'auth' ? 'ACSP_V2' : session.kind === 'sign' ? 'RAW_DIGEST_SIGNATURE' : '';
	const payload = authCodePayload({
		schemeName: options.schemeName,
		signatureProtocol: protocol,
		digestOrRpChallenge: session.request.rpChallenge ?? session.request.digest ?? '',
		relyingPartyName: session.request.relyingPartyName,
		interactions: session.request.interactions ?? '',
		initialCallbackUrl: sameDevice ? (session.request.initialCallbackUrl ?? '') : '',
		unprotectedDeviceLink: unprotected,
	});
	if (!safeEqual(computeAuthCode(session.sessionSecret as string, payload), authCode)) {
		throw new ProtocolFailure(session, 'authCode does not match the session: the link was altered or built with wrong inputs');
	}
	const target = session.target;
	if (target.type === 'etsi' && account.semanticsIdentifier !== target.semanticsIdentifier) {
		throw new SimulatorProblem(403, 'This session was started for another person');
	}
	if (target.type === 'document' && account.documentNumber !== target.documentNumber) {
		throw new SimulatorProblem(403, 'This session was started for another document');
	}
	if (session.request.certificateLevel !== 'ADVANCED' && account.certificateLevel === 'ADVANCED') {
		throw new SimulatorProblem(403, 'This account is Basic (ADVANCED) but the session needs QUALIFIED');
	}
	return { session, account, flowType: scan.flowType };
}

/** The URL a same-device app opens after the user acted (spec §4.5). */
export function callbackUrlFor(session: SimSession, includeVerifier: boolean): string | undefined {
	const base = session.request.initialCallbackUrl;
	if (!base || !session.sessionSecret) return undefined;
	const separator = base.includes('?') ? '&' : '?';
	let url = `${base}${separator}sessionSecretDigest=${sessionSecretDigest(session.sessionSecret)}`;
	if (includeVerifier && session.userChallengeVerifier) url += `&userChallengeVerifier=${session.userChallengeVerifier}`;
	return url;
}
