#!/usr/bin/env node
'use strict';
/**
 * Throughput of "Start and Continue" signing (Container → Build ASiC-E, started through a production webhook,
 * finished and emitted by the Smart-ID Trigger) in n8n 2.40.7 QUEUE MODE with 1 and with 2 workers, next to the
 * single-process n8n (regular mode, same Postgres + Redis session store) in the same run, against the offline
 * simulator. Every configuration gets a fresh Postgres, Redis and n8n set (test/queue/cluster.js).
 *
 *   npm run build && node bench/queue-mode.js [--sessions 100] [--parallel 16] [--concurrency 10]
 *                                            [--configs single,queue1,queue2] [--force-poll-ms 5000]
 *
 * Figures per configuration:
 * - start: wall time for N webhook calls (each one a workflow execution that builds the unsigned container and
 *   starts the Smart-ID signature session; the webhook answers with the session id) and starts/s;
 * - finish: from the last start until the trigger has emitted every session (TSA, OCSP, signed container built
 *   inside the poll on the main, then an execution per poll on a worker). Polls are forced every --force-poll-ms
 *   by re-activating the trigger (n8n's shortest schedule is one poll a minute at a random second, which would
 *   measure the clock, not the system); 0 leaves it to the schedule;
 * - end to end: sessions / (start + finish) per second.
 * Results are appended to bench/queue-mode.results.md with the date and machine.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { QueueCluster, missingPrerequisites, REPO_ROOT } = require('../test/queue/cluster');
const wf = require('../test/queue/workflows');

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const sessions = Number(arg('--sessions', process.env.QUEUE_SESSIONS || 100));
const parallel = Number(arg('--parallel', 16));
const concurrency = Number(arg('--concurrency', 10));
const forcePollMs = Number(arg('--force-poll-ms', 5000));
const configs = String(arg('--configs', 'single,queue1,queue2')).split(',');

async function runConfig(name, sim, simData) {
	const mode = name === 'single' ? 'regular' : 'queue';
	const workers = name === 'queue1' ? 1 : 2;
	const cluster = new QueueCluster({ mode, workers, concurrency });
	try {
		await cluster.start({ credentials: [] });
		const cred = wf.credential(simData, { type: 'redis', url: cluster.redis.url() });
		const credFile = path.join(cluster.dir, 'cred.json');
		fs.writeFileSync(credFile, JSON.stringify([cred]));
		await cluster.cli(['import:credentials', `--input=${credFile}`], cluster.main.userFolder);
		const tag = `bench-${name}`;
		const triggerId = await cluster.createWorkflow(wf.triggerWorkflow({ tag }), { activate: true });
		await cluster.createWorkflow(wf.signWorkflow({ tag, webhookPath: `bench-${name}` }), { activate: true });
		// One warm-up request (first webhook registration, first container build in each process).
		await wf.startBatch(cluster, { count: 2, parallel: 2, webhookPath: `bench-${name}`, runId: `${tag}-warm` });
		const started = await wf.startBatch(cluster, { count: sessions, parallel, webhookPath: `bench-${name}`, runId: tag });
		const ids = new Set(started.results.flatMap((r) => r.sessionIds));
		const failedStarts = started.results.filter((r) => r.sessionIds.length === 0).length;
		const t1 = Date.now();
		const snap = await wf.waitForEmitted(cluster, triggerId, ids, { timeoutMs: 15 * 60_000, forceEveryMs: forcePollMs });
		const finishMs = Date.now() - t1;
		const byWorker = {};
		for (const w of cluster.executionWorkers().values()) byWorker[w] = (byWorker[w] ?? 0) + 1;
		return {
			name,
			mode,
			workers: mode === 'queue' ? workers : 0,
			sessions,
			startMs: started.ms,
			startsPerS: (ids.size / (started.ms / 1000)).toFixed(2),
			finishMs,
			endToEndPerS: (ids.size / ((started.ms + finishMs) / 1000)).toFixed(2),
			emitted: [...ids].filter((id) => snap.sessionIds.has(id)).length,
			missing: snap.missing.length,
			duplicates: snap.duplicates.length,
			failedStarts,
			byWorker,
		};
	} finally {
		await cluster.stop();
	}
}

async function main() {
	const missing = missingPrerequisites();
	if (missing.length) {
		console.error(`bench/queue-mode.js needs: ${missing.join('; ')}`);
		process.exit(2);
	}
	const { startSimulator, simulatorCredentialData } = require(path.join(REPO_ROOT, 'dist/lib/simulator'));
	const sim = await startSimulator({
		stateDir: path.join(os.tmpdir(), 'smart-id-queue-sim-state'),
		prewarm: [wf.SIGNER_DOCUMENT],
	});
	const simData = simulatorCredentialData(sim);
	const rows = [];
	try {
		for (const name of configs) {
			process.stderr.write(`[bench] ${name}: ${sessions} sessions, ${parallel} requests in flight\n`);
			const row = await runConfig(name, sim, simData);
			rows.push(row);
			process.stderr.write(`[bench] ${JSON.stringify(row)}\n`);
		}
	} finally {
		await sim.stop();
	}
	const lines = [
		`| configuration | sessions | start wall s | starts/s | finish after last start s | end-to-end sessions/s | emitted | missing | duplicates | executions per worker (incl. 2 warm-up + trigger runs) |`,
		`|---|---|---|---|---|---|---|---|---|---|`,
		...rows.map((r) =>
			`| ${r.name === 'single' ? 'single process (regular mode)' : `queue mode, ${r.workers} worker(s) x ${concurrency}`} | ${r.sessions} | ${(r.startMs / 1000).toFixed(1)} | ${r.startsPerS} | ${(r.finishMs / 1000).toFixed(1)} | ${r.endToEndPerS} | ${r.emitted} | ${r.missing} | ${r.duplicates} | ${JSON.stringify(r.byWorker)} |`,
		),
	];
	console.log(lines.join('\n'));
	const header = `\n## ${new Date().toISOString()} (${os.cpus().length} CPUs, node ${process.version}; --sessions ${sessions} --parallel ${parallel} --concurrency ${concurrency} --force-poll-ms ${forcePollMs})\n\n`;
	fs.appendFileSync(path.join(__dirname, 'queue-mode.results.md'), header + lines.join('\n') + '\n');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
