'use strict';
/**
 * Workflows and drivers shared by the queue-mode suite and bench/queue-mode.js:
 * - "sign" workflow: Webhook (POST, raw body → binary `data`, answers with the last node) → Smart-ID
 *   Container → Build ASiC-E in "Start and Continue" mode with a Trigger Tag and the request id as correlation;
 * - "trigger" workflow: Smart-ID Trigger (same tag) → Extract From File (container → Base64 property, JSON kept),
 *   so the emitted containers can be read back from the execution data and verified outside n8n;
 * - startBatch(): N requests with bounded parallelism, each retried (new request id kept) on failure;
 * - emitted(): every item the trigger emitted, with duplicates identified by session id.
 */
const crypto = require('node:crypto');

const { sleep } = require('./cluster');

/** The simulator account that signs (OK, keys prewarmed). Identified by document number: no certificate choice. */
const SIGNER_DOCUMENT = 'PNOEE-40504040001-DEM0-Q';
const CREDENTIAL_ID = 'smartIdQueueCred01';

function uuid() {
	return crypto.randomUUID();
}

/** The Smart-ID credential (plain data; n8n encrypts it on import) with the Redis (or a file) session store. */
function credential(simData, store, id = CREDENTIAL_ID, name = 'Smart-ID simulator (queue)') {
	const data = { ...simData };
	if (store.type === 'redis') {
		data.sessionStore = 'redis';
		data.redisUrl = store.url;
	} else {
		data.sessionStore = 'file';
		if (store.folder) data.sessionFolder = store.folder;
	}
	return { id, name, type: 'smartIdApi', data };
}

function signWorkflow({ tag, webhookPath, credentialId = CREDENTIAL_ID, continueOnFail = false }) {
	return {
		name: `Queue sign ${tag}`,
		nodes: [
			{
				id: uuid(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: uuid(),
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: { binaryPropertyName: 'data' } },
			},
			{
				id: uuid(),
				name: 'Start signing',
				type: 'n8n-nodes-smart-id.smartId',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'container',
					operation: 'buildAsice',
					filesFrom: 'eachItem',
					binaryPropertyNames: 'data',
					containerFileName: 'queue.asice',
					outputBinaryPropertyName: 'data',
					identifyBy: 'documentNumber',
					documentNumber: SIGNER_DOCUMENT,
					completion: 'start',
					tag,
					correlation: "={{ { \"requestId\": $('Webhook').first().json.headers['x-request-id'] } }}",
				},
				credentials: { smartIdApi: { id: credentialId, name: 'Smart-ID simulator (queue)' } },
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
			},
		],
		connections: { Webhook: { main: [[{ node: 'Start signing', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

function triggerWorkflow({ tag, credentialId = CREDENTIAL_ID, concurrency = 16 }) {
	return {
		name: `Queue trigger ${tag}`,
		nodes: [
			{
				id: uuid(),
				name: 'Signed',
				type: 'n8n-nodes-smart-id.smartIdTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, tag, options: { concurrency } },
				credentials: { smartIdApi: { id: credentialId, name: 'Smart-ID simulator (queue)' } },
			},
			{
				id: uuid(),
				name: 'Container as Base64',
				type: 'n8n-nodes-base.extractFromFile',
				typeVersion: 1,
				position: [220, 0],
				onError: 'continueRegularOutput',
				parameters: { operation: 'binaryToPropery', binaryPropertyName: 'data', destinationKey: 'containerB64', options: { keepSource: 'json' } },
			},
		],
		connections: { Signed: { main: [[{ node: 'Container as Base64', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Starts `count` signings through the webhook with `parallel` requests in flight. A request that fails (HTTP
 * error, connection reset, no sessionId: e.g. its worker was killed) is retried with the SAME request id up to
 * `retries` times, as a client would. Returns per request: { requestId, sessionIds (one per successful answer),
 * attempts, errors } and timing.
 */
async function startBatch(cluster, { count, parallel = 16, webhookPath, runId, retries = 5, onProgress }) {
	const results = [];
	let next = 0;
	let done = 0;
	const t0 = Date.now();
	const one = async (i) => {
		const requestId = `${runId}-${String(i).padStart(4, '0')}`;
		const r = { requestId, sessionIds: [], attempts: 0, errors: [] };
		while (r.attempts <= retries && r.sessionIds.length === 0) {
			r.attempts++;
			try {
				const { status, text } = await cluster.callWebhook(webhookPath, {
					method: 'POST',
					headers: { 'content-type': 'application/octet-stream', 'x-request-id': requestId },
					body: Buffer.from(`Queue-mode document ${requestId}\nCreated ${new Date().toISOString()}\n`),
					signal: AbortSignal.timeout(Number(process.env.QUEUE_REQUEST_TIMEOUT_MS || 180_000)),
				});
				const body = status === 200 ? JSON.parse(text) : undefined;
				if (body && typeof body.sessionId === 'string') r.sessionIds.push(body.sessionId);
				else r.errors.push(`HTTP ${status} ${text.slice(0, 200)}`);
			} catch (error) {
				r.errors.push(String(error?.cause?.code ?? error?.message ?? error));
			}
			if (r.sessionIds.length === 0) await sleep(1000);
		}
		results[i] = r;
		done++;
		onProgress?.(done);
	};
	await Promise.all(
		Array.from({ length: Math.min(parallel, count) }, async () => {
			while (next < count) await one(next++);
		}),
	);
	return { results, ms: Date.now() - t0 };
}

/**
 * Everything the trigger workflow emitted so far: items of the trigger node (one per emitted session) and the
 * Base64 containers of the next node, by execution. Duplicates = session ids emitted more than once.
 */
async function emitted(cluster, triggerWorkflowId) {
	const executions = await cluster.executions(triggerWorkflowId, { includeData: true });
	const items = [];
	const containers = new Map();
	for (const e of executions) {
		const runData = e.data?.resultData?.runData ?? {};
		for (const item of runData.Signed?.[0]?.data?.main?.[0] ?? []) items.push({ executionId: String(e.id), json: item.json });
		for (const item of runData['Container as Base64']?.[0]?.data?.main?.[0] ?? []) {
			if (typeof item.json.containerB64 === 'string') containers.set(String(item.json.sessionId), item.json.containerB64);
		}
	}
	const counts = new Map();
	for (const it of items) counts.set(String(it.json.sessionId), (counts.get(String(it.json.sessionId)) ?? 0) + 1);
	const duplicates = [...counts].filter(([, n]) => n > 1).map(([id, n]) => ({ sessionId: id, times: n }));
	return { executions, items, containers, sessionIds: new Set(counts.keys()), duplicates };
}

/** Leases held right now (a poll is working on that many sessions, or an interrupted poll left them). */
function leaseCount(cluster) {
	return cluster.redis.cli(['--scan', '--pattern', 'smart-id:sessions:lease:*']).split('\n').filter((l) => l.trim() !== '').length;
}

/**
 * Waits until every session id in `expected` was emitted, forcing a poll every `forceEveryMs` by deactivating and
 * activating the trigger workflow (activation polls at once; the schedule alone polls once a minute at a random
 * second). 0 = wait for the schedule only. Returns the last emitted() snapshot.
 */
async function waitForEmitted(cluster, triggerWorkflowId, expected, { timeoutMs, forceEveryMs = 0, onProgress } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastForce = Date.now();
	for (;;) {
		const snap = await emitted(cluster, triggerWorkflowId);
		const missing = [...expected].filter((id) => !snap.sessionIds.has(id));
		onProgress?.(expected.size - missing.length, expected.size);
		const running = snap.executions.some((e) => e.status === 'running' || e.status === 'new');
		if (missing.length === 0 && !running) return { ...snap, missing };
		if (Date.now() > deadline) return { ...snap, missing };
		// Never re-activate while a poll holds leases: a deactivation could drop the items of a poll in flight.
		if (forceEveryMs > 0 && Date.now() - lastForce > forceEveryMs && !running && leaseCount(cluster) === 0) {
			lastForce = Date.now();
			// Activation fails while a dependency (e.g. Redis) is away: try again at the next turn.
			await cluster.deactivate(triggerWorkflowId).catch(() => undefined);
			await cluster.activate(triggerWorkflowId).catch((error) => process.stderr.write(`[queue] re-activation failed, retrying: ${String(error.message).slice(0, 200)}\n`));
		}
		await sleep(2000);
	}
}

module.exports = { leaseCount, SIGNER_DOCUMENT, CREDENTIAL_ID, credential, signWorkflow, triggerWorkflow, startBatch, emitted, waitForEmitted };
