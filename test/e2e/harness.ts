/**
 * Drives a real n8n (2.40.7 on Node 24, installed by scripts/n8n-runtime.sh) for the e2e suite and the demo:
 * a throwaway user folder with the BUILT package installed like a community package, CLI imports and
 * `n8n execute`, and `n8n start` with owner setup, an API key and the public API.
 * Recipe: docs/DECISIONS.md 10; test/e2e/global-setup.ts installs the runtime and builds dist/ before the suites run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** Where scripts/n8n-runtime.sh put Node 24 and n8n. */
export interface N8nRuntime {
	runtimeDir: string;
	nodeHome: string;
	/** The Node 24 binary that runs n8n. */
	node: string;
	/** `node_modules/.bin/n8n` of the runtime. */
	n8nBin: string;
	version: string;
}

/** The installed runtime, or null when scripts/n8n-runtime.sh has not completed an install. */
export function findRuntime(): N8nRuntime | null {
	let out: string;
	try {
		out = execFileSync(path.join(REPO_ROOT, 'scripts/n8n-runtime.sh'), ['--check'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
	} catch {
		return null;
	}
	const vars = parseEnvLines(out);
	return {
		runtimeDir: vars.N8N_RUNTIME_DIR,
		nodeHome: vars.N8N_NODE_HOME,
		node: vars.N8N_NODE,
		n8nBin: vars.N8N_BIN,
		version: vars.N8N_VERSION,
	};
}

/** Parses KEY=VALUE lines (comments and blank lines ignored; no quoting, no expansion). */
export function parseEnvLines(text: string): Record<string, string> {
	const vars: Record<string, string> = {};
	for (const line of text.split('\n')) {
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#')) continue;
		const eq = trimmed.indexOf('=');
		if (eq <= 0) continue;
		vars[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
	}
	return vars;
}

/** The no-phone-home variables shared with scripts/n8n-env.sh. */
export function offlineEnv(): Record<string, string> {
	return parseEnvLines(fs.readFileSync(path.join(REPO_ROOT, 'scripts/n8n-offline.env'), 'utf8'));
}

/** Whether the e2e suite runs, and why not. */
export type E2eGate = { mode: 'run'; runtime: N8nRuntime } | { mode: 'skip' | 'fail'; reason: string };

/**
 * Decides whether the e2e suite runs: without the runtime it is skipped with a message, unless E2E_REQUIRED
 * is set (CI), in which case it fails. The built package (dist/) must exist whenever the runtime does.
 */
export function e2eGate(options: { needsBuild?: boolean } = {}): E2eGate {
	const runtime = findRuntime();
	const required = (process.env.E2E_REQUIRED ?? '') !== '' && process.env.E2E_REQUIRED !== '0';
	if (!runtime) {
		const reason =
			'the real n8n runtime is not installed: run `scripts/n8n-runtime.sh` (about 3-5 minutes, 3 GB, ' +
			'needs the npm registry) and then `npm run test:e2e` again';
		return { mode: required ? 'fail' : 'skip', reason: required ? `${reason} (E2E_REQUIRED is set)` : reason };
	}
	const missing = options.needsBuild === false ? [] : builtFilesMissing();
	if (missing.length > 0) {
		return { mode: 'fail', reason: `the package is not built (missing ${missing.join(', ')}): run \`npm run build\`` };
	}
	return { mode: 'run', runtime };
}

/** The built package that gets installed: SMARTID_PACKAGE_ROOT (package.json + dist/) or the repository. */
export function packageRoot(): string {
	return process.env.SMARTID_PACKAGE_ROOT || REPO_ROOT;
}

/** Files named in package.json's n8n section that dist/ lacks (or the section itself when empty). */
export function builtFilesMissing(): string[] {
	const root = packageRoot();
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const files = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	if (files.length === 0) return ['package.json n8n.nodes/n8n.credentials entries'];
	return files.filter((f) => !fs.existsSync(path.join(root, f)));
}

/**
 * `describe` for an e2e suite: runs `body` with the runtime when available; otherwise registers a skipped
 * placeholder (and prints why) or, with E2E_REQUIRED, a failing test that says what is missing.
 */
export function describeE2e(
	name: string,
	body: (runtime: N8nRuntime) => void,
	options: { needsBuild?: boolean } = {},
): void {
	const gate = e2eGate(options);
	if (gate.mode === 'run') {
		describe(name, () => body(gate.runtime));
		return;
	}
	if (gate.mode === 'skip') {
		// Written straight to stderr: jest does not print console output of fully skipped suites.
		process.stderr.write(`[e2e] SKIPPED "${name}": ${gate.reason}. Set E2E_REQUIRED=1 to make this a failure.\n`);
		describe.skip(name, () => {
			it(`needs the n8n runtime (${gate.reason})`, () => undefined);
		});
		return;
	}
	describe(name, () => {
		it('has a real n8n runtime and a built package', () => {
			throw new Error(`e2e cannot run: ${gate.reason}`);
		});
	});
}

/** A free TCP port on 127.0.0.1 (the OS picks it; there is a small race until n8n binds it). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				if (address && typeof address === 'object') resolve(address.port);
				else reject(new Error('no port assigned'));
			});
		});
	});
}

/** Output of one n8n CLI call. */
export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** The run record `n8n execute` prints (the parts the tests read). */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, Array<N8nTaskData>>;
			error?: { message?: string; description?: string; name?: string; [k: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
}

/** One node's run inside an execution. */
export interface N8nTaskData {
	executionStatus?: string;
	error?: { message?: string; description?: string; [k: string]: unknown };
	data?: { main?: Array<Array<N8nItem> | null> };
}

/** One item flowing between nodes. */
export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string; data?: string; id?: string }>;
}

/**
 * Extracts the IRun JSON that `n8n execute` prints between log lines: from the first line that is exactly `{`
 * to the next line that is exactly `}` (the JSON is pretty-printed, so inner braces are indented).
 */
export function parseExecuteOutput(stdout: string): N8nRun {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l.trimEnd() === '{');
	if (start < 0) throw new Error(`no run JSON in n8n execute output:\n${tail(stdout)}`);
	const end = lines.findIndex((l, i) => i > start && l.trimEnd() === '}');
	if (end < 0) throw new Error(`unterminated run JSON in n8n execute output:\n${tail(stdout)}`);
	return JSON.parse(lines.slice(start, end + 1).join('\n')) as N8nRun;
}

/** Output items of a node's first run (output 0 unless told), or [] when the node did not run or emitted nothing. */
export function nodeOutput(run: N8nRun, nodeName: string, output = 0): N8nItem[] {
	const task = run.data.resultData.runData[nodeName]?.[0];
	return task?.data?.main?.[output] ?? [];
}

/** Throws with the run's error (node, message, description) and the output tail when the execution failed. */
export function expectSucceeded(execution: { run: N8nRun; result: CliResult }): void {
	const { run, result } = execution;
	if (result.code === 0 && !run.data.resultData.error) return;
	const error = run.data.resultData.error;
	throw new Error(
		`n8n execution failed (exit ${result.code}) at "${run.data.resultData.lastNodeExecuted}": ` +
			`${error?.message ?? ''} ${error?.description ?? ''}\n${tail(result.stdout + result.stderr, 30)}`,
	);
}

/** Names of the nodes that ran. */
export function nodesThatRan(run: N8nRun): string[] {
	return Object.keys(run.data.resultData.runData);
}

function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** Every child process the harness started, so a crashed test still cleans up (see killAllChildren). */
const children = new Set<ChildProcess>();

/** Kills every n8n process the harness started (their whole process group: n8n spawns task runners). */
export async function killAllChildren(): Promise<void> {
	await Promise.all([...children].map((child) => stopChild(child)));
}

process.once('exit', () => {
	for (const child of children) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

async function stopChild(child: ChildProcess, graceMs = 8000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		children.delete(child);
		return;
	}
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killGroup(child, 'SIGTERM');
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
	children.delete(child);
}

/** Options for a harness instance. */
export interface N8nInstanceOptions {
	/** Existing user folder; default: a fresh temporary folder removed by cleanup(). */
	userFolder?: string;
	/** Extra environment for every n8n process (e.g. NODE_EXTRA_CA_CERTS). */
	env?: Record<string, string>;
}

/** Owner login created by setupOwner(). Fixed, local-only test values. */
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'SmartIdDemo-Owner1',
};

const API_KEY_SCOPES = [
	'workflow:create',
	'workflow:read',
	'workflow:list',
	'workflow:update',
	'workflow:activate',
	'workflow:deactivate',
	'execution:read',
	'execution:list',
];

/** One n8n user folder plus, optionally, a running `n8n start`. */
export class N8nInstance {
	readonly userFolder: string;
	/** The only folder n8n's file nodes may touch (N8N_RESTRICT_FILE_ACCESS_TO); outside the .n8n folder. */
	readonly filesDir: string;
	private readonly ownsFolder: boolean;
	private server: ChildProcess | null = null;
	private serverLog = '';
	private apiKeyValue: string | null = null;
	private cookie: string | null = null;
	port = 0;
	brokerPort = 0;

	constructor(
		readonly runtime: N8nRuntime,
		private readonly options: N8nInstanceOptions = {},
	) {
		this.ownsFolder = options.userFolder === undefined;
		this.userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
		fs.mkdirSync(this.userFolder, { recursive: true });
		this.filesDir = path.join(this.userFolder, 'n8n-files');
		fs.mkdirSync(this.filesDir, { recursive: true });
	}

	/** Base URL of the running server. */
	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The environment of every n8n child: no NODE_ENV (jest sets "test", which stops n8n loading nodes). */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = { ...process.env };
		delete env.NODE_ENV;
		for (const key of Object.keys(env)) {
			// Inherited n8n settings from the developer's shell would make runs irreproducible.
			if (key.startsWith('N8N_') || key.startsWith('DB_')) delete env[key];
		}
		return {
			...env,
			...offlineEnv(),
			PATH: `${path.join(this.runtime.nodeHome, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesDir,
			...(this.options.env ?? {}),
			...extra,
		};
	}

	/** Installs the built package into this user folder (scripts/install-into-n8n.sh). */
	async installPackage(depsMode: 'npm' | 'copy' = defaultDepsMode()): Promise<string> {
		const args = [this.userFolder, ...(depsMode === 'copy' ? ['--copy-deps'] : [])];
		const result = await run(path.join(REPO_ROOT, 'scripts/install-into-n8n.sh'), args, {
			env: { ...process.env },
			timeoutMs: 180_000,
		});
		if (result.code !== 0) {
			throw new Error(`install-into-n8n.sh failed (${result.code}):\n${tail(result.stderr)}`);
		}
		return result.stdout.trim().split('\n').pop() ?? '';
	}

	/** Runs one n8n CLI command with its own task-broker port (so it never collides with a running server). */
	async cli(args: string[], timeoutMs = 120_000): Promise<CliResult> {
		const broker = await freePort();
		return run(this.runtime.node, [n8nEntry(this.runtime), ...args], {
			env: this.env({ N8N_RUNNERS_BROKER_PORT: String(broker), N8N_PORT: String(await freePort()) }),
			cwd: this.userFolder,
			timeoutMs,
		});
	}

	/** Like cli() but throws with the output tail when the exit code is not 0. */
	async cliOk(args: string[], timeoutMs?: number): Promise<CliResult> {
		const result = await this.cli(args, timeoutMs);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited ${result.code}:\n${tail(result.stdout + result.stderr)}`);
		}
		return result;
	}

	/** `n8n import:credentials` of plain credential objects (`{id, name, type, data}`); n8n encrypts them. */
	async importCredentials(credentials: unknown[]): Promise<void> {
		const file = this.writeTemp('credentials', credentials);
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	/** `n8n import:workflow` of one workflow object or a JSON file path; import always leaves it inactive. */
	async importWorkflow(workflow: object | string): Promise<void> {
		const file = typeof workflow === 'string' ? workflow : this.writeTemp('workflow', workflow);
		await this.cliOk(['import:workflow', `--input=${file}`]);
	}

	/** `n8n execute --id` (the workflow must start with a Manual Trigger) and its parsed run. */
	async execute(workflowId: string, timeoutMs = 180_000): Promise<{ run: N8nRun; result: CliResult }> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
		let parsed: N8nRun;
		try {
			parsed = parseExecuteOutput(result.stdout);
		} catch (error) {
			throw new Error(
				`n8n execute --id=${workflowId} exited ${result.code} without a run:\n${tail(result.stdout + result.stderr)}`,
				{ cause: error },
			);
		}
		return { run: parsed, result };
	}

	/** Starts `n8n start` on free ports and waits until the REST API answers. */
	async start(timeoutMs = 90_000): Promise<void> {
		if (this.server) throw new Error('n8n already started');
		this.port = await freePort();
		this.brokerPort = await freePort();
		const child = spawn(this.runtime.node, [n8nEntry(this.runtime), 'start'], {
			env: this.env({ N8N_PORT: String(this.port), N8N_RUNNERS_BROKER_PORT: String(this.brokerPort) }),
			cwd: this.userFolder,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		children.add(child);
		this.server = child;
		this.serverLog = '';
		const append = (chunk: Buffer): void => {
			this.serverLog = (this.serverLog + chunk.toString('utf8')).slice(-200_000);
		};
		child.stdout?.on('data', append);
		child.stderr?.on('data', append);
		const deadline = Date.now() + timeoutMs;
		// Readiness turns 200 before the REST routes exist, so also wait for /rest/settings.
		for (const probe of ['/healthz/readiness', '/rest/settings']) {
			for (;;) {
				if (child.exitCode !== null || child.signalCode !== null) {
					throw new Error(`n8n start exited early (${child.exitCode ?? child.signalCode}):\n${tail(this.serverLog)}`);
				}
				if (Date.now() > deadline) {
					throw new Error(`n8n start not ready after ${timeoutMs} ms (${probe}):\n${tail(this.serverLog)}`);
				}
				try {
					const res = await fetch(this.url + probe);
					if (res.status === 200) break;
				} catch {
					// not listening yet
				}
				await sleep(250);
			}
		}
	}

	/** The server's combined stdout/stderr so far (last 200 kB), for diagnostics. */
	get log(): string {
		return this.serverLog;
	}

	/** Creates the instance owner through REST (fresh instances only) and keeps its session cookie. */
	async setupOwner(): Promise<void> {
		const res = await fetch(`${this.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-e2e' },
			body: JSON.stringify(OWNER),
		});
		if (res.status !== 200) throw new Error(`owner setup failed: HTTP ${res.status} ${await res.text()}`);
		const cookies = res.headers.getSetCookie?.() ?? [];
		const auth = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (!auth) throw new Error('owner setup returned no n8n-auth cookie');
		this.cookie = auth;
	}

	/** GET on the internal REST/static routes with the owner's session cookie (setupOwner() first); parsed JSON. */
	async ownerGet<T = unknown>(route: string): Promise<T> {
		if (!this.cookie) await this.setupOwner();
		const res = await fetch(this.url + route, { headers: { cookie: this.cookie ?? '', 'browser-id': 'smart-id-e2e' } });
		const text = await res.text();
		if (res.status !== 200) throw new Error(`GET ${route}: HTTP ${res.status} ${text.slice(0, 500)}`);
		return JSON.parse(text) as T;
	}

	/** Creates a public-API key for the owner (calls setupOwner() first when needed) and returns it. */
	async apiKey(): Promise<string> {
		if (this.apiKeyValue) return this.apiKeyValue;
		if (!this.cookie) await this.setupOwner();
		const res = await fetch(`${this.url}/rest/api-keys`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'browser-id': 'smart-id-e2e',
				cookie: this.cookie ?? '',
			},
			body: JSON.stringify({ label: 'smart-id-e2e', expiresAt: null, scopes: API_KEY_SCOPES }),
		});
		const body = (await res.json()) as { data?: { rawApiKey?: string } };
		if (res.status !== 200 || !body.data?.rawApiKey) {
			throw new Error(`API key creation failed: HTTP ${res.status} ${JSON.stringify(body)}`);
		}
		this.apiKeyValue = body.data.rawApiKey;
		return this.apiKeyValue;
	}

	/** Calls the public API (`/api/v1/...`) with the API key; throws on a non-2xx answer. */
	async api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T> {
		const key = await this.apiKey();
		const res = await fetch(`${this.url}/api/v1${apiPath}`, {
			method,
			headers: { 'X-N8N-API-KEY': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status < 200 || res.status > 299) {
			throw new Error(`${method} /api/v1${apiPath}: HTTP ${res.status} ${text}`);
		}
		return (text === '' ? undefined : JSON.parse(text)) as T;
	}

	/** Creates a workflow through the public API (only the fields it accepts) and returns its id. */
	async createWorkflow(workflow: {
		name: string;
		nodes: unknown[];
		connections: unknown;
		settings?: unknown;
	}): Promise<string> {
		const created = await this.api<{ id: string }>('POST', '/workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings ?? { executionOrder: 'v1' },
		});
		return created.id;
	}

	/** Activates a workflow on the running server (a polling trigger polls once right away). */
	async activate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`);
	}

	/**
	 * Calls a production webhook, retrying while n8n answers "not registered": n8n registers webhooks shortly
	 * AFTER the activate call returns (measured: 404 right after activation, fine ~1 s later).
	 */
	async callWebhook(webhookPath: string, init: RequestInit, timeoutMs = 20_000): Promise<Response> {
		const url = `${this.url}/webhook/${webhookPath}`;
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const res = await fetch(url, init);
			if (res.status !== 404) return res;
			const text = await res.text();
			if (!text.includes('is not registered') || Date.now() > deadline) {
				return new Response(text, { status: res.status, headers: res.headers });
			}
			await sleep(300);
		}
	}

	/** Deactivates a workflow on the running server. */
	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`);
	}

	/** Executions of a workflow, newest first, with their run data. */
	async executions(workflowId: string): Promise<ApiExecution[]> {
		const page = await this.api<{ data: ApiExecution[] }>(
			'GET',
			`/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=100`,
		);
		return page.data;
	}

	/** Polls executions() until `predicate` holds for the list, or throws after timeoutMs. */
	async waitForExecutions(
		workflowId: string,
		predicate: (executions: ApiExecution[]) => boolean,
		timeoutMs: number,
	): Promise<ApiExecution[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = await this.executions(workflowId);
			if (predicate(list)) return list;
			if (Date.now() > deadline) {
				throw new Error(
					`executions of ${workflowId} did not reach the expected state in ${timeoutMs} ms ` +
						`(have ${list.length}: ${list.map((e) => e.status).join(', ')}):\n${tail(this.serverLog)}`,
				);
			}
			await sleep(500);
		}
	}

	/** Stops the server (SIGTERM to its process group, SIGKILL after a grace period). */
	async stop(): Promise<void> {
		const child = this.server;
		this.server = null;
		this.apiKeyValue = null;
		this.cookie = null;
		if (child) await stopChild(child);
	}

	/** Stops the server and removes the temporary user folder (kept when E2E_KEEP=1, for debugging). */
	async cleanup(): Promise<void> {
		await this.stop();
		if (this.ownsFolder && process.env.E2E_KEEP !== '1') {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
		}
	}

	private writeTemp(kind: string, value: unknown): string {
		const dir = path.join(this.userFolder, 'e2e-inputs');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}
}

/** An execution as the public API returns it with includeData=true. */
export interface ApiExecution {
	id: string | number;
	finished: boolean;
	mode: string;
	status: string;
	workflowId: string;
	startedAt?: string;
	stoppedAt?: string;
	data?: N8nRun['data'];
}

/** How install-into-n8n.sh gets the runtime dependencies (E2E_INSTALL_DEPS=npm|copy; default npm). */
export function defaultDepsMode(): 'npm' | 'copy' {
	return process.env.E2E_INSTALL_DEPS === 'copy' ? 'copy' : 'npm';
}

/** n8n's JS entry point (the .bin shim is a symlink; running it through Node 24 explicitly avoids PATH lookups). */
function n8nEntry(runtime: N8nRuntime): string {
	return fs.realpathSync(runtime.n8nBin);
}

/** Runs a process to completion, collecting its output; kills its group after timeoutMs. */
export function run(
	command: string,
	args: string[],
	options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			env: options.env,
			cwd: options.cwd,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		children.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
		child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
		const timer = setTimeout(() => {
			stderr += `\n[harness] killed after ${options.timeoutMs} ms`;
			killGroup(child, 'SIGKILL');
		}, options.timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			children.delete(child);
			reject(error);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			children.delete(child);
			resolve({ code, stdout, stderr });
		});
	});
}

/** Resolves after ms milliseconds. */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
