/**
 * The Redis password of the session-store credential never shows in errors or logs, whether Redis is
 * unreachable, refuses the password, or goes away: node errors (message, description, context, causes),
 * continue-on-fail items and trigger errors are all captured and searched.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { executeContext, pollContext } from '../nodes/harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';
import { startRestartableRedis, type RestartableRedis } from '../faults/redis-persistent';

const PASSWORD = 'S3cr3t-redis-pa55word';

let env: SimulatorEnv;
let redis: RestartableRedis;
const node = new SmartId();
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	[env, redis] = await Promise.all([startSimulatorEnv(), startRestartableRedis(['--requirepass', 'the-real-password'])]);
}, 60_000);

afterAll(async () => {
	await Promise.all([env?.stop(), redis?.stop()]);
});

function errorText(error: unknown): string {
	const parts: string[] = [];
	for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
		const err = e as Error & { description?: unknown; context?: unknown; details?: unknown; messages?: unknown };
		parts.push(String(err.message), String(err.stack), String(err.description ?? ''), JSON.stringify([err.context, err.details, err.messages]) ?? '');
	}
	return parts.join('\n');
}

async function everything(credentials: ICredentialDataDecryptedObject): Promise<string> {
	const out: string[] = [];
	const params = {
		resource: 'authentication',
		operation: 'authenticate',
		flow: 'notification',
		identifyBy: 'documentNumber',
		documentNumber: OK_DOC,
		interactionType: 'displayTextAndPIN',
		displayText: 'Log in',
		completion: 'start',
	};
	await node.execute.call(executeContext({ credentials, params })).then(
		(r) => out.push(JSON.stringify(r)),
		(e: unknown) => out.push(errorText(e)),
	);
	const [cof] = await node.execute.call(executeContext({ credentials, params, continueOnFail: true }));
	out.push(JSON.stringify(cof));
	for (const mode of ['trigger', 'manual'] as const) {
		const ctx = pollContext({ credentials, mode });
		await trigger.poll.call(ctx).then(
			(r) => out.push(JSON.stringify(r)),
			(e: unknown) => out.push(errorText(e)),
		);
		out.push(JSON.stringify(Object.values(ctx.logger).map((f) => (f as jest.Mock).mock.calls)));
	}
	return out.join('\n');
}

test.each([
	['nothing listening', () => `redis://user:${PASSWORD}@127.0.0.1:1/0`, /Cannot connect to the Redis session store/],
	['refusing the password (WRONGPASS)', () => `redis://default:${PASSWORD}@127.0.0.1:${redis.port}/0`, /Redis session store at redis:\/\/default:\*\*\*@[^ ]*: WRONGPASS/],
])('Redis %s: a clear error, and the password appears nowhere', async (_name, url, expected) => {
	const text = await everything({ ...env.credentials, sessionStore: 'redis', redisUrl: url() });
	expect(text).toMatch(expected);
	expect(text).toContain('SMARTID_'); // the runs really produced errors, not silence
	expect(text).not.toContain(PASSWORD);
	expect(text).not.toContain(encodeURIComponent(PASSWORD));
}, 60_000);
