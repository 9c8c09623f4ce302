// Response parsers on every entry of response-shapes.json, plus hostile variants.
import { MalformedResponseError } from '../../lib/rp-api/errors';
import {
	parseCertificateByDocument,
	parseDeviceLinkSessionInit,
	parseNotificationSessionInit,
	parseNotificationSignatureInit,
	parseSessionStatus,
} from '../../lib/rp-api/parse';
import { readFixtureJson } from '../helpers/fixtures';

type Json = Record<string, unknown>;
const shapes = readFixtureJson<{ examples: Record<string, Json> }>('smartid-v3/response-shapes.json').examples;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function statusEntries(): [string, Json][] {
	const out: [string, Json][] = [];
	for (const [name, value] of Object.entries(shapes)) {
		if (name.startsWith('sessionStatusErrors')) {
			for (const [k, v] of Object.entries(value)) out.push([`${name}.${k}`, v as Json]);
		} else if ('sessionStatus' in value) {
			out.push([name, value.sessionStatus as Json]);
		} else if (name.startsWith('sessionStatus') || name.endsWith('Complete_real_demo_vatsake')) {
			out.push([name, value]);
		}
	}
	return out;
}

function malformed(fn: () => unknown, field: RegExp): void {
	let error: unknown;
	try {
		fn();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(MalformedResponseError);
	expect((error as MalformedResponseError).code).toBe('SMARTID_MALFORMED_RESPONSE');
	expect((error as Error).message).toMatch(field);
}

describe('response-shapes.json', () => {
	it('covers every example', () => {
		const names = Object.keys(shapes);
		const handled = new Set([
			'deviceLinkInitResponse_java',
			'notificationAuthInitResponse_java',
			'notificationSignatureInitResponse_java',
			'linkedSignatureInitResponse_java',
			'certificateByDocumentNumber_real_demo_vatsake',
			...statusEntries().map(([n]) => n.split('.')[0]),
		]);
		expect(names.filter((n) => !handled.has(n))).toEqual([]);
	});

	it('device-link init', () => {
		expect(parseDeviceLinkSessionInit(shapes.deviceLinkInitResponse_java)).toEqual(shapes.deviceLinkInitResponse_java);
	});

	it('notification inits', () => {
		expect(parseNotificationSessionInit(shapes.notificationAuthInitResponse_java)).toEqual(shapes.notificationAuthInitResponse_java);
		expect(parseNotificationSignatureInit(shapes.notificationSignatureInitResponse_java)).toEqual(
			shapes.notificationSignatureInitResponse_java,
		);
		expect(parseNotificationSessionInit(shapes.linkedSignatureInitResponse_java)).toEqual(shapes.linkedSignatureInitResponse_java);
	});

	it('certificate by document', () => {
		expect(parseCertificateByDocument(shapes.certificateByDocumentNumber_real_demo_vatsake)).toEqual(
			shapes.certificateByDocumentNumber_real_demo_vatsake,
		);
	});

	it.each(statusEntries())('session status %s round-trips', (_name, body) => {
		const parsed = parseSessionStatus(body);
		expect(parsed).toEqual(body);
	});

	it('keeps the legacy interaction value and unknown end results as strings', () => {
		const errors = shapes.sessionStatusErrors_java as Record<string, Json>;
		expect(parseSessionStatus(errors['user-refused-vc-choice']).result?.details?.interaction).toBe('verificationCodeChoice');
		const unknown = clone(errors.timeout) as { result: { endResult: string } };
		unknown.result.endResult = 'SOMETHING_NEW_2027';
		expect(parseSessionStatus(unknown).result?.endResult).toBe('SOMETHING_NEW_2027');
	});

	it('ignores unknown fields at every level', () => {
		const body = clone((shapes.deviceLinkAuthWeb2AppComplete_real_demo_vatsake as Json).sessionStatus) as Json & {
			signature: Json;
			cert: Json;
			result: Json;
		};
		const expected = clone(body);
		body.unknownField = { deep: [1, 2] };
		body.signature.unknownField = 'x';
		body.cert.unknownField = 5;
		body.result.unknownField = null;
		expect(parseSessionStatus(body)).toEqual(expected);
		expect(parseSessionStatus(JSON.stringify(body))).toEqual(expected);
	});
});

describe('hostile session status', () => {
	const ok = () => clone((shapes.signatureComplete_java_illustrative as Json).sessionStatus) as Json & Record<string, Json>;

	it.each([
		[null, /body is not a JSON object/],
		[[], /body is not a JSON object/],
		['{"state":', /body is not JSON/],
		[42, /body is not a JSON object/],
		[{}, /state is missing/],
		[{ state: 'DONE' }, /state is neither RUNNING nor COMPLETE/],
		[{ state: 'running' }, /neither RUNNING nor COMPLETE/],
		[{ state: ['RUNNING'] }, /state is not a string/],
		[{ state: 'COMPLETE' }, /result is missing/],
		[{ state: 'COMPLETE', result: 'OK' }, /result is not a JSON object/],
		[{ state: 'COMPLETE', result: {} }, /result.endResult is missing/],
		[{ state: 'COMPLETE', result: { endResult: 1 } }, /result.endResult is not a string/],
		[{ state: 'COMPLETE', result: { endResult: 'OK', details: [] } }, /result.details is not a JSON object/],
		[{ state: 'RUNNING', ignoredProperties: 'x' }, /ignoredProperties is not a list of strings/],
		[{ state: 'RUNNING', ignoredProperties: [1] }, /ignoredProperties is not a list of strings/],
	])('%p is refused', (body, message) => malformed(() => parseSessionStatus(body), message));

	it('wrong types inside signature and cert are refused', () => {
		const a = ok();
		a.signature.value = 'not base64!';
		malformed(() => parseSessionStatus(a), /signature.value is not valid Base64/);
		const b = ok();
		(b.signature.signatureAlgorithmParameters as Json).saltLength = '64';
		malformed(() => parseSessionStatus(b), /signatureAlgorithmParameters.saltLength is not a whole number/);
		const c = ok();
		(b.signature.signatureAlgorithmParameters as Json).maskGenAlgorithm = 'id-mgf1';
		malformed(() => parseSessionStatus(b), /maskGenAlgorithm/);
		c.cert = { certificateLevel: 'QUALIFIED' } as Json;
		malformed(() => parseSessionStatus(c), /cert.value is missing/);
		const d = ok();
		d.interactionTypeUsed = { type: 'x' } as unknown as Json;
		malformed(() => parseSessionStatus(d), /interactionTypeUsed is not a string/);
		const e = ok();
		e.signature.flowType = 7 as unknown as string;
		malformed(() => parseSessionStatus(e), /signature.flowType is not a string/);
	});

	it('a RUNNING status carries nothing else even if the server sends more', () => {
		expect(parseSessionStatus({ state: 'RUNNING', result: 'garbage', cert: { value: 'x' } })).toEqual({ state: 'RUNNING' });
	});

	it('huge strings are refused', () => {
		const a = ok();
		a.interactionTypeUsed = 'x'.repeat(70000) as unknown as Json;
		malformed(() => parseSessionStatus(a), /too long/);
	});

	it('prototype keys in the body do not leak into the result', () => {
		const parsed = parseSessionStatus(JSON.parse('{"state":"RUNNING","__proto__":{"polluted":true}}'));
		expect(parsed).toEqual({ state: 'RUNNING' });
		expect(({} as Json).polluted).toBeUndefined();
	});
});

describe('hostile init responses', () => {
	const dl = () => clone(shapes.deviceLinkInitResponse_java);

	it.each([
		['sessionID', '../admin', /sessionID is not a session id/],
		['sessionID', '', /sessionID is missing/],
		['sessionToken', 'a b', /sessionToken is not a URL-safe token/],
		['sessionToken', 'x&authCode=evil', /sessionToken is not a URL-safe token/],
		['sessionSecret', 'c2Vzc2lvblNlY3JldA', /sessionSecret is not valid Base64/],
		['deviceLinkBase', 'javascript:alert(1)', /deviceLinkBase is not an https URL/],
		['deviceLinkBase', 'http://evil.example/device-link', /deviceLinkBase is not an https URL/],
		['deviceLinkBase', 'https://smart-id.com/device-link/?x=1', /query, fragment/],
		['deviceLinkBase', 'not a url', /deviceLinkBase is not a URL/],
	])('%s = %p is refused', (field, value, message) => {
		const body = dl() as Json;
		body[field] = value;
		malformed(() => parseDeviceLinkSessionInit(body), message);
	});

	it('never puts the sessionSecret value into an error', () => {
		const body = dl() as Json;
		body.sessionSecret = 'c2Vjcm%V0';
		try {
			parseDeviceLinkSessionInit(body);
			throw new Error('not refused');
		} catch (e) {
			expect(JSON.stringify({ m: (e as Error).message, d: (e as MalformedResponseError).details })).not.toContain('c2Vjcm%V0');
		}
	});

	it('signature init needs a 4-digit vc', () => {
		malformed(() => parseNotificationSignatureInit({ sessionID: 'abc' }), /vc is missing/);
		malformed(() => parseNotificationSignatureInit({ sessionID: 'abc', vc: { type: 'numeric4', value: '12a4' } }), /vc.value is not a 4-digit code/);
		malformed(() => parseNotificationSessionInit({ sessionID: 'abc', vc: 'x' }), /vc is not a JSON object/);
	});

	it('certificate response: OK needs a cert, other states are kept', () => {
		malformed(() => parseCertificateByDocument({ state: 'OK' }), /cert is missing/);
		malformed(() => parseCertificateByDocument({ state: 'OK', cert: { value: '***' } }), /cert.value is not valid Base64/);
		expect(parseCertificateByDocument({ state: 'DOCUMENT_UNUSABLE', extra: 1 })).toEqual({ state: 'DOCUMENT_UNUSABLE' });
	});
});
