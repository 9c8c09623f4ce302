import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import type { FlowType, SessionStatus } from '../rp-api/types';
import type { SimulatorAccount } from './accounts';
import { handleControl } from './control';
import type { SimulatorCore } from './core';
import type { FaultRule, FaultTarget } from './faults';
import { callbackUrlFor, checkScan, ProtocolFailure } from './mock-app';
import { answerOcspRequest } from './ocsp-responder';
import { ignoredPropertiesOf, phoneAnswer } from './phone';
import { SimulatorProblem, badRequest } from './problem';
import type { RelyingParty } from './relying-parties';
import { parseCertificateRequest, parseSessionRequest, type Channel, type SessionKind } from './request-rules';
import type { SimSession } from './sessions';
import { answerTimestampRequest } from './tsa';

/** Path prefix of the RP API, as on SK's demo host. */
export const RP_API_PREFIX = '/smart-id-rp/v3/';

/** The shared state of the handlers lives in ./core (type only), so ./control can use it without importing this file. */
export type { ServerSettings, SimulatorCore } from './core';

interface Endpoint {
	kind: SessionKind;
	channel: Channel;
	target: 'anonymous' | 'etsi' | 'document';
}

/** The RP API v3 session-creating endpoints (spec §2), by path under the prefix, without the trailing parameter. */
const ENDPOINTS: Record<string, Endpoint> = {
	'authentication/device-link/anonymous': { kind: 'auth', channel: 'device-link', target: 'anonymous' },
	'authentication/device-link/etsi': { kind: 'auth', channel: 'device-link', target: 'etsi' },
	'authentication/device-link/document': { kind: 'auth', channel: 'device-link', target: 'document' },
	'authentication/notification/etsi': { kind: 'auth', channel: 'notification', target: 'etsi' },
	'authentication/notification/document': { kind: 'auth', channel: 'notification', target: 'document' },
	'signature/device-link/etsi': { kind: 'sign', channel: 'device-link', target: 'etsi' },
	'signature/device-link/document': { kind: 'sign', channel: 'device-link', target: 'document' },
	'signature/notification/etsi': { kind: 'sign', channel: 'notification', target: 'etsi' },
	'signature/notification/document': { kind: 'sign', channel: 'notification', target: 'document' },
	'signature/notification/linked': { kind: 'sign', channel: 'linked', target: 'document' },
	'signature/certificate-choice/device-link/anonymous': { kind: 'cert', channel: 'device-link', target: 'anonymous' },
	'signature/certificate-choice/notification/etsi': { kind: 'cert', channel: 'notification', target: 'etsi' },
};

const SEMANTICS_ID = /^(PNO|PAS|IDC)[A-Z]{2}-[A-Za-z0-9-]{1,40}$/;
const DOCUMENT_NUMBER = /^(PNO|PAS|IDC)[A-Z]{2}-[A-Za-z0-9-]{1,40}-[A-Za-z0-9]{4}-(Q|NQ)$/;
const MAX_JSON = 64 * 1024;
const MAX_BINARY = 1024 * 1024;

/** A handler's answer before faults are applied to it. */
interface Reply {
	status: number;
	contentType: string;
	body: Buffer;
}

function json(status: number, value: unknown): Reply {
	return { status, contentType: 'application/json;charset=UTF-8', body: Buffer.from(JSON.stringify(value)) };
}

function problemReply(problem: SimulatorProblem, instance: string): Reply {
	return {
		status: problem.status,
		contentType: 'application/problem+json',
		body: Buffer.from(JSON.stringify(problem.body(instance))),
	};
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		// Past the limit the rest is read and dropped, so the client still gets its 413 answer.
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limit) chunks.push(chunk);
		});
		req.on('end', () =>
			size > limit ? reject(new SimulatorProblem(413, `Request body larger than ${limit} bytes`)) : resolve(Buffer.concat(chunks)),
		);
		req.on('error', reject);
	});
}

function parseJson(body: Buffer, req: http.IncomingMessage): unknown {
	const type = req.headers['content-type'];
	if (type && !/^application\/(.+\+)?json\b/i.test(type)) throw new SimulatorProblem(415, 'Content-Type must be application/json');
	try {
		return JSON.parse(body.toString('utf8'));
	} catch {
		throw badRequest('Request body is not valid JSON');
	}
}

/** JSON with sorted keys: two bodies with the same content give the same idempotency key. */
function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

function clientIp(req: http.IncomingMessage): string | undefined {
	return req.socket.remoteAddress?.replace(/^::ffff:/, '');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RP authentication (spec §1): unknown UUID → 401; name not configured for the RP → 403. */
function authenticate(core: SimulatorCore, uuid: string, name: string): RelyingParty {
	const rp = core.relyingParties.find((r) => r.uuid.toLowerCase() === uuid.toLowerCase());
	if (!rp) throw new SimulatorProblem(401, 'Relying party authentication failed: unknown relyingPartyUUID');
	if (!rp.names.some((n) => n.toLowerCase() === name.toLowerCase())) {
		throw new SimulatorProblem(403, 'relyingPartyName is not configured for this relying party');
	}
	return rp;
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw badRequest('Path parameter is not valid percent-encoding');
	}
}

/** Finish a session through the simulated phone; a failure inside the phone ends it with SERVER_ERROR. */
async function finishByPhone(core: SimulatorCore, session: SimSession, account: SimulatorAccount, flowType: FlowType, ip?: string) {
	let status: SessionStatus;
	try {
		status = await phoneAnswer({ pki: core.pki, ocspUrl: core.ocspUrl, schemeName: core.settings.schemeName }, session, account, flowType, ip);
	} catch (error) {
		core.onError?.(error);
		status = { state: 'COMPLETE', result: { endResult: 'SERVER_ERROR' } };
	}
	session.account = account;
	// Only a device-link certificate choice (C1) makes the app wait for a linked signature (spec §10.14);
	// after a notification choice (C2) the RP signs with an ordinary S3/S4 session.
	const waitsForLinkedSignature = session.kind === 'cert' && session.channel === 'device-link';
	if (core.sessions.complete(session, status, flowType) && waitsForLinkedSignature && status.result?.endResult === 'OK') {
		core.pendingLinks.set(account.documentNumber, {
			sessionId: session.id,
			flowType,
			until: Date.now() + core.settings.linkedSessionWindowMs,
		});
	}
}

function resolveAccount(core: SimulatorCore, endpoint: Endpoint, param: string | undefined, level: string): SimulatorAccount | undefined {
	if (endpoint.target === 'anonymous') return undefined;
	const value = decodeSegment(param ?? '');
	if (endpoint.target === 'etsi') {
		if (!SEMANTICS_ID.test(value)) throw badRequest('semanticsIdentifier must look like PNOEE-40504040001');
		const account = core.accounts.forPerson(value, level === 'ADVANCED' ? 'ADVANCED' : 'QUALIFIED');
		if (!account) throw new SimulatorProblem(404, 'No suitable Smart-ID account found for this person');
		return account;
	}
	if (!DOCUMENT_NUMBER.test(value)) throw badRequest('documentNumber must look like PNOEE-40504040001-MOCK-Q');
	const account = core.accounts.byDocumentNumber(value);
	if (!account || (level !== 'ADVANCED' && account.certificateLevel === 'ADVANCED')) {
		throw new SimulatorProblem(404, 'No suitable Smart-ID account found for this document');
	}
	return account;
}

async function createSession(core: SimulatorCore, endpoint: Endpoint, path: string, param: string | undefined, body: unknown, ip?: string): Promise<Reply> {
	const request = parseSessionRequest(body, endpoint.kind, endpoint.channel);
	const rp = authenticate(core, request.relyingPartyUUID, request.relyingPartyName);
	if (request.certificateLevel === 'ADVANCED' && !rp.advancedAllowed) {
		throw new SimulatorProblem(403, 'This relying party may not use Smart-ID Basic (ADVANCED) accounts');
	}
	const account = resolveAccount(core, endpoint, param, request.certificateLevel);
	// A retried identical request gets its session back before anything is consumed (e.g. the S5 link).
	const idempotent = endpoint.kind !== 'auth';
	const key = `${rp.uuid}\n${path}\n${stableStringify(body)}`;
	if (idempotent) {
		const previous = core.idempotency.get(key);
		if (previous && previous.expires > Date.now()) return json(200, previous.response);
	}
	let linkedFlow: FlowType | undefined;
	if (endpoint.channel === 'linked') {
		const linked = core.sessions.get(request.linkedSessionID as string);
		const pending = account ? core.pendingLinks.get(account.documentNumber) : undefined;
		if (!linked || linked.kind !== 'cert' || linked.rp !== rp || !pending || pending.sessionId !== linked.id || pending.until < Date.now()) {
			throw badRequest('linkedSessionID does not name a completed certificate choice of this document that waits for its signature');
		}
		core.pendingLinks.delete((account as SimulatorAccount).documentNumber);
		linkedFlow = pending.flowType;
	}
	const target =
		endpoint.target === 'anonymous'
			? ({ type: 'anonymous' } as const)
			: endpoint.target === 'etsi'
				? ({ type: 'etsi', semanticsIdentifier: (account as SimulatorAccount).semanticsIdentifier } as const)
				: ({ type: 'document', documentNumber: (account as SimulatorAccount).documentNumber } as const);
	const session = core.sessions.create(
		{ kind: endpoint.kind, channel: endpoint.channel, request, rp, target, account },
		`${core.origin}/device-link`,
	);
	let response: Record<string, unknown>;
	if (endpoint.channel === 'device-link') {
		response = {
			sessionID: session.id,
			sessionToken: session.sessionToken,
			sessionSecret: session.sessionSecret,
			deviceLinkBase: session.deviceLinkBase,
		};
	} else {
		response = { sessionID: session.id };
		if (endpoint.kind === 'sign' && endpoint.channel === 'notification') {
			response.vc = { type: 'numeric4', value: String(randomInt(0, 10_000)).padStart(4, '0') };
		}
	}
	// A non-linked signing session while the app waits for the linked one (spec §10.14).
	const waiting = account ? core.pendingLinks.get(account.documentNumber) : undefined;
	if (account && endpoint.kind === 'sign' && endpoint.channel !== 'linked' && waiting && waiting.until > Date.now()) {
		core.pendingLinks.delete(account.documentNumber);
		core.sessions.complete(session, { state: 'COMPLETE', result: { endResult: 'EXPECTED_LINKED_SESSION' } });
	} else if (account && endpoint.channel !== 'device-link') {
		const delay = account.behaviour.delayMs ?? core.settings.notificationDelayMs;
		core.sessions.schedule(session, delay, () => void finishByPhone(core, session, account, linkedFlow ?? 'Notification', ip));
	}
	if (idempotent) {
		core.idempotency.set(key, { expires: Date.now() + core.settings.idempotencyWindowMs, response });
		for (const [k, v] of core.idempotency) if (v.expires <= Date.now()) core.idempotency.delete(k);
	}
	return json(200, response);
}

function certificateByDocument(core: SimulatorCore, param: string | undefined, body: unknown): Promise<Reply> {
	const request = parseCertificateRequest(body);
	const rp = authenticate(core, request.relyingPartyUUID, request.relyingPartyName);
	if (request.certificateLevel === 'ADVANCED' && !rp.advancedAllowed) {
		throw new SimulatorProblem(403, 'This relying party may not use Smart-ID Basic (ADVANCED) accounts');
	}
	const account = resolveAccount(core, { kind: 'cert', channel: 'sync', target: 'document' }, param, request.certificateLevel);
	const found = account as SimulatorAccount;
	if (found.behaviour.endResult === 'DOCUMENT_UNUSABLE') return Promise.resolve(json(200, { state: 'DOCUMENT_UNUSABLE' }));
	return core.pki.credentials(found, 'sign', core.ocspUrl).then((credentials) =>
		json(200, { state: 'OK', cert: { value: credentials.der.toString('base64'), certificateLevel: found.certificateLevel } }),
	);
}

async function sessionStatus(core: SimulatorCore, id: string, query: URLSearchParams): Promise<Reply> {
	const raw = query.get('timeoutMs');
	let timeoutMs = 60_000;
	if (raw !== null) {
		if (!/^\d+$/.test(raw) || Number(raw) < 1000 || Number(raw) > 120_000) {
			throw badRequest('timeoutMs must be an integer between 1000 and 120000');
		}
		timeoutMs = Number(raw);
	}
	const session = core.sessions.get(id);
	if (!session) throw new SimulatorProblem(404, 'Session not found or expired');
	await core.sessions.wait(session, timeoutMs);
	if (session.state === 'RUNNING') {
		const ignored = ignoredPropertiesOf(session);
		return json(200, ignored ? { state: 'RUNNING', ignoredProperties: ignored } : { state: 'RUNNING' });
	}
	return json(200, session.status);
}

async function mockScan(core: SimulatorCore, body: unknown, ip?: string): Promise<Reply> {
	let scan;
	try {
		scan = checkScan(body, core.sessions, core.accounts, {
			schemeName: core.settings.schemeName,
			qrMaxAgeSeconds: core.settings.qrMaxAgeSeconds,
		});
	} catch (error) {
		if (error instanceof ProtocolFailure) {
			core.sessions.complete(error.session, { state: 'COMPLETE', result: { endResult: 'PROTOCOL_FAILURE' } });
		}
		throw error;
	}
	const { session, account, flowType } = scan;
	await finishByPhone(core, session, account, flowType, ip);
	const ok = session.status.result?.endResult === 'OK';
	const callbackUrl = flowType === 'QR' ? undefined : callbackUrlFor(session, ok && session.kind === 'auth');
	return json(200, { sessionID: session.id, flowType, ...(callbackUrl ? { callbackUrl } : {}) });
}

/** Which service a path belongs to and which accounts it concerns (for fault matching). */
function classify(core: SimulatorCore, path: string, body: unknown): { target: Exclude<FaultTarget, 'any'> | 'other'; accountKeys: string[] } {
	if (path.startsWith(RP_API_PREFIX)) {
		const segments = path.slice(RP_API_PREFIX.length).split('/').map((s) => {
			try {
				return decodeURIComponent(s);
			} catch {
				return s;
			}
		});
		const keys = [...segments];
		if (segments[0] === 'session' && segments[1]) {
			const session = core.sessions.get(segments[1]);
			if (session?.account) keys.push(session.account.documentNumber, session.account.semanticsIdentifier);
		}
		for (const segment of segments) {
			const account = core.accounts.byDocumentNumber(segment);
			if (account) keys.push(account.semanticsIdentifier);
			// A rule for a document number also hits requests addressed to its person.
			for (const ofPerson of core.accounts.bySemanticsIdentifier(segment)) keys.push(ofPerson.documentNumber);
		}
		return { target: 'rp-api', accountKeys: keys };
	}
	if (path === '/ocsp' || path.startsWith('/ocsp/')) return { target: 'ocsp', accountKeys: [] };
	if (path === '/tsa') return { target: 'tsa', accountKeys: [] };
	if (path === '/mock/device-link') {
		const doc = (body as { documentNumber?: unknown } | null)?.documentNumber;
		const account = typeof doc === 'string' ? core.accounts.byDocumentNumber(doc) : undefined;
		return { target: 'mock', accountKeys: account ? [account.documentNumber, account.semanticsIdentifier] : [] };
	}
	return { target: 'other', accountKeys: [] };
}

async function route(core: SimulatorCore, req: http.IncomingMessage, url: URL, raw: Buffer): Promise<Reply> {
	const path = url.pathname;
	const method = req.method ?? 'GET';
	if (path.startsWith(RP_API_PREFIX)) {
		const rest = path.slice(RP_API_PREFIX.length);
		if (rest.startsWith('session/')) {
			if (method !== 'GET') throw new SimulatorProblem(405, 'Use GET for session status');
			return sessionStatus(core, decodeSegment(rest.slice('session/'.length)), url.searchParams);
		}
		if (rest.startsWith('signature/certificate/')) {
			if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST');
			return certificateByDocument(core, rest.slice('signature/certificate/'.length), parseJson(raw, req));
		}
		const exact = ENDPOINTS[rest];
		if (exact && exact.target === 'anonymous') {
			if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST');
			return createSession(core, exact, rest, undefined, parseJson(raw, req), clientIp(req));
		}
		const slash = rest.lastIndexOf('/');
		const endpoint = slash > 0 ? ENDPOINTS[rest.slice(0, slash)] : undefined;
		if (endpoint && endpoint.target !== 'anonymous' && rest.length > slash + 1) {
			if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST');
			return createSession(core, endpoint, rest, rest.slice(slash + 1), parseJson(raw, req), clientIp(req));
		}
		throw new SimulatorProblem(404, 'No such RP API endpoint');
	}
	if (path === '/ocsp' || path.startsWith('/ocsp/')) {
		let der = raw;
		if (method === 'GET') {
			const encoded = decodeSegment(path.slice('/ocsp/'.length));
			der = Buffer.from(encoded, 'base64');
		} else if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST or GET');
		return { status: 200, contentType: 'application/ocsp-response', body: await answerOcspRequest(der, core.pki, core.statuses) };
	}
	if (path === '/tsa') {
		if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST');
		return { status: 200, contentType: 'application/timestamp-reply', body: await answerTimestampRequest(raw, core.pki.entity('tsa')) };
	}
	if (path === '/mock/device-link') {
		if (method !== 'POST') throw new SimulatorProblem(405, 'Use POST');
		return mockScan(core, parseJson(raw, req), clientIp(req));
	}
	if (path.startsWith('/ca/')) {
		const match = /^\/ca\/([a-z0-9-]+)\.(der|pem)$/.exec(path);
		const entity = match ? core.pki.caEntities().find((e) => core.pki.pemPath(e.tag).endsWith(`/${match[1]}.pem`)) : undefined;
		if (!match || !entity) throw new SimulatorProblem(404, 'No such CA certificate');
		return match[2] === 'der'
			? { status: 200, contentType: 'application/pkix-cert', body: entity.der }
			: { status: 200, contentType: 'application/x-pem-file', body: Buffer.from(entity.pem) };
	}
	if (path === '/device-link' || path === '/device-link/') {
		return {
			status: 200,
			contentType: 'text/plain;charset=UTF-8',
			body: Buffer.from('Smart-ID simulator device link. There is no app here: POST the link to /mock/device-link to act as the app.\n'),
		};
	}
	if (path.startsWith('/control/') || path === '/control') {
		return handleControl(core, method, path, raw.length ? parseJson(raw, req) : undefined);
	}
	throw new SimulatorProblem(404, 'Not found');
}

async function send(res: http.ServerResponse, reply: Reply, slow: FaultRule | undefined): Promise<void> {
	res.statusCode = reply.status;
	res.setHeader('Content-Type', reply.contentType);
	res.setHeader('Content-Length', reply.body.length);
	if (!slow) {
		res.end(reply.body);
		return;
	}
	const size = slow.chunkBytes ?? 16;
	for (let offset = 0; offset < reply.body.length; offset += size) {
		if (res.destroyed) return;
		res.write(reply.body.subarray(offset, offset + size));
		await sleep(slow.chunkDelayMs ?? 100);
	}
	res.end();
}

/** Create the HTTP server (not yet listening) for a simulator core. */
export function createSimulatorServer(core: SimulatorCore): http.Server {
	return http.createServer((req, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://simulator.invalid');
			let reply: Reply;
			let slow: FaultRule | undefined;
			try {
				const binary = url.pathname === '/tsa' || url.pathname.startsWith('/ocsp');
				const raw = await readBody(req, binary ? MAX_BINARY : MAX_JSON);
				let peek: unknown;
				if (url.pathname === '/mock/device-link') {
					try {
						peek = JSON.parse(raw.toString('utf8'));
					} catch {
						peek = undefined;
					}
				}
				const { target, accountKeys } = classify(core, url.pathname, peek);
				if (target !== 'other') {
					for (const rule of core.faults.match(target, url.pathname, accountKeys)) {
						if (rule.kind === 'latency') await sleep(rule.latencyMs ?? 0);
						if (rule.kind === 'drop') {
							req.socket.destroy();
							return;
						}
						if (rule.kind === 'status') throw new SimulatorProblem(rule.status as number, `Injected fault: HTTP ${rule.status}`);
						if (rule.kind === 'slowBody') slow = rule;
					}
				}
				reply = await route(core, req, url, raw);
			} catch (error) {
				if (!(error instanceof SimulatorProblem)) core.onError?.(error);
				const problem =
					error instanceof SimulatorProblem
						? error
						: new SimulatorProblem(500, 'Simulator internal error; see the simulator process for details');
				reply = problemReply(problem, url.pathname);
			}
			await send(res, reply, slow);
		})().catch(() => res.destroy());
	});
}

/** Listen and resolve with the bound address. */
export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve(server.address() as AddressInfo);
		});
	});
}
