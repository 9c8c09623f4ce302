/**
 * Hardening check on a real n8n (2.40.7, `n8n execute`): `sessionSecret` never appears in anything n8n prints or
 * saves. Workflows start device-link authentications (QR and Web2App, which always return at once), re-make links
 * with Session → Get Device Link, hit error paths (wrong link type, unknown and malformed session ids, a wrong
 * userChallengeVerifier, a workflow that fails outright), then the simulator's mock app accepts the links and
 * Get Status finishes both sessions. Captured: stdout+stderr of every n8n process, the run JSON, the QR/link
 * outputs, the mock app's answers (callback URLs) and every file n8n wrote in its user folder (database with the
 * saved executions, log file, binary data) except the session store itself. The secrets are read from the session
 * store files the credential points at; none of their Base64, base64url or hex forms may occur in the capture.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { simulatorCredential } from './examples';
import {
	describeE2e,
	expectSucceeded,
	killAllChildren,
	N8nInstance,
	nodeOutput,
	parseExecuteOutput,
	type CliResult,
	type N8nRun,
} from './harness';

/** Device-link account of spec §8 (the mock app scans as this person). */
const DEVICE_DOC = 'PNOLT-40504040001-MOCK-Q';
const CREDENTIAL_ID = 'smartIdLeakCred1';
const CALLBACK = 'https://rp.example.com/smart-id/callback?state=e2e-leak';
/** Path of the production webhook that starts a session on the running server. */
const HOOK_PATH = 'smart-id-leak';
/** A well-formed session id nobody started. */
const UNKNOWN_SESSION = '3f2b5c1e-8a4d-4e6f-9b7a-0c1d2e3f4a5b';

type WfNode = {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
};

/** A workflow of a Manual Trigger followed by a straight chain of nodes. */
function chain(
	id: string,
	nodes: Array<Omit<WfNode, 'id' | 'typeVersion' | 'position' | 'type'> & { type?: string }>,
	trigger: Partial<WfNode> & { webhookId?: string } = {},
) {
	const all: WfNode[] = [
		{
			id: `${id}-0`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			...trigger,
		},
		...nodes.map((n, i) => ({
			type: 'n8n-nodes-smart-id.smartId',
			credentials: { smartIdApi: { id: CREDENTIAL_ID, name: 'Smart-ID simulator' } },
			...n,
			id: `${id}-${i + 1}`,
			typeVersion: 1,
			position: [220 * (i + 1), 0] as [number, number],
		})),
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < all.length; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: `Smart-ID secret leak (${id})`, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const deviceLinkAuth = (extra: Record<string, unknown>) => ({
	resource: 'authentication',
	operation: 'authenticate',
	flow: 'deviceLink',
	deviceLinkIdentifyBy: 'anonymous',
	certificateLevel: 'QUALIFIED',
	hashAlgorithm: 'SHA-512',
	interactionType: 'displayTextAndPIN',
	displayText: 'Log in to the leak test',
	tag: 'e2e-leak',
	...extra,
});
const getDeviceLink = (sessionId: string, deviceLinkType: string) => ({
	resource: 'session',
	operation: 'getDeviceLink',
	sessionId,
	deviceLinkType,
	lang: 'eng',
});
const getStatus = (sessionId: string, userChallengeVerifier = '') => ({
	resource: 'session',
	operation: 'getStatus',
	sessionId,
	userChallengeVerifier,
	validateStored: true,
});
const CONTINUE = 'continueRegularOutput';

/** The forms a secret could leak in: as stored (Base64), base64url without padding, hex (both cases). */
function formsOf(secret: string): string[] {
	const bytes = Buffer.from(secret, 'base64');
	const b64url = bytes.toString('base64url');
	return [...new Set([secret, secret.replace(/=+$/, ''), b64url, bytes.toString('hex'), bytes.toString('hex').toUpperCase()])];
}

/** Where a form of a secret occurs: `<source> (<form> prefix)`; never the secret itself, so failures print safely. */
function leaks(sources: Map<string, string>, secrets: Iterable<string>): string[] {
	const found: string[] = [];
	for (const secret of secrets) {
		for (const form of formsOf(secret)) {
			for (const [source, text] of sources) {
				if (text.includes(form)) found.push(`${source} (${form.slice(0, 4)}…)`);
			}
		}
	}
	return found;
}

/** Every file below `dir` (skipping the named folders), read as latin1 so binary files (SQLite) are searched too. */
function filesBelow(dir: string, skip: Set<string>): Map<string, string> {
	const out = new Map<string, string>();
	if (!fs.existsSync(dir)) return out;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		// node_modules: the installed package; .cache: n8n's copy of its editor assets.
		if (skip.has(full) || entry.name === 'node_modules' || entry.name === '.cache') continue;
		if (entry.isDirectory()) for (const [k, v] of filesBelow(full, skip)) out.set(k, v);
		else if (entry.isFile()) out.set(full, fs.readFileSync(full).toString('latin1'));
	}
	return out;
}

describeE2e('sessionSecret never leaks from a real n8n (device-link flows, errors, logs, saved executions)', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let storeDir: string;
	/** Everything captured, by source name. */
	const captured = new Map<string, string>();
	/** Every session secret read from the store. */
	const secrets = new Set<string>();
	const started: Record<string, string> = {};
	let startRun: N8nRun;
	let callbacks: Record<string, string> = {};

	const keep = (source: string, result: CliResult): void => {
		captured.set(`${source} stdout`, result.stdout);
		captured.set(`${source} stderr`, result.stderr);
	};
	/** `n8n execute` at debug log level: the run JSON comes coloured, with a timestamp and logger metadata. */
	const execute = async (id: string) => {
		const result = await n8n.cli(['execute', `--id=${id}`, '--rawOutput'], 180_000);
		keep(`n8n execute ${id}`, result);
		const plain = result.stdout
			.split('\n')
			.map((line) =>
				line
					// eslint-disable-next-line no-control-regex
					.replace(/\u001b\[[0-9;]*m/g, '')
					.replace(/^\d\d:\d\d:\d\d\.\d+\s+\w+\s+/, '')
					.replace(/\s+\{ "file": "[^"]*", "function": "[^"]*" \}$/, ''),
			)
			.join('\n');
		let run: N8nRun;
		try {
			run = parseExecuteOutput(plain);
		} catch (error) {
			throw new Error(`n8n execute --id=${id} exited ${result.code} without a run (see its output above)`, { cause: error });
		}
		captured.set(`run JSON ${id}`, JSON.stringify(run));
		return { run, result };
	};
	/** Reads the sessionSecret of every record in the credential's store folder. */
	const readSecrets = (): void => {
		const records = path.join(storeDir, 'records');
		for (const name of fs.existsSync(records) ? fs.readdirSync(records) : []) {
			if (!name.endsWith('.json')) continue;
			const record = JSON.parse(fs.readFileSync(path.join(records, name), 'utf8')) as {
				secrets?: { sessionSecret?: string };
			};
			if (record.secrets?.sessionSecret) secrets.add(record.secrets.sessionSecret);
		}
	};
	const scan = async (deviceLink: string, flowType: string) => {
		const res = await fetch(sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink, flowType }),
		});
		const text = await res.text();
		captured.set(`mock app answer ${flowType}`, text);
		return { status: res.status, body: JSON.parse(text) as { callbackUrl?: string } };
	};

	beforeAll(async () => {
		sim = await startSimulator({
			stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'),
			prewarm: [DEVICE_DOC],
			// The fresh QR link is scanned after `n8n execute` exits (seconds later), not within SK's 5 s.
			qrMaxAgeSeconds: 600,
		});
		n8n = new N8nInstance(runtime, {
			env: {
				// Debug logs to the console and to a file in the user folder: more text for the search to see.
				N8N_LOG_LEVEL: 'debug',
				N8N_LOG_OUTPUT: 'console,file',
			},
		});
		storeDir = path.join(n8n.userFolder, 'leak-session-store');
		captured.set('install', await n8n.installPackage());
		const credential = simulatorCredential(sim, CREDENTIAL_ID) as { data: Record<string, unknown> };
		credential.data.sessionFolder = storeDir;
		await n8n.importCredentials([credential]);
		await n8n.importWorkflow([
			chain('sidLeakStart', [
				{ name: 'QR login', parameters: deviceLinkAuth({ deviceLinkType: 'QR' }) },
				{ name: 'Fresh QR link', parameters: getDeviceLink("={{ $('QR login').item.json.sessionId }}", 'QR') },
				{
					name: 'Wrong link type',
					parameters: getDeviceLink("={{ $('QR login').item.json.sessionId }}", 'App2App'),
					onError: CONTINUE,
				},
				{ name: 'QR pending status', parameters: getStatus("={{ $('QR login').item.json.sessionId }}") },
				{ name: 'Web2App login', parameters: deviceLinkAuth({ deviceLinkType: 'Web2App', initialCallbackUrl: CALLBACK }) },
				{
					name: 'Fresh Web2App link',
					parameters: getDeviceLink("={{ $('Web2App login').item.json.sessionId }}", 'Web2App'),
				},
				{ name: 'Unknown session link', parameters: getDeviceLink(UNKNOWN_SESSION, 'QR'), onError: CONTINUE },
				{ name: 'Malformed session status', parameters: getStatus('not a session id'), onError: CONTINUE },
			]),
			// On the running server: a webhook starts a Web2App session, re-makes its link, hits error paths, then fails.
			chain(
				'sidLeakHook',
				[
					{ name: 'Web2App login', parameters: deviceLinkAuth({ deviceLinkType: 'Web2App', initialCallbackUrl: CALLBACK }) },
					{
						name: 'Fresh Web2App link',
						parameters: getDeviceLink("={{ $('Web2App login').item.json.sessionId }}", 'Web2App'),
					},
					{
						name: 'Wrong link type',
						parameters: getDeviceLink("={{ $('Web2App login').item.json.sessionId }}", 'QR'),
						onError: CONTINUE,
					},
					{ name: 'Unknown session status', parameters: getStatus(UNKNOWN_SESSION), onError: CONTINUE },
					{ name: 'Link of another type', parameters: getDeviceLink("={{ $('Web2App login').item.json.sessionId }}", 'App2App') },
				],
				{
					name: 'Start',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					parameters: { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'lastNode', options: {} },
					webhookId: '6d1c9a52-3b7e-4f0a-9c2d-8e5f4a3b2c1d',
				},
			),
			// Fails outright (no continue-on-fail): n8n prints and saves the node error.
			chain('sidLeakFail', [
				{ name: 'QR login', parameters: deviceLinkAuth({ deviceLinkType: 'QR', tag: 'e2e-leak-fail' }) },
				{ name: 'Link of another type', parameters: getDeviceLink('={{ $json.sessionId }}', 'Web2App') },
			]),
		]);
	}, 400_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	it('starts QR and Web2App device-link sessions, re-makes their links and reports the error paths', async () => {
		const execution = await execute('sidLeakStart');
		expectSucceeded(execution);
		startRun = execution.run;
		const [qr] = nodeOutput(startRun, 'QR login');
		const [w2a] = nodeOutput(startRun, 'Web2App login');
		started.qr = String(qr.json.sessionId);
		started.w2a = String(w2a.json.sessionId);
		expect(started.qr).toMatch(/^[0-9a-f-]{36}$/);
		expect(started.w2a).toMatch(/^[0-9a-f-]{36}$/);
		expect(qr.binary?.qr?.mimeType).toBe('image/png');
		const [freshQr] = nodeOutput(startRun, 'Fresh QR link');
		expect(String(freshQr.json.deviceLink)).toMatch(/authCode=/);
		const [freshW2a] = nodeOutput(startRun, 'Fresh Web2App link');
		expect(String(freshW2a.json.deviceLink)).toMatch(/authCode=/);
		const [wrongType] = nodeOutput(startRun, 'Wrong link type');
		expect(wrongType.json.error).toEqual(expect.any(String));
		const [unknown] = nodeOutput(startRun, 'Unknown session link');
		expect(unknown.json.error).toEqual(expect.any(String));
		const [malformed] = nodeOutput(startRun, 'Malformed session status');
		expect(malformed.json.error).toEqual(expect.any(String));
		const [pending] = nodeOutput(startRun, 'QR pending status');
		expect(JSON.stringify(pending.json)).toMatch(/RUNNING/);

		readSecrets();
		expect(secrets.size).toBe(2);
	}, 240_000);

	it('a workflow failing on a link of the wrong type prints its error', async () => {
		const { run, result } = await execute('sidLeakFail');
		expect(result.code).not.toBe(0);
		expect(run.data.resultData.lastNodeExecuted).toBe('Link of another type');
		expect(run.data.resultData.error?.message).toEqual(expect.any(String));
		readSecrets();
		expect(secrets.size).toBe(3);
	}, 240_000);

	it('the mock app accepts both links and Get Status finishes the sessions with the identity', async () => {
		const [freshQr] = nodeOutput(startRun, 'Fresh QR link');
		const [freshW2a] = nodeOutput(startRun, 'Fresh Web2App link');
		const qrScan = await scan(String(freshQr.json.deviceLink), 'QR');
		expect(qrScan.status).toBe(200);
		const w2aScan = await scan(String(freshW2a.json.deviceLink), 'Web2App');
		expect(w2aScan.status).toBe(200);
		const callbackUrl = new URL(String(w2aScan.body.callbackUrl));
		expect(callbackUrl.searchParams.get('sessionSecretDigest')).toEqual(expect.any(String));
		const verifier = callbackUrl.searchParams.get('userChallengeVerifier') ?? '';
		expect(verifier).not.toBe('');
		callbacks = { verifier };

		await n8n.importWorkflow(
			chain('sidLeakFinish', [
				{ name: 'QR status', parameters: getStatus(started.qr) },
				{ name: 'Wrong verifier', parameters: getStatus(started.w2a, 'A'.repeat(43)), onError: CONTINUE },
				{ name: 'Web2App status', parameters: getStatus(started.w2a, callbacks.verifier) },
				{ name: 'Link after the end', parameters: getDeviceLink(started.qr, 'QR'), onError: CONTINUE },
			]),
		);
		const execution = await execute('sidLeakFinish');
		expectSucceeded(execution);
		const { run } = execution;
		for (const node of ['QR status', 'Web2App status']) {
			const [item] = nodeOutput(run, node);
			expect(item.json.identity).toMatchObject({ personalCode: '40504040001', country: 'LT' });
		}
		const [wrong] = nodeOutput(run, 'Wrong verifier');
		expect(wrong.json.code).toBe('SMARTID_VALIDATION_FAILED');
		expect(nodeOutput(run, 'Link after the end')).toHaveLength(1);
	}, 240_000);

	it('on a running server, a webhook-started session and its failing workflow are logged and saved', async () => {
		await n8n.start();
		try {
			await n8n.activate('sidLeakHook');
			const res = await n8n.callWebhook(HOOK_PATH, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"page":"login"}',
			});
			captured.set('webhook answer', `${res.status} ${await res.text()}`);
			expect(res.status).toBeGreaterThanOrEqual(500);
			const executions = await n8n.waitForExecutions('sidLeakHook', (list) => list.some((e) => e.finished || e.status === 'error'), 60_000);
			captured.set('executions API', JSON.stringify(executions));
			const [execution] = executions;
			expect(execution.status).toBe('error');
			const runData = execution.data?.resultData.runData ?? {};
			const [link] = runData['Fresh Web2App link']?.[0]?.data?.main?.[0] ?? [];
			expect(String(link?.json.deviceLink)).toMatch(/authCode=/);
			const [unknown] = runData['Unknown session status']?.[0]?.data?.main?.[0] ?? [];
			expect(unknown?.json.error).toEqual(expect.any(String));
			expect(execution.data?.resultData.error?.message).toEqual(expect.any(String));
			// The internal REST route the editor shows executions from, too.
			captured.set('executions REST', JSON.stringify(await n8n.ownerGet(`/rest/executions/${execution.id}`)));
			await n8n.deactivate('sidLeakHook');
		} finally {
			captured.set('n8n start output', n8n.log);
			await n8n.stop();
		}
		readSecrets();
		expect(secrets.size).toBe(4);
	}, 240_000);

	it('no session secret appears in anything n8n printed or saved (Base64, base64url, hex)', () => {
		readSecrets();
		expect(secrets.size).toBe(4);
		// The store keeps them server side, as designed; everything else n8n wrote is searched.
		for (const [file, text] of filesBelow(n8n.userFolder, new Set([storeDir]))) captured.set(file, text);
		const all = [...captured.values()].join('\n');
		// The capture really saw the runs: links, QR PNGs, error paths, the callback and n8n's saved executions.
		// (Booleans, so a failure never prints the captured text.)
		const seen = (what: string | RegExp) => (typeof what === 'string' ? all.includes(what) : what.test(all));
		expect(['authCode=', 'SMARTID_VALIDATION_FAILED', 'sessionSecretDigest', started.qr, started.w2a].filter((w) => !seen(w))).toEqual([]);
		// n8n saved the executions in its SQLite database (main file or write-ahead log), which is searched too.
		const database = [...captured].filter(([k]) => /[/\\]database\.sqlite(-wal)?$/.test(k));
		expect(database.length).toBeGreaterThan(0);
		expect(database.some(([, text]) => text.includes(started.w2a) && text.includes('Fresh Web2App link'))).toBe(true);
		// And its log file (debug level).
		expect([...captured.keys()].some((k) => k.endsWith(path.join('logs', 'n8n.log')))).toBe(true);

		expect(leaks(captured, secrets)).toEqual([]);
		expect(/"sessionSecret"\s*:\s*"[A-Za-z0-9+/_-]{8}/.test(all)).toBe(false);

		// The check itself works: a planted hex form of a secret is found, and named by its source.
		const [first] = secrets;
		const planted = new Map([['planted', `noise ${Buffer.from(first, 'base64').toString('hex')} noise`]]);
		expect(leaks(planted, secrets)).toEqual([expect.stringMatching(/^planted \(/)]);
	});
});
