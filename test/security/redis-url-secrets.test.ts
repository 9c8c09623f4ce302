/**
 * Secrets in Redis URLs (issue 11 item 9, Redis part): the password in the user info, a user info that ioredis
 * takes as the password, and query parameters such as `?password=` never appear in store errors, node errors,
 * continue-on-fail items or trigger logs, including the errors of real ioredis connections (refused port, wrong
 * password on a real redis-server).
 */
import { inspect } from 'node:util';

import { Redis } from 'ioredis';

import { redactUrl } from '../../lib/redact-url';
import { RedisSessionStore, redactRedisSecrets } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { executeContext, pollContext } from '../nodes/harness';
import { freePort, startRedis, type TestRedis } from '../sessions/redis-server';

const SECRET = 'S3cr3t-Pa55word';
const USER_SECRET = 'Us3r-S3cret-Name';

let redis: TestRedis;
beforeAll(async () => {
	redis = await startRedis();
	const admin = new Redis(redis.url);
	await admin.config('SET', 'requirepass', 'the-real-password');
	admin.disconnect();
}, 30_000);
afterAll(() => redis?.stop());

/** Everything an error exposes: message, details, causes (inspect walks them), JSON. */
function everything(error: unknown): string {
	return `${inspect(error, { depth: 8, showHidden: true })}\n${JSON.stringify(error)}\n${String((error as Error)?.message)}`;
}

function expectClean(text: string): void {
	expect(text).not.toContain(SECRET);
	expect(text).not.toContain(USER_SECRET);
	expect(text).not.toContain('the-real-password');
}

describe('redactUrl / redactRedisSecrets', () => {
	test.each([
		[`redis://user:${SECRET}@host:6379/0`, 'redis://user:***@host:6379/0'],
		[`redis://:${SECRET}@host:6379/0`, 'redis://:***@host:6379/0'],
		[`redis://${SECRET}@host:6379`, 'redis://***@host:6379'],
		[`rediss://host:6380/1?password=${SECRET}&username=${USER_SECRET}`, 'rediss://host:6380/1?password=***&username=***'],
		[`redis://acl-user:${SECRET}@host/2?password=${SECRET}`, 'redis://acl-user:***@host/2?password=***'],
		['redis://host:6379/0', 'redis://host:6379/0'],
	])('%s → %s', (url, expected) => {
		expect(redactUrl(url)).toBe(expected);
	});

	test('any Redis URL inside a text, and the parts of a known URL on their own', () => {
		const url = `redis://acl-user:${SECRET}@db:6379/0?username=${USER_SECRET}`;
		const text = redactRedisSecrets(`failed at ${url}; query user ${USER_SECRET} password ${SECRET}`, url);
		expectClean(text);
		expect(text).toContain('redis://acl-user:***@db:6379/0?username=***');
	});
});

describe('ioredis connection errors', () => {
	test('refused port: the store error names the redacted URL and carries no secret anywhere', async () => {
		const port = await freePort();
		const store = new RedisSessionStore({ url: `redis://${SECRET}@127.0.0.1:${port}/0?password=${SECRET}&username=${USER_SECRET}`, connectTimeoutMs: 500 });
		const error = await store.list().catch((e: unknown) => e);
		expect(error).toMatchObject({ code: 'SMARTID_SESSION_STORE_UNAVAILABLE' });
		expect((error as Error).message).toContain(`redis://***@127.0.0.1:${port}/0?password=***&username=***`);
		expectClean(everything(error));
		await store.close();
	});

	test.each([
		['user info', (port: number) => `redis://default:${SECRET}@127.0.0.1:${port}/0`],
		['password-only user info', (port: number) => `redis://:${SECRET}@127.0.0.1:${port}/0`],
		['query parameter', (port: number) => `redis://127.0.0.1:${port}/0?password=${SECRET}`],
	])('wrong password in the %s on a real redis-server: WRONGPASS reported, password not', async (_label, url) => {
		const store = new RedisSessionStore({ url: url(redis.port), connectTimeoutMs: 2000 });
		const error = await store.get('00000000-0000-4000-8000-000000000001').catch((e: unknown) => e);
		expect(error).toMatchObject({ code: 'SMARTID_SESSION_STORE_UNAVAILABLE' });
		expect((error as Error).message).toMatch(/WRONGPASS|NOAUTH|invalid/i);
		expectClean(everything(error));
		await store.close();
	});
});

describe('through the nodes', () => {
	const credentials = async () => ({
		environment: 'simulator',
		trustAnchorsPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
		sessionStore: 'redis',
		redisUrl: `redis://acl-user:${SECRET}@127.0.0.1:${await freePort()}/0?username=${USER_SECRET}`,
		sessionRecordKey: 'k',
	});

	test('Get Device Link with continue-on-fail: the error item has no secret', async () => {
		const ctx = executeContext({
			credentials: await credentials(),
			continueOnFail: true,
			params: { resource: 'session', operation: 'getDeviceLink', sessionId: '00000000-0000-4000-8000-000000000001' },
		});
		const [out] = await new SmartId().execute.call(ctx);
		expect(out[0].json).toMatchObject({ code: 'SMARTID_SESSION_STORE_UNAVAILABLE' });
		expectClean(JSON.stringify(out));
	}, 20_000);

	test('the trigger: thrown node error and logs have no secret', async () => {
		const ctx = pollContext({ credentials: await credentials() });
		const error = await new SmartIdTrigger().poll.call(ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toContain('redis://acl-user:***@127.0.0.1');
		expectClean(everything(error));
		expectClean(JSON.stringify((ctx.logger.warn as jest.Mock).mock.calls) + JSON.stringify((ctx.logger.info as jest.Mock).mock.calls));
	}, 20_000);
});
