// ioredis is optional and n8n strips optional dependencies on install: the store must say what to do.
jest.mock('ioredis', () => {
	throw new Error("Cannot find module 'ioredis'");
});

import { RedisSessionStore } from '../../lib/sessions';

test('a missing ioredis gives SMARTID_REDIS_MISSING with the fix', async () => {
	const store = new RedisSessionStore({ url: 'redis://127.0.0.1:6379/0' });
	const error = await store.get('abc').catch((e: Error) => e);
	expect(error).toMatchObject({ code: 'SMARTID_REDIS_MISSING' });
	expect((error as Error).message).toMatch(/npm install ioredis|file store/);
});
