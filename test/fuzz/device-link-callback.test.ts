/**
 * Fuzz: device links, same-device callbacks and identifiers on arbitrary strings and URLs:
 * `createDeviceLink` / `unprotectedDeviceLink` (secrets as parsed from init responses, and corrupted stored
 * secrets), `callbackUrlWithToken` / `validateInitialCallbackUrl`, `verifySameDeviceCallback`,
 * `parseSemanticsIdentifier` / `parseDocumentNumber` / `validatePersonalCode`, `validateBaseUrl`.
 *
 * Properties:
 * - every call returns or throws a SmartIdError subclass (InvalidRequestError, CallbackMismatchError, ...), never a
 *   TypeError, within the per-case time limit;
 * - a device link for a parsed init response is a URL whose query is exactly the spec §4.2 parameters in order,
 *   carries the authCode recomputed from the payload, and never contains the sessionSecret;
 * - a callback URL built with the token and then extended as the app does (sessionSecretDigest,
 *   userChallengeVerifier) passes; the same URL with any parameter changed, dropped or repeated is refused with
 *   CallbackMismatchError; no error message contains the token or the secret;
 * - accepted identifiers round-trip (parse(value).value == value; document number parts rebuild it).
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 300 runs per property.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SmartIdError } from '../../lib/errors';
import { authCodePayload } from '../../lib/flows/auth-code';
import { sessionSecretDigest } from '../../lib/flows/callback-digests';
import { createDeviceLink, deviceLinkSecretsOf, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { callbackUrlWithToken, CallbackMismatchError, newCallbackToken, verifySameDeviceCallback } from '../../lib/flows/same-device-callback';
import { validateBaseUrl } from '../../lib/rp-api/base-url';
import { validateInitialCallbackUrl } from '../../lib/rp-api/callback-url';
import { parseDocumentNumber, parseSemanticsIdentifier, validatePersonalCode } from '../../lib/rp-api/identifiers';
import { parseDeviceLinkSessionInit } from '../../lib/rp-api/parse';
import type { DeviceLinkType } from '../../lib/rp-api/types';
import { fuzzParams, fuzzTimeout, typedOutcome, withBoundedHeap } from '../helpers/fuzz-budget';

jest.setTimeout(fuzzTimeout(60_000));

const TYPED = [SmartIdError];
const LINK_TYPES: DeviceLinkType[] = ['QR', 'Web2App', 'App2App'];

// Strings that stress URL handling: reserved and percent characters, unicode, white space, control characters.
const urlishChar = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', '/', '?', '#', '&', '=', '%', '%2', '%7C', '|', '+', ' ', '\t', '\n', ':', '@', '[', ']', 'ä', '😀', '\u0000', '\\', '"', "'", '<');
const urlish = (max: number): fc.Arbitrary<string> => fc.array(urlishChar, { maxLength: max }).map((a) => a.join(''));
const httpsUrl = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.tuple(fc.constantFrom('https://rp.example', 'https://rp.example:8443', 'https://[::1]', 'http://rp.example', 'https://'), urlish(30)).map(([a, b]) => a + b), urlish(40));

// A device-link init response as the parser accepts it (base64 secret, URL-safe token, https base).
const initArb = fc
	.record({
		sessionID: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
		sessionToken: fc.stringMatching(/^[A-Za-z0-9_\-+/=.~]{1,60}$/),
		sessionSecret: fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Buffer.from(b).toString('base64')),
		deviceLinkBase: fc.oneof(fc.constantFrom('https://smart-id.com/device-link/', 'https://sid.demo.sk.ee/device-link', 'http://127.0.0.1:8080/dl/'), fc.webUrl()),
	})
	.filter((body) => {
		try {
			parseDeviceLinkSessionInit(body);
			return true;
		} catch {
			return false;
		}
	});

const paramsArb = fc.record({
	sessionType: fc.constantFrom('auth' as const, 'sign' as const, 'cert' as const),
	schemeName: fc.constantFrom('smart-id', 'smart-id-demo', 'x|y'),
	relyingPartyName: fc.string({ minLength: 1, maxLength: 20 }),
	brokeredRpName: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
	signatureProtocol: fc.constantFrom('' as const, 'ACSP_V2' as const, 'RAW_DIGEST_SIGNATURE' as const),
	digestOrRpChallenge: fc.base64String({ maxLength: 88 }),
	interactions: fc.base64String({ maxLength: 40 }),
	initialCallbackUrl: fc.option(fc.constantFrom('https://rp.example/cb', 'https://rp.example/cb?x=1&value=abcdefghijklmnopqrstuv'), { nil: undefined }),
	deviceLinkTypes: fc.subarray(LINK_TYPES, { minLength: 1 }),
});

function errorText(e: Error): string {
	return `${e.message} ${JSON.stringify((e as SmartIdError).details ?? {})}`;
}

describe('device link, callback and identifier fuzz', () => {
	it('createDeviceLink for parsed init responses: spec parameters in order, authCode over the payload, no secret', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(initArb, paramsArb, fc.constantFrom(...LINK_TYPES), fc.option(fc.string({ maxLength: 4 }), { nil: undefined }), fc.integer({ min: 0, max: 10_000_000 }), (body, params, type, lang, dt) => {
					const init = parseDeviceLinkSessionInit(body);
					const secrets = deviceLinkSecretsOf(init, 1_700_000_000_000, params);
					const out = typedOutcome('createDeviceLink', TYPED, () => createDeviceLink(secrets, { deviceLinkType: type, lang, now: 1_700_000_000_000 + dt }));
					if (!out.ok) {
						expect(errorText(out.error)).not.toContain(init.sessionSecret);
						return;
					}
					const link = out.value;
					expect(link).not.toContain(init.sessionSecret);
					expect(link.startsWith(`${init.deviceLinkBase}?deviceLinkType=${type}&`)).toBe(true);
					const query = link.slice(init.deviceLinkBase.length + 1);
					const keys = query.split('&').map((kv) => kv.split('=')[0]);
					expect(keys).toEqual(['deviceLinkType', ...(type === 'QR' ? ['elapsedSeconds'] : []), 'sessionToken', 'sessionType', 'version', 'lang', 'authCode']);
					if (type === 'QR') expect(query).toContain(`elapsedSeconds=${Math.floor(dt / 1000)}&`);
					// The authCode is HMAC-SHA256(sessionSecret) over the payload whose last field is the link without it.
					const unprotected = link.slice(0, link.lastIndexOf('&authCode='));
					const sameDevice = type !== 'QR';
					const payload = authCodePayload({ ...secrets, initialCallbackUrl: sameDevice ? (secrets.initialCallbackUrl ?? '') : '', unprotectedDeviceLink: unprotected });
					const expected = createHmac('sha256', Buffer.from(init.sessionSecret, 'base64')).update(payload, 'utf8').digest('base64url');
					expect(link.endsWith(`&authCode=${expected}`)).toBe(true);
					expect(() => new URL(link)).not.toThrow();
				}),
				fuzzParams(300),
			),
		);
	});

	it('createDeviceLink with corrupted stored secrets (any strings): a link or a typed error', async () => {
		const stored = fc.record({
			sessionID: fc.string({ maxLength: 10 }),
			sessionToken: urlish(20),
			sessionSecret: fc.oneof(fc.base64String({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.constantFrom('', '====', 'AA=A', '\u0000')),
			deviceLinkBase: httpsUrl,
			receivedAt: fc.oneof(fc.integer(), fc.double()),
			sessionType: fc.constantFrom('auth', 'sign', 'cert', 'x') as fc.Arbitrary<DeviceLinkSecrets['sessionType']>,
			schemeName: fc.string({ maxLength: 10 }),
			relyingPartyName: fc.string({ maxLength: 10 }),
			signatureProtocol: fc.constantFrom('', 'ACSP_V2', 'RAW_DIGEST_SIGNATURE') as fc.Arbitrary<DeviceLinkSecrets['signatureProtocol']>,
			digestOrRpChallenge: fc.string({ maxLength: 10 }),
			interactions: fc.string({ maxLength: 10 }),
			initialCallbackUrl: fc.option(httpsUrl, { nil: undefined }),
			deviceLinkTypes: fc.subarray(LINK_TYPES),
		});
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(stored, fc.constantFrom(...LINK_TYPES), fc.option(urlish(5), { nil: undefined }), (secrets, type, lang) => {
					const out = typedOutcome('createDeviceLink(stored)', TYPED, () => createDeviceLink(secrets, { deviceLinkType: type, lang, now: 1_700_000_000_000 }));
					if (!out.ok && secrets.sessionSecret.length >= 4) expect(errorText(out.error)).not.toContain(secrets.sessionSecret);
				}),
				fuzzParams(300),
			),
		);
	});

	it('callback URLs: the app-extended URL passes; any change, drop or repeat is refused; nothing secret in errors', async () => {
		const edit = fc.oneof(
			fc.record({ kind: fc.constant('drop' as const), name: fc.constantFrom('value', 'sessionSecretDigest', 'userChallengeVerifier') }),
			fc.record({ kind: fc.constant('repeat' as const), name: fc.constantFrom('value', 'sessionSecretDigest', 'userChallengeVerifier') }),
			fc.record({ kind: fc.constant('change' as const), name: fc.constantFrom('value', 'sessionSecretDigest'), at: fc.nat(), ch: fc.constantFrom('A', 'b', '-', '_', '%41', '+', ' ', '') }),
		);
		const caseArb = fc.record({
			base: fc.oneof(fc.constantFrom('https://rp.example/cb', 'https://rp.example/cb?', 'https://rp.example/cb?a=1&', 'https://rp.example/p/a%20b?x=%7C&y'), fc.webUrl({ withQueryParameters: true })),
			secret: fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Buffer.from(b).toString('base64')),
			sessionType: fc.constantFrom('auth' as const, 'sign' as const, 'cert' as const),
			verifier: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
			edit: fc.option(edit, { nil: undefined }),
			form: fc.constantFrom('string', 'URL', 'params', 'record'),
		});
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(caseArb, ({ base, secret, sessionType, verifier, edit: e, form }) => {
					const token = newCallbackToken();
					const withToken = typedOutcome('callbackUrlWithToken', TYPED, () => callbackUrlWithToken(base, token));
					if (!withToken.ok) return;
					const url = new URL(withToken.value);
					expect(url.searchParams.getAll('value')).toEqual([token]);
					expect(validateInitialCallbackUrl(withToken.value)).toBe(withToken.value);
					// The app appends its parameters to the end of the URL.
					let full = `${withToken.value}&sessionSecretDigest=${sessionSecretDigest(secret)}${sessionType === 'auth' ? `&userChallengeVerifier=${verifier}` : ''}`;
					const preexisting = ['sessionSecretDigest', 'userChallengeVerifier'].some((n) => url.searchParams.has(n));
					let tampered = false;
					if (e) {
						const u = new URL(full);
						const values = u.searchParams.getAll(e.name);
						if (e.kind === 'drop' && values.length > 0) {
							u.searchParams.delete(e.name);
							tampered = e.name !== 'userChallengeVerifier' || sessionType === 'auth';
						} else if (e.kind === 'repeat' && values.length > 0) {
							u.searchParams.append(e.name, values[0]);
							tampered = true;
						} else if (e.kind === 'change' && values.length === 1) {
							const v = values[0];
							const p = e.at % (v.length + 1);
							const changed = v.slice(0, p) + e.ch + v.slice(p + (e.ch === '' ? 1 : 0));
							u.searchParams.set(e.name, changed);
							tampered = changed !== v;
						}
						full = u.toString();
					}
					const input = form === 'string' ? full : form === 'URL' ? new URL(full) : form === 'params' ? new URL(full).searchParams : Object.fromEntries([...new Set(new URL(full).searchParams.keys())].map((k) => [k, new URL(full).searchParams.getAll(k)]));
					const out = typedOutcome('verifySameDeviceCallback', [CallbackMismatchError], () => verifySameDeviceCallback(input, { token, sessionSecret: secret, sessionType }));
					if (tampered || preexisting) {
						expect(out.ok).toBe(false);
					} else {
						expect(out).toEqual({ ok: true, value: sessionType === 'auth' ? { userChallengeVerifier: verifier } : {} });
					}
					if (!out.ok) for (const s of [token, secret, sessionSecretDigest(secret)]) expect(errorText(out.error)).not.toContain(s);
				}),
				fuzzParams(300),
			),
		);
	});

	it('arbitrary callback inputs and initial callback URLs: typed results only', () => {
		const record = fc.dictionary(fc.constantFrom('value', 'sessionSecretDigest', 'userChallengeVerifier', 'x', '__proto__'), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined)));
		fc.assert(
			fc.property(fc.oneof(httpsUrl, record as fc.Arbitrary<unknown>), fc.constantFrom('auth' as const, 'sign' as const), fc.oneof(httpsUrl, fc.constant(undefined), fc.integer()), (input, sessionType, initial) => {
				typedOutcome('verifySameDeviceCallback(any)', [CallbackMismatchError], () => verifySameDeviceCallback(input as string, { token: 'tokentokentokentokentoken', sessionSecret: 'c2VjcmV0', sessionType }));
				typedOutcome('validateInitialCallbackUrl', TYPED, () => validateInitialCallbackUrl(initial));
				typedOutcome('callbackUrlWithToken', TYPED, () => callbackUrlWithToken(typeof initial === 'string' ? initial : 'https://a/', typeof input === 'string' ? input : 'x'));
				typedOutcome('validateBaseUrl', TYPED, () => validateBaseUrl(initial));
			}),
			fuzzParams(300),
		);
	});

	it('identifiers: typed refusals; accepted values round-trip', () => {
		const idChar = fc.constantFrom('P', 'N', 'O', 'A', 'S', 'I', 'D', 'C', 'E', 'L', 'T', 'V', 'B', 'Q', '-', '0', '1', '3', '4', '5', '9', 'x', ' ', 'ä', '/', '\u0000');
		const idArb = fc.oneof(
			fc.array(idChar, { maxLength: 30 }).map((a) => a.join('')),
			fc.tuple(fc.constantFrom('PNO', 'PAS', 'IDC', 'pno'), fc.constantFrom('EE', 'LT', 'LV', 'BE', 'FI', 'ee'), fc.stringMatching(/^[0-9A-Za-z-]{0,20}$/), fc.option(fc.tuple(fc.stringMatching(/^[A-Z0-9]{3,5}$/), fc.constantFrom('Q', 'NQ', 'X')), { nil: undefined })).map(
				([t, c, n, doc]) => `${t}${c}-${n}${doc ? `-${doc[0]}-${doc[1]}` : ''}`,
			),
			fc.constantFrom('PNOEE-40504040001', 'PNOLV-010111-22341', 'PNOBE-05040400032', 'PNOEE-40504040001-MOCK-Q', 'PNOLT-30303039914-DEM0-NQ', 'PNOLV-329999-99901'),
			fc.string({ maxLength: 30 }),
		);
		fc.assert(
			fc.property(idArb, fc.anything({ maxDepth: 1 }), (value, junk) => {
				const s = typedOutcome('parseSemanticsIdentifier', TYPED, () => parseSemanticsIdentifier(value));
				if (s.ok) {
					expect(parseSemanticsIdentifier(s.value.value)).toEqual(s.value);
					expect(s.value.value).toBe(`${s.value.identityType}${s.value.country}-${s.value.identityNumber}`);
				}
				const d = typedOutcome('parseDocumentNumber', TYPED, () => parseDocumentNumber(value));
				if (d.ok) expect(d.value.value).toBe(`${d.value.semanticsIdentifier.value}-${d.value.accountCode}-${d.value.qualification}`);
				typedOutcome('validatePersonalCode', TYPED, () => validatePersonalCode(value.slice(0, 2), value.slice(2)));
				typedOutcome('parseSemanticsIdentifier(junk)', TYPED, () => parseSemanticsIdentifier(junk));
				typedOutcome('parseDocumentNumber(junk)', TYPED, () => parseDocumentNumber(junk));
			}),
			fuzzParams(300),
		);
	});
});
