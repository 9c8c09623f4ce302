// Types of workflows.js.
import type { ApiExecution, QueueCluster } from './cluster';

export declare const SIGNER_DOCUMENT: string;
export declare const CREDENTIAL_ID: string;
export declare function credential(
	simData: Record<string, string>,
	store: { type: 'redis'; url: string } | { type: 'file'; folder?: string },
	id?: string,
	name?: string,
): { id: string; name: string; type: string; data: Record<string, string> };
export declare function signWorkflow(options: { tag: string; webhookPath: string; credentialId?: string; continueOnFail?: boolean }): object;
export declare function triggerWorkflow(options: { tag: string; credentialId?: string; concurrency?: number }): object;

export interface StartResult {
	requestId: string;
	sessionIds: string[];
	attempts: number;
	errors: string[];
}
export declare function startBatch(
	cluster: QueueCluster,
	options: { count: number; parallel?: number; webhookPath: string; runId: string; retries?: number; onProgress?: (done: number) => void },
): Promise<{ results: StartResult[]; ms: number }>;

export interface Emitted {
	executions: ApiExecution[];
	items: Array<{ executionId: string; json: Record<string, unknown> }>;
	containers: Map<string, string>;
	sessionIds: Set<string>;
	duplicates: Array<{ sessionId: string; times: number }>;
}
export declare function emitted(cluster: QueueCluster, triggerWorkflowId: string): Promise<Emitted>;
export declare function waitForEmitted(
	cluster: QueueCluster,
	triggerWorkflowId: string,
	expected: Set<string>,
	options: { timeoutMs: number; forceEveryMs?: number; onProgress?: (done: number, total: number) => void },
): Promise<Emitted & { missing: string[] }>;
/** Leases held right now in the Redis session store (a poll in progress, or one cut short). */
export declare function leaseCount(cluster: QueueCluster): number;
