#!/usr/bin/env node
'use strict';
/**
 * Load bench of the Smart-ID Trigger: N pending authentication records in a FileSessionStore, of which half are
 * notification sessions that have completed in the simulator and half device-link sessions still RUNNING there
 * (nobody scans them), then ONE poll pass with the trigger's own code: `pollSessions` from lib/sessions (claim
 * with lease → MAC + strict parse of the record → status request → completeSession: ACSP_V2 + chain validation →
 * outcome) on a SessionRuntime built by settingsFromCredential, followed by removing every finished record with
 * its lease, as SmartIdTrigger.poll does. Only the n8n wrapper (getCredentials, item building, prepareBinaryData)
 * is left out: the lifecycle is in dist/lib, which never imports n8n.
 *
 * Reference in the same run: readdir of the records folder and reading + JSON.parse of every record file
 * (64 at a time, the store's default read concurrency), which is the floor of any pass over a file store.
 *
 *   npm run build && node bench/load-trigger.js [--records 10000] [--concurrency 64] [--delay-ms 20] [--state-dir DIR]
 *   (SMARTID_DIST=<build output> runs against another build; results: bench/load-results.md)
 *
 * --concurrency is the trigger's "Concurrency" option (node default 16, maximum 64). Each RUNNING session costs
 * one status long poll of at least 1 s (the API minimum), so a pass takes at least running / concurrency seconds.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const common = require('./load-common');

const DOC = 'PNOEE-40504040001-DEM0-Q';
const records = common.numberArg('--records', 10000, 2, 100000);
const concurrency = common.numberArg('--concurrency', 64, 1, 64);
const delayMs = common.numberArg('--delay-ms', 20, 0, 10000);
const stateDir = common.arg('--state-dir', path.resolve(__dirname, '..', '.cache', 'load-sim-state'));
const phase = common.arg('--phase', '');
const LEASE_MS = 10 * 60_000;
const SETUP_PARALLEL = 64;

/** Session Record Key of the bench credential (stored records are sealed with a key derived from it). */
const RECORD_KEY = 'bench-session-record-key';

function credentials(sim, folder) {
	const { simulatorCredentialData } = require(path.join(common.distRoot(), 'lib', 'simulator'));
	return { ...simulatorCredentialData(sim, folder), sessionRecordKey: RECORD_KEY };
}

/** The runtime the nodes would build for the bench credential (the session folder is given, so no user folder is read). */
function runtimeFor(root, sim, folder, maxSockets) {
	const { SessionRuntime, settingsFromCredential } = require(path.join(root, 'lib', 'sessions'));
	return new SessionRuntime(settingsFromCredential(credentials(sim, folder), { userFolder: os.tmpdir() }), maxSockets);
}

/** Bounded-parallel loop over 0..count-1. */
async function forEach(count, parallel, fn) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(parallel, count) }, async () => {
			while (next < count) await fn(next++);
		}),
	);
}

/** Start the sessions in the simulator (through the engine) and store one record each. */
async function setup(root, sim, folder) {
	const { startNotificationAuthentication, startDeviceLinkAuthentication } = require(path.join(root, 'lib', 'flows'));
	const { newPendingSession, savePendingSession } = require(path.join(root, 'lib', 'sessions'));
	const runtime = runtimeFor(root, sim, folder, 16);
	const client = runtime.client;
	const flow = runtime.flowConfig;
	const interactions = [{ type: 'displayTextAndPIN', displayText60: 'Log in' }];
	const completed = Math.ceil(records / 2);
	const t = performance.now();
	await forEach(records, SETUP_PARALLEL, async (i) => {
		const store = async (started) => {
			const session = newPendingSession(runtime, started, { tag: 'load' });
			// An hour instead of the default lifetime: nothing may expire between setup and the pass.
			await savePendingSession(runtime, { ...session, expiresAt: new Date(Date.parse(session.createdAt) + 3_600_000).toISOString() });
		};
		if (i % 2 === 0) {
			const started = await startNotificationAuthentication(client, flow, { documentNumber: DOC }, { interactions });
			await store({ sessionId: started.sessionID, kind: 'authentication', context: started.context });
		} else {
			const started = await startDeviceLinkAuthentication(client, flow, { anonymous: true }, { interactions, deviceLinkTypes: ['QR'] });
			await store({ sessionId: started.sessionID, kind: 'authentication', context: started.context, secrets: started.deviceLink });
		}
	});
	await runtime.close();
	return { completed, running: records - completed, setupSeconds: Math.round((performance.now() - t) / 10) / 100 };
}

/** One trigger pass (pollSessions + remove with lease), in its own process. */
async function pollPhase(sim, folder) {
	const root = common.distRoot();
	const { pollSessions } = require(path.join(root, 'lib', 'sessions'));
	const baselineSockets = common.openSockets();
	const sampler = common.startSampler();
	const t = performance.now();
	const runtime = runtimeFor(root, sim, folder, concurrency);
	let removed = 0;
	let result;
	let pollSeconds = 0;
	try {
		result = await pollSessions(runtime, { tag: 'load', concurrency, leaseMs: LEASE_MS });
		const polled = performance.now();
		// One batch, as SmartIdTrigger.poll does after building its items.
		const outcomes = await runtime.store.removeMany(result.finished.map((f) => f.lease));
		removed = outcomes.filter(Boolean).length;
		pollSeconds = (polled - t) / 1000;
	} finally {
		await runtime.close();
	}
	const wall = (performance.now() - t) / 1000;
	const peaks = sampler.stop();
	const outcomes = {};
	for (const f of result.finished) {
		const key = f.outcome.json.code ?? f.outcome.json.endResult ?? f.outcome.json.state;
		outcomes[key] = (outcomes[key] || 0) + 1;
	}
	return {
		wallSeconds: Math.round(wall * 100) / 100,
		pollSeconds: Math.round(pollSeconds * 100) / 100,
		removeSeconds: Math.round((wall - pollSeconds) * 100) / 100,
		statusRequests: result.statusRequests,
		emitted: result.finished.length,
		removed,
		stillRunning: result.stillRunning,
		notReached: result.notReached,
		busy: result.busy,
		deferred: result.deferred.length,
		deferredSample: result.deferred.slice(0, 3),
		outcomes,
		...peaks,
		maxOpenSockets: peaks.maxOpenSockets - baselineSockets,
		baselineSockets,
	};
}

function peaksAbove(peaks, baselineSockets) {
	return { ...peaks, maxOpenSockets: peaks.maxOpenSockets - baselineSockets, baselineSockets };
}

/** readdir + read + JSON.parse of every record file, 64 at a time. */
async function referencePhase(folder) {
	const dir = path.join(folder, 'records');
	const baselineSockets = common.openSockets();
	const sampler = common.startSampler();
	const t = performance.now();
	const names = await fs.promises.readdir(dir);
	const listed = performance.now();
	let bytes = 0;
	await forEach(names.length, 64, async (i) => {
		const text = await fs.promises.readFile(path.join(dir, names[i]), 'utf8');
		bytes += text.length;
		JSON.parse(text);
	});
	const wall = (performance.now() - t) / 1000;
	return {
		files: names.length,
		readdirMs: Math.round((listed - t) * 10) / 10,
		wallSeconds: Math.round(wall * 1000) / 1000,
		meanRecordBytes: Math.round(bytes / Math.max(1, names.length)),
		...peaksAbove(sampler.stop(), baselineSockets),
	};
}

async function main() {
	common.installGuards(25 * 60_000);
	const root = common.distRoot();
	const before = common.machine();
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'smartid-load-trigger-'));
	common.onCleanup(() => fs.rmSync(folder, { recursive: true, force: true }));
	// Sessions must neither time out nor be forgotten between setup and the pass.
	const sim = await common.startSimulatorChild(root, {
		stateDir,
		notificationDelayMs: delayMs,
		sessionTimeoutMs: 30 * 60_000,
		sessionRetentionMs: 30 * 60_000,
		prewarm: [DOC],
	});
	const made = await setup(root, sim, folder);
	const env = { SMARTID_DIST: root, LOAD_SIM: JSON.stringify(sim), LOAD_FOLDER: folder };
	const args = ['--records', String(records), '--concurrency', String(concurrency)];
	const reference = await common.runPhase(__filename, 'reference', args, env, 5 * 60_000);
	const loadDuring = common.machine().loadavg;
	const pass = await common.runPhase(__filename, 'poll', args, env, 15 * 60_000);
	const referenceAfter = await common.runPhase(__filename, 'reference', args, env, 5 * 60_000);
	const simulator = await sim.stats();
	await common.cleanup();
	console.log(
		JSON.stringify(
			{
				bench: 'load-trigger',
				...before,
				loadavgBeforePass: loadDuring,
				loadavgAfter: common.machine().loadavg,
				records,
				concurrency,
				notificationDelayMs: delayMs,
				...made,
				reference,
				pass,
				referenceAfterPass: referenceAfter,
				simulator,
			},
			null,
			1,
		),
	);
}

if (phase) {
	const sim = JSON.parse(process.env.LOAD_SIM);
	const folder = process.env.LOAD_FOLDER;
	const timer = setTimeout(() => process.exit(3), 15 * 60_000);
	timer.unref();
	process.on('disconnect', () => process.exit(130));
	(phase === 'poll' ? pollPhase(sim, folder) : referencePhase(folder)).then(common.phaseDone, (error) => {
		console.error(`${phase}: ${error.stack}`);
		process.exit(1);
	});
} else {
	main().catch(async (error) => {
		console.error(error.stack);
		await common.cleanup();
		process.exit(1);
	});
}
