import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The simulator's state directory: keys and certificates survive restarts here, so a warm start is fast and the
 * test PKI stays stable. Several processes (parallel test files, a CLI instance) may share one directory, so every
 * write goes to a temporary name first and is then renamed, and one-time initialisation takes a lock.
 */
export class StateDir {
	readonly root: string;

	constructor(root: string) {
		this.root = path.resolve(root);
		fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
	}

	/** Default location: a fixed folder under the OS temp dir, so repeated runs reuse the generated keys. */
	static defaultRoot(): string {
		return path.join(os.tmpdir(), 'smart-id-simulator-state');
	}

	path(...parts: string[]): string {
		return path.join(this.root, ...parts);
	}

	read(relative: string): Buffer | undefined {
		try {
			return fs.readFileSync(this.path(relative));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw error;
		}
	}

	readText(relative: string): string | undefined {
		return this.read(relative)?.toString('utf8');
	}

	exists(relative: string): boolean {
		return fs.existsSync(this.path(relative));
	}

	/** Atomic write (temp file + rename); private material gets mode 0600. */
	write(relative: string, data: string | Buffer, secret = false): string {
		const target = this.path(relative);
		fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
		const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
		fs.writeFileSync(temp, data, { mode: secret ? 0o600 : 0o644 });
		fs.renameSync(temp, target);
		return target;
	}

	/**
	 * Run `fn` while holding a directory lock (mkdir is atomic). A lock older than `staleMs` is assumed to be left
	 * by a killed process and is taken over.
	 */
	async withLock<T>(name: string, fn: () => Promise<T>, staleMs = 60_000): Promise<T> {
		const lockPath = this.path(`${name}.lock`);
		const deadline = Date.now() + staleMs * 2;
		fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
		for (;;) {
			try {
				fs.mkdirSync(lockPath);
				break;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
				const age = lockAge(lockPath);
				if (age !== undefined && age > staleMs) {
					fs.rmSync(lockPath, { recursive: true, force: true });
					continue;
				}
				if (Date.now() > deadline) {
					throw new Error(`Simulator state lock ${lockPath} is held by another process; remove it if none runs.`);
				}
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		}
		try {
			return await fn();
		} finally {
			fs.rmSync(lockPath, { recursive: true, force: true });
		}
	}
}

function lockAge(lockPath: string): number | undefined {
	try {
		return Date.now() - fs.statSync(lockPath).mtimeMs;
	} catch {
		return undefined;
	}
}
