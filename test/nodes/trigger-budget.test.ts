/**
 * A trigger pass is bounded by a time budget: records it does not reach stay for the next pass, which starts
 * with the least recently checked, so every session is checked and every finished one is emitted exactly once.
 * A finished session whose lease ran out during the pass is not emitted (whoever holds it next emits it) and is
 * never removed with the expired lease. Real simulator, real file store.
 */
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../lib/flows';
import { SmartIdClient } from '../../lib/rp-api/client';
import type { PendingSessionRecord, SessionLease } from '../../lib/sessions';
import { pollSessions, type PollSessionsResult } from '../../lib/sessions';
import { configFromCredential } from '../../nodes/shared/config';
import { SessionRuntime } from '../../lib/sessions';
import { OK_CODE, OK_COUNTRY, startSimulatorEnv, type SimulatorEnv } from './simulator-env';
import { sealed } from '../sessions/sealed';

const interactions = [{ type: 'displayTextAndPIN' as const, displayText60: 'Log in' }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let env: SimulatorEnv;
let client: SmartIdClient;
const runtimes: SessionRuntime[] = [];

beforeAll(async () => {
	env = await startSimulatorEnv();
	client = new SmartIdClient({ baseUrl: env.sim.baseUrl });
}, 60_000);

afterEach(async () => {
	await Promise.all(runtimes.splice(0).map((rt) => rt.close()));
});

afterAll(async () => {
	client?.close();
	await env?.stop();
});

/** A separate poller ("process"): its own runtime, store instance and connections. */
function poller(): SessionRuntime {
	const rt = new SessionRuntime(configFromCredential(env.credentials));
	runtimes.push(rt);
	return rt;
}

const flowConfig = () => ({ relyingPartyUUID: env.sim.relyingPartyUUID, relyingPartyName: env.sim.relyingPartyName, schemeName: env.sim.schemeName });

/** Store records in this order: 'done' = notification session the simulator completes, 'running' = device link nobody scans. */
async function storeSessions(rt: SessionRuntime, tag: string, kinds: Array<'done' | 'running'>): Promise<{ done: string[]; running: string[] }> {
	const out = { done: [] as string[], running: [] as string[] };
	const now = Date.now();
	for (const [k, kind] of kinds.entries()) {
		const started =
			kind === 'done'
				? await startNotificationAuthentication(client, flowConfig(), { semanticsIdentifier: `PNO${OK_COUNTRY}-${OK_CODE}` }, { interactions })
				: await startDeviceLinkAuthentication(client, flowConfig(), { anonymous: true }, { interactions, deviceLinkTypes: ['QR'] });
		const record: PendingSessionRecord = {
			sessionId: started.sessionID,
			kind: 'authentication',
			credentialKey: rt.config.credentialKey,
			tag,
			createdAt: new Date(now + k).toISOString(),
			expiresAt: new Date(now + 600_000).toISOString(),
			context: started.context,
			...('deviceLink' in started && started.deviceLink ? { secrets: started.deviceLink } : {}),
		};
		await rt.store.put(sealed(rt, record));
		out[kind].push(started.sessionID);
		await sleep(3); // distinct store times, so "least recently stored" is well defined
	}
	await sleep(400); // the simulator's notification delay is 150 ms
	return out;
}

/** Watch which sessions a poller claims (calls through to the real store). */
function watchClaims(rt: SessionRuntime): { ids: string[]; leases: Array<Promise<SessionLease | undefined>> } {
	const seen = { ids: [] as string[], leases: [] as Array<Promise<SessionLease | undefined>> };
	const claim = rt.store.claim.bind(rt.store);
	jest.spyOn(rt.store, 'claim').mockImplementation((sessionId, leaseMs) => {
		seen.ids.push(sessionId);
		const lease = claim(sessionId, leaseMs);
		seen.leases.push(lease);
		return lease;
	});
	return seen;
}

const accounted = (r: PollSessionsResult) => r.finished.length + r.stillRunning + r.busy + r.deferred.length + r.notReached;

test('each pass stops at its time budget; unreached sessions come first next time; each finished one is emitted once', async () => {
	const rt = poller();
	const tag = 'budget';
	// Running sessions first: a pass in creation order would spend its whole budget on them and never reach the rest.
	const { done, running } = await storeSessions(rt, tag, ['running', 'running', 'running', 'running', 'running', 'running', 'done', 'done', 'done', 'done']);
	const all = [...running, ...done];
	const claims = watchClaims(rt);
	const emitted: string[] = [];
	const budgetMs = 1500;
	const passes: PollSessionsResult[] = [];
	for (let pass = 0; pass < 6 && emitted.length < done.length; pass++) {
		const t = Date.now();
		const result = await pollSessions(rt, { tag, concurrency: 2, budgetMs, leaseMs: 60_000 });
		const ms = Date.now() - t;
		// No claim after the budget; only checks already under way (a 1 s long poll each) may finish after it.
		expect(ms).toBeLessThan(budgetMs + 1000 + 3000);
		expect(accounted(result)).toBe(all.length - emitted.length);
		const removed = await rt.store.removeMany(result.finished.map((f) => f.lease));
		expect(removed).toEqual(result.finished.map(() => true));
		emitted.push(...result.finished.map((f) => f.record.sessionId));
		passes.push(result);
	}
	// The first pass could not check everything (6 running sessions at 1 s, 2 at a time, in 1.5 s).
	expect(passes[0].notReached).toBeGreaterThan(0);
	expect(passes[0].finished).toEqual([]);
	// Fair rotation: every session is claimed once before any is claimed a second time.
	expect(new Set(claims.ids.slice(0, all.length)).size).toBe(all.length);
	// Every completed session emitted exactly once, none lost; the running ones are all still pending.
	expect([...emitted].sort()).toEqual([...done].sort());
	expect((await rt.store.list({ tag })).map((r) => r.sessionId).sort()).toEqual([...running].sort());
	await rt.store.removeMany([]); // harmless no-op
	for (const id of running) expect(await rt.store.remove(id)).toBe(true);
}, 60_000);

test('a result whose lease ran out during a long pass is neither emitted nor removed; the poller that took it over emits it once', async () => {
	const slow = poller();
	const other = poller();
	const tag = 'lease';
	const { done, running } = await storeSessions(slow, tag, ['done', 'running', 'running']);
	const slowClaims = watchClaims(slow);
	// Lease 1.5 s, but the pass checks 2 running sessions one at a time after the finished one: ≥ 2 s.
	const slowPass = pollSessions(slow, { tag, concurrency: 1, budgetMs: 10_000, leaseMs: 1500 });
	while (slowClaims.leases.length === 0) await sleep(5);
	const firstLease = (await slowClaims.leases[0])!;
	expect(firstLease.sessionId).toBe(done[0]);
	// Another poll starts once that lease has expired (next interval, or another n8n main) and takes it over.
	await sleep(Math.max(0, firstLease.expiresAt - Date.now()) + 150);
	const overlapping = await pollSessions(other, { tag, concurrency: 4, budgetMs: 500, leaseMs: 60_000 });
	const slowResult = await slowPass;

	expect(slowResult.finished).toEqual([]); // its lease was gone before the pass ended: not emitted
	expect(slowResult.deferred.join('\n')).toContain(done[0]);
	expect(await slow.store.removeMany([firstLease])).toEqual([false]); // the expired lease removes nothing
	expect(overlapping.finished.map((f) => f.record.sessionId)).toEqual(done);
	expect(await other.store.removeMany(overlapping.finished.map((f) => f.lease))).toEqual([true]);

	// Nothing left to emit: the next passes only see the running sessions.
	const later = await pollSessions(slow, { tag, concurrency: 2, budgetMs: 5000, leaseMs: 60_000 });
	expect(later.finished).toEqual([]);
	expect(later.stillRunning).toBe(running.length);
	for (const id of running) expect(await slow.store.remove(id)).toBe(true);
}, 60_000);

test('without a takeover, the result whose lease ran out is emitted by the next pass (not lost)', async () => {
	const rt = poller();
	const tag = 'lease-alone';
	const { done, running } = await storeSessions(rt, tag, ['done', 'running', 'running']);
	const first = await pollSessions(rt, { tag, concurrency: 1, budgetMs: 10_000, leaseMs: 1500 });
	expect(first.finished).toEqual([]);
	expect(first.deferred.join('\n')).toContain(done[0]);
	expect((await rt.store.list({ tag })).map((r) => r.sessionId)).toContain(done[0]);
	const second = await pollSessions(rt, { tag, concurrency: 3, budgetMs: 5000, leaseMs: 60_000 });
	expect(second.finished.map((f) => f.record.sessionId)).toEqual(done);
	expect(await rt.store.removeMany(second.finished.map((f) => f.lease))).toEqual([true]);
	for (const id of running) expect(await rt.store.remove(id)).toBe(true);
}, 60_000);
