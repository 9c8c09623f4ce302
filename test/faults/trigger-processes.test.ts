/**
 * Trigger processes dying, running twice, and Redis restarting, at the level of the whole pipeline: sessions
 * started through lib/flows against the simulator, records in a real store (file folder or redis-server), polls
 * through the trigger's pollSessions / poll. Each scenario shows no pending session is lost, and that any
 * duplicate emission carries the same sessionId (so consumers can drop it).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { createDeviceLink, startDeviceLinkAuthentication, startNotificationAuthentication, type DeviceLinkSecrets } from '../../lib/flows';
import { SmartIdClient } from '../../lib/rp-api/client';
import type { PendingSessionRecord, SessionLease } from '../../lib/sessions';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { pollSessions } from '../../lib/sessions';
import { configFromCredential } from '../../nodes/shared/config';
import { SessionRuntime } from '../../lib/sessions';
import { pollContext } from '../nodes/harness';
import { OK_CODE, OK_COUNTRY, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';
import { startRestartableRedis, type RestartableRedis } from './redis-persistent';
import { sealed } from '../sessions/sealed';

const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
const interactions = [{ type: 'displayTextAndPIN' as const, displayText60: 'Log in' }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let env: SimulatorEnv;
let redis: RestartableRedis;
let client: SmartIdClient;
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	[env, redis] = await Promise.all([startSimulatorEnv(), startRestartableRedis()]);
	client = new SmartIdClient({ baseUrl: env.sim.baseUrl });
}, 60_000);

afterAll(async () => {
	client?.close();
	await Promise.all([env?.stop(), redis?.stop()]);
});

const backends: Array<[string, () => ICredentialDataDecryptedObject]> = [
	['file store', () => env.credentials],
	['Redis store', () => ({ ...env.credentials, sessionStore: 'redis', redisUrl: redis.url })],
];

const flowConfig = () => ({ relyingPartyUUID: env.sim.relyingPartyUUID, relyingPartyName: env.sim.relyingPartyName, schemeName: env.sim.schemeName });

/** A separate "process": its own runtime, so its own store instance and connections. */
const processFor = (credentials: ICredentialDataDecryptedObject) => new SessionRuntime(configFromCredential(credentials));

/** Put pending records for `completed` notification sessions (finished by the simulator) and `running` device-link ones. */
async function startSessions(rt: SessionRuntime, tag: string, completed: number, running = 0) {
	const { store } = rt;
	const { credentialKey } = rt.config;
	const now = Date.now();
	const record = (sessionId: string, context: PendingSessionRecord['context'], k: number, secrets?: DeviceLinkSecrets): PendingSessionRecord => ({
		sessionId,
		kind: 'authentication',
		credentialKey,
		tag,
		createdAt: new Date(now + k).toISOString(),
		expiresAt: new Date(now + 600_000).toISOString(),
		context,
		...(secrets ? { secrets } : {}),
	});
	const done: string[] = [];
	const waiting: Array<{ id: string; secrets: DeviceLinkSecrets }> = [];
	for (let k = 0; k < completed; k++) {
		const s = await startNotificationAuthentication(client, flowConfig(), { semanticsIdentifier: `PNO${OK_COUNTRY}-${OK_CODE}` }, { interactions });
		await store.put(sealed(rt, record(s.sessionID, s.context, k)));
		done.push(s.sessionID);
	}
	for (let k = 0; k < running; k++) {
		const s = await startDeviceLinkAuthentication(client, flowConfig(), { anonymous: true }, { interactions, deviceLinkTypes: ['QR'] });
		await store.put(sealed(rt, record(s.sessionID, s.context, completed + k, s.deviceLink)));
		waiting.push({ id: s.sessionID, secrets: s.deviceLink });
	}
	await sleep(400); // the simulator's notification delay is 150 ms
	return { done, waiting };
}

/** The person scans the QR code: the mock app completes the device-link session. */
async function scan(secrets: DeviceLinkSecrets): Promise<void> {
	const res = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: createDeviceLink(secrets, { deviceLinkType: 'QR' }), flowType: 'QR' }),
	});
	expect(res.status).toBe(200);
}

/** What the trigger does in one poll: pollSessions, build the items ("emit"), then remove with the lease. */
async function pollAndEmit(rt: SessionRuntime, tag: string, leaseMs: number, crashBeforeRemove = false) {
	const result = await pollSessions(rt, { tag, concurrency: 4, leaseMs });
	const emitted = result.finished.map((f) => ({ sessionId: f.record.sessionId, endResult: f.outcome.json.endResult, lease: f.lease }));
	const removed: boolean[] = [];
	if (!crashBeforeRemove) for (const f of result.finished) removed.push(await rt.store.remove(f.record.sessionId, f.lease));
	return { emitted, result, removed };
}

describe.each(backends)('%s', (_name, credentials) => {
	test('process killed between poll and emission (claimed, never removed): a new process emits it after the lease, once more at most', async () => {
		const tag = `killed-${_name}`;
		const a = processFor(credentials());
		const { done } = await startSessions(a, tag, 3);
		const first = await pollAndEmit(a, tag, 1200, true); // items built (maybe emitted), then the process dies
		expect(first.emitted.map((e) => e.sessionId)).toEqual(done);
		await a.close();

		const b = processFor(credentials());
		const early = await pollSessions(b, { tag, concurrency: 4, leaseMs: 60_000 });
		expect(early.finished).toEqual([]); // the dead process's leases still live: no double work
		expect(early.busy).toBe(3);
		await sleep(1300);
		const second = await pollAndEmit(b, tag, 60_000);
		expect(second.removed).toEqual([true, true, true]);
		expect(second.emitted.map((e) => e.sessionId)).toEqual(done);
		expect(second.emitted.every((e) => e.endResult === 'OK')).toBe(true);
		expect(await b.store.list({ tag })).toEqual([]);

		// Duplicates are detectable: same sessionIds; deduplicating by sessionId gives every session exactly once.
		const all = [...first.emitted, ...second.emitted].map((e) => e.sessionId);
		expect(new Set(all)).toEqual(new Set(done));
		// A late remove by the dead process's lease is refused: it cannot delete what someone else now owns.
		const stale: SessionLease = first.emitted[0].lease;
		expect(await b.store.remove(stale.sessionId, stale)).toBe(false);
		await b.close();
	}, 60_000);

	test('two trigger processes on one store, polling concurrently while sessions finish: each session emitted exactly once', async () => {
		const tag = `pair-${_name}`;
		const [a, b] = [processFor(credentials()), processFor(credentials())];
		const { done, waiting } = await startSessions(a, tag, 6, 4);
		const emitted: string[] = [];
		const round = async () => {
			const [ra, rb] = await Promise.all([pollAndEmit(a, tag, 60_000), pollAndEmit(b, tag, 60_000)]);
			expect([...ra.removed, ...rb.removed].every(Boolean)).toBe(true);
			emitted.push(...ra.emitted.map((e) => e.sessionId), ...rb.emitted.map((e) => e.sessionId));
			return ra.result.busy + rb.result.busy;
		};
		await round();
		expect(new Set(emitted)).toEqual(new Set(done));
		await scan(waiting[0].secrets);
		await scan(waiting[1].secrets);
		await round();
		await scan(waiting[2].secrets);
		await scan(waiting[3].secrets);
		await round();
		expect(emitted.slice().sort()).toEqual([...done, ...waiting.map((w) => w.id)].sort()); // no duplicate, none missing
		expect(await a.store.list({ tag })).toEqual([]);
		await Promise.all([a.close(), b.close()]);
	}, 60_000);
});

describe('Redis restarting', () => {
	const credentials = () => ({ ...env.credentials, sessionStore: 'redis', redisUrl: redis.url });
	const poll = (tag: string) => trigger.poll.call(pollContext({ credentials: credentials(), params: { tag } }));

	test('kill -9 between polls: the poll during the outage fails clearly and removes nothing; after the restart every session is there and emitted once', async () => {
		const tag = 'restart-between';
		const longLived = processFor(credentials()); // a process whose Redis connection outlives the restart
		const { done, waiting } = await startSessions(longLived, tag, 3, 1);
		await redis.kill9();
		const during = await poll(tag).then(() => undefined, (e: unknown) => e as Error);
		expect(during).toBeInstanceOf(Error);
		expect(during!.message).toMatch(/redis/i);
		await redis.restart();

		// The long-lived store instance reconnects by itself; the data survived (AOF).
		expect((await longLived.store.list({ tag })).map((r) => r.sessionId)).toEqual([...done, waiting[0].id]);
		const emitted = (await poll(tag))![0].map((i) => i.json.sessionId);
		expect(emitted).toEqual(done);
		await scan(waiting[0].secrets);
		expect((await poll(tag))![0].map((i) => i.json.sessionId)).toEqual([waiting[0].id]);
		expect(await longLived.store.list({ tag })).toEqual([]);
		await longLived.close();
	}, 60_000);

	test('kill -9 in the middle of a poll (requests in flight): whatever that poll manages, every session is emitted afterwards and none twice under a different id', async () => {
		const tag = 'restart-mid';
		const setup = processFor(credentials());
		const { done, waiting } = await startSessions(setup, tag, 4, 1);
		await setup.close();
		// Hold the status answers so the poll is mid-flight (leases taken, answers pending) when Redis dies.
		const res = await fetch(`${env.sim.controlUrl}faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ kind: 'latency', target: 'rp-api', pathContains: 'session/', latencyMs: 700, times: 5 }),
		});
		expect(res.status).toBe(201);
		const a = processFor(credentials());
		// Items built = emitted (n8n emits them even when a remove finds its lease lost, see SmartIdTrigger.poll).
		const inFlight = pollAndEmit(a, tag, 1500).then(
			(r) => ({ emitted: r.emitted.map((e) => e.sessionId), error: undefined as unknown }),
			(error: unknown) => ({ emitted: [] as string[], error }),
		);
		await sleep(250);
		await redis.kill9();
		await sleep(300);
		await redis.restart();
		const mid = await inFlight;
		await a.close().catch(() => undefined);
		// Either the poll failed (nothing emitted, records kept) or it finished with its leases; both are fine.
		if (mid.error) expect(mid.error).toBeInstanceOf(Error);

		await sleep(1600); // leases of the interrupted poll expire (they survived the restart in the AOF)
		const after = (await poll(tag))?.[0].map((i) => i.json.sessionId as string) ?? [];
		const all = [...mid.emitted, ...after];
		expect(new Set(all)).toEqual(new Set(done)); // nothing lost
		expect(all.filter((id) => !done.includes(id))).toEqual([]);
		const left = processFor(credentials()).store;
		expect((await left.list({ tag })).map((r) => r.sessionId)).toEqual([waiting[0].id]); // the running one waits on
		await left.close();
	}, 60_000);
});
