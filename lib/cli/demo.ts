/**
 * `smart-id demo`: the whole product in a real n8n, offline. Ensures the cached n8n runtime
 * (scripts/n8n-runtime.sh: Node 24 + n8n 2.40.7), starts the simulator in this process, installs the built package
 * into a fresh n8n user folder like a community install, imports the simulator credential and the example
 * workflows, runs "sign files into an ASiC-E" end to end and verifies the result. `--serve` then keeps n8n and the
 * simulator running for a look in the editor. Needs a source checkout (the scripts/ and examples/ folders).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { verifyContainer, type Report } from '../asice/verify';
import { TrustStore } from '../pki/trust-store';
import { simulatorCredentialData, startSimulator } from '../simulator';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const err = (text: string) => void process.stderr.write(`${text}\n`);

const USAGE = `Usage: smart-id demo [--serve] [--port N] [--dir DIR]

Runs the Smart-ID nodes in a real n8n 2.40.7 against the offline simulator: installs n8n into
.cache/n8n-runtime the first time (about 3 GB, a few minutes; needs the npm registry), imports the
examples/ workflows, signs two sample files into an ASiC-E container through n8n and verifies it.
  --serve     keep n8n and the simulator running afterwards (Ctrl+C stops both) and print the editor URL
              and login
  --port N    n8n editor port with --serve (default 5678)
  --dir DIR   working folder (default <repo>/.cache/demo; wiped at start)
Build first (npm run build); "npm run demo" does both.`;

/** Options of {@link runDemo}. */
export interface DemoOptions {
	/** Keep n8n running after the signing run. */
	serve: boolean;
	/** n8n port with serve (0 = any free port). */
	port: number;
	/** Working folder (n8n user folder and files); wiped at start. */
	dir?: string;
	/** Folder with package.json + dist/ to install; default the repository. */
	packageRoot?: string;
	/** Progress lines. */
	log?: (line: string) => void;
}

/** What a demo run produced; `stop()` ends n8n and the simulator. */
export interface DemoSession {
	containerPath: string;
	report: Report;
	signer: { name: string; personalCode: string; country: string };
	/** Set with serve: editor URL and owner login (local demo values, not secrets). */
	editor?: { url: string; email: string; password: string; webhookUrl: string };
	simulatorUrl: string;
	stop(): Promise<void>;
}

/** The demo owner of the local n8n (only reachable on 127.0.0.1). */
export const DEMO_OWNER = { email: 'demo@example.com', firstName: 'Smart-ID', lastName: 'Demo', password: 'SmartIdDemo-Owner1' };

const CREDENTIAL_ID = 'smartIdCredential1';
const SIGN_WORKFLOW_ID = 'sidExample02Sign';
const WEBHOOK_WORKFLOW_ID = 'sidExample04Verify';
const DEMO_SIGNER = 'PNOEE-40504040001-DEM0-Q';

/** Repository root: the nearest parent folder with scripts/n8n-runtime.sh (works from lib/ and dist/lib/). */
export function findRepoRoot(from = __dirname): string {
	let dir = from;
	for (;;) {
		if (fs.existsSync(path.join(dir, 'scripts', 'n8n-runtime.sh')) && fs.existsSync(path.join(dir, 'examples'))) return dir;
		const parent = path.dirname(dir);
		if (parent === dir) {
			throw new Error('smart-id demo needs a source checkout of n8n-nodes-smart-id (scripts/ and examples/ were not found)');
		}
		dir = parent;
	}
}

/** KEY=VALUE lines (comments and blank lines skipped). */
function parseEnvLines(text: string): Record<string, string> {
	const vars: Record<string, string> = {};
	for (const line of text.split('\n')) {
		const trimmed = line.trim();
		const eq = trimmed.indexOf('=');
		if (trimmed === '' || trimmed.startsWith('#') || eq <= 0) continue;
		vars[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
	}
	return vars;
}

/** Runs a command; its stderr goes to ours (progress), stdout is returned. */
function runCommand(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(command, args, { ...options, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
			if (error) {
				reject(new Error(`${path.basename(command)} ${args[0] ?? ''} failed: ${(stderr || stdout || error.message).trim().split('\n').slice(-15).join('\n')}`));
			} else {
				resolve(stdout);
			}
		});
	});
}

/** scripts/n8n-runtime.sh with its progress shown live (a first install takes minutes); resolves with its stdout. */
function ensureRuntime(script: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(script, [], { stdio: ['ignore', 'pipe', 'inherit'] });
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`scripts/n8n-runtime.sh failed (exit ${code})`))));
	});
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}

/** The run record `n8n execute` prints between its log lines: from a line `{` to the next line `}`. */
function parseRun(stdout: string): { data: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>>; error?: { message?: string; description?: string } } } } {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l.trimEnd() === '{');
	const end = lines.findIndex((l, i) => i > start && l.trimEnd() === '}');
	if (start < 0 || end < 0) throw new Error(`n8n execute printed no run:\n${lines.slice(-20).join('\n')}`);
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

/** Runs the demo; with serve, n8n keeps running until stop(). */
export async function runDemo(options: DemoOptions): Promise<DemoSession> {
	const log = options.log ?? (() => undefined);
	const repo = findRepoRoot();
	const packageRoot = options.packageRoot ?? repo;
	const dir = path.resolve(options.dir ?? path.join(repo, '.cache', 'demo'));
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
		cleanups.length = 0;
	};
	try {
		log('1/6 n8n runtime (first run installs Node 24 + n8n 2.40.7 into the cache)');
		const runtime = parseEnvLines(await ensureRuntime(path.join(repo, 'scripts', 'n8n-runtime.sh')));
		const node = runtime.N8N_NODE;
		const n8nEntry = fs.realpathSync(runtime.N8N_BIN);

		log('2/6 simulator');
		const sim = await startSimulator({
			stateDir: path.join(repo, '.cache', 'simulator-state'),
			prewarm: [DEMO_SIGNER],
		});
		cleanups.push(() => sim.stop());

		log(`3/6 n8n user folder ${dir}`);
		fs.rmSync(dir, { recursive: true, force: true });
		const userFolder = path.join(dir, 'n8n');
		const filesDir = path.join(dir, 'files');
		for (const sub of ['to-sign', 'signed', 'approvals', 'approved']) fs.mkdirSync(path.join(filesDir, sub), { recursive: true });
		fs.mkdirSync(userFolder, { recursive: true });
		fs.writeFileSync(path.join(filesDir, 'to-sign', 'contract.txt'), 'Contract no. 42 between Alice and Bob.\n');
		fs.writeFileSync(path.join(filesDir, 'to-sign', 'annex 1.txt'), 'Annex 1: delivery schedule.\n');
		fs.writeFileSync(path.join(filesDir, 'approvals', 'purchase-order.txt'), 'Purchase order 2026-117: 3 laptops.\n');
		await runCommand(path.join(repo, 'scripts', 'install-into-n8n.sh'), [userFolder], {
			env: { ...process.env, SMARTID_PACKAGE_ROOT: packageRoot },
		});

		const env: NodeJS.ProcessEnv = { ...process.env };
		delete env.NODE_ENV; // n8n refuses to load nodes under NODE_ENV=test
		for (const key of Object.keys(env)) if (key.startsWith('N8N_') || key.startsWith('DB_')) delete env[key];
		Object.assign(env, parseEnvLines(fs.readFileSync(path.join(repo, 'scripts', 'n8n-offline.env'), 'utf8')), {
			PATH: `${path.join(runtime.N8N_NODE_HOME, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
			N8N_USER_FOLDER: userFolder,
			N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
		});
		const n8n = async (...args: string[]) =>
			runCommand(node, [n8nEntry, ...args], { env: { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) }, cwd: userFolder });

		log('4/6 credential and example workflows');
		const inputs = path.join(dir, 'imports');
		fs.mkdirSync(inputs, { recursive: true });
		fs.writeFileSync(
			path.join(inputs, 'credentials.json'),
			JSON.stringify([
				{
					id: CREDENTIAL_ID,
					name: 'Smart-ID simulator',
					type: 'smartIdApi',
					data: simulatorCredentialData(sim),
				},
			]),
		);
		await n8n('import:credentials', `--input=${path.join(inputs, 'credentials.json')}`);
		const settings: Record<string, Record<string, string>> = {
			[SIGN_WORKFLOW_ID]: { inputFiles: path.join(filesDir, 'to-sign', '*.txt'), outputFile: path.join(filesDir, 'signed', 'documents.asice') },
			sidExample03Approve: { inputFiles: path.join(filesDir, 'approvals', '*.txt'), outputFolder: path.join(filesDir, 'approved') },
		};
		const workflows = fs
			.readdirSync(path.join(repo, 'examples'))
			.filter((f) => f.endsWith('.json'))
			.sort()
			.map((f) => {
				const workflow = JSON.parse(fs.readFileSync(path.join(repo, 'examples', f), 'utf8')) as {
					id: string;
					nodes: Array<{ name: string; parameters: { operation?: string; extraTrustedCertificates?: string; assignments?: { assignments: Array<{ name: string; value: unknown }> } } }>;
				};
				// Verify Container trusts what the node says, not the credential: give it the simulator's CAs and TSA.
				for (const n of workflow.nodes) if (n.parameters.operation === 'verifyContainer') n.parameters.extraTrustedCertificates = [...sim.caPems, sim.tsaCertPem].join('\n');
				const values = settings[workflow.id] ?? {};
				const node = workflow.nodes.find((n) => n.name === 'Settings');
				for (const assignment of node?.parameters.assignments?.assignments ?? []) {
					if (assignment.name in values) assignment.value = values[assignment.name];
				}
				return workflow;
			});
		fs.writeFileSync(path.join(inputs, 'workflows.json'), JSON.stringify(workflows));
		await n8n('import:workflow', `--input=${path.join(inputs, 'workflows.json')}`);

		log('5/6 n8n execute: sign two files into an ASiC-E (the simulated phone confirms)');
		const run = parseRun(await n8n('execute', `--id=${SIGN_WORKFLOW_ID}`, '--rawOutput').catch((error: Error) => {
			throw new Error(`the signing workflow failed in n8n: ${error.message}`);
		}));
		const signed = run.data.resultData.runData['Sign into ASiC-E']?.[0]?.data?.main?.[0]?.[0]?.json;
		const identity = (signed?.identity ?? {}) as Record<string, unknown>;
		const containerPath = path.join(filesDir, 'signed', 'documents.asice');
		if (!fs.existsSync(containerPath)) throw new Error('n8n finished but wrote no container');
		const report = await verifyContainer(fs.readFileSync(containerPath), {
			trust: TrustStore.fromPem(sim.caPems, 'simulator'),
			filename: 'documents.asice',
		});
		const session: DemoSession = {
			containerPath,
			report,
			signer: {
				name: `${String(identity.givenName ?? '')} ${String(identity.surname ?? '')}`.trim(),
				personalCode: String(identity.personalCode ?? ''),
				country: String(identity.country ?? ''),
			},
			simulatorUrl: sim.baseUrl,
			stop,
		};

		if (options.serve) {
			log('6/6 n8n start (editor)');
			// Published before start, so the webhook example answers at once.
			await n8n('publish:workflow', `--id=${WEBHOOK_WORKFLOW_ID}`);
			const port = options.port || (await freePort());
			const child = spawn(node, [n8nEntry, 'start'], {
				env: { ...env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
				cwd: userFolder,
				detached: true,
				stdio: ['ignore', fs.openSync(path.join(dir, 'n8n.log'), 'a'), fs.openSync(path.join(dir, 'n8n.log'), 'a')],
			});
			cleanups.push(() => stopChild(child));
			const url = `http://127.0.0.1:${port}`;
			await waitForServer(url, child, path.join(dir, 'n8n.log'));
			const setup = await fetch(`${url}/rest/owner/setup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': 'smart-id-demo' },
				body: JSON.stringify(DEMO_OWNER),
			});
			if (setup.status !== 200) throw new Error(`n8n owner setup failed: HTTP ${setup.status}`);
			const webhookUrl = `${url}/webhook/smart-id-verify`;
			// n8n answers /healthz before it has registered the published webhooks; on a loaded machine the example
			// answered 404 for a while. Wait (bounded) until n8n knows the path: a CORS preflight stops being 404.
			for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
				const probe = await fetch(webhookUrl, { method: 'OPTIONS' }).catch(() => undefined);
				if (probe && probe.status !== 404) break;
			}
			session.editor = {
				url,
				email: DEMO_OWNER.email,
				password: DEMO_OWNER.password,
				webhookUrl,
			};
		}
		return session;
	} catch (error) {
		await stop();
		throw error;
	}
}

async function waitForServer(url: string, child: ChildProcess, logFile: string, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	// Readiness turns 200 before the REST routes exist, so wait for /rest/settings too.
	for (const probe of ['/healthz/readiness', '/rest/settings']) {
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n stopped during start-up; see ${logFile}`);
			if (Date.now() > deadline) throw new Error(`n8n did not become ready in ${timeoutMs / 1000} s; see ${logFile}`);
			const status = await fetch(url + probe).then((r) => r.status, () => 0);
			if (status === 200) break;
			await new Promise((r) => setTimeout(r, 300));
		}
	}
}

/** SIGTERM to the process group (n8n runs task runners as children), SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const signal = (s: NodeJS.Signals) => {
		try {
			process.kill(-(child.pid as number), s);
		} catch {
			// already gone
		}
	};
	signal('SIGTERM');
	const timer = setTimeout(() => signal('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

function parseArgs(args: string[]): DemoOptions | 'help' {
	const options: DemoOptions = { serve: false, port: 5678 };
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		const value = () => {
			const v = args[++i];
			if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
			return v;
		};
		if (arg === '--serve') options.serve = true;
		else if (arg === '--port') {
			const text = value();
			if (!/^\d+$/.test(text) || Number(text) > 65535) throw new Error('--port must be a TCP port number (0-65535)');
			options.port = Number(text);
		} else if (arg === '--dir') options.dir = value();
		else if (arg === '--help' || arg === '-h') return 'help';
		else throw new Error(`Unknown option ${arg}`);
	}
	return options;
}

/** `smart-id demo [--serve] [--port N] [--dir DIR]`; exit code 0 when the signed container verifies TOTAL-PASSED. */
export async function run(args: string[]): Promise<number> {
	let options: DemoOptions | 'help';
	try {
		options = parseArgs(args);
	} catch (error) {
		err(`smart-id demo: ${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	if (options === 'help') {
		out(USAGE);
		return 0;
	}
	let session: DemoSession;
	try {
		session = await runDemo({ ...options, log: (line) => err(`[demo] ${line}`) });
	} catch (error) {
		err(`smart-id demo: ${error instanceof Error ? error.message : String(error)}`);
		return 1;
	}
	const conclusion = session.report.validationConclusion;
	const signature = conclusion.signatures[0];
	out(`Signed container: ${session.containerPath}`);
	out(`Signer:           ${session.signer.name} (${session.signer.country} ${session.signer.personalCode})`);
	out(`Verification:     ${conclusion.indication} (${conclusion.validSignaturesCount}/${conclusion.signaturesCount} signatures valid)`);
	if (signature) {
		out(`  ${signature.signatureFile}: ${signature.signatureFormat}, ${signature.signatureLevel}, ${signature.indication}`);
		out(`  signed by ${signature.signedBy} at ${signature.bestSignatureTime} (${signature.bestSignatureTimeSource})`);
		out(`  signed files: ${signature.signatureScopes.map((s) => s.name).join(', ')}`);
	}
	const ok = conclusion.indication === 'TOTAL-PASSED';
	if (!options.serve) {
		await session.stop();
		return ok ? 0 : 1;
	}
	const editor = session.editor;
	out('');
	out(`n8n editor:   ${editor?.url}   login ${editor?.email} / ${editor?.password} (local demo only)`);
	out(`Simulator:    ${session.simulatorUrl} (credential "Smart-ID simulator" is already set up)`);
	out(`Webhook:      curl -X POST -H 'content-type: application/vnd.etsi.asic-e+zip' --data-binary @${session.containerPath} ${editor?.webhookUrl}`);
	out('Workflows:    the examples/ workflows are imported; Ctrl+C stops n8n and the simulator.');
	await new Promise<void>((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
	await session.stop();
	return ok ? 0 : 1;
}
