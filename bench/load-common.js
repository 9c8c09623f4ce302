'use strict';
/**
 * Shared parts of the load benches (bench/load-*.js): where the compiled code is, the simulator in a child
 * process (so the figures of the process under test are not mixed with the simulator's own work and memory),
 * resource sampling (RSS, VmHWM, open sockets, load average), percentiles, and cleanup on exit / SIGINT.
 */
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

/** Root of the build output (holds lib/ and nodes/): SMARTID_DIST (root or its lib/), else ./dist. */
function distRoot() {
	const env = process.env.SMARTID_DIST;
	let root = env ? path.resolve(env) : path.resolve(__dirname, '..', 'dist');
	if (!fs.existsSync(path.join(root, 'lib')) && path.basename(root) === 'lib') root = path.dirname(root);
	if (!fs.existsSync(path.join(root, 'lib', 'simulator', 'index.js'))) {
		console.error(`${root}/lib/simulator is missing: run \`npm run build\` first (or set SMARTID_DIST to a build output).`);
		process.exit(2);
	}
	return root;
}

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function numberArg(name, fallback, min, max) {
	const value = Number(arg(name, String(fallback)));
	if (!Number.isFinite(value) || value < min || value > max) {
		console.error(`${name} must be a number from ${min} to ${max}`);
		process.exit(2);
	}
	return value;
}

const cleanups = [];
let cleaning;
/** Run every registered cleanup once (LIFO). */
function cleanup() {
	cleaning ??= (async () => {
		for (const fn of cleanups.reverse()) {
			try {
				await fn();
			} catch (error) {
				console.error(`cleanup: ${error.message}`);
			}
		}
	})();
	return cleaning;
}
function onCleanup(fn) {
	cleanups.push(fn);
}

/** Stop by ourselves: SIGINT/SIGTERM and a hard time limit clean up and exit. */
function installGuards(limitMs) {
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			console.error(`${signal}: stopping`);
			cleanup().finally(() => process.exit(130));
		});
	}
	const timer = setTimeout(() => {
		console.error(`time limit of ${Math.round(limitMs / 1000)} s reached: stopping`);
		cleanup().finally(() => process.exit(3));
	}, limitMs);
	timer.unref();
}

/**
 * Start the simulator (dist/lib/simulator startSimulator) in a child process; resolves with its RunningSimulator
 * fields plus `stop()` and `stats()` (the child's RSS / VmHWM).
 */
function startSimulatorChild(root, options) {
	const child = fork(path.join(__dirname, 'load-sim-child.js'), [], {
		env: { ...process.env, SMARTID_DIST: root },
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	let exited = false;
	child.once('exit', () => {
		exited = true;
	});
	const pending = new Map();
	let nextId = 0;
	const request = (type) =>
		new Promise((resolve, reject) => {
			if (exited) return reject(new Error('simulator child has exited'));
			const id = ++nextId;
			pending.set(id, { resolve, reject });
			child.send({ id, type });
		});
	return new Promise((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`simulator child exited with ${code} before it was ready`)));
		child.on('message', (message) => {
			if (message.type === 'ready') {
				const sim = {
					...message.sim,
					pid: child.pid,
					stats: () => request('stats'),
					async stop() {
						if (exited) return;
						const gone = new Promise((r) => child.once('exit', r));
						child.send({ id: 0, type: 'stop' });
						const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
						await gone;
						clearTimeout(timer);
					},
				};
				onCleanup(() => sim.stop());
				resolve(sim);
			} else if (message.type === 'error') {
				reject(new Error(message.message));
			} else if (pending.has(message.id)) {
				pending.get(message.id).resolve(message.value);
				pending.delete(message.id);
			}
		});
		child.send({ id: 0, type: 'start', options });
	});
}

/** VmHWM / VmRSS of a process from /proc (kB → MiB); null where /proc is missing. */
function procMemory(pid = 'self') {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm')) || [])[1]);
		return { vmHwmMiB: mib(kb('VmHWM') * 1024), vmRssMiB: mib(kb('VmRSS') * 1024) };
	} catch {
		return { vmHwmMiB: null, vmRssMiB: null };
	}
}

/** Inodes of the socket fds of a process (links `socket:[inode]` in /proc/<pid>/fd); null without /proc. */
function socketInodes(pid = 'self') {
	const inodes = [];
	try {
		for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
			try {
				const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
				if (link.startsWith('socket:[')) inodes.push(link.slice(8, -1));
			} catch {
				// fd closed between readdir and readlink
			}
		}
	} catch {
		return null;
	}
	return inodes;
}

/** Open sockets of a process (all kinds, incl. Unix socketpairs of child stdio and the IPC channel). */
function openSockets(pid = 'self') {
	return socketInodes(pid)?.length ?? null;
}

/** Open TCP sockets of this process: socket fds whose inode appears in /proc/self/net/tcp or tcp6. */
function openTcpSockets() {
	const mine = socketInodes();
	if (!mine) return null;
	const tcp = new Set();
	for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
		try {
			const lines = fs.readFileSync(table, 'utf8').split('\n');
			for (let i = 1; i < lines.length; i++) {
				const cols = lines[i].trim().split(/\s+/);
				if (cols.length > 9) tcp.add(cols[9]);
			}
		} catch {
			// no IPv6 table
		}
	}
	return mine.filter((inode) => tcp.has(inode)).length;
}

function mib(bytes) {
	return Math.round((bytes / 1048576) * 10) / 10;
}

/**
 * Samples RSS, open sockets, TCP sockets and load average every `everyMs` until stopped; returns peaks, the CPU
 * time of this process (minus the sampler's own, which reading /proc/self/net/tcp on a busy host makes
 * noticeable) and the event-loop delay.
 */
function startSampler(everyMs = 100) {
	const peak = { rssMiB: 0, sockets: 0, tcp: 0, load1: 0 };
	const cpu = process.cpuUsage();
	const t0 = performance.now();
	// Event-loop delay: how late timers and I/O callbacks run (a busy loop makes time limits fire late or early).
	const loop = monitorEventLoopDelay({ resolution: 20 });
	loop.enable();
	let ticks = 0;
	let samplerMicros = 0;
	const sample = () => {
		const before = process.cpuUsage();
		peak.rssMiB = Math.max(peak.rssMiB, mib(process.memoryUsage().rss));
		peak.sockets = Math.max(peak.sockets, openSockets() ?? 0);
		// the TCP table covers the whole network namespace (thousands of TIME_WAIT lines): read it once a second
		if (ticks++ % 10 === 0) peak.tcp = Math.max(peak.tcp, openTcpSockets() ?? 0);
		peak.load1 = Math.max(peak.load1, os.loadavg()[0]);
		const used = process.cpuUsage(before);
		samplerMicros += used.user + used.system;
	};
	sample();
	const timer = setInterval(sample, everyMs);
	return {
		stop() {
			clearInterval(timer);
			ticks = 0;
			sample();
			loop.disable();
			const used = process.cpuUsage(cpu);
			const micros = Math.max(0, used.user + used.system - samplerMicros);
			return {
				// CPU time of this process (user + system, sampler excluded) and its share of the wall time (1.0 = one core)
				cpuSeconds: Math.round(micros / 1e4) / 100,
				cpuCores: Math.round((micros / 1e3 / (performance.now() - t0)) * 100) / 100,
				samplerCpuSeconds: Math.round(samplerMicros / 1e4) / 100,
				peakRssMiB: peak.rssMiB,
				vmHwmMiB: procMemory().vmHwmMiB,
				maxOpenSockets: peak.sockets,
				maxTcpSockets: peak.tcp,
				eventLoopDelayP99ms: Math.round(loop.percentile(99) / 1e5) / 10,
				eventLoopDelayMaxms: Math.round(loop.max / 1e5) / 10,
				maxLoad1: Math.round(peak.load1 * 100) / 100,
			};
		},
	};
}

/** p50/p99/max of latencies in ms. */
function percentiles(latencies) {
	if (!latencies.length) return { p50ms: null, p99ms: null, maxms: null };
	const sorted = [...latencies].sort((a, b) => a - b);
	const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] * 10) / 10;
	return { p50ms: at(0.5), p99ms: at(0.99), maxms: Math.round(sorted[sorted.length - 1] * 10) / 10 };
}

/**
 * Run `count` jobs all at once (every job starts immediately; any pooling happens below, e.g. in an HTTP agent),
 * with a per-job time limit; returns throughput, latencies and errors.
 */
async function runConcurrent(count, job, perJobLimitMs) {
	const latencies = [];
	const errors = {};
	const started = performance.now();
	await Promise.all(
		Array.from({ length: count }, async (_, i) => {
			const t = performance.now();
			let timer;
			try {
				await Promise.race([
					job(i),
					new Promise((_, reject) => {
						timer = setTimeout(() => reject(new Error(`job over ${perJobLimitMs} ms`)), perJobLimitMs);
					}),
				]);
				latencies.push(performance.now() - t);
			} catch (error) {
				// code + the message with numbers blanked (ports, ids), so different causes under one code count apart
				const cause = error.message.replace(/\d+/g, '#').slice(0, 160);
				const key = error.code ? `${error.code}: ${cause}` : cause;
				errors[key] = (errors[key] || 0) + 1;
			} finally {
				clearTimeout(timer);
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	return {
		count,
		ok: latencies.length,
		wallSeconds: Math.round(seconds * 100) / 100,
		perSecond: Math.round((latencies.length / seconds) * 10) / 10,
		...percentiles(latencies),
		errors,
	};
}

/**
 * Run one measured phase in a fresh Node process (`node <script> --phase <name> ...args`), so its peak RSS,
 * VmHWM and sockets are its own; the child prints nothing but sends its JSON result over IPC.
 */
function runPhase(script, phase, args, env, limitMs) {
	return new Promise((resolve, reject) => {
		// LOAD_PROFILE_DIR=<dir>: write a V8 CPU profile of each phase process there (open in Chrome DevTools).
		const profile = process.env.LOAD_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.LOAD_PROFILE_DIR)] : [];
		const child = fork(script, ['--phase', phase, ...args], {
			env: { ...process.env, ...env },
			execArgv: [...process.execArgv, ...profile],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		onCleanup(() => child.exitCode === null && child.kill('SIGTERM'));
		let result;
		const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
		child.on('message', (message) => {
			result = message;
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			if (result && code === 0) resolve(result);
			else reject(new Error(`phase ${phase} exited with ${code}${result ? '' : ' without a result'}`));
		});
	});
}

/** In a phase process: send the result to the parent and exit. */
function phaseDone(result) {
	process.send(result, () => process.exit(0));
}

/** Machine facts printed with every result. */
function machine() {
	return {
		date: new Date().toISOString(),
		node: process.version,
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		memTotalMiB: mib(os.totalmem()),
		loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
	};
}

module.exports = {
	arg,
	cleanup,
	distRoot,
	installGuards,
	machine,
	mib,
	numberArg,
	onCleanup,
	openSockets,
	openTcpSockets,
	percentiles,
	phaseDone,
	procMemory,
	runConcurrent,
	runPhase,
	startSampler,
	startSimulatorChild,
};
