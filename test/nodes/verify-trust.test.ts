/**
 * Verify Container and Extend Signatures take their trust from the node's parameters and never ask for the
 * Smart-ID credential (issue 17 point 2); the credential itself is hidden for these operations.
 */
import * as fs from 'node:fs';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { fixturePath } from '../helpers/fixtures';
import { binary, executeContext } from './harness';

const container = binary(fs.readFileSync(fixturePath('containers', 'valid-asice.asice')), 'valid-asice.asice', 'application/vnd.etsi.asic-e+zip');

async function run(params: Record<string, unknown>, continueOnFail = false) {
	const ctx = executeContext({ params: { resource: 'container', containerPropertyName: 'data', ...params }, credentials: {}, items: [{ json: {}, binary: { data: container } }], continueOnFail });
	ctx.getCredentials.mockRejectedValue(new Error('no credential in this workflow'));
	const out = await new SmartId().execute.call(ctx);
	return { out: out[0], credentialAsked: ctx.getCredentials.mock.calls.length };
}

describe('trust from the node, no credential', () => {
	it('SK Demo passes an SK demo container without asking for a credential; the report says what trusted the signer', async () => {
		const { out, credentialAsked } = await run({ operation: 'verifyContainer', verificationTrust: 'skDemo' });
		expect(credentialAsked).toBe(0);
		expect(out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', valid: true, trust: { choice: 'sk-demo' } });
		const report = out[0].json.report as { validationConclusion: { signatures: Array<{ trustedBy: unknown }> } };
		expect(report.validationConclusion.signatures[0].trustedBy).toMatchObject({ source: 'sk-demo', signatureLevel: 'QESig' });
	});

	it('SK Live (the default) does not trust a demo container; SK Live + Demo does', async () => {
		expect((await run({ operation: 'verifyContainer' })).out[0].json).toMatchObject({ valid: false });
		expect((await run({ operation: 'verifyContainer', verificationTrust: 'skBoth' })).out[0].json).toMatchObject({ valid: true });
	});

	it('Validation Time from the trust options is used', async () => {
		const { out } = await run({ operation: 'verifyContainer', verificationTrust: 'skDemo', trustOptions: { validationTime: '2030-06-01T00:00:00Z' } });
		expect((out[0].json.report as { validationConclusion: { validationTime: string } }).validationConclusion.validationTime).toBe('2030-06-01T00:00:00.000Z');
	});

	it('EU trust offline without a cache: the bundled OJ set is used (no OJ option needed), the missing cache is the error item, no credential asked', async () => {
		const { out, credentialAsked } = await run({ operation: 'verifyContainer', verificationTrust: 'eu', trustOptions: { trustedListOffline: true } }, true);
		expect(credentialAsked).toBe(0);
		expect(out[0].json).toMatchObject({ code: 'TRUST_LISTS_UNAVAILABLE' });
	});

	it('EU trust with an unreadable Official Journal Certificates option: TRUST_PEM_INVALID (the option replaces the bundled set)', async () => {
		const { out } = await run({ operation: 'verifyContainer', verificationTrust: 'eu', trustOptions: { trustedListOffline: true, officialJournalCertificates: 'not a certificate' } }, true);
		expect(out[0].json).toMatchObject({ code: 'TRUST_PEM_INVALID' });
	});

	it('Extend Signatures refuses a missing TSA URL before doing anything, without a credential', async () => {
		const { out, credentialAsked } = await run({ operation: 'extendSignatures', verificationTrust: 'skDemo', archiveTsaUrl: '' }, true);
		expect(credentialAsked).toBe(0);
		expect(out[0].json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
	});

	it('the credential is hidden for Verify Container and Extend Signatures only', () => {
		const cred = new SmartId().description.credentials![0];
		expect(cred.displayOptions).toEqual({ hide: { operation: ['verifyContainer', 'extendSignatures'] } });
	});
});
