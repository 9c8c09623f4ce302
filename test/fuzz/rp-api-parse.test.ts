/**
 * Fuzz: the RP API response parsers in lib/rp-api/parse.ts (`parseSessionStatus`, `parseDeviceLinkSessionInit`,
 * `parseNotificationSessionInit`, `parseNotificationSignatureInit`, `parseCertificateByDocument`) on mutated
 * entries of test/fixtures/smartid-v3/response-shapes.json, on arbitrary JSON values and on raw strings.
 *
 * Properties:
 * - every call returns or throws MalformedResponseError (never a TypeError), within the per-case time limit;
 * - a parsed result holds only the documented fields (unknown input keys are never copied), and parsing the
 *   result again gives the same result (the output is itself a valid response);
 * - an error message and its details never contain a value from the response (a marker string planted in any
 *   field, e.g. sessionSecret, never shows up), only field names;
 * - `__proto__` / `constructor` keys in the body do not reach the result or Object.prototype.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 600 mutation runs, 400 arbitrary-JSON runs, 300 string runs.
 */
import fc from 'fast-check';
import { MalformedResponseError } from '../../lib/rp-api/errors';
import {
	parseCertificateByDocument,
	parseDeviceLinkSessionInit,
	parseNotificationSessionInit,
	parseNotificationSignatureInit,
	parseSessionStatus,
} from '../../lib/rp-api/parse';
import { fuzzParams, fuzzTimeout, typedOutcome, withBoundedHeap } from '../helpers/fuzz-budget';
import { readFixtureJson } from '../helpers/fixtures';

jest.setTimeout(fuzzTimeout(60_000));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Parser = (body: unknown) => unknown;

const PARSERS: Record<string, Parser> = {
	parseSessionStatus,
	parseDeviceLinkSessionInit,
	parseNotificationSessionInit,
	parseNotificationSignatureInit,
	parseCertificateByDocument,
};

// Documented output fields per parser, as nested key sets (`*` = any key inside, for string lists).
const ALLOWED: Record<string, unknown> = {
	parseSessionStatus: {
		state: 1,
		ignoredProperties: '*',
		result: { endResult: 1, documentNumber: 1, details: { interaction: 1 } },
		signatureProtocol: 1,
		signature: {
			value: 1,
			serverRandom: 1,
			userChallenge: 1,
			flowType: 1,
			signatureAlgorithm: 1,
			signatureAlgorithmParameters: { hashAlgorithm: 1, maskGenAlgorithm: { algorithm: 1, parameters: { hashAlgorithm: 1 } }, saltLength: 1, trailerField: 1 },
		},
		cert: { value: 1, certificateLevel: 1 },
		interactionTypeUsed: 1,
		deviceIpAddress: 1,
	},
	parseDeviceLinkSessionInit: { sessionID: 1, sessionToken: 1, sessionSecret: 1, deviceLinkBase: 1 },
	parseNotificationSessionInit: { sessionID: 1, vc: { type: 1, value: 1 } },
	parseNotificationSignatureInit: { sessionID: 1, vc: { type: 1, value: 1 } },
	parseCertificateByDocument: { state: 1, cert: { value: 1, certificateLevel: 1 } },
};

function onlyAllowed(value: unknown, allowed: unknown, path = ''): void {
	if (allowed === '*' || allowed === 1) return;
	expect(typeof value === 'object' && value !== null).toBe(true);
	for (const key of Object.keys(value as object)) {
		if (!(key in (allowed as object))) throw new Error(`result has undocumented field ${path}${key}`);
		onlyAllowed((value as Record<string, unknown>)[key], (allowed as Record<string, unknown>)[key], `${path}${key}.`);
	}
}

// The fixture's examples, each with the parser it belongs to (nested groups unpacked).
const shapes = readFixtureJson<{ examples: Record<string, Json> }>('smartid-v3', 'response-shapes.json').examples;
const SEEDS: Array<{ name: string; parser: string; body: Json }> = [];
for (const [name, value] of Object.entries(shapes)) {
	const v = value as Record<string, Json>;
	const parser = name.startsWith('deviceLinkInit')
		? 'parseDeviceLinkSessionInit'
		: name.startsWith('notificationSignatureInit')
			? 'parseNotificationSignatureInit'
			: /Init/.test(name)
				? 'parseNotificationSessionInit'
				: name.startsWith('certificateByDocument')
					? 'parseCertificateByDocument'
					: 'parseSessionStatus';
	if (v.sessionStatus) SEEDS.push({ name, parser, body: v.sessionStatus });
	else if (!('state' in v) && !('sessionID' in v)) for (const [k, inner] of Object.entries(v)) SEEDS.push({ name: `${name}/${k}`, parser, body: inner });
	else SEEDS.push({ name, parser, body: value });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON mutations aimed at one path of a seed.

const MARKER = 'ZZMARKER7Q';

function paths(v: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
	const out: Array<Array<string | number>> = [prefix];
	if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
	else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
	return out;
}

type Edit =
	| { kind: 'delete' }
	| { kind: 'replace'; value: Json }
	| { kind: 'marker'; style: number }
	| { kind: 'unknownKey'; key: string; value: Json }
	| { kind: 'wrap' };

const jsonArb = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const editArb: fc.Arbitrary<Edit> = fc.oneof(
	fc.constant({ kind: 'delete' as const }),
	fc.record({ kind: fc.constant('replace' as const), value: fc.oneof(jsonArb, fc.constantFrom<Json>('', ' ', 'COMPLETE', 'RUNNING', 'OK', 0, -1, 1.5, 1e308, true, [], {}, null, 'a'.repeat(70_000), '====', 'AA==\n')) }),
	fc.record({ kind: fc.constant('marker' as const), style: fc.nat(3) }),
	fc.record({ kind: fc.constant('unknownKey' as const), key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty')), value: jsonArb }),
	fc.constant({ kind: 'wrap' as const }),
);

function markerValue(style: number): string {
	// A value that fails every format check in different ways, so the marker reaches the error path.
	return [MARKER, `${MARKER} with space`, `https://${MARKER}.example/?q`, `${MARKER}!!`][style];
}

function applyEdit(body: Json, path: Array<string | number>, edit: Edit): Json {
	const copy = JSON.parse(JSON.stringify(body)) as Json;
	if (path.length === 0) {
		if (edit.kind === 'replace') return edit.value;
		if (edit.kind === 'marker') return markerValue(edit.style);
		if (edit.kind === 'wrap') return [copy];
		if (edit.kind === 'unknownKey' && copy && typeof copy === 'object' && !Array.isArray(copy)) {
			Object.defineProperty(copy, edit.key, { value: edit.value, enumerable: true, configurable: true, writable: true });
		}
		return copy;
	}
	let parent = copy as Record<string | number, Json>;
	for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
	const last = path[path.length - 1];
	switch (edit.kind) {
		case 'delete':
			if (Array.isArray(parent)) parent.splice(last as number, 1);
			else delete parent[last];
			break;
		case 'replace':
			parent[last] = edit.value;
			break;
		case 'marker':
			parent[last] = markerValue(edit.style);
			break;
		case 'wrap':
			parent[last] = [parent[last]];
			break;
		case 'unknownKey': {
			const target = parent[last];
			if (target && typeof target === 'object' && !Array.isArray(target)) {
				Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true, configurable: true, writable: true });
			}
			break;
		}
	}
	return copy;
}

function checkCase(parserName: string, body: unknown): void {
	const parse = PARSERS[parserName];
	const outcome = typedOutcome(parserName, [MalformedResponseError], () => parse(body));
	if (outcome.ok) {
		onlyAllowed(outcome.value, ALLOWED[parserName]);
		// The output is a valid response in its own right and parses to itself.
		expect(parse(JSON.parse(JSON.stringify(outcome.value)))).toEqual(outcome.value);
	} else {
		const e = outcome.error as MalformedResponseError;
		expect(e.code).toBe('SMARTID_MALFORMED_RESPONSE');
		expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain(MARKER);
	}
	expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('RP API response parser fuzz', () => {
	it('controls: every fixture example parses with its parser and keeps only documented fields', () => {
		expect(SEEDS.length).toBeGreaterThan(15);
		for (const s of SEEDS) {
			const out = PARSERS[s.parser](s.body);
			onlyAllowed(out, ALLOWED[s.parser]);
		}
		// The marker check can fail: a parser that echoed values would be caught.
		expect(() => parseSessionStatus({ state: MARKER })).toThrow(MalformedResponseError);
		expect(() => parseSessionStatus({ state: MARKER })).not.toThrow(new RegExp(MARKER));
	});

	it('mutated fixture examples: a documented result or MalformedResponseError without values', async () => {
		const seedArb = fc.nat(SEEDS.length - 1).chain((i) => {
			const ps = paths(SEEDS[i].body);
			return fc.tuple(fc.constant(i), fc.array(fc.tuple(fc.nat(ps.length - 1), editArb), { minLength: 1, maxLength: 3 }));
		});
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(seedArb, fc.boolean(), fc.boolean(), ([i, edits], asString, otherParser) => {
					let body = SEEDS[i].body;
					for (const [p, edit] of edits) {
						const ps = paths(body);
						body = applyEdit(body, ps[p % ps.length], edit);
					}
					// Sometimes feed the shape to a parser it does not belong to.
					const parser = otherParser ? Object.keys(PARSERS)[i % 5] : SEEDS[i].parser;
					checkCase(parser, asString ? JSON.stringify(body) : body);
				}),
				fuzzParams(600),
			),
		);
	});

	it('arbitrary JSON values and objects with near-miss fields', async () => {
		const nearMiss = fc.record(
			{
				state: fc.oneof(fc.constantFrom('RUNNING', 'COMPLETE', 'OK'), jsonArb),
				result: fc.oneof(fc.record({ endResult: jsonArb, details: jsonArb, documentNumber: jsonArb }, { requiredKeys: [] }), jsonArb),
				signature: fc.oneof(fc.record({ value: jsonArb, signatureAlgorithmParameters: fc.oneof(jsonArb, fc.record({ saltLength: jsonArb, maskGenAlgorithm: jsonArb })) }, { requiredKeys: [] }), jsonArb),
				cert: fc.oneof(fc.record({ value: fc.oneof(fc.base64String(), jsonArb), certificateLevel: jsonArb }, { requiredKeys: [] }), jsonArb),
				sessionID: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), jsonArb),
				sessionToken: jsonArb,
				sessionSecret: fc.oneof(fc.base64String(), jsonArb),
				deviceLinkBase: fc.oneof(fc.webUrl(), fc.constantFrom('https://x/', 'http://127.0.0.1/', 'http://[::1]:1/', 'javascript:alert(1)', 'https://a/?q', 'https://a/#f'), jsonArb),
				vc: fc.oneof(fc.record({ type: jsonArb, value: fc.oneof(fc.stringMatching(/^[0-9]{3,5}$/), jsonArb) }, { requiredKeys: [] }), jsonArb),
				ignoredProperties: fc.oneof(fc.array(fc.string()), jsonArb),
			},
			{ requiredKeys: [] },
		);
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(fc.oneof(jsonArb, nearMiss as fc.Arbitrary<unknown>), fc.constantFrom(...Object.keys(PARSERS)), (body, parser) => checkCase(parser, body)),
				fuzzParams(400),
			),
		);
	});

	it('raw strings (the body as text): JSON or not, prototype keys included', () => {
		const text = fc.oneof(
			fc.string({ maxLength: 200 }),
			fc.json({ maxDepth: 3 }),
			fc.constantFrom('{"__proto__":{"polluted":1},"state":"RUNNING"}', '{"constructor":{"prototype":{"polluted":1}},"state":"RUNNING"}', '{"state":"COMPLETE","result":{"endResult":"OK","__proto__":{"polluted":1}}}', '[]', 'null', '"x"', '1e999', '{', ''),
		);
		fc.assert(
			fc.property(text, fc.constantFrom(...Object.keys(PARSERS)), (body, parser) => checkCase(parser, body)),
			fuzzParams(300),
		);
	});
});
