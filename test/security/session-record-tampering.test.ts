/**
 * Pending-session records are untrusted input (issue 11 item 7): someone who can write the session folder or the
 * Redis database must not be able to make the trigger emit an "authenticated" / "signed" item. Each case starts a
 * REAL session through the node ("Start and Continue", simulator), then edits or plants its record directly in the
 * file store or in a real redis-server, and polls: the trigger emits an error item naming the reason (code +
 * field, what to do), never a success, and removes the record so it is not reported forever.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';
import { Redis } from 'ioredis';

import { deriveRecordKey, sealPendingSession, SessionRuntime, type PendingSession } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { configFromCredential } from '../../nodes/shared/config';
import { executeContext, pollContext } from '../nodes/harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';
import { startRedis, type TestRedis } from '../sessions/redis-server';

let env: SimulatorEnv;
let redis: TestRedis;
let redisClient: Redis;
const node = new SmartId();
const trigger = new SmartIdTrigger();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	[env, redis] = await Promise.all([startSimulatorEnv(), startRedis()]);
	redisClient = new Redis(redis.url, { lazyConnect: true });
	await redisClient.connect();
}, 60_000);

afterAll(async () => {
	await redisClient?.quit();
	await Promise.all([env?.stop(), redis?.stop()]);
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface StoreAccess {
	credentials: () => ICredentialDataDecryptedObject;
	read(sessionId: string): Promise<Json>;
	write(sessionId: string, record: Json): Promise<void>;
}

const STORES: Array<[string, StoreAccess]> = [
	[
		'file store',
		{
			credentials: () => env.credentials,
			read: async (id) => JSON.parse(await fs.readFile(path.join(env.folder, 'records', `${id}.json`), 'utf8')),
			write: (id, record) => fs.writeFile(path.join(env.folder, 'records', `${id}.json`), JSON.stringify(record)),
		},
	],
	[
		'Redis store',
		{
			credentials: () => ({ ...env.credentials, sessionStore: 'redis', redisUrl: redis.url }),
			read: async (id) => JSON.parse((await redisClient.get(`smart-id:sessions:rec:${id}`))!),
			write: async (id, record) => void (await redisClient.set(`smart-id:sessions:rec:${id}`, JSON.stringify(record))),
		},
	],
];

/** Start a notification authentication in "Start and Continue" mode through the node; its session id. */
async function startAuth(credentials: ICredentialDataDecryptedObject, tag: string): Promise<string> {
	const ctx = executeContext({
		credentials,
		params: {
			resource: 'authentication',
			operation: 'authenticate',
			flow: 'notification',
			identifyBy: 'documentNumber',
			documentNumber: OK_DOC,
			interactionType: 'displayTextAndPIN',
			displayText: 'Log in',
			completion: 'start',
			tag,
		},
	});
	const [out] = await node.execute.call(ctx);
	return out[0].json.sessionId as string;
}

async function poll(credentials: ICredentialDataDecryptedObject, tag: string): Promise<INodeExecutionData[]> {
	return (await trigger.poll.call(pollContext({ credentials, params: { tag } })))?.[0] ?? [];
}

/** Seal with the key of the given credential (what the package itself would write with that key). */
function resealed(credentials: ICredentialDataDecryptedObject, record: Json): Json {
	const runtime = new SessionRuntime(configFromCredential(credentials));
	return sealPendingSession(record as PendingSession, runtime.recordKey);
}

describe.each(STORES)('%s', (_name, store) => {
	/** Start a real session, let `tamper` rewrite its record, poll: the one item, and the record afterwards. */
	async function tampered(tag: string, tamper: (record: Json, sessionId: string) => Json | Promise<Json>) {
		const credentials = store.credentials();
		const sessionId = await startAuth(credentials, tag);
		await sleep(300); // the simulator completes the notification session after 150 ms
		await store.write(sessionId, await tamper(await store.read(sessionId), sessionId));
		const items = await poll(credentials, tag);
		expect(items).toHaveLength(1);
		const json = items[0].json;
		// Never a success: no identity, no certificate, no endResult OK.
		expect(json).toMatchObject({ sessionId, state: 'REJECTED' });
		expect(json).not.toHaveProperty('identity');
		expect(json).not.toHaveProperty('certificate');
		expect(json).not.toHaveProperty('endResult');
		expect(String(json.action)).toMatch(/start the session again/);
		// Reported once, then removed (not emitted on every poll, not silently dropped before).
		expect(await poll(credentials, tag)).toEqual([]);
		return json;
	}

	test('control: the untouched record is emitted as an authenticated identity', async () => {
		const credentials = store.credentials();
		const sessionId = await startAuth(credentials, 'control');
		const record = await store.read(sessionId);
		expect(record).toMatchObject({ format: 'smart-id-pending-session/1', kind: 'authentication', mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
		await sleep(300);
		const items = await poll(credentials, 'control');
		expect(items[0].json).toMatchObject({ sessionId, state: 'COMPLETE', endResult: 'OK', identity: { personalCode: '40504040001' } });
	}, 30_000);

	test.each<[string, (r: Json) => Json]>([
		['changed identity', (r) => ({ ...r, context: { ...r.context, expectedDocumentNumber: 'PNOEE-30303039914-MOCK-Q' } })],
		['changed kind', (r) => ({ ...r, kind: 'signature' })],
		['changed relying-party name', (r) => ({ ...r, context: { ...r.context, relyingPartyName: 'Evil RP' } })],
		['changed MAC', (r) => ({ ...r, mac: (r.mac[0] === '0' ? '1' : '0') + r.mac.slice(1) })],
		['planted record without a MAC', ({ mac: _mac, ...r }) => r],
		// Not even a valid store envelope beyond id + credential: still reported, not left unreported in the store.
		['planted record of an unknown kind and no expiry', ({ mac: _mac, expiresAt: _expires, ...r }) => ({ ...r, kind: 'evil', context: null })],
		['record sealed with another credential key', (r) => sealPendingSession(r as PendingSession, deriveRecordKey('another key', r.credentialKey))],
	])('%s → refused (SMARTID_SESSION_RECORD_UNAUTHENTIC, field mac)', async (label, tamper) => {
		const json = await tampered(`t-${label.replace(/\W+/g, '-')}`, tamper);
		expect(json).toMatchObject({ code: 'SMARTID_SESSION_RECORD_UNAUTHENTIC', field: 'mac' });
	}, 30_000);

	test('a kept "signed" Smart-ID answer planted into an authentication record → refused', async () => {
		const credentials = store.credentials();
		const runtime = new SessionRuntime(configFromCredential(credentials));
		const plant = async (record: Json, sessionId: string) => ({ ...record, keptStatus: await runtime.client.getSessionStatus(sessionId, 1000) });
		const forged = await tampered('kept-forged', plant);
		expect(forged).toMatchObject({ code: 'SMARTID_SESSION_RECORD_UNAUTHENTIC', field: 'mac' });
		// Even sealed with the right key, only an ASiC-E signature may carry a kept answer.
		const sealedKept = await tampered('kept-sealed', async (record, id) => resealed(credentials, await plant(record, id)));
		expect(sealedKept).toMatchObject({ code: 'SMARTID_SESSION_RECORD_INVALID', field: 'keptStatus' });
		runtime.client.close();
	}, 30_000);

	test('relying-party name and scheme come from the credential, even in a record sealed with the right key', async () => {
		const credentials = store.credentials();
		const rp = await tampered('rp-sealed', (r) => resealed(credentials, { ...r, context: { ...r.context, relyingPartyName: 'Evil RP' } }));
		expect(rp).toMatchObject({ code: 'SMARTID_SESSION_RECORD_INVALID', field: 'context.relyingPartyName' });
		const scheme = await tampered('scheme-sealed', (r) => resealed(credentials, { ...r, context: { ...r.context, schemeName: 'smart-id' } }));
		expect(scheme).toMatchObject({ code: 'SMARTID_SESSION_RECORD_INVALID', field: 'context.schemeName' });
	}, 30_000);

	test('Session → Get Status on a planted record fails with the reason instead of validating it', async () => {
		const credentials = store.credentials();
		const sessionId = await startAuth(credentials, 'get-status');
		await sleep(300);
		const { mac: _mac, ...planted } = await store.read(sessionId);
		await store.write(sessionId, planted);
		const ctx = executeContext({ credentials, continueOnFail: true, params: { resource: 'session', operation: 'getStatus', sessionId, validateStored: true } });
		const [out] = await node.execute.call(ctx);
		expect(out[0].json).toEqual({ error: expect.stringMatching(/mac/), code: 'SMARTID_SESSION_RECORD_UNAUTHENTIC', sessionId });
	}, 30_000);
});

describe('record key sources', () => {
	const saved = { folder: process.env.N8N_USER_FOLDER, key: process.env.N8N_ENCRYPTION_KEY };
	let userFolder: string;
	beforeEach(async () => {
		userFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-n8n-user-'));
		process.env.N8N_USER_FOLDER = userFolder;
		delete process.env.N8N_ENCRYPTION_KEY;
	});
	afterEach(async () => {
		for (const [name, value] of [['N8N_USER_FOLDER', saved.folder], ['N8N_ENCRYPTION_KEY', saved.key]] as const) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
		await fs.rm(userFolder, { recursive: true, force: true });
	});
	const withoutOwnKey = () => ({ ...env.credentials, sessionRecordKey: '' });

	test('no key anywhere: Start and Continue fails with a plain error that says what to set', async () => {
		const ctx = executeContext({
			credentials: withoutOwnKey(),
			continueOnFail: true,
			params: { resource: 'authentication', operation: 'authenticate', flow: 'notification', identifyBy: 'documentNumber', documentNumber: OK_DOC, displayText: 'Log in', completion: 'start' },
		});
		const [out] = await node.execute.call(ctx);
		expect(out[0].json).toMatchObject({ code: 'SMARTID_SESSION_KEY_MISSING', error: expect.stringMatching(/Session Record Key.*N8N_ENCRYPTION_KEY/) });
	}, 30_000);

	test('a File store in n8n queue mode: Start and Continue refuses before Smart-ID is asked, naming the Redis store; Wait for Completion still works', async () => {
		const saved = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			const params = { resource: 'authentication', operation: 'authenticate', flow: 'notification', identifyBy: 'documentNumber', documentNumber: OK_DOC, displayText: 'Log in' };
			const started = await node.execute.call(executeContext({ credentials: env.credentials, continueOnFail: true, params: { ...params, completion: 'start' } }));
			expect(started[0][0].json).toMatchObject({ code: 'SMARTID_SESSION_STORE_CONFIG', error: expect.stringMatching(/queue mode.*set Session Store to Redis/) });
			expect(started[0][0].json.sessionId ?? null).toBeNull(); // no Smart-ID session was started
			const waited = await node.execute.call(executeContext({ credentials: env.credentials, continueOnFail: true, params: { ...params, completion: 'wait' } }));
			expect(waited[0][0].json).toMatchObject({ endResult: 'OK' });
		} finally {
			if (saved === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = saved;
		}
	}, 60_000);

	test("n8n's key from N8N_ENCRYPTION_KEY or the user folder's config file; records do not survive a key change", async () => {
		process.env.N8N_ENCRYPTION_KEY = 'env-key-for-test';
		const sessionId = await startAuth(withoutOwnKey(), 'key-env');
		delete process.env.N8N_ENCRYPTION_KEY;
		await fs.mkdir(path.join(userFolder, '.n8n'), { recursive: true });
		await fs.writeFile(path.join(userFolder, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'config-file-key' }));
		await sleep(300);
		// Same credential, but n8n's key is now another one: the record is refused, not trusted.
		const items = await poll(withoutOwnKey(), 'key-env');
		expect(items.map((i) => i.json)).toEqual([expect.objectContaining({ sessionId, state: 'REJECTED', code: 'SMARTID_SESSION_RECORD_UNAUTHENTIC' })]);
		// With the config-file key, start and finish work.
		const next = await startAuth(withoutOwnKey(), 'key-file');
		await sleep(300);
		expect((await poll(withoutOwnKey(), 'key-file'))[0].json).toMatchObject({ sessionId: next, endResult: 'OK' });
	}, 30_000);
});
