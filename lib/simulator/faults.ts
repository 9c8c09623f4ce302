import { randomUUID } from 'node:crypto';
import { badRequest } from './problem';

/** Which service a fault applies to. */
export type FaultTarget = 'rp-api' | 'ocsp' | 'tsa' | 'mock' | 'any';

/**
 * A fault to inject: `latency` delays the answer, `status` answers with an HTTP status instead (e.g. 500, 503,
 * 580 maintenance, 480, 471), `drop` destroys the connection without answering, `slowBody` sends the normal body
 * in small chunks with a pause between them.
 */
export interface FaultRule {
	id: string;
	kind: 'latency' | 'status' | 'drop' | 'slowBody';
	target: FaultTarget;
	/** Only requests concerning this account (document number or semantics identifier). */
	account?: string;
	/** Only requests whose path contains this text. */
	pathContains?: string;
	latencyMs?: number;
	status?: number;
	/** slowBody: bytes per chunk (default 16) and pause between chunks (default 100 ms). */
	chunkBytes?: number;
	chunkDelayMs?: number;
	/** Apply this many times, then drop the rule; unlimited when absent. */
	times?: number;
}

const KINDS: FaultRule['kind'][] = ['latency', 'status', 'drop', 'slowBody'];
const TARGETS: FaultTarget[] = ['rp-api', 'ocsp', 'tsa', 'mock', 'any'];

function optionalInt(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
	const value = body[field];
	if (value === undefined) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw badRequest(`${field} must be an integer between ${min} and ${max}`);
	}
	return value;
}

/** Validate a fault rule sent to the control API. */
export function parseFaultRule(body: unknown): FaultRule {
	if (typeof body !== 'object' || body === null) throw badRequest('Fault rule must be a JSON object');
	const input = body as Record<string, unknown>;
	if (!KINDS.includes(input.kind as FaultRule['kind'])) throw badRequest(`kind must be one of ${KINDS.join(', ')}`);
	const target = (input.target ?? 'any') as FaultTarget;
	if (!TARGETS.includes(target)) throw badRequest(`target must be one of ${TARGETS.join(', ')}`);
	if (input.account !== undefined && typeof input.account !== 'string') throw badRequest('account must be a string');
	if (input.pathContains !== undefined && typeof input.pathContains !== 'string') throw badRequest('pathContains must be a string');
	const rule: FaultRule = {
		id: randomUUID(),
		kind: input.kind as FaultRule['kind'],
		target,
		account: input.account as string | undefined,
		pathContains: input.pathContains as string | undefined,
		latencyMs: optionalInt(input, 'latencyMs', 0, 600_000),
		status: optionalInt(input, 'status', 400, 599),
		chunkBytes: optionalInt(input, 'chunkBytes', 1, 1_000_000),
		chunkDelayMs: optionalInt(input, 'chunkDelayMs', 0, 60_000),
		times: optionalInt(input, 'times', 1, 1_000_000),
	};
	if (rule.kind === 'status' && rule.status === undefined) throw badRequest('status faults need a status');
	if (rule.kind === 'latency' && rule.latencyMs === undefined) throw badRequest('latency faults need latencyMs');
	return rule;
}

/** The active fault rules; matching consumes one use of a rule limited by `times`. */
export class FaultInjector {
	private rules: FaultRule[] = [];

	add(rule: FaultRule): FaultRule {
		this.rules.push(rule);
		return rule;
	}

	remove(id: string): boolean {
		const before = this.rules.length;
		this.rules = this.rules.filter((r) => r.id !== id);
		return this.rules.length !== before;
	}

	clear(): void {
		this.rules = [];
	}

	list(): FaultRule[] {
		return this.rules.map((r) => ({ ...r }));
	}

	/** Rules that apply to a request, in the order they were added. */
	match(target: Exclude<FaultTarget, 'any'>, path: string, accountKeys: string[]): FaultRule[] {
		const matched = this.rules.filter(
			(r) =>
				(r.target === 'any' || r.target === target) &&
				(r.pathContains === undefined || path.includes(r.pathContains)) &&
				(r.account === undefined || accountKeys.includes(r.account)),
		);
		for (const rule of matched) {
			if (rule.times !== undefined) {
				rule.times -= 1;
				if (rule.times <= 0) this.remove(rule.id);
			}
		}
		return matched;
	}
}
