/** verifyDocument (what `smart-id verify` and Verify Container call) picks the verifier by the first bytes. */
import * as fs from 'node:fs';
import { verifyDocument } from '../../../lib/pdf';
import { fixturePath } from '../../helpers/fixtures';

jest.setTimeout(60_000);

it('a container goes to the container verifier, a PDF (file or buffer) to the PDF verifier', async () => {
	const container = await verifyDocument(fixturePath('containers', 'PSS-signature.asice'), { trust: 'demo' });
	expect(container.validationConclusion.signatureForm).toBe('ASiC-E');
	expect(container.validationConclusion.format).toBeUndefined();
	const pdf = fixturePath('pdf-verify', 'pdf-signed-original.pdf');
	for (const input of [pdf, fs.readFileSync(pdf)]) {
		const r = await verifyDocument(input, { trust: 'demo', filename: 'x.pdf' });
		expect(r.validationConclusion).toMatchObject({ format: 'pdf', signatureForm: 'PAdES', signaturesCount: 1 });
	}
});

it('a PDF that is not signed: NO_SIGNATURES, TOTAL-FAILED (exit code 1 like an unsigned container)', async () => {
	const r = await verifyDocument(fixturePath('pdf', 'minimal.pdf'), { trust: 'demo' });
	expect(r.validationConclusion.containerErrors.map((e) => e.code)).toEqual(['NO_SIGNATURES']);
	expect(r.validationConclusion.indication).toBe('TOTAL-FAILED');
});

it('a file that cannot be read and a truncated PDF: refused by name, never thrown', async () => {
	const missing = await verifyDocument('/nonexistent/file.pdf', { trust: 'demo' });
	expect(missing.validationConclusion.containerErrors[0]).toMatchObject({ code: 'CONTAINER_UNREADABLE' });
	const truncated = await verifyDocument(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\n'), { trust: 'demo' });
	expect(truncated.validationConclusion.containerErrors[0]).toMatchObject({ code: 'CONTAINER_UNREADABLE', reason: 'PDF_MALFORMED' });
	expect(truncated.validationConclusion.format).toBe('pdf');
});
