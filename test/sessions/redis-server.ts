import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** A throwaway `redis-server` on 127.0.0.1 with a random free port, no persistence. */
export interface TestRedis {
	url: string;
	port: number;
	stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound and released again). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** True once redis answers PING with PONG, or NOAUTH when it wants a password (not while LOADING its data). */
async function pong(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = new Socket();
		let data = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(500, () => done(false));
		socket.once('error', () => done(false));
		socket.on('data', (d) => {
			data += String(d);
			if (data.includes('\r\n')) done(data.startsWith('+PONG') || data.startsWith('-NOAUTH'));
		});
		socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
	});
}

/**
 * Spawn `redis-server --port PORT --bind 127.0.0.1 ...args` and wait until it answers PING (fails after 10 s
 * with its output). The one launcher behind the store tests' throwaway server and the fault tests' restartable one.
 */
export async function launchRedis(port: number, args: string[]): Promise<ChildProcess> {
	let output = '';
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout?.on('data', (d) => (output += String(d)));
	child.stderr?.on('data', (d) => (output += String(d)));
	const deadline = Date.now() + 10_000;
	while (!(await pong(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server did not start on port ${port}: ${output}`);
		}
		await new Promise((r) => setTimeout(r, 30));
	}
	return child;
}

/** Send `signal` and wait for the process to exit (no-op when it already has). */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	await new Promise<void>((resolve) => {
		child.once('exit', () => resolve());
		child.kill(signal);
	});
}

/** Start redis-server without persistence and wait until it accepts commands. */
export async function startRedis(): Promise<TestRedis> {
	const port = await freePort();
	const child = await launchRedis(port, ['--save', '', '--appendonly', 'no']);
	return { url: `redis://127.0.0.1:${port}/0`, port, stop: () => stopProcess(child, 'SIGTERM') };
}
