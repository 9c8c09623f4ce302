import { NodeApiError, NodeOperationError, type INode, type INodeProperties } from 'n8n-workflow';

import { ENVIRONMENTS } from '../../lib/environments';
import { InvalidRequestError, ValidationError } from '../../lib/errors';
import { AccountNotFoundError, ConnectionError, HttpStatusError, MaintenanceError, RequestTimeoutError } from '../../lib/rp-api/errors';
import { SessionEndedError } from '../../lib/validation';
import { SmartIdApi } from '../../credentials/SmartIdApi.credentials';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { trustFor } from '../../lib/sessions';
import { configFromCredential } from '../../nodes/shared/config';
import { errorJson, toNodeError } from '../../nodes/shared/errors';
import { explainCredentialTestError } from '../../nodes/shared/credential-test';

const node = { name: 'Smart-ID', type: 'n8n-nodes-smart-id.smartId', typeVersion: 1 } as INode;
const call = { endpoint: 'A4', method: 'POST', path: 'authentication/notification/etsi/PNOEE-1' };

describe('credential → engine config', () => {
	test('demo defaults: base URL, scheme, public DEMO RP, file store under the user folder', () => {
		const c = configFromCredential({ environment: 'demo' }, '/home/n8n');
		expect(c).toMatchObject({
			baseUrl: ENVIRONMENTS.demo.baseUrl,
			schemeName: 'smart-id-demo',
			relyingParty: { relyingPartyUUID: ENVIRONMENTS.demo.relyingPartyUUID, relyingPartyName: 'DEMO' },
			store: { type: 'file', folder: '/home/n8n/.n8n/smart-id-sessions' },
			pins: [],
		});
		expect(trustFor(c).anchors().length).toBeGreaterThan(0);
	});

	test('base URL and scheme are editable only for simulator and custom', () => {
		const demo = configFromCredential({ environment: 'demo', baseUrl: 'https://evil.example/v3/', schemeName: 'x' }, '/h');
		expect(demo.baseUrl).toBe(ENVIRONMENTS.demo.baseUrl);
		expect(demo.schemeName).toBe('smart-id-demo');
		const custom = configFromCredential(
			{ environment: 'custom', baseUrl: 'https://rp.example/v3/', relyingPartyUuid: 'u', relyingPartyName: 'N' },
			'/h',
		);
		expect(custom).toMatchObject({ baseUrl: 'https://rp.example/v3/', schemeName: 'smart-id' });
		expect(configFromCredential({ environment: 'simulator' }, '/h').baseUrl).toBe(ENVIRONMENTS.simulator.baseUrl);
	});

	test('refuses incomplete credentials with the field to fix', () => {
		expect(() => configFromCredential({ environment: 'custom', relyingPartyUuid: 'u', relyingPartyName: 'n' }, '/h')).toThrow(/Base URL/);
		expect(() => configFromCredential({ environment: 'live' }, '/h')).toThrow(/Relying Party UUID and Name/);
		expect(() => configFromCredential({ environment: 'demo', sessionStore: 'redis' }, '/h')).toThrow(/Redis URL/);
		expect(() => configFromCredential({ environment: 'mars' }, '/h')).toThrow(InvalidRequestError);
		expect(() => trustFor(configFromCredential({ environment: 'simulator' }, '/h'))).toThrow(/"Trust Anchors \(PEM\)"/);
	});

	test('pins split on commas and new lines; Redis store; credential key stable per RP and endpoint', () => {
		const base = { environment: 'live', relyingPartyUuid: 'uuid-1', relyingPartyName: 'Shop' };
		const c = configFromCredential({ ...base, pinnedPublicKeys: 'sha256//a=,\nsha256//b= ', sessionStore: 'redis', redisUrl: 'redis://:pw@r:6379/1' }, '/h');
		expect(c.pins).toEqual(['sha256//a=', 'sha256//b=']);
		expect(c.store).toEqual({ type: 'redis', url: 'redis://:pw@r:6379/1' });
		expect(configFromCredential({ ...base, relyingPartyName: 'Other name' }, '/h').credentialKey).toBe(c.credentialKey);
		expect(configFromCredential({ ...base, relyingPartyUuid: 'uuid-2' }, '/h').credentialKey).not.toBe(c.credentialKey);
	});
});

describe('error mapping', () => {
	test('RP API statuses become NodeApiError with the HTTP code and the engine message', () => {
		const e = toNodeError(node, new AccountNotFoundError(call), 3);
		expect(e).toBeInstanceOf(NodeApiError);
		expect(e.context).toMatchObject({ itemIndex: 3, code: 'SMARTID_ACCOUNT_NOT_FOUND' });
		expect((e as NodeApiError).httpCode).toBe('404');
		expect(e.message).toMatch(/no usable account/);
		const m = toNodeError(node, new MaintenanceError(call), 0);
		expect((m as NodeApiError).httpCode).toBe('580');
		expect(m.message).toMatch(/maintenance/);
		const t = toNodeError(node, new RequestTimeoutError(call, 1000), 0);
		expect(t).toBeInstanceOf(NodeApiError);
		expect(t.context.code).toBe('SMARTID_HTTP_TIMEOUT');
	});

	test('session end results and validation failures become NodeOperationError with code, screen and hint', () => {
		const refused = toNodeError(node, new SessionEndedError('USER_REFUSED_INTERACTION', 'confirmationMessage'), 1, 'sid-1');
		expect(refused).toBeInstanceOf(NodeOperationError);
		expect(refused.message).toMatch(/confirmation message/);
		expect(refused.context).toMatchObject({ itemIndex: 1, code: 'SMARTID_USER_REFUSED_INTERACTION', sessionId: 'sid-1' });
		expect(refused.description).toMatch(/sid-1/);
		const invalid = toNodeError(node, new ValidationError('signature.value', 'bad signature'), 0);
		expect(invalid.description).toMatch(/security check/);
		expect(errorJson(invalid)).toEqual({ error: 'bad signature', code: 'SMARTID_VALIDATION_FAILED', sessionId: null });
	});

	test('a sessionSecret that slipped into a message is scrubbed', () => {
		const e = toNodeError(node, new Error('oops {"sessionSecret":"c2VjcmV0c2VjcmV0"}'), 0);
		expect(e.message).not.toContain('c2VjcmV0c2VjcmV0');
		expect(JSON.stringify(errorJson(new Error('sessionSecret=abc123')))).not.toContain('abc123');
	});
});

describe('node and credential descriptions', () => {
	const description = new SmartId().description;

	test('every displayOptions condition refers to a parameter that exists', () => {
		const names = new Set(description.properties.map((p) => p.name));
		for (const p of description.properties) {
			// '@tool' / '@version' are n8n's own conditions (AI-tool variant, node version), not parameters.
			for (const key of Object.keys(p.displayOptions?.show ?? {})) if (!key.startsWith('@')) expect(names).toContain(key);
		}
		const cred = new SmartIdApi();
		const credNames = new Set(cred.properties.map((p) => p.name));
		for (const p of cred.properties) for (const key of Object.keys(p.displayOptions?.show ?? {})) expect(credNames).toContain(key);
	});

	test('every operation has an action text and every resource has operations', () => {
		const resources = (description.properties.find((p) => p.name === 'resource')!.options as Array<{ value: string }>).map((o) => o.value);
		for (const resource of resources) {
			const ops = description.properties.filter(
				(p): p is INodeProperties => p.name === 'operation' && !!p.displayOptions?.show?.resource?.includes(resource),
			);
			expect(ops).toHaveLength(1);
			for (const option of ops[0].options as Array<{ action?: string }>) expect(option.action).toEqual(expect.any(String));
		}
	});

	test('n8n conventions: usable as tool, themed icons, subtitle, trigger naming, credential test wiring', () => {
		expect(description).toMatchObject({ name: 'smartId', usableAsTool: true, subtitle: expect.any(String) });
		// Verification and extension take their trust from the node, so the credential is hidden for them (issue 17).
		expect(description.credentials).toEqual([
			{ name: 'smartIdApi', required: true, testedBy: 'smartIdApiTest', displayOptions: { hide: { operation: ['verifyContainer', 'extendSignatures'] } } },
		]);
		const t = new SmartIdTrigger().description;
		expect(t).toMatchObject({ name: 'smartIdTrigger', displayName: 'Smart-ID Trigger', polling: true, inputs: [] });
		const cred = new SmartIdApi();
		expect(cred.name).toBe('smartIdApi');
		expect(cred.properties.find((p) => p.name === 'redisUrl')?.typeOptions?.password).toBe(true);
		expect(cred.properties.find((p) => p.name === 'relyingPartyUuid')?.typeOptions?.password).toBeUndefined();
	});
});

describe('parameter choices a user can actually make', () => {
	const props = new SmartId().description.properties;

	test('device links never offer the verification-code choice; notifications do', () => {
		const variants = props.filter((p) => p.name === 'interactionType');
		const offered = (p: INodeProperties) => (p.options as Array<{ value: string }>).map((o) => o.value);
		const forLinks = variants.filter((p) => Object.values(p.displayOptions?.show ?? {}).some((v) => (v as string[]).some((x) => /deviceLink/.test(String(x)))));
		const forNotifications = variants.filter((p) => !forLinks.includes(p));
		expect(forLinks.length).toBeGreaterThanOrEqual(3); // authentication, sign hash, containers
		for (const p of forLinks) expect(offered(p)).not.toContain('confirmationMessageAndVerificationCodeChoice');
		for (const p of forNotifications) expect(offered(p)).toContain('confirmationMessageAndVerificationCodeChoice');
	});

	test('the subtitle maps every operation value to its display name', () => {
		const subtitle = String(new SmartId().description.subtitle);
		const map = JSON.parse(/\((\{.*\})\)/.exec(subtitle)![1]) as Record<string, string>;
		for (const p of props.filter((x) => x.name === 'operation')) {
			for (const o of p.options as Array<{ name: string; value: string }>) expect(map[o.value]).toBe(o.name);
		}
		expect(subtitle).not.toContain('$parameter["resource"]');
	});

	test('Language is a list of the languages Smart-ID pages exist in; the login hash algorithm sits under Options', () => {
		const lang = props.find((p) => p.name === 'lang')!;
		expect(lang.type).toBe('options');
		expect((lang.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(['eng', 'est', 'lav', 'lit', 'rus']);
		const auth = props.filter((p) => p.displayOptions?.show?.operation?.includes('authenticate'));
		expect(auth.some((p) => p.name === 'hashAlgorithm')).toBe(false);
		const options = auth.find((p) => p.name === 'options')!;
		expect(JSON.stringify(options)).not.toMatch(/ACSP/);
	});
});

describe('credential test messages', () => {
	const c3 = { endpoint: 'C3', method: 'GET', path: 'signature/certificate/PNOEE-30001019991-N8NT-Q' };
	const demo = configFromCredential({ environment: 'demo' }, '/h');
	const live = configFromCredential({ environment: 'live', relyingPartyUuid: 'u', relyingPartyName: 'n' }, '/h');
	const custom = configFromCredential({ environment: 'custom', baseUrl: 'https://rp.example/v3/', relyingPartyUuid: 'u', relyingPartyName: 'n' }, '/h');

	test('Demo and Live name the host they use, never a Base URL they do not have; Custom names its Base URL', () => {
		const refused = new ConnectionError(c3, 'connect ECONNREFUSED');
		for (const [config, host] of [[demo, 'sid.demo.sk.ee'], [live, 'rp-api.smart-id.com']] as const) {
			const text = explainCredentialTestError(refused, config);
			expect(text).toContain(host);
			expect(text).toMatch(/ECONNREFUSED/);
			expect(text).not.toMatch(/Base URL/);
		}
		expect(explainCredentialTestError(refused, custom)).toMatch(/^Could not connect to the Base URL https:\/\/rp\.example\/v3\/ .*Check the Base URL/);
		expect(explainCredentialTestError(new RequestTimeoutError(c3, 15000), demo)).not.toMatch(/Base URL/);
	});

	test('no RP API endpoint ids (spec jargon such as "(C3)") reach the form', () => {
		const samples = [
			new ConnectionError(c3, 'ENOTFOUND'),
			new RequestTimeoutError(c3, 15000),
			new MaintenanceError(c3),
			new HttpStatusError('SMARTID_RP_UNAUTHORIZED', 'x (C3)', 401, c3),
			new HttpStatusError('SMARTID_HTTP_ERROR', 'Smart-ID answered the signing certificate query (C3) with HTTP 500.', 500, c3),
		];
		for (const error of samples) {
			for (const config of [demo, live, custom]) {
				const text = explainCredentialTestError(error, config);
				expect(text).not.toMatch(/\((?:[ACQS]\d)\)/);
				expect(text).not.toMatch(/query/);
			}
		}
		expect(explainCredentialTestError(new HttpStatusError('SMARTID_HTTP_ERROR', 'Smart-ID answered the signing certificate query (C3) with HTTP 500.', 500, c3), demo)).toBe(
			'Smart-ID answered the test request with HTTP 500.',
		);
	});
});
