// Types of cluster.js (plain CommonJS so bench/queue-mode.js can use it without a TypeScript step).
export declare const REPO_ROOT: string;
export declare function sleep(ms: number): Promise<void>;
export declare function freePort(): Promise<number>;
export declare function findRuntime(): { node: string; nodeHome: string; n8nBin: string; version: string } | null;
/** What the queue suite needs that is missing on this machine (empty = ready). */
export declare function missingPrerequisites(): string[];

export declare class Proc {
	readonly name: string;
	readonly log: string;
	readonly alive: boolean;
	readonly pid: number | undefined;
	readonly exited: Promise<number | string>;
	userFolder?: string;
	signal(sig: NodeJS.Signals): void;
	stop(graceMs?: number): Promise<void>;
}

export declare class Postgres {
	port: number;
	query(sql: string, database?: string): string[][];
}

export declare class Redis {
	port: number;
	restarts: number;
	url(): string;
	cli(args: string[]): string;
	restart(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
}

export interface ApiExecution {
	id: string | number;
	finished: boolean;
	mode: string;
	status: string;
	workflowId: string;
	startedAt?: string;
	stoppedAt?: string;
	data?: {
		resultData: {
			runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
			error?: { message?: string };
		};
	};
}

export declare class QueueCluster {
	constructor(options?: { mode?: 'queue' | 'regular'; workers?: number; concurrency?: number; dir?: string; log?: (text: string) => void });
	readonly dir: string;
	readonly pg: Postgres;
	readonly redis: Redis;
	main: Proc | null;
	webhook: Proc | null;
	workers: Proc[];
	readonly mainUrl: string;
	readonly webhookUrl: string;
	start(options?: { credentials?: object[] }): Promise<void>;
	startWorker(index: number): Promise<Proc>;
	cli(args: string[], userFolder: string): Promise<string>;
	api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
	createWorkflow(workflow: object, options?: { activate?: boolean }): Promise<string>;
	activate(id: string): Promise<unknown>;
	deactivate(id: string): Promise<unknown>;
	executions(workflowId: string, options?: { includeData?: boolean }): Promise<ApiExecution[]>;
	callWebhook(webhookPath: string, init: RequestInit, options?: { timeoutMs?: number }): Promise<{ status: number; text: string }>;
	/** executionId → worker name, from the worker logs. */
	executionWorkers(): Map<string, string>;
	stop(): Promise<void>;
}
