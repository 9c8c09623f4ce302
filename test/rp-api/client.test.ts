// SmartIdClient against real HTTP/HTTPS servers on 127.0.0.1: status mapping, time limits, retries, pinning,
// long polling, keep-alive.
import * as net from 'node:net';
import { SmartIdError } from '../../lib/errors';
import { SmartIdClient } from '../../lib/rp-api/client';
import {
	notificationAuthenticationRequest,
	notificationSignatureRequest,
	signingCertificateRequest,
} from '../../lib/rp-api/requests';
import { json, makeTlsMaterial, startServer, type TestServer, type TlsMaterial } from './helpers/test-server';

const RP = { relyingPartyUUID: '00000000-0000-4000-8000-000000000000', relyingPartyName: 'DEMO' };
const DOC = 'PNOEE-40504040001-DEM0-Q';
const EE = 'PNOEE-40504040001';
const CERT_OK = { state: 'OK', cert: { value: 'MIIBAA==', certificateLevel: 'QUALIFIED' } };
const authRequest = () =>
	notificationAuthenticationRequest({ ...RP, interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in?' }] }, { semanticsIdentifier: EE }).request;
const signRequest = () =>
	notificationSignatureRequest(
		{ ...RP, interactions: [{ type: 'confirmationMessage', displayText200: 'Sign?' }], hashAlgorithm: 'SHA-256', digest: Buffer.alloc(32, 1).toString('base64') },
		{ documentNumber: DOC },
	).request;
const certRequest = () => signingCertificateRequest(RP, DOC);

async function caught(p: Promise<unknown>): Promise<SmartIdError> {
	try {
		await p;
	} catch (e) {
		return e as SmartIdError;
	}
	throw new Error('expected a rejection');
}

let server: TestServer;
const clients: SmartIdClient[] = [];
function client(options: Partial<ConstructorParameters<typeof SmartIdClient>[0]> = {}): SmartIdClient {
	const c = new SmartIdClient({ baseUrl: server.baseUrl, retry: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 200 }, ...options });
	clients.push(c);
	return c;
}

afterEach(async () => {
	clients.splice(0).forEach((c) => c.close());
	await server?.close();
});

describe('HTTP status mapping', () => {
	const problem = { type: 'https://example.test/problems/x', title: 'Bad thing', status: 0, detail: 'field relyingPartyName\u0000 is wrong' };
	it.each([
		[400, 'SMARTID_BAD_REQUEST', 'BadRequestError'],
		[401, 'SMARTID_RP_UNAUTHORIZED', 'RelyingPartyUnauthorizedError'],
		[403, 'SMARTID_RP_FORBIDDEN', 'RelyingPartyForbiddenError'],
		[404, 'SMARTID_ACCOUNT_NOT_FOUND', 'AccountNotFoundError'],
		[471, 'SMARTID_NO_SUITABLE_ACCOUNT', 'NoSuitableAccountError'],
		[472, 'SMARTID_PERSON_SHOULD_VIEW_APP', 'PersonShouldViewAppError'],
		[480, 'SMARTID_CLIENT_NOT_SUPPORTED', 'ClientTooOldError'],
		[580, 'SMARTID_MAINTENANCE', 'MaintenanceError'],
		[500, 'SMARTID_SERVER_ERROR', 'ServerError'],
		[502, 'SMARTID_SERVER_ERROR', 'ServerError'],
		[302, 'SMARTID_UNEXPECTED_STATUS', 'UnexpectedStatusError'],
		[418, 'SMARTID_UNEXPECTED_STATUS', 'UnexpectedStatusError'],
	])('%i -> %s with the RFC 9457 body in details', async (status, code, name) => {
		server = await startServer((_req, res) => json(res, status, { ...problem, status }, 'application/problem+json'));
		const err = await caught(client().send(authRequest()));
		expect(err.code).toBe(code);
		expect(err.name).toBe(name);
		expect(err.details).toMatchObject({
			status,
			endpoint: 'A4',
			method: 'POST',
			path: `authentication/notification/etsi/${EE}`,
			problem: { type: problem.type, title: 'Bad thing', status, detail: 'field relyingPartyName is wrong' },
		});
		expect(err.message).toContain('Server said: Bad thing: field relyingPartyName is wrong');
		expect(server.requests).toHaveLength(1); // authentication POSTs are never repeated after reaching the server
	});

	it('messages tell ops what to do', async () => {
		server = await startServer((_req, res) => json(res, 471, ''));
		expect((await caught(client().send(authRequest()))).message).toMatch(/no Smart-ID account of the requested level; ask them to/);
		server.handler = (_req, res) => json(res, 580, 'maintenance', 'text/plain');
		const m = await caught(client({ retry: { maxAttempts: 1 } }).send(certRequest()));
		expect(m.message).toMatch(/under maintenance \(HTTP 580\); retry later/);
		expect(m.details.problem).toBeUndefined();
	});

	it('account answers share one end-user text (no enumeration)', async () => {
		const texts = new Set<string>();
		for (const status of [404, 471, 472]) {
			server = await startServer((_req, res) => json(res, status, {}));
			texts.add((await caught(client().send(authRequest())) as unknown as { endUserMessage: string }).endUserMessage);
			await server.close();
		}
		expect(texts.size).toBe(1);
	});

	it('404 on the session query means the session, not the person', async () => {
		server = await startServer((_req, res) => json(res, 404, { title: 'Not Found' }));
		const err = await caught(client({ retry: { maxAttempts: 1 } }).getSessionStatus('abc', 1000));
		expect(err.code).toBe('SMARTID_SESSION_NOT_FOUND');
	});

	it('sends JSON to the right path and parses the answer', async () => {
		server = await startServer((_req, res) => json(res, 200, { sessionID: 'de305d54-75b4-431b-adb2-eb6b9e546014', unknown: 1 }));
		const init = await client().send(authRequest());
		expect(init).toEqual({ sessionID: 'de305d54-75b4-431b-adb2-eb6b9e546014' });
		const req = server.requests[0];
		expect(req.method).toBe('POST');
		expect(req.url).toBe(`/smart-id-rp/v3/authentication/notification/etsi/${EE}`);
		expect(req.headers['content-type']).toBe('application/json');
		expect(JSON.parse(req.body)).toMatchObject({ relyingPartyName: 'DEMO', vcType: 'numeric4' });
	});

	it('a 200 with a non-JSON or wrongly shaped body is a malformed response', async () => {
		server = await startServer((_req, res) => json(res, 200, '<html>proxy login</html>', 'text/html'));
		const a = await caught(client().send(certRequest()));
		expect(a.code).toBe('SMARTID_MALFORMED_RESPONSE');
		server.handler = (_req, res) => json(res, 200, { state: 'OK' });
		const b = await caught(client().send(certRequest()));
		expect(b.code).toBe('SMARTID_MALFORMED_RESPONSE');
		expect(b.details).toMatchObject({ endpoint: 'C3', field: 'cert' });
		expect(server.requests).toHaveLength(2); // malformed answers are not retried
	});
});

describe('time limits, dropped connections, retries', () => {
	it('a slow answer times out, and an idempotent call is retried up to maxAttempts', async () => {
		server = await startServer(() => undefined /* never answers */);
		const started = Date.now();
		const err = await caught(client({ timeoutMs: 150 }).send(certRequest()));
		expect(err.code).toBe('SMARTID_HTTP_TIMEOUT');
		expect(err.message).toMatch(/^Smart-ID did not answer the signing certificate query \(C3\) within 150 ms\./);
		expect(err.details.timeoutMs).toBe(150);
		expect(server.requests).toHaveLength(3);
		expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150);
	});

	it('a slow answer to an authentication POST is not repeated', async () => {
		server = await startServer(() => undefined);
		const err = await caught(client({ timeoutMs: 150 }).send(authRequest()));
		expect(err.code).toBe('SMARTID_HTTP_TIMEOUT');
		expect(server.requests).toHaveLength(1);
	});

	it('a dropped connection fails as a connection error; idempotent calls retry, POSTs do not', async () => {
		server = await startServer((_req, res) => res.socket?.destroy());
		const err = await caught(client().getSessionStatus('abc', 1000));
		expect(err.code).toBe('SMARTID_CONNECTION_FAILED');
		expect(server.requests).toHaveLength(3);
		await caught(client().send(signRequest()));
		expect(server.requests).toHaveLength(4);
	});

	it('retries 503 with exponential back-off and jitter, then succeeds', async () => {
		server = await startServer((_req, res, i) => (i < 2 ? json(res, 503, {}) : json(res, 200, CERT_OK)));
		const started = Date.now();
		const cert = await client({ retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 } }).send(certRequest());
		const elapsed = Date.now() - started;
		expect(cert.state).toBe('OK');
		expect(server.requests).toHaveLength(3);
		// delays are 50-100 % of 100 ms and 200 ms
		expect(elapsed).toBeGreaterThanOrEqual(150);
		expect(elapsed).toBeLessThan(5000);
	});

	it('honours Retry-After up to maxDelayMs', async () => {
		server = await startServer((_req, res, i) => {
			if (i === 0) {
				res.writeHead(580, { 'Retry-After': '1' });
				res.end();
			} else json(res, 200, CERT_OK);
		});
		const started = Date.now();
		await client({ retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 400 } }).send(certRequest());
		expect(Date.now() - started).toBeGreaterThanOrEqual(390);
	});

	it('a nonce-carrying signature POST is retried on 580, an authentication POST is not', async () => {
		server = await startServer((_req, res, i) =>
			i < 1 ? json(res, 580, {}) : json(res, 200, { sessionID: 'abc', vc: { type: 'numeric4', value: '1234' } }),
		);
		const init = await client().send(signRequest());
		expect(init.vc.value).toBe('1234');
		expect(server.requests).toHaveLength(2);
		expect(server.requests[0].body).toBe(server.requests[1].body); // same nonce: idempotent on the server
		server.handler = (_req, res) => json(res, 580, {});
		await caught(client().send(authRequest()));
		expect(server.requests).toHaveLength(3);
	});

	it('signature POSTs are not retried on 500 and nothing is retried on 4xx', async () => {
		server = await startServer((_req, res) => json(res, 500, {}));
		await caught(client().send(signRequest()));
		expect(server.requests).toHaveLength(1);
		server.handler = (_req, res) => json(res, 400, {});
		await caught(client().send(certRequest()));
		expect(server.requests).toHaveLength(2);
	});

	it('connection refused: even an authentication POST is repeated (nothing was sent)', async () => {
		const port = await new Promise<number>((resolve) => {
			const s = net.createServer().listen(0, '127.0.0.1', () => {
				const p = (s.address() as net.AddressInfo).port;
				s.close(() => resolve(p));
			});
		});
		const c = new SmartIdClient({ baseUrl: `http://127.0.0.1:${port}/v3/`, retry: { maxAttempts: 1 } });
		clients.push(c);
		const err = await caught(c.send(authRequest()));
		expect(err.code).toBe('SMARTID_CONNECTION_FAILED');
		expect(err.message).toMatch(/ECONNREFUSED/);
		// Now a server appears during the back-off: the second attempt reaches it.
		const retrying = new SmartIdClient({ baseUrl: `http://127.0.0.1:${port}/v3/`, retry: { maxAttempts: 2, baseDelayMs: 600, maxDelayMs: 600 } });
		clients.push(retrying);
		const pending = retrying.send(authRequest());
		await new Promise((r) => setTimeout(r, 100));
		const http = await import('node:http');
		let hits = 0;
		const late = http.createServer((_req, res) => {
			hits++;
			json(res, 200, { sessionID: 'late' });
		});
		await new Promise<void>((r) => late.listen(port, '127.0.0.1', r));
		try {
			expect(await pending).toEqual({ sessionID: 'late' });
			expect(hits).toBe(1);
		} finally {
			retrying.close();
			await new Promise((r) => late.close(r));
		}
		server = await startServer(() => undefined);
	});
});

describe('keep-alive', () => {
	it('reuses one socket for sequential calls', async () => {
		server = await startServer((_req, res) => json(res, 200, CERT_OK));
		const c = client();
		for (let i = 0; i < 5; i++) await c.send(certRequest());
		expect(server.requests).toHaveLength(5);
		expect(server.connections).toBe(1);
		expect(server.requests[4].headers.connection).toBe('keep-alive');
	});
});

describe('TLS public-key pinning', () => {
	let tlsA: TlsMaterial;
	let tlsB: TlsMaterial;
	beforeAll(() => {
		tlsA = makeTlsMaterial('current');
		tlsB = makeTlsMaterial('next');
	});

	it('accepts the server when one of the pins (current + next) matches', async () => {
		server = await startServer((_req, res) => json(res, 200, CERT_OK), tlsA);
		const c = client({ ca: tlsA.certPem, pins: [tlsB.pin, tlsA.pin] });
		expect((await c.send(certRequest())).state).toBe('OK');
		expect((await c.send(certRequest())).state).toBe('OK');
		expect(server.connections).toBe(1);
	});

	it('refuses the server on a mismatch, names the presented pin, sends nothing, does not retry', async () => {
		server = await startServer((_req, res) => json(res, 200, CERT_OK), tlsA);
		const wrong = ['sha256//' + Buffer.alloc(32, 7).toString('base64'), tlsB.pin];
		const err = await caught(client({ ca: tlsA.certPem, pins: wrong }).send(certRequest()));
		expect(err.code).toBe('SMARTID_TLS_PIN_MISMATCH');
		expect(err.message).toContain(tlsA.pin);
		expect(err.details).toMatchObject({ host: '127.0.0.1', presentedPin: tlsA.pin, expectedPins: wrong });
		expect(server.requests).toHaveLength(0);
		expect(server.connections).toBeLessThanOrEqual(1);
	});

	it('checks the pin on every new connection', async () => {
		server = await startServer((_req, res) => json(res, 200, CERT_OK), tlsA);
		const c = client({ ca: [tlsA.certPem, tlsB.certPem], pins: [tlsA.pin] });
		await c.send(certRequest());
		await server.close();
		// Same port, new key: a new connection must be checked again and refused.
		const port = server.port;
		const https = await import('node:https');
		const other = https.createServer({ cert: tlsB.certPem, key: tlsB.keyPem }, (_req, res) => json(res, 200, CERT_OK));
		await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
		try {
			const err = await caught(c.send(certRequest()));
			expect(err.code).toBe('SMARTID_TLS_PIN_MISMATCH');
			expect(err.details.presentedPin).toBe(tlsB.pin);
		} finally {
			c.close();
			await new Promise((r) => other.close(r));
		}
		server = await startServer(() => undefined);
	});

	it('an untrusted certificate is a TLS connection error, not retried', async () => {
		server = await startServer((_req, res) => json(res, 200, CERT_OK), tlsA);
		const err = await caught(client().send(certRequest()));
		expect(err.code).toBe('SMARTID_CONNECTION_FAILED');
		expect(err.message).toMatch(/TLS certificate of the server is not trusted/);
		expect(server.requests).toHaveLength(0);
	});

	it('refuses malformed pins and pins on plain http', async () => {
		server = await startServer(() => undefined);
		expect(() => client({ baseUrl: 'https://127.0.0.1:1/v3/', pins: ['sha1//abc'] })).toThrow(/TLS pin #1 is not of the form/);
		expect(() => client({ pins: [tlsA.pin] })).toThrow(/pins need https/);
	});
});

describe('base URL', () => {
	it.each([
		['https://sid.demo.sk.ee/smart-id-rp/v3', /must end with "\/"/],
		['http://sid.demo.sk.ee/smart-id-rp/v3/', /plain http is only allowed for the local simulator/],
		['ftp://127.0.0.1/v3/', /must be an https URL/],
		['https://user:pw@sid.demo.sk.ee/v3/', /credentials/],
		['', /empty/],
	])('%p is refused', (baseUrl, message) => {
		expect(() => new SmartIdClient({ baseUrl })).toThrow(message);
	});

	it('takes the environment default', () => {
		const c = SmartIdClient.forEnvironment('demo');
		expect(c.baseUrl).toBe('https://sid.demo.sk.ee/smart-id-rp/v3/');
		c.close();
	});
});

describe('session status long poll', () => {
	it('passes timeoutMs and waits longer than it before giving up on the read', async () => {
		server = await startServer((req, res) => {
			const t = Number(new URL(req.url, 'http://x').searchParams.get('timeoutMs'));
			setTimeout(() => json(res, 200, { state: 'RUNNING' }), t + 200);
		});
		const status = await client({ statusTimeoutMarginMs: 1000 }).getSessionStatus('sess-1', 1000);
		expect(status).toEqual({ state: 'RUNNING' });
		expect(server.requests[0].url).toBe('/smart-id-rp/v3/session/sess-1?timeoutMs=1000');
	});

	it('pollUntilComplete returns the COMPLETE status', async () => {
		server = await startServer((_req, res, i) =>
			json(res, 200, i < 2 ? { state: 'RUNNING' } : { state: 'COMPLETE', result: { endResult: 'USER_REFUSED' } }),
		);
		const status = await client().pollUntilComplete('sess-2', { deadline: Date.now() + 5000, timeoutMs: 1000, minIntervalMs: 20 });
		expect(status.result?.endResult).toBe('USER_REFUSED');
		expect(server.requests).toHaveLength(3);
	});

	it('stops at the overall deadline', async () => {
		server = await startServer((_req, res) => json(res, 200, { state: 'RUNNING' }));
		const started = Date.now();
		const err = await caught(
			client().pollUntilComplete('sess-3', { deadline: new Date(Date.now() + 700), timeoutMs: 1000, minIntervalMs: 100 }),
		);
		expect(err.code).toBe('SMARTID_POLL_DEADLINE');
		expect(Date.now() - started).toBeGreaterThanOrEqual(690);
		expect(Date.now() - started).toBeLessThan(4000);
		expect(server.requests.length).toBeGreaterThanOrEqual(2);
		expect(server.requests.length).toBeLessThanOrEqual(8);
	});

	it('an AbortSignal cancels the request in flight', async () => {
		server = await startServer(() => undefined /* holds the long poll */);
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 150);
		const started = Date.now();
		const err = await caught(
			client().pollUntilComplete('sess-4', { deadline: Date.now() + 60000, timeoutMs: 30000, signal: controller.signal }),
		);
		expect(err.code).toBe('SMARTID_ABORTED');
		expect(Date.now() - started).toBeLessThan(5000); // far below the 30 s long poll
		expect(server.requests).toHaveLength(1);
	});

	it('an AbortSignal also cancels the wait between polls', async () => {
		server = await startServer((_req, res) => json(res, 200, { state: 'RUNNING' }));
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const err = await caught(
			client().pollUntilComplete('sess-5', { deadline: Date.now() + 60000, minIntervalMs: 5000, signal: controller.signal }),
		);
		expect(err.code).toBe('SMARTID_ABORTED');
		expect(server.requests).toHaveLength(1);
	});
});

describe('no request data in errors', () => {
	it('a failed call carries neither the request body nor the rpChallenge, even in its cause', async () => {
		server = await startServer((_req, res) => res.socket?.destroy());
		const prepared = notificationAuthenticationRequest(
			{ ...RP, interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in?' }] },
			{ semanticsIdentifier: EE },
		);
		const err = await caught(client().send(prepared.request));
		const { inspect } = await import('node:util');
		const dump = inspect(err, { depth: 20, showHidden: true }) + JSON.stringify(err.details);
		expect(err.code).toBe('SMARTID_CONNECTION_FAILED');
		expect(dump).not.toContain(prepared.rpChallenge);
		expect(dump).not.toContain('signatureProtocolParameters');
	});
});

describe('send() of a prepared status request', () => {
	it('gives a long poll its own time limit, not the POST limit', async () => {
		server = await startServer((_req, res) => setTimeout(() => json(res, 200, { state: 'RUNNING' }), 400));
		const { sessionStatusRequest } = await import('../../lib/rp-api/requests');
		const status = await client({ timeoutMs: 100, statusTimeoutMarginMs: 1000 }).send(sessionStatusRequest('sess-6', 1000));
		expect(status.state).toBe('RUNNING');
		const err = await caught(client({ timeoutMs: 100, retry: { maxAttempts: 1 } }).send(certRequest()));
		expect(err.code).toBe('SMARTID_HTTP_TIMEOUT');
	});
});
