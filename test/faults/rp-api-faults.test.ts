/**
 * RP API faults during session polling, through the real SmartIdClient, lib/flows and the trigger's poll against
 * the simulator's fault injection: 580 and 5xx storms, dropped connections, slow bodies. Either the client's
 * bounded retries ride it out and the session completes, or a clear typed error surfaces and the pending
 * session stays in the store until Smart-ID answers again. No pending session is lost.
 */
import { randomUUID } from 'node:crypto';

import { completeAuthentication, startNotificationAuthentication } from '../../lib/flows';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient, type RetryOptions } from '../../lib/rp-api/client';
import { FileSessionStore } from '../../lib/sessions';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { pollSessions } from '../../lib/sessions';
import { configFromCredential } from '../../nodes/shared/config';
import { SessionRuntime } from '../../lib/sessions';
import { pollContext } from '../nodes/harness';
import { OK_CODE, OK_COUNTRY, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';
import { call, type Json } from '../simulator/helpers';
import { sealed } from '../sessions/sealed';

let env: SimulatorEnv;
let store: FileSessionStore;
let trust: TrustStore;
const trigger = new SmartIdTrigger();
const interactions = [{ type: 'displayTextAndPIN' as const, displayText60: 'Log in' }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	env = await startSimulatorEnv();
	store = new FileSessionStore({ folder: env.folder });
	trust = TrustStore.fromPem(env.sim.caPems, 'simulator');
}, 60_000);

afterEach(async () => {
	await call(`${env.sim.controlUrl}faults`, { method: 'DELETE' });
});

afterAll(async () => {
	await env?.stop();
});

function client(retry: RetryOptions = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 }, extra: Record<string, number> = {}) {
	return new SmartIdClient({ baseUrl: env.sim.baseUrl, retry, ...extra });
}

const flowConfig = () => ({ relyingPartyUUID: env.sim.relyingPartyUUID, relyingPartyName: env.sim.relyingPartyName, schemeName: env.sim.schemeName });

async function start(c: SmartIdClient) {
	return startNotificationAuthentication(c, flowConfig(), { semanticsIdentifier: `PNO${OK_COUNTRY}-${OK_CODE}` }, { interactions });
}

async function fault(rule: Record<string, unknown>): Promise<string> {
	const res = await call(`${env.sim.controlUrl}faults`, { body: rule });
	expect(res.status).toBe(201);
	return res.body.id as string;
}

/** Remaining uses of a `times`-limited rule (0 once it is used up and gone). */
async function remaining(id: string): Promise<number> {
	const res = await call(`${env.sim.controlUrl}faults`);
	return (res.body as Json[]).find((r) => r.id === id)?.times ?? 0;
}

const complete = (c: SmartIdClient, s: Awaited<ReturnType<typeof start>>, deadlineMs = 15_000) =>
	completeAuthentication(c, s.sessionID, s.context, { poll: { deadline: Date.now() + deadlineMs, timeoutMs: 1000, minIntervalMs: 50 }, validation: { trust } });

describe.each([
	['580 maintenance', 580, 'SMARTID_MAINTENANCE'],
	['500 server error', 500, 'SMARTID_SERVER_ERROR'],
	['503 unavailable', 503, 'SMARTID_SERVER_ERROR'],
])('%s storm on session status', (_name, status, code) => {
	test('a short storm is ridden out by the retries: the session completes and validates', async () => {
		const c = client();
		const s = await start(c);
		const id = await fault({ kind: 'status', target: 'rp-api', status, pathContains: `session/${s.sessionID}`, times: 2 });
		const result = await complete(c, s);
		expect(result.identity.identityNumber).toBe(OK_CODE);
		expect(await remaining(id)).toBe(0); // both faulty answers were really sent and retried
		c.close();
	}, 30_000);

	test('a long storm: exactly maxAttempts requests, a typed error, and the session completes after the storm', async () => {
		const c = client({ maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 50 });
		const s = await start(c);
		const id = await fault({ kind: 'status', target: 'rp-api', status, pathContains: `session/${s.sessionID}`, times: 100 });
		const error = await complete(c, s).then(() => undefined, (e: unknown) => e);
		expect(error).toMatchObject({ code, details: expect.objectContaining({ status, endpoint: 'Q1' }) });
		expect((error as Error).message).toMatch(new RegExp(String(status)));
		expect(await remaining(id)).toBe(96); // bounded: 4 attempts, not a retry loop
		await call(`${env.sim.controlUrl}faults/${id}`, { method: 'DELETE' });
		expect((await complete(c, s)).identity.identityNumber).toBe(OK_CODE);
		c.close();
	}, 30_000);
});

test('dropped connections on status polling: retried when few, ConnectionError when persistent, then completes', async () => {
	const c = client();
	const s = await start(c);
	const few = await fault({ kind: 'drop', target: 'rp-api', pathContains: `session/${s.sessionID}`, times: 2 });
	expect((await complete(c, s)).identity.identityNumber).toBe(OK_CODE);
	expect(await remaining(few)).toBe(0);

	const s2 = await start(c);
	const many = await fault({ kind: 'drop', target: 'rp-api', pathContains: `session/${s2.sessionID}` });
	await expect(complete(c, s2)).rejects.toMatchObject({ code: 'SMARTID_CONNECTION_FAILED' });
	await call(`${env.sim.controlUrl}faults/${many}`, { method: 'DELETE' });
	expect((await complete(c, s2)).identity.identityNumber).toBe(OK_CODE);
	c.close();
}, 30_000);

test('slow bodies: a trickling answer within the read timeout is accepted; one beyond it times out, is retried, then completes', async () => {
	const c = client({ maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50 }, { statusTimeoutMarginMs: 300 });
	const s = await start(c);
	await sleep(300); // complete, so the status answer (with certificate and signature) is a few KiB
	const trickle = await fault({ kind: 'slowBody', target: 'rp-api', pathContains: `session/${s.sessionID}`, chunkBytes: 1024, chunkDelayMs: 20, times: 1 });
	expect((await complete(c, s)).identity.identityNumber).toBe(OK_CODE);
	expect(await remaining(trickle)).toBe(0);

	// 16 bytes every 200 ms: a ~6 KiB answer would take minutes; the read timeout (1 s poll + 300 ms) stops it.
	const stuck = await fault({ kind: 'slowBody', target: 'rp-api', pathContains: `session/${s.sessionID}`, chunkBytes: 16, chunkDelayMs: 200, times: 2 });
	const started = Date.now();
	await expect(complete(c, s)).rejects.toMatchObject({ code: 'SMARTID_HTTP_TIMEOUT' });
	expect(Date.now() - started).toBeLessThan(6000);
	expect(await remaining(stuck)).toBe(0);
	expect((await complete(c, s)).identity.identityNumber).toBe(OK_CODE);
	c.close();
}, 30_000);

describe('trigger path (store + poll)', () => {
	const rt = () => new SessionRuntime(configFromCredential(env.credentials));

	async function pending(tag: string, n: number): Promise<string[]> {
		const c = client();
		const ids: string[] = [];
		for (let k = 0; k < n; k++) {
			const s = await start(c);
			const now = Date.now();
			await store.put(
				sealed(rt(), {
					sessionId: s.sessionID,
					kind: 'authentication',
					credentialKey: rt().config.credentialKey,
					tag,
					correlation: { n: k },
					createdAt: new Date(now + k).toISOString(),
					expiresAt: new Date(now + 600_000).toISOString(),
					context: s.context,
				}),
			);
			ids.push(s.sessionID);
		}
		c.close();
		await sleep(400);
		return ids;
	}

	test.each([
		['580', { kind: 'status', status: 580 }],
		['5xx', { kind: 'status', status: 502 }],
		['dropped connections', { kind: 'drop' }],
		['slow bodies past the read timeout', { kind: 'slowBody', chunkBytes: 8, chunkDelayMs: 1000 }],
	])('%s storm during a poll: nothing emitted, nothing removed; the next poll after it emits each session once', async (name, rule) => {
		const tag = `storm-${name}`;
		const ids = await pending(tag, 3);
		const id = await fault({ ...rule, target: 'rp-api', pathContains: 'session/' });
		const runtime = rt();
		// The node's client with a short read-timeout margin, so the slow-body case does not wait 3 × 6 s.
		Object.defineProperty(runtime, 'client', { value: client(undefined, { statusTimeoutMarginMs: 300 }) });
		const during = await pollSessions(runtime, { tag, concurrency: 3, leaseMs: 60_000 });
		await runtime.close();
		expect(during.finished).toEqual([]);
		expect(during.deferred).toHaveLength(3);
		for (const sessionId of ids) expect(during.deferred.join('\n')).toContain(sessionId);
		expect((await store.list({ tag })).map((r) => r.sessionId).sort()).toEqual([...ids].sort());

		await call(`${env.sim.controlUrl}faults/${id}`, { method: 'DELETE' });
		const emitted = (await trigger.poll.call(pollContext({ credentials: env.credentials, params: { tag } })))![0];
		expect(emitted.map((i) => i.json.sessionId)).toEqual(ids); // oldest first, each once
		expect(emitted.every((i) => i.json.endResult === 'OK')).toBe(true);
		expect(await store.list({ tag })).toEqual([]);
	}, 60_000);

	test('a session id Smart-ID never issued is still reported (UNKNOWN), never silently dropped, even after a storm', async () => {
		const tag = 'storm-ghost';
		const [real] = await pending(tag, 1);
		const record = (await store.get(real))!;
		const ghost = randomUUID();
		await store.put(sealed(rt(), { ...record, sessionId: ghost }));
		const id = await fault({ kind: 'status', target: 'rp-api', status: 580, pathContains: 'session/', times: 50 });
		expect(await trigger.poll.call(pollContext({ credentials: env.credentials, params: { tag } }))).toBeNull();
		await call(`${env.sim.controlUrl}faults/${id}`, { method: 'DELETE' });
		const items = (await trigger.poll.call(pollContext({ credentials: env.credentials, params: { tag } })))![0];
		const byId = new Map(items.map((i) => [i.json.sessionId, i.json]));
		expect(byId.get(real)).toMatchObject({ endResult: 'OK' });
		expect(byId.get(ghost)).toMatchObject({ state: 'UNKNOWN', code: 'SMARTID_SESSION_NOT_FOUND' });
	}, 60_000);
});
