/**
 * Shared budget and guards for the fuzz suites in test/fuzz.
 *
 * Environment:
 * - FUZZ_SEED     fast-check seed (default 20261122); fast-check prints the seed and path of a failing case.
 * - FUZZ_RUNS     runs per property (default: each property's CI-sized count).
 * - FUZZ_TIME_MS  time budget per property in ms; with it, a property runs until the budget is spent (up to
 *                 FUZZ_RUNS or 1,000,000 runs) instead of a fixed count. Example local soak:
 *                 `FUZZ_TIME_MS=60000 npx jest test/fuzz`.
 */
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Parameters } from 'fast-check';

/** Seed of every property (reproducible by default). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261122);

/** Longest one case may take, in ms, before it counts as a hang. */
export const CASE_LIMIT_MS = Number(process.env.FUZZ_CASE_LIMIT_MS ?? 2000);

/** Most the heap may grow (after a forced GC) across one property run, in bytes. */
export const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

const timeBudget = process.env.FUZZ_TIME_MS ? Number(process.env.FUZZ_TIME_MS) : undefined;

/** fast-check parameters: fixed seed, CI-sized `ciRuns` unless FUZZ_RUNS / FUZZ_TIME_MS ask for more. */
export function fuzzParams<T>(ciRuns: number): Parameters<T> {
	const runs = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
	if (timeBudget !== undefined) {
		return { seed: FUZZ_SEED, numRuns: runs ?? 1_000_000, interruptAfterTimeLimit: timeBudget, markInterruptAsFailure: false };
	}
	return { seed: FUZZ_SEED, numRuns: runs ?? ciRuns };
}

/** Jest timeout for a property of `ciRuns` runs: generous in CI, the time budget plus slack in local mode. */
export function fuzzTimeout(ciMs: number): number {
	if (timeBudget !== undefined || process.env.FUZZ_RUNS) return (timeBudget ?? 0) + 30 * 60_000;
	return ciMs;
}

let gcFn: (() => void) | undefined;
function gc(): void {
	if (!gcFn) {
		// Jest does not start Node with --expose-gc; turning the flag on at run time and taking `gc` from a fresh context works.
		v8.setFlagsFromString('--expose_gc');
		gcFn = runInNewContext('gc') as () => void;
	}
	gcFn();
}

/** Heap in use after a full GC. */
export function settledHeap(): number {
	gc();
	return process.memoryUsage().heapUsed;
}

/** Run `body`, then assert the heap (after GC) grew by less than {@link HEAP_GROWTH_LIMIT}. */
export async function withBoundedHeap(body: () => void | Promise<void>): Promise<void> {
	const before = settledHeap();
	await body();
	const growth = settledHeap() - before;
	if (growth > HEAP_GROWTH_LIMIT) {
		throw new Error(`Heap grew by ${Math.round(growth / 1048576)} MiB over the fuzz run (limit ${HEAP_GROWTH_LIMIT / 1048576} MiB): something retains memory.`);
	}
}

/** An error class the code under test is allowed to throw. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

function check(error: unknown, allowed: ErrorClass[], label: string): void {
	if (!allowed.some((c) => error instanceof c)) {
		const what = error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
		throw new Error(`${label}: untyped error (expected ${allowed.map((c) => c.name).join(' | ')}), got ${what}`);
	}
}

function checkTime(ms: number, label: string): void {
	if (ms > CASE_LIMIT_MS) throw new Error(`${label}: one case took ${Math.round(ms)} ms (limit ${CASE_LIMIT_MS} ms).`);
}

/**
 * Run one case: it must return or throw one of `allowed`, within {@link CASE_LIMIT_MS}.
 * Returns the value, or the typed error it threw.
 */
export function typedOutcome<T>(label: string, allowed: ErrorClass[], fn: () => T): { ok: true; value: T } | { ok: false; error: Error } {
	const start = performance.now();
	let outcome: { ok: true; value: T } | { ok: false; error: Error };
	try {
		outcome = { ok: true, value: fn() };
	} catch (error) {
		check(error, allowed, label);
		outcome = { ok: false, error: error as Error };
	}
	checkTime(performance.now() - start, label);
	return outcome;
}

/** Async form of {@link typedOutcome}. */
export async function typedOutcomeAsync<T>(label: string, allowed: ErrorClass[], fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
	const start = performance.now();
	let outcome: { ok: true; value: T } | { ok: false; error: Error };
	try {
		outcome = { ok: true, value: await fn() };
	} catch (error) {
		check(error, allowed, label);
		outcome = { ok: false, error: error as Error };
	}
	checkTime(performance.now() - start, label);
	return outcome;
}
