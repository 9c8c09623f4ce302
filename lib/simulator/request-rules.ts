import { decodeBase64Strict, isStrictBase64 } from '../encoding';
import { digestLength, isHashAlgorithm, type HashAlgorithm } from '../hash-algorithm';
import type { RequestedCertificateLevel } from '../rp-api/types';
import { badRequest } from './problem';

/** What a session-creating endpoint does. */
export type SessionKind = 'auth' | 'sign' | 'cert';

/** How the user is reached: a device link, a push notification, a linked (S5) push, or no user at all (C3). */
export type Channel = 'device-link' | 'notification' | 'linked' | 'sync';

/** A request body that passed the RP API's field rules (spec §2.1, §2.2). */
export interface SessionRequest {
	relyingPartyUUID: string;
	relyingPartyName: string;
	certificateLevel: RequestedCertificateLevel;
	hashAlgorithm?: HashAlgorithm;
	rpChallenge?: string;
	digest?: string;
	/** Base64 interactions string exactly as sent. */
	interactions?: string;
	interactionTypes: string[];
	nonce?: string;
	shareMdClientIpAddress: boolean;
	initialCallbackUrl?: string;
	linkedSessionID?: string;
}

const TEXT_LIMITS: Record<string, { field: string; max: number; channels: Channel[] }> = {
	displayTextAndPIN: { field: 'displayText60', max: 60, channels: ['device-link', 'notification', 'linked'] },
	confirmationMessage: { field: 'displayText200', max: 200, channels: ['device-link', 'notification', 'linked'] },
	confirmationMessageAndVerificationCodeChoice: { field: 'displayText200', max: 200, channels: ['notification'] },
};

const CALLBACK_URL = /^https:\/\/[^|]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(body: Record<string, unknown>, field: string): string {
	const value = body[field];
	if (typeof value !== 'string' || value.length === 0) throw badRequest(`${field} is required and must be a non-empty string`);
	return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
	return value;
}

function parseLevel(body: Record<string, unknown>, kind: SessionKind): RequestedCertificateLevel {
	const value = optionalString(body, 'certificateLevel');
	if (value === undefined) return 'QUALIFIED';
	const allowed = kind === 'auth' ? ['ADVANCED', 'QUALIFIED'] : ['ADVANCED', 'QUALIFIED', 'QSCD'];
	if (!allowed.includes(value)) throw badRequest(`certificateLevel must be one of ${allowed.join(', ')}`);
	return value as RequestedCertificateLevel;
}

function parseProtocolParameters(body: Record<string, unknown>, kind: 'auth' | 'sign') {
	const expectedProtocol = kind === 'auth' ? 'ACSP_V2' : 'RAW_DIGEST_SIGNATURE';
	if (body.signatureProtocol !== expectedProtocol) throw badRequest(`signatureProtocol must be ${expectedProtocol}`);
	const params = body.signatureProtocolParameters;
	if (!isObject(params)) throw badRequest('signatureProtocolParameters is required and must be an object');
	if (params.signatureAlgorithm !== 'rsassa-pss') {
		throw badRequest('signatureProtocolParameters.signatureAlgorithm must be rsassa-pss');
	}
	const algParams = params.signatureAlgorithmParameters;
	if (!isObject(algParams) || !isHashAlgorithm(algParams.hashAlgorithm)) {
		throw badRequest(
			'signatureProtocolParameters.signatureAlgorithmParameters.hashAlgorithm must be one of SHA-256, SHA-384, SHA-512, SHA3-256, SHA3-384, SHA3-512',
		);
	}
	const hashAlgorithm = algParams.hashAlgorithm;
	if (kind === 'auth') {
		const rpChallenge = params.rpChallenge;
		if (!isStrictBase64(rpChallenge)) throw badRequest('signatureProtocolParameters.rpChallenge must be Base64');
		const length = decodeBase64Strict(rpChallenge, 'rpChallenge').length;
		if (length < 32 || length > 64) throw badRequest('signatureProtocolParameters.rpChallenge must encode 32 to 64 bytes');
		return { hashAlgorithm, rpChallenge };
	}
	const digest = params.digest;
	if (!isStrictBase64(digest)) throw badRequest('signatureProtocolParameters.digest must be Base64');
	if (decodeBase64Strict(digest, 'digest').length !== digestLength(hashAlgorithm)) {
		throw badRequest(`signatureProtocolParameters.digest length does not match ${hashAlgorithm}`);
	}
	return { hashAlgorithm, digest };
}

/** Decode and check the interactions string (spec §2.2): Base64 of a JSON array, rules per flow. */
export function parseInteractions(value: unknown, channel: Channel): string[] {
	if (!isStrictBase64(value)) throw badRequest('interactions is required and must be a Base64 string of a JSON array');
	let list: unknown;
	try {
		list = JSON.parse(decodeBase64Strict(value, 'interactions').toString('utf8'));
	} catch {
		throw badRequest('interactions does not decode to JSON');
	}
	if (!Array.isArray(list) || list.length === 0) throw badRequest('interactions must be a non-empty JSON array');
	const seen: string[] = [];
	for (const item of list) {
		if (!isObject(item) || typeof item.type !== 'string') throw badRequest('every interaction needs a type');
		const rule = TEXT_LIMITS[item.type];
		if (!rule) throw badRequest(`interaction type ${item.type} is not supported`);
		if (!rule.channels.includes(channel)) throw badRequest(`interaction type ${item.type} is not allowed in this flow`);
		if (seen.includes(item.type)) throw badRequest(`interaction type ${item.type} is listed twice`);
		const text = item[rule.field];
		if (typeof text !== 'string' || text.length === 0) throw badRequest(`interaction ${item.type} needs a non-empty ${rule.field}`);
		if ([...text].length > rule.max) throw badRequest(`${rule.field} of ${item.type} is longer than ${rule.max} characters`);
		seen.push(item.type);
	}
	return seen;
}

/** Validate a session-creating POST body for an endpoint of `kind` on `channel`; throws 400 problems. */
export function parseSessionRequest(body: unknown, kind: SessionKind, channel: Channel): SessionRequest {
	if (!isObject(body)) throw badRequest('Request body must be a JSON object');
	const relyingPartyUUID = requireString(body, 'relyingPartyUUID');
	if (!UUID.test(relyingPartyUUID)) throw badRequest('relyingPartyUUID must be a UUID');
	const relyingPartyName = requireString(body, 'relyingPartyName');
	if (Buffer.byteLength(relyingPartyName, 'utf8') > 32) throw badRequest('relyingPartyName must be at most 32 bytes of UTF-8');
	const request: SessionRequest = {
		relyingPartyUUID,
		relyingPartyName,
		certificateLevel: parseLevel(body, kind),
		interactionTypes: [],
		shareMdClientIpAddress: false,
	};
	if (kind === 'auth' || kind === 'sign') {
		if (channel === 'sync') throw badRequest('internal: protocol session on sync channel');
		Object.assign(request, parseProtocolParameters(body, kind));
		request.interactions = body.interactions as string;
		request.interactionTypes = parseInteractions(body.interactions, channel);
	} else if (body.interactions !== undefined) {
		throw badRequest('interactions are not used in certificate choice');
	}
	const nonce = optionalString(body, 'nonce');
	if (nonce !== undefined) {
		if (channel === 'sync') throw badRequest('nonce is not used here');
		if (nonce.length < 1 || nonce.length > 30) throw badRequest('nonce must be 1 to 30 characters');
		request.nonce = nonce;
	}
	const properties = body.requestProperties;
	if (properties !== undefined) {
		if (!isObject(properties)) throw badRequest('requestProperties must be an object');
		const share = properties.shareMdClientIpAddress;
		if (share !== undefined && typeof share !== 'boolean') throw badRequest('requestProperties.shareMdClientIpAddress must be a boolean');
		request.shareMdClientIpAddress = share === true;
	}
	const capabilities = body.capabilities;
	if (capabilities !== undefined && (!Array.isArray(capabilities) || capabilities.some((c) => typeof c !== 'string'))) {
		throw badRequest('capabilities must be an array of strings');
	}
	const callback = optionalString(body, 'initialCallbackUrl');
	if (callback !== undefined) {
		if (channel !== 'device-link') throw badRequest('initialCallbackUrl is only allowed for device-link flows');
		if (!CALLBACK_URL.test(callback)) throw badRequest('initialCallbackUrl must match ^https://[^|]+$');
		request.initialCallbackUrl = callback;
	}
	const vcType = optionalString(body, 'vcType');
	if (vcType !== undefined && vcType !== 'numeric4') throw badRequest('vcType must be numeric4');
	if (channel === 'linked') {
		const linked = requireString(body, 'linkedSessionID');
		request.linkedSessionID = linked;
	} else if (body.linkedSessionID !== undefined) {
		throw badRequest('linkedSessionID is only allowed for linked signature sessions');
	}
	return request;
}

/** Body of C3 (`signature/certificate/{documentNumber}`). */
export function parseCertificateRequest(body: unknown): SessionRequest {
	return parseSessionRequest(body, 'cert', 'sync');
}
