import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { PendingSessionRecord } from './record';
import type { ResultJson, SessionOutcome } from './outcome';

/** The kinds of result the Smart-ID Trigger emits, as `kind` says in its items. */
export const SAMPLE_KINDS = ['authentication', 'signature', 'certificateChoice', 'asiceSignature'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/**
 * Real results, made once by the simulator and stored next to this file (samples/SOURCES.md says how; the test
 * test/nodes/trigger-samples.test.ts checks they still have the shape of what the trigger emits today).
 */
const SAMPLES_DIR = path.join(__dirname, 'samples');

/** File name, field and type of the sample container, as a Build ASiC-E result carries it. */
const SAMPLE_CONTAINER = { fileName: 'contract.asice', propertyName: 'data', mimeType: 'application/vnd.etsi.asic-e+zip' };

let cache: Record<SampleKind, ResultJson> | undefined;

function samples(): Record<SampleKind, ResultJson> {
	cache ??= JSON.parse(readFileSync(path.join(SAMPLES_DIR, 'trigger-samples.json'), 'utf8')) as Record<SampleKind, ResultJson>;
	return cache;
}

export function isSampleKind(value: unknown): value is SampleKind {
	return typeof value === 'string' && (SAMPLE_KINDS as readonly string[]).includes(value);
}

/**
 * Which kind the trigger would emit for these pending sessions: that of the newest one (a certificate choice with a
 * linked signature ends as a container), or undefined when none waits. Records are unverified here, but their
 * `kind` only picks one of the fixed samples.
 */
export function kindOfPending(records: PendingSessionRecord[]): SampleKind | undefined {
	const newest = [...records].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)))[0];
	if (!newest) return undefined;
	if (newest.kind === 'certificateChoice' && newest.linkedSignature) return 'asiceSignature';
	return isSampleKind(newest.kind) ? newest.kind : undefined;
}

/** A sample result of that kind, marked `sample: true`; the container sample carries a real signed container. */
export function sampleOutcome(kind: SampleKind, tag?: string): SessionOutcome {
	const json: ResultJson = { sample: true, ...structuredClone(samples()[kind]), ...(tag ? { tag } : {}) };
	if (kind !== 'asiceSignature') return { json };
	const data = readFileSync(path.join(SAMPLES_DIR, SAMPLE_CONTAINER.fileName));
	return {
		json: { ...json, containerFileName: SAMPLE_CONTAINER.fileName, containerSize: data.length },
		files: [{ ...SAMPLE_CONTAINER, data }],
	};
}
