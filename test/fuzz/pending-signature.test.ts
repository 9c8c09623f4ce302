/**
 * Fuzz: a stored pending ASiC-E signature state (what "Start and continue" keeps between prepare and finalize) read
 * back as untrusted input: `parsePendingSignature` and `finalizeSignature` on mutated JSON of a real prepared state,
 * and on arbitrary JSON. LT services are stubs that fail the test if reached: a tampered state must be refused
 * before anything is signed, timestamped or written.
 *
 * Properties:
 * - every call returns or throws a SmartIdError (AsiceBuildError), never a TypeError, within the per-case limit;
 * - a state whose signed content changed is refused with ASICE_BUILD_PENDING_INVALID / _INVALID_INPUT /
 *   _SIGNATURE_INVALID, and the services are never called for it.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 200 mutation runs, 200 arbitrary-JSON runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { finalizeSignature, parsePendingSignature, prepareSignature, type PendingSignature } from '../../lib/asice/sign';
import { SmartIdError } from '../../lib/errors';
import { nodeHashName } from '../../lib/hash-algorithm';
import { signDigest, testPki, type TestPki } from '../asice/sign/helpers/test-pki';
import { fuzzParams, fuzzTimeout, typedOutcome, typedOutcomeAsync, withBoundedHeap } from '../helpers/fuzz-budget';

jest.setTimeout(fuzzTimeout(60_000));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

let pki: TestPki;
let dir: string;
let pending: PendingSignature;
let signatureValue: string;
let servicesCalled = 0;
const services = {
	async timestamp(): Promise<Buffer> {
		servicesCalled++;
		throw new Error('stub TSA: not reachable in this test');
	},
	async ocsp(): Promise<Buffer> {
		servicesCalled++;
		throw new Error('stub OCSP: not reachable in this test');
	},
};

beforeAll(async () => {
	pki = testPki();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-pending-'));
	const prepared = await prepareSignature({ files: [{ name: 'a.txt', data: 'fuzz' }, { name: 'b.bin', data: Buffer.alloc(10, 1) }], signerCertificate: pki.signerPem, workFile: path.join(dir, 'work.partial') });
	pending = prepared.pending;
	signatureValue = signDigest(pki.signerKeyPem, Buffer.from(prepared.digestToSign, 'base64'), nodeHashName(prepared.hashAlgorithm), prepared.signatureScheme).toString('base64');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function paths(v: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
	const out: Array<Array<string | number>> = [prefix];
	if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
	else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
	return out;
}

type Edit = { kind: 'delete' } | { kind: 'replace'; value: Json };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
	fc.constant({ kind: 'delete' as const }),
	fc.record({ kind: fc.constant('replace' as const), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, fc.constantFrom<Json>('', 0, -1, 1e12, null, [], {}, 'SHA-512', 'rsassa-pkcs1-v1_5', '../x', 'META-INF/signatures9.xml', '0123456789abcdef0123456789abcdef')) }),
);

function applyEdit(body: Json, p: Array<string | number>, e: Edit): Json {
	const copy = JSON.parse(JSON.stringify(body)) as Json;
	if (p.length === 0) return e.kind === 'replace' ? e.value : copy;
	let parent = copy as Record<string | number, Json>;
	for (const step of p.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
	const last = p[p.length - 1];
	if (e.kind === 'delete') {
		if (Array.isArray(parent)) parent.splice(last as number, 1);
		else delete parent[last];
	} else parent[last] = e.value;
	return copy;
}

function signedView(parameters: Json | undefined): string {
	return JSON.stringify(parameters, (key, value: unknown) => (key === 'name' ? undefined : value));
}

describe('pending signature state fuzz', () => {
	it('control: the untouched state gets past every check up to the (stub) TSA', async () => {
		const before = servicesCalled;
		await expect(finalizeSignature(JSON.stringify(pending), signatureValue, { services, issuer: pki.caPem, out: path.join(dir, 'out.asice') })).rejects.toMatchObject({ code: 'ASICE_BUILD_TIMESTAMP_FAILED' });
		expect(servicesCalled).toBe(before + 1);
	});

	// Regression (found by this fuzz): parsePendingSignature used to check only the top level of the state, so a broken
	// nested field (e.g. parameters.files[0] = "") reached SignedInfo rebuilding and threw a bare TypeError from
	// escapeText. The whole shape is now checked up front and the error names the field.
	it('regression: a nested field of the stored state broken → AsiceBuildError, not TypeError', async () => {
		const broken = JSON.parse(JSON.stringify(pending)) as { parameters: { files: unknown[] } };
		broken.parameters.files[0] = '';
		const before = servicesCalled;
		const attempt = finalizeSignature(broken as unknown as PendingSignature, signatureValue, { services, issuer: pki.caPem, out: path.join(dir, 'out.asice') });
		await expect(attempt).rejects.toBeInstanceOf(SmartIdError);
		await expect(attempt).rejects.toMatchObject({ code: 'ASICE_BUILD_PENDING_INVALID', message: expect.stringContaining('parameters.files[0]') });
		expect(servicesCalled).toBe(before);
	});

	it('mutated stored state: AsiceBuildError before any service call, unless nothing signed changed', async () => {
		const original = JSON.parse(JSON.stringify(pending)) as Json;
		const ps = paths(original);
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(fc.array(fc.tuple(fc.nat(ps.length - 1), editArb), { minLength: 1, maxLength: 2 }), fc.boolean(), async (edits, asText) => {
					const body = edits.reduce<Json>((b, [i, e]) => {
						const now = paths(b);
						return applyEdit(b, now[i % now.length], e);
					}, original);
					const before = servicesCalled;
					const out = await typedOutcomeAsync('finalizeSignature(mutated)', [SmartIdError], () =>
						finalizeSignature((asText ? JSON.stringify(body) : body) as unknown as PendingSignature, signatureValue, { services, issuer: pki.caPem, out: path.join(dir, 'out.asice') }),
					);
					expect(out.ok).toBe(false);
					if (servicesCalled > before) {
						// Reaching the TSA is only fine when the signed parameters are intact (files[].name is not signed:
						// the Reference URI and the digest are).
						expect(signedView((body as { parameters?: Json }).parameters)).toBe(signedView((original as { parameters: Json }).parameters));
					}
				}),
				fuzzParams(200),
			),
		);
	});

	it('arbitrary JSON and text as the state: AsiceBuildError', () => {
		fc.assert(
			fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 50 })), (value) => {
				typedOutcome('parsePendingSignature', [SmartIdError], () => parsePendingSignature(value));
			}),
			fuzzParams(200),
		);
	});
});
