import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A redis-server on 127.0.0.1 that can be killed (-9) and started again on the same port with its data:
 * append-only file with `appendfsync always` in a private folder, RDB snapshots off. That is the persistence
 * a queue-mode n8n needs for pending sessions to survive a Redis restart.
 */
export interface RestartableRedis {
	url: string;
	port: number;
	/** SIGKILL, no shutdown save: only what the AOF already holds survives. */
	kill9(): Promise<void>;
	/** Start again on the same port and folder; resolves when it accepts connections and has loaded the AOF. */
	restart(): Promise<void>;
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

/** True once redis answers PING with PONG, or NOAUTH when it wants a password (not LOADING). */
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

/** `extraArgs` go to redis-server as they are (e.g. `['--requirepass', 'x']`). */
export async function startRestartableRedis(extraArgs: string[] = []): Promise<RestartableRedis> {
	const port = await freePort();
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-faults-redis-'));
	let child: ChildProcess | undefined;
	let output = '';
	const launch = async () => {
		output = '';
		child = spawn(
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, ...extraArgs],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
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
	};
	const kill = async (signal: NodeJS.Signals) => {
		const c = child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		await new Promise<void>((resolve) => {
			c.once('exit', () => resolve());
			c.kill(signal);
		});
	};
	await launch();
	return {
		url: `redis://127.0.0.1:${port}/0`,
		port,
		kill9: () => kill('SIGKILL'),
		restart: launch,
		async stop() {
			await kill('SIGTERM');
			await fs.rm(dir, { recursive: true, force: true });
		},
	};
}
