import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** A throwaway `redis-server` on 127.0.0.1 with a random free port, no persistence. */
export interface TestRedis {
	url: string;
	port: number;
	stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

async function canConnect(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = new Socket();
		socket.once('error', () => resolve(false));
		socket.connect(port, '127.0.0.1', () => {
			socket.destroy();
			resolve(true);
		});
	});
}

/** Start redis-server and wait until it accepts connections (fails after 10 s with its output). */
export async function startRedis(): Promise<TestRedis> {
	const port = await freePort();
	let output = '';
	const child: ChildProcess = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	child.stdout?.on('data', (d) => (output += String(d)));
	child.stderr?.on('data', (d) => (output += String(d)));
	const deadline = Date.now() + 10_000;
	while (!(await canConnect(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server did not start on port ${port}: ${output}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	return {
		url: `redis://127.0.0.1:${port}/0`,
		port,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}
