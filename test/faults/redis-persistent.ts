import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, launchRedis, stopProcess } from '../sessions/redis-server';

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

/** `extraArgs` go to redis-server as they are (e.g. `['--requirepass', 'x']`). */
export async function startRestartableRedis(extraArgs: string[] = []): Promise<RestartableRedis> {
	const port = await freePort();
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-faults-redis-'));
	const args = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, ...extraArgs];
	let child: ChildProcess | undefined;
	const launch = async () => {
		child = await launchRedis(port, args);
	};
	await launch();
	return {
		url: `redis://127.0.0.1:${port}/0`,
		port,
		kill9: () => stopProcess(child, 'SIGKILL'),
		restart: launch,
		async stop() {
			await stopProcess(child, 'SIGTERM');
			await fs.rm(dir, { recursive: true, force: true });
		},
	};
}
