/**
 * n8n 2.40.7 in QUEUE MODE, end to end (issue 15): Postgres + Redis (AOF) + `n8n start` (main, runs the Smart-ID
 * Trigger) + `n8n webhook` + two `n8n worker`s, each with its own user folder and the package installed as a
 * community package; the offline simulator (this jest process) is the Smart-ID service; the credential uses the
 * Redis session store. Run with `npm run test:queue` (own jest config: `npm test` is unchanged).
 *
 * Knobs (env): QUEUE_SESSIONS (main batch, default 200), QUEUE_KILL_SESSIONS (default 60),
 * QUEUE_REDIS_SESSIONS (default 40), QUEUE_PARALLEL (requests in flight, default 16), QUEUE_CONCURRENCY (per worker,
 * default 10), QUEUE_FORCE_POLL_MS (re-activate the trigger to poll now, default 10000; 0 = n8n's schedule only,
 * one poll a minute at a random second), QUEUE_EMIT_TIMEOUT_MS (default 900000), QUEUE_KEEP=1 keeps the folder
 * with every process log. Without the runtime, Postgres or redis-server the suite is skipped with a message
 * (E2E_REQUIRED=1 or QUEUE_REQUIRED=1 makes that a failure).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { simulatorCredentialData, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { missingPrerequisites, QueueCluster, sleep } from './cluster';
import * as wf from './workflows';

const num = (name: string, fallback: number): number => {
	const v = Number(process.env[name]);
	return Number.isFinite(v) && v > 0 ? v : fallback;
};
const SESSIONS = num('QUEUE_SESSIONS', 200);
const KILL_SESSIONS = num('QUEUE_KILL_SESSIONS', 60);
const REDIS_SESSIONS = num('QUEUE_REDIS_SESSIONS', 40);
const PARALLEL = num('QUEUE_PARALLEL', 16);
const CONCURRENCY = num('QUEUE_CONCURRENCY', 10);
const FORCE_POLL_MS = process.env.QUEUE_FORCE_POLL_MS === '0' ? 0 : num('QUEUE_FORCE_POLL_MS', 10_000);
const EMIT_TIMEOUT_MS = num('QUEUE_EMIT_TIMEOUT_MS', 15 * 60_000);
const FILE_CREDENTIAL_ID = 'smartIdQueueFile01';

const report = (text: string): void => void process.stderr.write(`[queue] ${text}\n`);
const isOn = (name: string): boolean => (process.env[name] ?? '') !== '' && process.env[name] !== '0';

/** Figures of one scenario, printed and kept for the summary at the end. */
interface Counts {
	scenario: string;
	requests: number;
	started: number;
	emitted: number;
	duplicates: number;
	lost: number;
	orphans: number;
	retries: number;
	wallMs: number;
	perWorker: Record<string, number>;
}
const summary: Counts[] = [];

function describeQueue(name: string, body: () => void): void {
	const missing = missingPrerequisites();
	if (missing.length === 0) return describe(name, body);
	const reason = `needs ${missing.join('; ')}`;
	if (isOn('E2E_REQUIRED') || isOn('QUEUE_REQUIRED')) {
		return describe(name, () => it('has its prerequisites', () => { throw new Error(`queue suite cannot run: ${reason}`); }));
	}
	process.stderr.write(`[queue] SKIPPED "${name}": ${reason}. Set QUEUE_REQUIRED=1 to make this a failure.\n`);
	describe.skip(name, () => it(reason, () => undefined));
}

describeQueue('n8n queue mode: main + webhook processor + 2 workers, Postgres, Redis session store', () => {
	let sim: RunningSimulator;
	let cluster: QueueCluster;
	let trust: TrustStore;
	const TAG = 'queue-sign';
	let triggerId = '';

	beforeAll(async () => {
		sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-queue-sim-state'), prewarm: [wf.SIGNER_DOCUMENT] });
		trust = TrustStore.fromPem(sim.caPems, 'simulator');
		cluster = new QueueCluster({ workers: 2, concurrency: CONCURRENCY, log: report });
		const simData = simulatorCredentialData(sim);
		// The credential is created before Redis exists, so its URL is filled in after the cluster has a port: start
		// Postgres/Redis/n8n first, then import.
		await cluster.start({ credentials: [] });
		const credentials = [
			wf.credential(simData, { type: 'redis', url: cluster.redis.url() }),
			wf.credential(simData, { type: 'file' }, FILE_CREDENTIAL_ID, 'Smart-ID simulator (file store)'),
		];
		const file = path.join(cluster.dir, 'credentials.json');
		fs.writeFileSync(file, JSON.stringify(credentials));
		await cluster.cli(['import:credentials', `--input=${file}`], cluster.main?.userFolder ?? cluster.dir);
		triggerId = await cluster.createWorkflow(wf.triggerWorkflow({ tag: TAG }), { activate: true });
		await cluster.createWorkflow(wf.signWorkflow({ tag: TAG, webhookPath: 'queue-sign' }), { activate: true });
	}, 600_000);

	afterAll(async () => {
		if (summary.length) {
			report('summary (scenario | requests | sessions started | emitted | duplicates | lost | orphans | retries | wall s | signing executions per worker)');
			for (const c of summary) {
				report(`${c.scenario} | ${c.requests} | ${c.started} | ${c.emitted} | ${c.duplicates} | ${c.lost} | ${c.orphans} | ${c.retries} | ${(c.wallMs / 1000).toFixed(1)} | ${JSON.stringify(c.perWorker)}`);
			}
		}
		await cluster?.stop();
		await sim?.stop();
	}, 120_000);

	/** Executions of the signing workflow per worker, new since `before` (worker logs: "Worker started execution <id>"). */
	function perWorker(before: Map<string, string>): Record<string, number> {
		const signing = new Set(
			cluster.pg
				.query(`SELECT e.id FROM execution_entity e JOIN workflow_entity w ON w.id = e."workflowId" WHERE w.name = 'Queue sign ${TAG}'`)
				.map(([id]) => id),
		);
		const out: Record<string, number> = {};
		for (const [id, worker] of cluster.executionWorkers()) {
			if (before.has(id) || !signing.has(id)) continue;
			out[worker] = (out[worker] ?? 0) + 1;
		}
		return out;
	}

	/**
	 * Runs one batch to the end: starts, waits until every request has at least one emitted session, and returns
	 * the counts. `during` runs while the batch is in flight (the fault of the scenario).
	 */
	async function batch(scenario: string, count: number, during?: (progress: () => number) => Promise<void>): Promise<{ counts: Counts; snap: wf.Emitted }> {
		const t0 = Date.now();
		const before = new Map(cluster.executionWorkers());
		const lastExecution = Number(cluster.pg.query('SELECT coalesce(max(id), 0) FROM execution_entity')[0][0]);
		const runId = `${scenario}-${Date.now().toString(36)}`;
		let done = 0;
		const starting = wf.startBatch(cluster, { count, parallel: PARALLEL, webhookPath: 'queue-sign', runId, onProgress: (n) => (done = n) });
		const fault = during ? during(() => done) : Promise.resolve();
		const [started] = await Promise.all([starting, fault]);
		const answered = new Set(started.results.flatMap((r) => r.sessionIds));
		report(`${scenario}: ${answered.size} sessions started for ${count} requests in ${started.ms} ms; waiting for the trigger`);
		const snap = await wf.waitForEmitted(cluster, triggerId, answered, {
			timeoutMs: EMIT_TIMEOUT_MS,
			forceEveryMs: FORCE_POLL_MS,
			onProgress: (n, total) => {
				if (n < total) report(`${scenario}: emitted ${n}/${total}`);
			},
		});
		// Sessions of this run that no caller got an answer for (e.g. their worker died after storing the record):
		// found through the correlation data; they count as emitted, not lost.
		const mine = snap.items.filter((i) => String((i.json.correlation as { requestId?: string } | undefined)?.requestId ?? '').startsWith(runId));
		const requestsEmitted = new Set(mine.map((i) => String((i.json.correlation as { requestId: string }).requestId)));
		const mineIds = new Set(mine.map((i) => String(i.json.sessionId)));
		const lostRequests = started.results.filter((r) => !requestsEmitted.has(r.requestId));
		const counts: Counts = {
			scenario,
			requests: count,
			started: answered.size,
			emitted: mineIds.size,
			duplicates: snap.duplicates.filter((d) => mineIds.has(d.sessionId)).length,
			lost: [...answered].filter((id) => !snap.sessionIds.has(id)).length + lostRequests.length,
			orphans: [...mineIds].filter((id) => !answered.has(id)).length,
			retries: started.results.reduce((n, r) => n + r.attempts - 1, 0),
			wallMs: Date.now() - t0,
			perWorker: perWorker(before),
		};
		summary.push(counts);
		report(`${scenario}: ${JSON.stringify(counts)}`);
		// What n8n recorded for the signing executions of this batch (a killed worker's jobs end as errors).
		const statuses = cluster.pg.query(
			`SELECT e.status, count(*) FROM execution_entity e JOIN workflow_entity w ON w.id = e."workflowId" WHERE w.name = 'Queue sign ${TAG}' AND e.id > ${lastExecution} GROUP BY e.status ORDER BY 1`,
		);
		report(`${scenario}: signing executions in Postgres by status: ${statuses.map(([st, n]) => `${st} ${n}`).join(', ')}`);
		if (lostRequests.length) report(`${scenario}: requests with nothing emitted: ${lostRequests.slice(0, 5).map((r) => `${r.requestId} ${r.errors.join('; ')}`).join(' | ')}`);
		return { counts, snap: { ...snap, items: mine } };
	}

	it('the credential picks the Redis store: pending records live in Redis, never on a process disk', async () => {
		// A tag no trigger listens to: the records stay pending for inspection.
		const tag = 'store-check';
		const hookId = await cluster.createWorkflow(wf.signWorkflow({ tag, webhookPath: 'store-check' }), { activate: true });
		const { results } = await wf.startBatch(cluster, { count: 3, parallel: 3, webhookPath: 'store-check', runId: 'store' });
		const ids = results.flatMap((r) => r.sessionIds);
		expect(ids).toHaveLength(3);
		for (const id of ids) expect(cluster.redis.cli(['EXISTS', `smart-id:sessions:rec:${id}`]).trim()).toBe('1');
		for (const proc of [cluster.main, cluster.webhook, ...cluster.workers]) {
			expect(fs.existsSync(path.join(proc?.userFolder ?? '', '.n8n', 'smart-id-sessions'))).toBe(false);
		}
		// Then a trigger for that tag takes them (and removes them from Redis).
		const trigger = await cluster.createWorkflow(wf.triggerWorkflow({ tag }), { activate: true });
		const snap = await wf.waitForEmitted(cluster, trigger, new Set(ids), { timeoutMs: EMIT_TIMEOUT_MS, forceEveryMs: FORCE_POLL_MS });
		expect(snap.missing).toEqual([]);
		await sleep(2000);
		for (const id of ids) expect(cluster.redis.cli(['EXISTS', `smart-id:sessions:rec:${id}`]).trim()).toBe('0');
		await cluster.deactivate(trigger);
		await cluster.deactivate(hookId);
	}, EMIT_TIMEOUT_MS + 120_000);

	it(`${SESSIONS} "Start and Continue" signings spread over both workers; each emitted by the trigger on the main, every container verifies`, async () => {
		const { counts, snap } = await batch('batch', SESSIONS);
		expect(counts.started).toBe(SESSIONS);
		expect(counts.lost).toBe(0);
		expect(counts.emitted).toBe(SESSIONS);
		// Both workers took part (from their logs), and Postgres agrees that every execution succeeded.
		expect(Object.keys(counts.perWorker).sort()).toEqual(['worker1', 'worker2']);
		const statuses = cluster.pg.query(`SELECT e.status, count(*) FROM execution_entity e JOIN workflow_entity w ON w.id = e."workflowId" WHERE w.name = 'Queue sign ${TAG}' GROUP BY e.status`);
		report(`batch: signing executions in Postgres by status: ${JSON.stringify(statuses)}`);
		expect(statuses.filter(([s]) => s !== 'success')).toEqual([]);
		// Every emitted item is a finished, validated signature, and every container verifies outside n8n.
		for (const item of snap.items) expect(item.json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK', tag: TAG });
		let passed = 0;
		for (const id of new Set(snap.items.map((i) => String(i.json.sessionId)))) {
			const b64 = snap.containers.get(id);
			expect(typeof b64).toBe('string');
			const result = await verifyContainer(Buffer.from(b64 ?? '', 'base64'), { trust, filename: `${id}.asice` });
			if (result.validationConclusion.indication === 'TOTAL-PASSED') passed++;
			else report(`batch: container of ${id}: ${JSON.stringify(result.validationConclusion).slice(0, 500)}`);
		}
		report(`batch: ${passed}/${counts.emitted} containers TOTAL-PASSED (verifyContainer, simulator trust)`);
		expect(passed).toBe(counts.emitted);
	}, EMIT_TIMEOUT_MS + 30 * 60_000);

	it('a worker killed with SIGKILL in the middle of a batch: no session lost, the batch finishes on the other worker or through the trigger', async () => {
		const victim = cluster.workers[0];
		const { counts } = await batch('worker-sigkill', KILL_SESSIONS, async (progress) => {
			while (progress() < KILL_SESSIONS / 3) await sleep(100);
			report(`worker-sigkill: SIGKILL to ${victim.name} (pid ${victim.pid}, whole process group) after ${progress()} answers`);
			victim.signal('SIGKILL');
			await victim.exited;
		});
		expect(counts.lost).toBe(0);
		expect(counts.started + counts.orphans).toBeGreaterThanOrEqual(KILL_SESSIONS);
		// Back to two workers for the next scenario.
		await cluster.startWorker(0);
	}, EMIT_TIMEOUT_MS + 30 * 60_000);

	it('Redis restarted during a poll (AOF on): nothing lost', async () => {
		// Start the sessions while nothing polls (the trigger is inactive), then force a poll and restart Redis in it.
		await cluster.deactivate(triggerId);
		const { counts } = await batch('redis-restart', REDIS_SESSIONS, async (progress) => {
			while (progress() < REDIS_SESSIONS) await sleep(100);
			await cluster.activate(triggerId).catch(() => undefined); // polls at once; 'batch' re-activates if needed
			// A poll is in progress when it holds leases: restart Redis right then.
			const until = Date.now() + 90_000;
			while (wf.leaseCount(cluster) === 0 && Date.now() < until) await sleep(50);
			const leases = wf.leaseCount(cluster);
			const keysBefore = cluster.redis.cli(['DBSIZE']).trim();
			report(`redis-restart: restarting Redis (SIGTERM, 2 s down) during the poll: ${leases} leases held, ${keysBefore} keys before`);
			expect(leases).toBeGreaterThan(0);
			await cluster.redis.restart({ signal: 'SIGTERM', downMs: 2000 });
			report(`redis-restart: Redis back with ${cluster.redis.cli(['DBSIZE']).trim()} keys`);
		});
		expect(counts.lost).toBe(0);
		expect(counts.emitted).toBeGreaterThanOrEqual(REDIS_SESSIONS);
		// The n8n processes rode it out.
		for (const proc of [cluster.main, cluster.webhook, ...cluster.workers]) expect(proc?.alive).toBe(true);
	}, EMIT_TIMEOUT_MS + 30 * 60_000);

	// Workers share no disk with the main process: a File store would hide the record from the trigger.
	it(
		'a File session store configured in queue mode fails with a plain error naming the Redis store, and stores nothing',
		async () => {
			const hookId = await cluster.createWorkflow(
				wf.signWorkflow({ tag: 'file-store-error', webhookPath: 'file-store-error', credentialId: FILE_CREDENTIAL_ID, continueOnFail: true }),
				{ activate: true },
			);
			const { status, text } = await cluster.callWebhook('file-store-error', {
				method: 'POST',
				headers: { 'content-type': 'application/octet-stream', 'x-request-id': 'file-store-2' },
				body: Buffer.from('file store in queue mode'),
			});
			// Continue-on-fail: the error item is the webhook's answer (n8n alone would say only "Error in workflow").
			report(`file-store-error: webhook answered HTTP ${status} ${text.slice(0, 300)}`);
			expect(status).toBe(200);
			const item = JSON.parse(text) as { code?: string; error?: string };
			expect(item.code).toBe('SMARTID_SESSION_STORE_CONFIG');
			expect(item.error).toMatch(/queue mode/i);
			expect(item.error).toMatch(/Redis/);
			for (const w of cluster.workers) expect(fs.existsSync(path.join(w.userFolder ?? '', '.n8n', 'smart-id-sessions'))).toBe(false);
			await cluster.deactivate(hookId);
		},
		120_000,
	);
});
