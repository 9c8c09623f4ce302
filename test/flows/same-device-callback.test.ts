// Same-device callback checks (spec §4.5) with the published vectors.
import { userChallengeOf } from '../../lib/flows/callback-digests';
import {
	callbackUrlWithToken,
	constantTimeEquals,
	newCallbackToken,
	verifySameDeviceCallback,
	CallbackMismatchError,
} from '../../lib/flows/same-device-callback';
import { readFixtureJson } from '../helpers/fixtures';

interface Vectors {
	sessionSecretDigest: { sessionSecret: string; expectedSessionSecretDigest: string };
	userChallenge: { userChallengeVerifier: string; expectedUserChallenge: string; exampleCallbackUrl: string };
}
const v = readFixtureJson<Vectors>('smartid-v3/vc-and-callback-vectors.json');
const SECRET = v.sessionSecretDigest.sessionSecret;
const DIGEST = v.sessionSecretDigest.expectedSessionSecretDigest;
const VERIFIER = v.userChallenge.userChallengeVerifier;
const TOKEN = 'RrKjjT4aggzu27YBddX1bQ';
const url = (extra = '') =>
	`https://rp.example.com/callback-url?value=${TOKEN}&sessionSecretDigest=${DIGEST}&userChallengeVerifier=${VERIFIER}${extra}`;

function rule(fn: () => unknown): string {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(CallbackMismatchError);
		return (e as CallbackMismatchError).rule;
	}
	throw new Error('not refused');
}

describe('verifySameDeviceCallback', () => {
	it('accepts the vector callback and returns the verifier whose hash is the published userChallenge', () => {
		const result = verifySameDeviceCallback(url(), { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' });
		expect(result.userChallengeVerifier).toBe(VERIFIER);
		expect(userChallengeOf(result.userChallengeVerifier!)).toBe(v.userChallenge.expectedUserChallenge);
	});

	it('accepts a URL object, a query string, URLSearchParams and parsed query objects', () => {
		const expected = { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' as const };
		const u = new URL(url());
		expect(verifySameDeviceCallback(u, expected).userChallengeVerifier).toBe(VERIFIER);
		expect(verifySameDeviceCallback(u.search.slice(1), expected).userChallengeVerifier).toBe(VERIFIER);
		expect(verifySameDeviceCallback(u.searchParams, expected).userChallengeVerifier).toBe(VERIFIER);
		expect(
			verifySameDeviceCallback({ value: TOKEN, sessionSecretDigest: DIGEST, userChallengeVerifier: VERIFIER }, expected).userChallengeVerifier,
		).toBe(VERIFIER);
	});

	it('signing callbacks need no verifier', () => {
		const signUrl = `https://rp.example.com/cb?value=${TOKEN}&sessionSecretDigest=${DIGEST}`;
		expect(verifySameDeviceCallback(signUrl, { token: TOKEN, sessionSecret: SECRET, sessionType: 'sign' })).toEqual({});
	});

	it('refuses a wrong or missing token', () => {
		expect(rule(() => verifySameDeviceCallback(url(), { token: 'RrKjjT4aggzu27YBddX1bR', sessionSecret: SECRET, sessionType: 'auth' }))).toBe(
			'callback.value.matchesSession',
		);
		expect(rule(() => verifySameDeviceCallback({ sessionSecretDigest: DIGEST }, { token: TOKEN, sessionSecret: SECRET, sessionType: 'sign' }))).toBe(
			'callback.value.matchesSession',
		);
	});

	it('refuses a sessionSecretDigest of another session (the published example URL belongs to another secret)', () => {
		expect(rule(() => verifySameDeviceCallback(v.userChallenge.exampleCallbackUrl, { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' }))).toBe(
			'callback.sessionSecretDigest.matchesSession',
		);
	});

	it('refuses an auth callback without verifier, with a bad verifier, or with repeated parameters', () => {
		const noVerifier = `https://rp.example.com/cb?value=${TOKEN}&sessionSecretDigest=${DIGEST}`;
		expect(rule(() => verifySameDeviceCallback(noVerifier, { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' }))).toBe(
			'callback.userChallengeVerifier.present',
		);
		expect(rule(() => verifySameDeviceCallback(`${noVerifier}&userChallengeVerifier=a%20b`, { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' }))).toBe(
			'callback.userChallengeVerifier.format',
		);
		expect(rule(() => verifySameDeviceCallback(url(`&value=${TOKEN}`), { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' }))).toBe(
			'callback.value.repeated',
		);
	});

	it('never reveals the session secret in the error', () => {
		try {
			verifySameDeviceCallback(v.userChallenge.exampleCallbackUrl, { token: TOKEN, sessionSecret: SECRET, sessionType: 'auth' });
		} catch (e) {
			expect(JSON.stringify({ m: (e as Error).message, d: (e as CallbackMismatchError).details })).not.toContain(SECRET);
		}
	});
});

describe('callback tokens', () => {
	it('makes 43-character base64url tokens and adds them as value=', () => {
		const t = newCallbackToken();
		expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(newCallbackToken()).not.toBe(t);
		expect(callbackUrlWithToken('https://rp.example.com/cb', t)).toBe(`https://rp.example.com/cb?value=${t}`);
		expect(callbackUrlWithToken('https://rp.example.com/cb?lang=et', t)).toBe(`https://rp.example.com/cb?lang=et&value=${t}`);
		expect(() => callbackUrlWithToken('https://rp.example.com/cb?value=x', t)).toThrow(/reserved for the token/);
		expect(() => callbackUrlWithToken('http://rp.example.com/cb', t)).toThrow(/https/);
		expect(() => callbackUrlWithToken('https://rp.example.com/cb', 'short')).toThrow(/22..86/);
	});

	it('constant-time compare gives the right answers', () => {
		expect(constantTimeEquals('abc', 'abc')).toBe(true);
		expect(constantTimeEquals('abc', 'abd')).toBe(false);
		expect(constantTimeEquals('abc', 'abcd')).toBe(false);
	});
});
