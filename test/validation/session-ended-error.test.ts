import { SessionEndedError } from '../../lib/validation';
import { SmartIdError } from '../../lib/errors';
import { readFixtureJson } from '../helpers/fixtures';

describe('SessionEndedError', () => {
	it.each([
		['USER_REFUSED', /refused/],
		['USER_REFUSED_CERT_CHOICE', /several Smart-ID accounts/],
		['TIMEOUT', /in time/],
		['DOCUMENT_UNUSABLE', /cannot be used/],
		['ACCOUNT_UNUSABLE', /not usable/],
		['WRONG_VC', /wrong verification code/],
		['REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP', /supports none/],
		['PROTOCOL_FAILURE', /protocol error/],
		['EXPECTED_LINKED_SESSION', /linkedSessionID/],
		['SERVER_ERROR', /server error/],
	])('%s has code SMARTID_%s and a plain message', (endResult, message) => {
		const e = new SessionEndedError(endResult);
		expect(e).toBeInstanceOf(SmartIdError);
		expect(e.code).toBe(`SMARTID_${endResult}`);
		expect(e.endResult).toBe(endResult);
		expect(e.message).toMatch(message);
		expect(e.details).toMatchObject({ endResult });
	});

	it.each([
		['displayTextAndPIN', 'PIN entry'],
		['confirmationMessage', 'confirmation message screen'],
		['confirmationMessageAndVerificationCodeChoice', 'verification code choice screen'],
		['verificationCodeChoice', 'verification code choice screen'],
		['brandNewScreen', '"brandNewScreen"'],
	])('USER_REFUSED_INTERACTION names the %s screen', (interaction, text) => {
		const e = new SessionEndedError('USER_REFUSED_INTERACTION', interaction);
		expect(e.code).toBe('SMARTID_USER_REFUSED_INTERACTION');
		expect(e.interaction).toBe(interaction);
		expect(e.message).toContain(text);
	});

	it('handles a missing interaction and unknown end results without crashing', () => {
		expect(new SessionEndedError('USER_REFUSED_INTERACTION').message).toMatch(/an interaction screen/);
		const future = new SessionEndedError('NEW_RESULT_2027');
		expect(future.code).toBe('SMARTID_NEW_RESULT_2027');
		expect(future.message).toMatch(/unrecognised result "NEW_RESULT_2027"/);
		const hostile = new SessionEndedError('bad\nvalue <script>' + 'x'.repeat(200));
		expect(hostile.code).toBe('SMARTID_UNKNOWN_END_RESULT');
		expect(hostile.message).not.toContain('\n');
		expect(hostile.endResult.length).toBeLessThanOrEqual(64);
	});

	it('covers every error endResult in the shared response shapes', () => {
		const shapes = JSON.stringify(readFixtureJson('smartid-v3', 'response-shapes.json'));
		const endResults = new Set([...shapes.matchAll(/"endResult":"([A-Z_]+)"/g)].map((m) => m[1]));
		endResults.delete('OK');
		expect(endResults.size).toBeGreaterThan(5);
		for (const endResult of endResults) {
			expect(new SessionEndedError(endResult).message).not.toMatch(/unrecognised/);
		}
	});
});
