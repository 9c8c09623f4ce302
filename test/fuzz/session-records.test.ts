/**
 * Fuzz: stored pending-session state read back as untrusted input: `assertSessionId`, `checkRecord`, and
 * `FileSessionStore.get` on corrupted record files (random bytes, mutated JSON of a real record).
 *
 * Properties:
 * - every call returns or throws a SmartIdError (InvalidRequestError / SMARTID_SESSION_STORE_CORRUPT), within the
 *   per-case limit;
 * - an accepted session id can never name a path outside the store folder (no "/", "\", "..", NUL; the joined path
 *   stays inside);
 * - a corrupted record file is reported as SMARTID_SESSION_STORE_CORRUPT (naming the file, not its content), never
 *   silently returned when it fails checkRecord;
 * - a sealed PendingSession with any field changed, added or removed (at any depth) fails its MAC
 *   (SMARTID_SESSION_RECORD_UNAUTHENTIC); the same edit sealed again with the right key is parsed or refused with
 *   SMARTID_SESSION_RECORD_INVALID naming a field, and what it accepts still belongs to this credential (key, RP
 *   name, scheme), its secrets to this session, and a kept answer only to an ASiC-E signature.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 400 id runs, 300 record runs, 60 file-store runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { SmartIdError } from '../../lib/errors';
import { FileSessionStore } from '../../lib/sessions/file-store';
import { assertSessionId, checkRecord, type PendingSessionRecord } from '../../lib/sessions/record';
import {
	deriveRecordKey,
	openPendingSession,
	PENDING_SESSION_FORMAT,
	sealPendingSession,
	type PendingSession,
} from '../../lib/sessions';
import { authenticationFixture, FIXTURE_EXPECTATION } from '../sessions/sealed';
import { fuzzParams, fuzzTimeout, typedOutcome, typedOutcomeAsync, withBoundedHeap } from '../helpers/fuzz-budget';

jest.setTimeout(fuzzTimeout(60_000));

const GOOD: PendingSessionRecord = {
	sessionId: '0b1c2d3e-0000-4000-8000-000000000001',
	kind: 'authentication',
	credentialKey: 'cred-1',
	tag: 'fuzz',
	createdAt: '2026-11-22T05:00:00.000Z',
	expiresAt: '2026-11-22T05:05:00.000Z',
	context: { rpChallenge: 'AAAA' },
} as unknown as PendingSessionRecord;

let dir: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-sessions-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pending-session record fuzz', () => {
	it('controls: the good record passes and round-trips through the file store', async () => {
		expect(checkRecord(GOOD)).toBe(GOOD);
		const store = new FileSessionStore({ folder: path.join(dir, 'control') });
		await store.put(GOOD);
		expect(await store.get(GOOD.sessionId)).toEqual(GOOD);
	});

	it('session ids: accepted ones stay inside the store folder', () => {
		const idChar = fc.constantFrom('a', 'Z', '0', '.', '_', ':', '-', '/', '\\', '\u0000', ' ', '%', '~', 'é', '\n');
		const idArb = fc.oneof(fc.array(idChar, { maxLength: 20 }).map((a) => a.join('')), fc.string({ maxLength: 140 }), fc.constantFrom('..', 'a..b', '.hidden', 'a/../b', 'C:', 'con', 'a'.repeat(128), 'a'.repeat(129)));
		fc.assert(
			fc.property(fc.oneof(idArb, fc.anything({ maxDepth: 1 }) as fc.Arbitrary<unknown>), (id) => {
				const out = typedOutcome('assertSessionId', [SmartIdError], () => assertSessionId(id));
				if (out.ok) {
					const s = id as string;
					expect(s.includes('/') || s.includes('\\') || s.includes('\u0000') || s.includes('..')).toBe(false);
					const root = path.resolve(dir, 'records');
					expect(path.resolve(root, `${s}.json`).startsWith(root + path.sep)).toBe(true);
				}
			}),
			fuzzParams(400),
		);
	});

	it('checkRecord on arbitrary and mutated records: the record back or InvalidRequestError', async () => {
		const field = fc.constantFrom('sessionId', 'kind', 'credentialKey', 'tag', 'createdAt', 'expiresAt', 'context');
		const mutated = fc.tuple(fc.array(fc.tuple(field, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constantFrom('', 'signature', 'not a date', '2026-13-45', '../x'))), { minLength: 1, maxLength: 3 })).map(([edits]) => {
			const r: Record<string, unknown> = { ...GOOD };
			for (const [k, v] of edits) r[k] = v;
			return r;
		});
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(fc.oneof(mutated, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>), (record) => {
					typedOutcome('checkRecord', [SmartIdError], () => checkRecord(record as PendingSessionRecord));
				}),
				fuzzParams(300),
			),
		);
	});

	it('FileSessionStore.get on corrupted record files: a checked record or SMARTID_SESSION_STORE_CORRUPT', async () => {
		const folder = path.join(dir, 'store');
		const store = new FileSessionStore({ folder });
		await store.put(GOOD);
		const file = path.join(folder, 'records', `${GOOD.sessionId}.json`);
		const good = fs.readFileSync(file);
		const contentArb = fc.oneof(
			fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
			fc.tuple(fc.nat(), fc.nat(20), fc.constantFrom('', '"', '{', '}', 'null', ',"kind":"x"', '\u0000', '\uFEFF')).map(([at, del, ins]) => {
				const t = good.toString('utf8');
				const p = at % (t.length + 1);
				return Buffer.from(t.slice(0, p) + ins + t.slice(p + del), 'utf8');
			}),
			fc.constantFrom(Buffer.alloc(0), Buffer.from('[]'), Buffer.from('{}'), Buffer.from('"x"')),
		);
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(contentArb, async (content) => {
					fs.writeFileSync(file, content);
					const out = await typedOutcomeAsync('FileSessionStore.get', [SmartIdError], () => store.get(GOOD.sessionId));
					if (out.ok) {
						expect(out.value).toBeDefined();
						expect(() => checkRecord(out.value!)).not.toThrow();
					} else {
						expect((out.error as SmartIdError).code).toBe('SMARTID_SESSION_STORE_CORRUPT');
						const head = content.toString('utf8').slice(0, 40);
						if (head.length >= 12) expect(out.error.message).not.toContain(head);
					}
				}),
				fuzzParams(60),
			),
		);
	});

	it('sealed PendingSession: every edit fails the MAC; resealed edits are parsed strictly or refused naming a field', async () => {
		const expect_ = FIXTURE_EXPECTATION;
		const key = deriveRecordKey('fuzz key', 'cred-1');
		const session = authenticationFixture();
		const sealedRecord = sealPendingSession(session, key) as unknown as Record<string, unknown>;
		expect(openPendingSession(sealedRecord, key, expect_)).toEqual(session);

		/** Every path to a value in the record (objects and arrays, any depth), mac excluded. */
		const paths: string[][] = [];
		const walk = (value: unknown, at: string[]) => {
			if (at.length && at[0] !== 'mac') paths.push(at);
			if (value && typeof value === 'object') for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], [...at, k]);
		};
		walk(sealedRecord, []);
		const edit = fc.record({
			path: fc.constantFrom(...paths),
			value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constantFrom('', 'signature', 'Evil RP', 'smart-id', 'cred-2', 'QSCD', 'Web2App', 'x'.repeat(300))),
			extra: fc.option(fc.tuple(fc.constantFrom('keptStatus', 'then', 'meta', 'linkedSignature', 'container'), fc.jsonValue({ maxDepth: 2 }))),
		});
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(edit, ({ path: at, value, extra }) => {
					const record = JSON.parse(JSON.stringify(sealedRecord)) as Record<string, unknown>;
					let node = record as Record<string, unknown>;
					for (const k of at.slice(0, -1)) node = node[k] as Record<string, unknown>;
					const last = at[at.length - 1];
					const before = JSON.stringify(record);
					if (value === undefined) delete node[last];
					else node[last] = value;
					if (extra) record[extra[0]] = extra[1];
					const changed = JSON.stringify(record) !== before;
					const forged = typedOutcome('openPendingSession', [SmartIdError], () => openPendingSession(record, key, expect_));
					if (changed) {
						expect(forged.ok).toBe(false);
						if (!forged.ok) expect((forged.error as SmartIdError).code).toBe('SMARTID_SESSION_RECORD_UNAUTHENTIC');
					}
					// The same edit written by someone holding the key: the parser is the last line.
					const resealed = sealPendingSession(record as unknown as PendingSession, key) as unknown as Record<string, unknown>;
					const out = typedOutcome('openPendingSession', [SmartIdError], () => openPendingSession(resealed, key, expect_));
					if (out.ok) {
						const s = out.value;
						expect([s.credentialKey, s.format]).toEqual(['cred-1', PENDING_SESSION_FORMAT]);
						if (s.kind === 'authentication') expect([s.context.relyingPartyName, s.context.schemeName]).toEqual(['DEMO', 'smart-id-demo']);
						if (s.secrets) expect([s.secrets.sessionID, s.secrets.relyingPartyName, s.secrets.schemeName]).toEqual([s.sessionId, 'DEMO', 'smart-id-demo']);
						if (s.kind !== 'asiceSignature') expect(s).not.toHaveProperty('keptStatus');
					} else {
						expect((out.error as SmartIdError).code).toBe('SMARTID_SESSION_RECORD_INVALID');
						expect((out.error as SmartIdError).details.field).toEqual(expect.any(String));
					}
				}),
				fuzzParams(300),
			),
		);
	});
});
