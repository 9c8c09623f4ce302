/**
 * Fuzz: session-status parsing followed by validation (`parseSessionStatus` → `validateAuthentication` /
 * `validateSignature`) on mutated real SK demo answers from test/fixtures/smartid-v3 (the vatsake ACSP_V2 PSS
 * authentication and RAW_DIGEST PSS signature), and on mutated request contexts.
 *
 * Properties:
 * - every case ends in a result or a SmartIdError subclass (MalformedResponseError, ValidationError and its ChainError,
 *   SessionEndedError, InvalidRequestError, CertificateParseError), never a TypeError, within the per-case limit;
 * - a mutated answer that still validates has every signed or context-checked field unchanged (signature value,
 *   serverRandom, userChallenge, flowType, interactionTypeUsed, certificate, endResult, documentNumber, protocol);
 * - a context whose signed-payload fields changed (schemeName, relyingPartyName, rpChallenge, interactions, digest,
 *   hash algorithm) never validates.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 150 runs per property.
 */
import fc from 'fast-check';
import { SmartIdError } from '../../lib/errors';
import type { HashAlgorithm } from '../../lib/hash-algorithm';
import { TrustStore } from '../../lib/pki/trust-store';
import { parseSessionStatus } from '../../lib/rp-api/parse';
import type { AuthenticationContext, SessionStatus, SignatureContext } from '../../lib/rp-api/types';
import { validateAuthentication, validateSignature, type ValidationOptions } from '../../lib/validation';
import { fuzzParams, fuzzTimeout, typedOutcome, withBoundedHeap } from '../helpers/fuzz-budget';
import { readFixtureJson } from '../helpers/fixtures';

jest.setTimeout(fuzzTimeout(60_000));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Vector {
	inputs: Record<string, string | null>;
	sessionStatus: Json;
}

const auth = readFixtureJson<Vector>('smartid-v3', 'vatsake-notification-auth-acsp_v2-pss-sha256.json');
const sign = readFixtureJson<Vector>('smartid-v3', 'vatsake-notification-sign-raw_digest-pss-sha512.json');

const options: ValidationOptions = { trust: TrustStore.bundled('demo'), now: new Date('2026-06-01T00:00:00Z') };

function authContext(status: SessionStatus): AuthenticationContext {
	return {
		schemeName: auth.inputs.schemeName!,
		relyingPartyName: auth.inputs.relyingPartyName!,
		rpChallenge: auth.inputs.rpChallenge!,
		interactions: auth.inputs.interactions!,
		requestedCertificateLevel: 'QUALIFIED',
		hashAlgorithm: 'SHA-256',
		allowedFlowTypes: ['Notification'],
		expectedSemanticsIdentifier: 'PNOEE-40504040001',
		expectedDocumentNumber: status.result?.documentNumber,
	};
}
function signContext(status: SessionStatus): SignatureContext {
	return {
		digest: sign.inputs.digestBase64!,
		hashAlgorithm: sign.inputs.hashAlgorithm as HashAlgorithm,
		requestedCertificateLevel: 'QSCD',
		allowedFlowTypes: ['Notification'],
		expectedDocumentNumber: status.result?.documentNumber,
	};
}

const authStatus = parseSessionStatus(auth.sessionStatus);
const signStatus = parseSessionStatus(sign.sessionStatus);

// Fields whose change must make validation fail (signed by the user, or compared with the request).
// RAW_DIGEST answers carry no serverRandom/userChallenge, and interactionTypeUsed is checked only when the context
// holds the interactions sent (the real signature vector has none).
const GUARDED_SIGN = ['signature.value', 'signature.flowType', 'cert.value', 'result.endResult', 'result.documentNumber', 'signatureProtocol', 'state'];
const GUARDED_AUTH = [...GUARDED_SIGN, 'signature.serverRandom', 'signature.userChallenge', 'interactionTypeUsed'];

function get(o: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
}

function paths(v: Json, prefix: string[] = []): string[][] {
	const out: string[][] = [prefix];
	if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
	return out;
}

const valueArb: fc.Arbitrary<Json> = fc.oneof(
	fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
	fc.constantFrom<Json>('', 'OK', 'COMPLETE', 'QR', 'Web2App', 'Notification', 'displayTextAndPIN', 'confirmationMessage', 'rsassa-pss', 'SHA-512', 'SHA3-256', 'id-mgf1', 64, 0, '0xbc', 'AAAA', 'PNOEE-40504040001-DEM0-Q', 'PNOEE-30303039914-MOCK-Q', 'ACSP_V2', 'RAW_DIGEST_SIGNATURE', 'ADVANCED', 'QUALIFIED', 'USER_REFUSED', 'TIMEOUT'),
);

type Edit = { kind: 'delete' } | { kind: 'replace'; value: Json } | { kind: 'charFlip'; at: number };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
	fc.constant({ kind: 'delete' as const }),
	fc.record({ kind: fc.constant('replace' as const), value: valueArb }),
	fc.record({ kind: fc.constant('charFlip' as const), at: fc.nat() }),
);

function applyEdit(body: Json, path: string[], e: Edit): Json {
	const copy = JSON.parse(JSON.stringify(body)) as Json;
	if (path.length === 0) return e.kind === 'replace' ? e.value : copy;
	let parent = copy as Record<string, Json>;
	for (const step of path.slice(0, -1)) parent = parent[step] as Record<string, Json>;
	const last = path[path.length - 1];
	if (e.kind === 'delete') delete parent[last];
	else if (e.kind === 'replace') parent[last] = e.value;
	else {
		const v = parent[last];
		if (typeof v === 'string' && v.length > 0) {
			// Change one character to another from the same alphabet, so format checks may still pass.
			const i = e.at % v.length;
			const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
			const c = alphabet[(alphabet.indexOf(v[i]) + 1 + alphabet.length) % alphabet.length];
			parent[last] = v.slice(0, i) + c + v.slice(i + 1);
		}
	}
	return copy;
}

function mutatedStatus(original: Json): fc.Arbitrary<Json> {
	const ps = paths(original);
	return fc.array(fc.tuple(fc.nat(ps.length - 1), editArb), { minLength: 1, maxLength: 3 }).map((edits) =>
		edits.reduce<Json>((body, [p, e]) => {
			const now = paths(body);
			return applyEdit(body, now[p % now.length], e);
		}, original),
	);
}

function checkStatusCase(original: SessionStatus, body: Json, guarded: string[], validate: (s: SessionStatus) => unknown): void {
	const out = typedOutcome('parse+validate', [SmartIdError], () => validate(parseSessionStatus(body)));
	if (out.ok) for (const f of guarded) expect(get(body, f)).toEqual(get(original, f));
}

describe('session status → validation fuzz', () => {
	it('controls: both real answers validate, and a flipped signature character is refused', () => {
		expect(validateAuthentication(authStatus, authContext(authStatus), options).identity.semanticsIdentifier).toBe('PNOEE-40504040001');
		expect(validateSignature(signStatus, signContext(signStatus), options).signatureScheme).toBe('RSASSA-PSS');
		const broken = applyEdit(auth.sessionStatus, ['signature', 'serverRandom'], { kind: 'charFlip', at: 3 });
		expect(() => validateAuthentication(parseSessionStatus(broken), authContext(authStatus), options)).toThrow(SmartIdError);
	});

	it('ACSP_V2: mutated answers give a typed error, or pass with every guarded field unchanged', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(mutatedStatus(auth.sessionStatus), (body) => checkStatusCase(authStatus, body, GUARDED_AUTH, (s) => validateAuthentication(s, authContext(authStatus), options))),
				fuzzParams(150),
			),
		);
	});

	it('RAW_DIGEST: mutated answers give a typed error, or pass with every guarded field unchanged', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(mutatedStatus(sign.sessionStatus), (body) => checkStatusCase(signStatus, body, GUARDED_SIGN, (s) => validateSignature(s, signContext(signStatus), options))),
				fuzzParams(150),
			),
		);
	});

	it('mutated request contexts: typed errors, and a changed signed-payload field never validates', () => {
		// Fields that enter the signed payload (ACSP_V2) or are compared with the answer (RAW_DIGEST: digest, hash).
		// initialCallbackUrl enters the payload only for Web2App/App2App answers; these real answers are Notification.
		const authFields = ['schemeName', 'relyingPartyName', 'rpChallenge', 'interactions', 'brokeredRpName', 'hashAlgorithm'];
		const signFields = ['digest', 'hashAlgorithm'];
		const kindAndField = fc.boolean().chain((isAuth) => fc.tuple(fc.constant(isAuth), fc.constantFrom(...(isAuth ? authFields : signFields))));
		const text = fc.oneof(fc.string({ maxLength: 12 }), fc.base64String({ maxLength: 90 }), fc.constantFrom('', 'https://rp.example/cb', 'SHA-512', 'SHA3-256', 'MD5'));
		fc.assert(
			fc.property(kindAndField, text, fc.option(fc.nat(), { nil: undefined }), ([isAuth, name], value, flipAt) => {
				const base = isAuth ? (authContext(authStatus) as unknown as Record<string, unknown>) : (signContext(signStatus) as unknown as Record<string, unknown>);
				const original = base[name];
				let next: unknown = value;
				if (flipAt !== undefined && typeof original === 'string' && original.length > 0) {
					const i = flipAt % original.length;
					next = original.slice(0, i) + (original[i] === 'A' ? 'B' : 'A') + original.slice(i + 1);
				}
				const ctx = { ...base, [name]: next };
				const out = typedOutcome('validate(context)', [SmartIdError], () =>
					isAuth ? validateAuthentication(authStatus, ctx as unknown as AuthenticationContext, options) : validateSignature(signStatus, ctx as unknown as SignatureContext, options),
				);
				const unchanged = next === original || ((next === '' || next === undefined) && original === undefined);
				if (out.ok) expect(unchanged).toBe(true);
			}),
			fuzzParams(150),
		);
	});
});
