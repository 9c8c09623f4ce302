#!/usr/bin/env node
'use strict';
/**
 * Load bench: N concurrent notification authentications against the simulator through the real engine
 * (SmartIdClient with its connection pool + startNotificationAuthentication + completeAuthentication, i.e. ACSP_V2
 * signature, chain and identity validation), next to a reference measured in the same run: the same number of bare
 * protocol round trips (POST A5 + long-poll status with plain http.request over a keep-alive agent of the same pool
 * size, no validation) against the same simulator.
 *
 *   npm run build && node bench/load-auth.js [--sessions 1000] [--max-sockets 16] [--delay-ms 50] [--state-dir DIR]
 *   (SMARTID_DIST=<build output> runs against another build; results: bench/load-results.md)
 *
 * The simulator runs in a child process and each phase in its own process, so peak RSS (sampled RSS and
 * /proc VmHWM) and open sockets (socket links in /proc/self/fd, minus the phase's idle baseline) belong to the
 * phase alone. All jobs start at once; the pool (maxSockets) is what bounds them. Traffic stays on 127.0.0.1.
 */
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const common = require('./load-common');

const DOC = 'PNOEE-40504040001-DEM0-Q';
const sessions = common.numberArg('--sessions', 1000, 1, 20000);
const maxSockets = common.numberArg('--max-sockets', 16, 1, 1024);
const delayMs = common.numberArg('--delay-ms', 50, 0, 10000);
const stateDir = common.arg('--state-dir', path.resolve(__dirname, '..', '.cache', 'load-sim-state'));
const phase = common.arg('--phase', '');
const WARMUP = 10;
const JOB_LIMIT_MS = 120_000;

/** The engine path: client pool + flows + validation. */
async function clientPhase(sim) {
	const root = common.distRoot();
	const { SmartIdClient } = require(path.join(root, 'lib', 'rp-api'));
	const { startNotificationAuthentication, completeAuthentication } = require(path.join(root, 'lib', 'flows'));
	const { TrustStore } = require(path.join(root, 'lib', 'pki'));
	const baselineSockets = common.openSockets();
	const client = new SmartIdClient({ baseUrl: sim.baseUrl, maxSockets });
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const config = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, schemeName: sim.schemeName };
	const one = async () => {
		const started = await startNotificationAuthentication(client, config, { documentNumber: DOC }, {
			interactions: [{ type: 'displayTextAndPIN', displayText60: 'Load bench' }],
		});
		const result = await completeAuthentication(client, started.sessionID, started.context, {
			poll: { deadline: Date.now() + JOB_LIMIT_MS, timeoutMs: 30_000 },
			validation: { trust },
		});
		if (result.identity.documentNumber !== DOC) throw new Error(`validated identity is ${result.identity.documentNumber}`);
	};
	for (let i = 0; i < WARMUP; i++) await one();
	const sampler = common.startSampler();
	const run = await common.runConcurrent(sessions, one, JOB_LIMIT_MS);
	const peaks = sampler.stop();
	client.close();
	return { ...run, ...peaks, maxOpenSockets: peaks.maxOpenSockets - baselineSockets, baselineSockets };
}

/** The bare protocol: the same two requests per session with node:http, JSON parse only. */
async function referencePhase(sim) {
	const baselineSockets = common.openSockets();
	const agent = new http.Agent({ keepAlive: true, maxSockets });
	const request = (method, url, body) =>
		new Promise((resolve, reject) => {
			const data = body ? Buffer.from(JSON.stringify(body)) : undefined;
			const req = http.request(url, { method, agent, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					if (res.statusCode !== 200) return reject(new Error(`${method} ${url} → HTTP ${res.statusCode}`));
					try {
						resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
					} catch (error) {
						reject(error);
					}
				});
				res.on('error', reject);
			});
			req.setTimeout(JOB_LIMIT_MS, () => req.destroy(new Error('socket timeout')));
			req.on('error', reject);
			req.end(data);
		});
	const interactions = Buffer.from(JSON.stringify([{ type: 'displayTextAndPIN', displayText60: 'Load bench' }])).toString('base64');
	const one = async () => {
		const { sessionID } = await request('POST', `${sim.baseUrl}authentication/notification/document/${DOC}`, {
			relyingPartyUUID: sim.relyingPartyUUID,
			relyingPartyName: sim.relyingPartyName,
			signatureProtocol: 'ACSP_V2',
			signatureProtocolParameters: {
				rpChallenge: crypto.randomBytes(64).toString('base64'),
				signatureAlgorithm: 'rsassa-pss',
				signatureAlgorithmParameters: { hashAlgorithm: 'SHA-512' },
			},
			interactions,
		});
		const status = await request('GET', `${sim.baseUrl}session/${sessionID}?timeoutMs=30000`);
		if (status.result?.endResult !== 'OK') throw new Error(`ended ${JSON.stringify(status.result)}`);
	};
	for (let i = 0; i < WARMUP; i++) await one();
	const sampler = common.startSampler();
	const run = await common.runConcurrent(sessions, one, JOB_LIMIT_MS);
	const peaks = sampler.stop();
	agent.destroy();
	return { ...run, ...peaks, maxOpenSockets: peaks.maxOpenSockets - baselineSockets, baselineSockets };
}

function ratio(value, a, b) {
	return Math.round((value / ((a + b) / 2)) * 100) / 100;
}

async function main() {
	common.installGuards(15 * 60_000);
	const root = common.distRoot();
	const before = common.machine();
	const sim = await common.startSimulatorChild(root, { stateDir, notificationDelayMs: delayMs, prewarm: [DOC] });
	const env = { SMARTID_DIST: root, LOAD_SIM: JSON.stringify(sim) };
	const args = ['--sessions', String(sessions), '--max-sockets', String(maxSockets)];
	const limit = 10 * 60_000;
	// reference, engine, reference again: the second reference shows how much the shared machine drifted.
	const reference = await common.runPhase(__filename, 'reference', args, env, limit);
	const engine = await common.runPhase(__filename, 'client', args, env, limit);
	const referenceAgain = await common.runPhase(__filename, 'reference', args, env, limit);
	const simulator = await sim.stats();
	await common.cleanup();
	const result = {
		bench: 'load-auth',
		...before,
		loadavgAfter: common.machine().loadavg,
		sessions,
		maxSockets,
		notificationDelayMs: delayMs,
		reference,
		engine,
		referenceAgain,
		engineVsReference: {
			// against the mean of the two reference runs
			throughput: ratio(engine.perSecond, reference.perSecond, referenceAgain.perSecond),
			p50: ratio(engine.p50ms, reference.p50ms, referenceAgain.p50ms),
			p99: ratio(engine.p99ms, reference.p99ms, referenceAgain.p99ms),
		},
		simulator,
	};
	console.log(JSON.stringify(result, null, 1));
}

if (phase) {
	const sim = JSON.parse(process.env.LOAD_SIM);
	const timer = setTimeout(() => process.exit(3), 10 * 60_000);
	timer.unref();
	process.on('disconnect', () => process.exit(130));
	(phase === 'client' ? clientPhase(sim) : referencePhase(sim)).then(common.phaseDone, (error) => {
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
