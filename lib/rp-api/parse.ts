import { isStrictBase64 } from '../encoding';
import { MalformedResponseError } from './errors';
import { SESSION_ID_RE } from './request-fields';
import type {
	CertificateByDocumentResponse,
	DeviceLinkSessionInit,
	NotificationSessionInit,
	SessionSignature,
	SessionStatus,
	SignatureAlgorithmParameters,
} from './types';

// Response parsers: check types and shapes only, copy known fields, ignore unknown ones (SK adds fields
// without notice), keep unknown enum values as strings. Whether the content is trustworthy is decided by
// lib/validation. Error messages name fields, never their values, because some fields are secret.

type Json = Record<string, unknown>;

/** Session ids and tokens go into URL paths and device links: keep them to URL-safe characters. */
const SESSION_TOKEN_RE = /^[A-Za-z0-9_\-+/=.~]{1,512}$/;
const MAX_STRING = 64 * 1024;

class Reader {
	constructor(
		private readonly what: string,
		private readonly path: string,
	) {}

	err(field: string, problem: string): MalformedResponseError {
		return new MalformedResponseError(this.what, `${this.path}${field} ${problem}`, { field: `${this.path}${field}` });
	}

	object(value: unknown, field: string): Json {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.err(field, 'is not a JSON object');
		return value as Json;
	}

	/** An optional string: absent/null → undefined; anything else must be a string. */
	optString(o: Json, field: string): string | undefined {
		const v = o[field];
		if (v === undefined || v === null) return undefined;
		if (typeof v !== 'string') throw this.err(field, 'is not a string');
		if (v.length > MAX_STRING) throw this.err(field, 'is too long');
		return v;
	}

	string(o: Json, field: string): string {
		const v = this.optString(o, field);
		if (v === undefined || v === '') throw this.err(field, 'is missing');
		return v;
	}

	matching(o: Json, field: string, re: RegExp, description: string): string {
		const v = this.string(o, field);
		if (!re.test(v)) throw this.err(field, `is not ${description}`);
		return v;
	}

	base64(o: Json, field: string): string {
		const v = this.string(o, field);
		if (!isStrictBase64(v)) throw this.err(field, 'is not valid Base64');
		return v;
	}

	optObject(o: Json, field: string): Json | undefined {
		const v = o[field];
		if (v === undefined || v === null) return undefined;
		return this.object(v, field);
	}

	child(field: string): Reader {
		return new Reader(this.what, `${this.path}${field}.`);
	}
}

function root(body: unknown, what: string): { r: Reader; o: Json } {
	const r = new Reader(what, '');
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body);
		} catch {
			throw r.err('body', 'is not JSON');
		}
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) throw r.err('body', 'is not a JSON object');
	return { r, o: body as Json };
}

function isLoopbackHost(hostname: string): boolean {
	return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

/** Parse a device-link session init response (A1-A3, S1-S2, C1). */
export function parseDeviceLinkSessionInit(body: unknown): DeviceLinkSessionInit {
	const { r, o } = root(body, 'device-link session init response');
	const sessionID = r.matching(o, 'sessionID', SESSION_ID_RE, 'a session id (letters, digits, - and _)');
	const sessionToken = r.matching(o, 'sessionToken', SESSION_TOKEN_RE, 'a URL-safe token');
	const sessionSecret = r.base64(o, 'sessionSecret');
	const deviceLinkBase = r.string(o, 'deviceLinkBase');
	let url: URL;
	try {
		url = new URL(deviceLinkBase);
	} catch {
		throw r.err('deviceLinkBase', 'is not a URL');
	}
	// The base is used verbatim: a query or fragment in it would corrupt every link built on it.
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
		throw r.err('deviceLinkBase', 'is not an https URL');
	}
	if (deviceLinkBase.includes('?') || deviceLinkBase.includes('#') || /\s/.test(deviceLinkBase)) {
		throw r.err('deviceLinkBase', 'contains a query, fragment or white space');
	}
	return { sessionID, sessionToken, sessionSecret, deviceLinkBase };
}

/** Parse a notification session init response (A4-A5, C2, S5); `vc` is copied when present. */
export function parseNotificationSessionInit(body: unknown): NotificationSessionInit {
	const { r, o } = root(body, 'notification session init response');
	const sessionID = r.matching(o, 'sessionID', SESSION_ID_RE, 'a session id (letters, digits, - and _)');
	const vcObject = r.optObject(o, 'vc');
	if (!vcObject) return { sessionID };
	const vr = r.child('vc');
	const type = vr.string(vcObject, 'type');
	const value = vr.matching(vcObject, 'value', /^[0-9]{4}$/, 'a 4-digit code');
	return { sessionID, vc: { type, value } };
}

/** Parse a notification signature init response (S3-S4), which must carry the server's verification code. */
export function parseNotificationSignatureInit(body: unknown): Required<NotificationSessionInit> {
	const init = parseNotificationSessionInit(body);
	if (!init.vc) {
		throw new MalformedResponseError('notification signature init response', 'vc is missing', { field: 'vc' });
	}
	return { sessionID: init.sessionID, vc: init.vc };
}

function parseAlgorithmParameters(r: Reader, o: Json): SignatureAlgorithmParameters {
	const out: SignatureAlgorithmParameters = {};
	const hashAlgorithm = r.optString(o, 'hashAlgorithm');
	if (hashAlgorithm !== undefined) out.hashAlgorithm = hashAlgorithm;
	const mgf = r.optObject(o, 'maskGenAlgorithm');
	if (mgf) {
		const mr = r.child('maskGenAlgorithm');
		out.maskGenAlgorithm = {};
		const algorithm = mr.optString(mgf, 'algorithm');
		if (algorithm !== undefined) out.maskGenAlgorithm.algorithm = algorithm;
		const params = mr.optObject(mgf, 'parameters');
		if (params) {
			const h = mr.child('parameters').optString(params, 'hashAlgorithm');
			out.maskGenAlgorithm.parameters = h === undefined ? {} : { hashAlgorithm: h };
		}
	}
	const salt = o.saltLength;
	if (salt !== undefined && salt !== null) {
		if (typeof salt !== 'number' || !Number.isInteger(salt) || salt < 0) throw r.err('saltLength', 'is not a whole number');
		out.saltLength = salt;
	}
	const trailer = r.optString(o, 'trailerField');
	if (trailer !== undefined) out.trailerField = trailer;
	return out;
}

function parseSignature(r: Reader, o: Json): SessionSignature {
	const out: SessionSignature = {};
	const value = r.optString(o, 'value');
	if (value !== undefined) {
		if (!isStrictBase64(value)) throw r.err('value', 'is not valid Base64');
		out.value = value;
	}
	for (const field of ['serverRandom', 'userChallenge', 'flowType', 'signatureAlgorithm'] as const) {
		const v = r.optString(o, field);
		if (v !== undefined) out[field] = v;
	}
	const params = r.optObject(o, 'signatureAlgorithmParameters');
	if (params) out.signatureAlgorithmParameters = parseAlgorithmParameters(r.child('signatureAlgorithmParameters'), params);
	return out;
}

function parseCert(r: Reader, o: Json): { value: string; certificateLevel?: string } {
	const value = r.base64(o, 'value');
	const level = r.optString(o, 'certificateLevel');
	return level === undefined ? { value } : { value, certificateLevel: level };
}

/**
 * Parse a `session/{id}` response. `state` must be RUNNING or COMPLETE; a COMPLETE session must carry
 * `result.endResult`. Unknown endResult / interaction values are kept as strings.
 */
export function parseSessionStatus(body: unknown): SessionStatus {
	const { r, o } = root(body, 'session status');
	const state = r.string(o, 'state');
	if (state !== 'RUNNING' && state !== 'COMPLETE') throw r.err('state', 'is neither RUNNING nor COMPLETE');
	const out: SessionStatus = { state };

	const ignored = o.ignoredProperties;
	if (ignored !== undefined && ignored !== null) {
		if (!Array.isArray(ignored) || ignored.some((x) => typeof x !== 'string')) {
			throw r.err('ignoredProperties', 'is not a list of strings');
		}
		out.ignoredProperties = [...(ignored as string[])];
	}

	if (state === 'RUNNING') {
		// Running sessions carry no result; anything else they might hold is not to be used.
		return out;
	}
	const result = r.optObject(o, 'result');
	if (!result) throw r.err('result', 'is missing from a COMPLETE session');
	const rr = r.child('result');
	const endResult = rr.string(result, 'endResult');
	out.result = { endResult };
	const documentNumber = rr.optString(result, 'documentNumber');
	if (documentNumber !== undefined) out.result.documentNumber = documentNumber;
	const details = rr.optObject(result, 'details');
	if (details) {
		const interaction = rr.child('details').optString(details, 'interaction');
		out.result.details = interaction === undefined ? {} : { interaction };
	}

	const signatureProtocol = r.optString(o, 'signatureProtocol');
	if (signatureProtocol !== undefined) out.signatureProtocol = signatureProtocol;
	const signature = r.optObject(o, 'signature');
	if (signature) out.signature = parseSignature(r.child('signature'), signature);
	const cert = r.optObject(o, 'cert');
	if (cert) out.cert = parseCert(r.child('cert'), cert);
	const interactionTypeUsed = r.optString(o, 'interactionTypeUsed');
	if (interactionTypeUsed !== undefined) out.interactionTypeUsed = interactionTypeUsed;
	const deviceIpAddress = r.optString(o, 'deviceIpAddress');
	if (deviceIpAddress !== undefined) out.deviceIpAddress = deviceIpAddress;
	return out;
}

/** Parse a `signature/certificate/{documentNumber}` (C3) response; an OK state must carry the certificate. */
export function parseCertificateByDocument(body: unknown): CertificateByDocumentResponse {
	const { r, o } = root(body, 'signing certificate response');
	const state = r.string(o, 'state');
	const cert = r.optObject(o, 'cert');
	if (state === 'OK' && !cert) throw r.err('cert', 'is missing although state is OK');
	return cert ? { state, cert: parseCert(r.child('cert'), cert) } : { state };
}
