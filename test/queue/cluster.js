'use strict';
/**
 * A real n8n 2.40.7 in QUEUE MODE on loopback, for test/queue/ and bench/queue-mode.js:
 * a throwaway Postgres cluster (initdb + pg_ctl from /usr/lib/postgresql/<v>/bin, run as the `postgres` user when we
 * are root), a redis-server with AOF on, then `n8n start` (main: editor, API, timers, polling triggers) with
 * EXECUTIONS_MODE=queue, one `n8n webhook` processor (production webhooks) and N `n8n worker`s, all sharing that
 * Postgres and Redis and the same N8N_ENCRYPTION_KEY. Every process gets its OWN user folder with the built
 * package installed as a community package (scripts/install-into-n8n.sh, plus ioredis, which n8n strips as an
 * optional dependency), so no two processes share a disk folder, as on separate machines.
 *
 * Plain CommonJS so the bench can use it without a TypeScript step; types for the jest suites in cluster.d.ts.
 * Recipe notes: docs/DECISIONS.md 10 (runtime), README "Queue mode".
 */
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../..');

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseEnvLines(text) {
	const vars = {};
	for (const line of text.split('\n')) {
		const t = line.trim();
		if (t === '' || t.startsWith('#')) continue;
		const eq = t.indexOf('=');
		if (eq > 0) vars[t.slice(0, eq)] = t.slice(eq + 1);
	}
	return vars;
}

/** The runtime installed by scripts/n8n-runtime.sh, or null. */
function findRuntime() {
	try {
		const out = execFileSync(path.join(REPO_ROOT, 'scripts/n8n-runtime.sh'), ['--check'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		const v = parseEnvLines(out);
		return { node: v.N8N_NODE, nodeHome: v.N8N_NODE_HOME, n8nBin: v.N8N_BIN, version: v.N8N_VERSION };
	} catch {
		return null;
	}
}

/** What the queue suite needs on this machine that is missing (empty = all there). */
function missingPrerequisites() {
	const missing = [];
	if (!findRuntime()) missing.push('the n8n runtime (scripts/n8n-runtime.sh)');
	if (!pgBinDir()) missing.push('PostgreSQL server binaries (Debian package postgresql)');
	if (spawnSync('redis-server', ['--version']).status !== 0) missing.push('redis-server (Debian package redis-server)');
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist/lib/simulator/index.js'))) missing.push('dist/ (npm run build)');
	return missing;
}

function pgBinDir() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

async function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function tail(text, lines = 40) {
	return String(text).split('\n').slice(-lines).join('\n');
}

/** Every process we started, killed (whole group) if the test process exits without cleaning up. */
const started = new Set();
process.once('exit', () => {
	for (const p of started) p.signal('SIGKILL');
});

/** One child process in its own process group, with its output kept (last 1 MB) and optionally teed to a file. */
class Proc {
	constructor(name, command, args, options = {}) {
		this.name = name;
		this.log = '';
		this.logFile = options.logFile;
		this.child = spawn(command, args, {
			env: options.env ?? process.env,
			cwd: options.cwd,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		started.add(this);
		const append = (chunk) => {
			const s = chunk.toString('utf8');
			this.log = (this.log + s).slice(-1_000_000);
			if (this.logFile) fs.appendFileSync(this.logFile, s);
		};
		this.child.stdout.on('data', append);
		this.child.stderr.on('data', append);
		this.exited = new Promise((resolve) => this.child.once('exit', (code, sig) => resolve(code ?? sig)));
		this.exited.then(() => started.delete(this));
	}

	get alive() {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	get pid() {
		return this.child.pid;
	}

	signal(sig) {
		if (!this.alive) return;
		try {
			process.kill(-this.child.pid, sig);
		} catch {
			try {
				this.child.kill(sig);
			} catch {
				// gone
			}
		}
	}

	/** SIGTERM, SIGKILL after graceMs. */
	async stop(graceMs = 10_000) {
		if (!this.alive) return;
		this.signal('SIGTERM');
		const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}
}

function runSync(command, args, options = {}) {
	const r = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (r.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${tail((r.stdout || '') + (r.stderr || ''))}`);
	}
	return r.stdout;
}

/** Throwaway PostgreSQL cluster on a free loopback port; data in `<dir>/pg`. */
class Postgres {
	constructor(dir) {
		this.dir = path.join(dir, 'pg');
		this.bin = pgBinDir();
		if (!this.bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
		this.user = 'n8n';
		this.database = 'n8n';
		this.port = 0;
	}

	/** [command, args] run as the postgres user when we are root (postgres refuses to run as root). */
	as(command, args) {
		if (process.getuid && process.getuid() === 0) return ['runuser', ['-u', 'postgres', '--', command, ...args]];
		return [command, args];
	}

	async start() {
		fs.mkdirSync(this.dir, { recursive: true });
		if (process.getuid && process.getuid() === 0) {
			const uid = Number(runSync('id', ['-u', 'postgres']).trim());
			const gid = Number(runSync('id', ['-g', 'postgres']).trim());
			fs.chownSync(this.dir, uid, gid);
			// postgres must be able to reach its folder through our temp folders.
			for (let d = path.dirname(this.dir); d !== path.dirname(d) && d.startsWith(os.tmpdir()); d = path.dirname(d)) {
				fs.chmodSync(d, 0o755);
			}
		}
		const data = path.join(this.dir, 'data');
		runSync(...this.as(path.join(this.bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', this.user, '-E', 'UTF8', '--no-sync']));
		this.port = await freePort();
		const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
		runSync(...this.as(path.join(this.bin, 'pg_ctl'), ['-D', data, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']));
		this.query(`CREATE DATABASE ${this.database}`, 'postgres');
	}

	/** Runs SQL with psql; rows as arrays of strings (fields split on the unit separator). */
	query(sql, database = this.database) {
		const out = runSync('psql', ['-h', '127.0.0.1', '-p', String(this.port), '-U', this.user, '-d', database, '-At', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
			maxBuffer: 256 * 1024 * 1024,
		});
		return out.split('\n').filter((l) => l !== '').map((l) => l.split('\x1f'));
	}

	env() {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: 'unused-trust-auth',
		};
	}

	async stop() {
		if (!this.port) return;
		try {
			runSync(...this.as(path.join(this.bin, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']));
		} catch {
			// already stopped
		}
		this.port = 0;
	}
}

/** redis-server with AOF (appendfsync everysec) in `<dir>/redis`, restartable on the same port and data. */
class Redis {
	constructor(dir) {
		this.dir = path.join(dir, 'redis');
		this.port = 0;
		this.proc = null;
		this.restarts = 0;
	}

	async start() {
		fs.mkdirSync(this.dir, { recursive: true });
		if (!this.port) this.port = await freePort();
		this.proc = new Proc('redis', 'redis-server', [
			'--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
			'--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'no',
		], { logFile: path.join(this.dir, 'redis.log') });
		const deadline = Date.now() + 20_000;
		while (this.cli(['PING']).trim() !== 'PONG') {
			if (!this.proc.alive) throw new Error(`redis-server exited: ${tail(this.proc.log)}`);
			if (Date.now() > deadline) throw new Error('redis-server did not answer PING in 20 s');
			await sleep(100);
		}
		// Loading the AOF after a restart: wait until it answers commands, not LOADING.
		while (/loading:1/.test(this.cli(['INFO', 'persistence']))) await sleep(100);
	}

	/** redis-cli output ('' when it cannot connect). */
	cli(args) {
		const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { encoding: 'utf8' });
		return r.status === 0 ? r.stdout : '';
	}

	url() {
		return `redis://127.0.0.1:${this.port}`;
	}

	/** Stops (SIGTERM: redis fsyncs the AOF) or kills (SIGKILL: AOF as of the last everysec fsync), then starts again. */
	async restart({ signal = 'SIGTERM', downMs = 1000 } = {}) {
		this.proc.signal(signal);
		await this.proc.exited;
		await sleep(downMs);
		this.restarts++;
		await this.start();
	}

	async stop() {
		if (this.proc) await this.proc.stop(5000);
	}
}

/** The shared environment of every n8n process of the cluster. */
function n8nBaseEnv(runtime, pg, redis) {
	const env = { ...process.env };
	delete env.NODE_ENV; // jest sets "test", which stops n8n loading nodes
	for (const key of Object.keys(env)) if (key.startsWith('N8N_') || key.startsWith('DB_') || key.startsWith('QUEUE_')) delete env[key];
	const offline = parseEnvLines(fs.readFileSync(path.join(REPO_ROOT, 'scripts/n8n-offline.env'), 'utf8'));
	return {
		...env,
		...offline,
		...pg.env(),
		PATH: `${path.join(runtime.nodeHome, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// n8n gives up on Redis after this long without a connection: longer than our Redis restart.
		QUEUE_BULL_REDIS_TIMEOUT_THRESHOLD: '60000',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Workers share no disk: binary data (the signed containers) travels through Postgres.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		N8N_LOG_LEVEL: process.env.QUEUE_N8N_LOG_LEVEL || 'info',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_PRUNE: 'false',
	};
}

const OWNER = { email: 'owner@example.com', firstName: 'Queue', lastName: 'Owner', password: 'SmartIdQueue-Owner1' };
const API_SCOPES = ['workflow:create', 'workflow:read', 'workflow:list', 'workflow:update', 'workflow:activate', 'workflow:deactivate', 'execution:read', 'execution:list'];

/**
 * The whole set-up. Options: workers (default 2), concurrency per worker (default 10), mode 'queue' (default) or
 * 'regular' (one `n8n start` doing everything on the same Postgres: the single-process reference for the bench),
 * dir (default a fresh temp folder, removed by stop() unless QUEUE_KEEP=1).
 */
class QueueCluster {
	constructor(options = {}) {
		this.runtime = findRuntime();
		if (!this.runtime) throw new Error('n8n runtime missing: run scripts/n8n-runtime.sh');
		this.mode = options.mode ?? 'queue';
		this.workerCount = options.workers ?? 2;
		this.concurrency = options.concurrency ?? 10;
		this.dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'smart-id-queue-'));
		fs.chmodSync(this.dir, 0o755);
		this.pg = new Postgres(this.dir);
		this.redis = new Redis(this.dir);
		this.main = null;
		this.webhook = null;
		this.workers = [];
		this.say = options.log ?? ((text) => process.stderr.write(`[queue] ${text}\n`));
	}

	env(extra = {}) {
		const env = { ...n8nBaseEnv(this.runtime, this.pg, this.redis), ...extra };
		if (this.mode === 'regular') delete env.EXECUTIONS_MODE, delete env.OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS;
		return env;
	}

	n8nArgs(...args) {
		return [fs.realpathSync(this.runtime.n8nBin), ...args];
	}

	/** A user folder for one process, with the package copied from the template folder. */
	userFolder(name) {
		const folder = path.join(this.dir, name);
		fs.mkdirSync(path.join(folder, '.n8n'), { recursive: true });
		fs.mkdirSync(path.join(folder, 'n8n-files'), { recursive: true });
		if (this.template && folder !== this.template) {
			fs.cpSync(path.join(this.template, '.n8n', 'nodes'), path.join(folder, '.n8n', 'nodes'), { recursive: true, verbatimSymlinks: true });
		}
		return folder;
	}

	/** Installs the built package (as n8n does) plus ioredis into the template user folder. */
	installPackage() {
		this.template = this.userFolder('template');
		const dest = runSync(path.join(REPO_ROOT, 'scripts/install-into-n8n.sh'), [this.template, '--copy-deps'], { env: { ...process.env } })
			.trim()
			.split('\n')
			.pop();
		// n8n strips optionalDependencies: the README tells users to `npm install ioredis` next to the package.
		// Same files, offline: copy ioredis and its closure from this repository's node_modules.
		const closure = ['ioredis', '@ioredis/commands', 'cluster-key-slot', 'debug', 'ms', 'denque', 'lodash.defaults', 'lodash.isarguments', 'redis-errors', 'redis-parser', 'standard-as-callback'];
		for (const name of closure) {
			const from = path.join(REPO_ROOT, 'node_modules', name);
			const to = path.join(dest, 'node_modules', name);
			if (fs.existsSync(from) && !fs.existsSync(to)) fs.cpSync(from, to, { recursive: true });
		}
		return dest;
	}

	/** One n8n CLI call with the main's environment (import:credentials, import:workflow...). */
	async cli(args, userFolder) {
		const env = this.env({ N8N_USER_FOLDER: userFolder, N8N_RUNNERS_BROKER_PORT: String(await freePort()), N8N_PORT: String(await freePort()) });
		const r = spawnSync(this.runtime.node, this.n8nArgs(...args), { env, cwd: userFolder, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
		if (r.status !== 0) throw new Error(`n8n ${args.join(' ')} exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
		return r.stdout;
	}

	async spawnN8n(name, command, extraEnv, readyUrl) {
		const folder = this.userFolder(name);
		const brokerPort = await freePort();
		const proc = new Proc(name, this.runtime.node, this.n8nArgs(...command), {
			env: this.env({ N8N_USER_FOLDER: folder, N8N_RESTRICT_FILE_ACCESS_TO: path.join(folder, 'n8n-files'), N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...extraEnv }),
			cwd: folder,
			logFile: path.join(this.dir, `${name}.log`),
		});
		proc.userFolder = folder;
		const deadline = Date.now() + Number(process.env.QUEUE_START_TIMEOUT_MS || 180_000);
		for (const probe of readyUrl) {
			for (;;) {
				if (!proc.alive) throw new Error(`${name} exited early:\n${tail(proc.log)}`);
				if (Date.now() > deadline) throw new Error(`${name} not ready (${probe}):\n${tail(proc.log)}`);
				try {
					if ((await fetch(probe)).status === 200) break;
				} catch {
					// not listening yet
				}
				await sleep(300);
			}
		}
		return proc;
	}

	/** Postgres, Redis, the package, the credential(s), then main, webhook processor and workers. */
	async start({ credentials = [] } = {}) {
		const t0 = Date.now();
		await this.pg.start();
		await this.redis.start();
		this.installPackage();
		if (credentials.length) {
			const file = path.join(this.dir, 'credentials.json');
			fs.writeFileSync(file, JSON.stringify(credentials));
			await this.cli(['import:credentials', `--input=${file}`], this.template);
		}
		this.say(`postgres :${this.pg.port}, redis :${this.redis.port}, package and credentials ready in ${Date.now() - t0} ms`);
		this.mainPort = await freePort();
		const mainUrl = `http://127.0.0.1:${this.mainPort}`;
		this.main = await this.spawnN8n('main', ['start'], {
			N8N_PORT: String(this.mainPort),
			// Production webhooks go to the webhook processor only.
			...(this.mode === 'queue' ? { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : {}),
		}, [`${mainUrl}/healthz/readiness`, `${mainUrl}/rest/settings`]);
		if (this.mode === 'queue') {
			this.webhookPort = await freePort();
			// The main has run the migrations; the others start side by side.
			const [webhook] = await Promise.all([
				this.spawnN8n('webhook', ['webhook'], { N8N_PORT: String(this.webhookPort) }, [`http://127.0.0.1:${this.webhookPort}/healthz`]),
				...Array.from({ length: this.workerCount }, (_, i) => this.startWorker(i)),
			]);
			this.webhook = webhook;
		} else {
			this.webhookPort = this.mainPort;
		}
		this.say(`${this.mode} mode: main${this.mode === 'queue' ? `, webhook, ${this.workerCount} worker(s) x ${this.concurrency}` : ''} ready after ${Date.now() - t0} ms`);
	}

	async startWorker(i) {
		const port = await freePort();
		const worker = await this.spawnN8n(`worker${i + 1}`, ['worker', `--concurrency=${this.concurrency}`], {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			N8N_PORT: String(await freePort()),
		}, [`http://127.0.0.1:${port}/healthz`]);
		this.workers[i] = worker;
		return worker;
	}

	get mainUrl() {
		return `http://127.0.0.1:${this.mainPort}`;
	}

	get webhookUrl() {
		return `http://127.0.0.1:${this.webhookPort}/webhook`;
	}

	async ownerCookie() {
		if (this.cookie) return this.cookie;
		const res = await fetch(`${this.mainUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-queue' },
			body: JSON.stringify(OWNER),
		});
		if (res.status !== 200) throw new Error(`owner setup: HTTP ${res.status} ${await res.text()}`);
		const auth = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		this.cookie = auth;
		return auth;
	}

	async apiKey() {
		if (this.key) return this.key;
		const cookie = await this.ownerCookie();
		const res = await fetch(`${this.mainUrl}/rest/api-keys`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-queue', cookie },
			body: JSON.stringify({ label: 'queue', expiresAt: null, scopes: API_SCOPES }),
		});
		const body = await res.json();
		if (!body.data?.rawApiKey) throw new Error(`API key: HTTP ${res.status} ${JSON.stringify(body)}`);
		this.key = body.data.rawApiKey;
		return this.key;
	}

	async api(method, apiPath, body) {
		const res = await fetch(`${this.mainUrl}/api/v1${apiPath}`, {
			method,
			headers: { 'X-N8N-API-KEY': await this.apiKey(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status < 200 || res.status > 299) throw new Error(`${method} /api/v1${apiPath}: HTTP ${res.status} ${text.slice(0, 500)}`);
		return text === '' ? undefined : JSON.parse(text);
	}

	async createWorkflow(workflow, { activate = false } = {}) {
		const { id } = await this.api('POST', '/workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings ?? { executionOrder: 'v1' },
		});
		if (activate) await this.activate(id);
		return id;
	}

	activate(id) {
		return this.api('POST', `/workflows/${id}/activate`);
	}

	deactivate(id) {
		return this.api('POST', `/workflows/${id}/deactivate`);
	}

	/** Every execution of a workflow (all pages), with run data when includeData. */
	async executions(workflowId, { includeData = false } = {}) {
		const all = [];
		let cursor = '';
		for (;;) {
			const page = await this.api('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=${includeData}&limit=${includeData ? 20 : 250}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
			all.push(...page.data);
			if (!page.nextCursor) return all;
			cursor = page.nextCursor;
		}
	}

	/**
	 * POST to a production webhook (on the webhook processor), retrying while it is not registered yet.
	 * Returns { status, text }.
	 */
	async callWebhook(webhookPath, init, { timeoutMs = 30_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const res = await fetch(`${this.webhookUrl}/${webhookPath}`, init);
			const text = await res.text();
			if (res.status !== 404 || !text.includes('not registered') || Date.now() > deadline) return { status: res.status, text };
			await sleep(300);
		}
	}

	/**
	 * Which worker ran which execution, from the worker logs ("Worker started execution <id> (job <n>)"):
	 * Map executionId → worker name (the last one that started it).
	 */
	executionWorkers() {
		const map = new Map();
		for (const w of this.workers) {
			if (!w) continue;
			for (const m of w.log.matchAll(/Worker started execution (\d+)/g)) map.set(m[1], w.name);
		}
		return map;
	}

	async stop() {
		const procs = [...this.workers, this.webhook, this.main].filter(Boolean);
		await Promise.all(procs.map((p) => p.stop()));
		await this.redis.stop();
		await this.pg.stop();
		if (process.env.QUEUE_KEEP !== '1') fs.rmSync(this.dir, { recursive: true, force: true });
		else this.say(`kept ${this.dir}`);
	}
}

module.exports = { QueueCluster, Postgres, Redis, Proc, findRuntime, missingPrerequisites, freePort, sleep, REPO_ROOT };
