/**
 * PDFs signed by our own lib/pdf signer with the simulator (Smart-ID signer, TSA, OCSP): B-T, B-LT and B-LTA verify
 * TOTAL-PASSED on the simulator's anchors, agree with pdfsig, and a second signer's revision is reported as a later
 * signature only. The CLI dispatches the same files with the container exit codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signPdf, verifyPdf, type PadesLevel } from '../../../lib/pdf';
import { run as cliVerify } from '../../../lib/cli/verify';
import { fixturePath } from '../../helpers/fixtures';
import { pdfsig } from '../helpers/oracles';
import { startPdfSigningEnv, type PdfSigningEnv } from '../helpers/signers';
import { codes, intact } from './helpers';

jest.setTimeout(300_000);

let env: PdfSigningEnv;
beforeAll(async () => {
	env = await startPdfSigningEnv();
});
afterAll(async () => {
	await env?.stop();
});

const out = (name: string): string => path.join(env.dir, name);

async function sign(input: string, level: PadesLevel, name: string, who = 0): Promise<string> {
	const s = env.signers[who];
	const done = await signPdf(input, s.certificate, { certificates: s.chain, sign: s.sign, tsaUrl: env.sim.tsaUrl, ocspUrl: env.sim.ocspUrl, trust: env.trust, level, out: out(name) });
	return done.path;
}

describe('our own signatures', () => {
	it.each([
		['B-T', 'PAdES_BASELINE_T', 1],
		['B-LT', 'PAdES_BASELINE_LT', 1],
		['B-LTA', 'PAdES_BASELINE_LTA', 2],
	] as const)('%s verifies TOTAL-PASSED as %s', async (level, format, count) => {
		const file = await sign(fixturePath('pdf', 'minimal.pdf'), level, `own-${level}.pdf`);
		const vc = (await verifyPdf(file, { trust: env.trust })).validationConclusion;
		expect(vc.signatures.map((s) => [s.kind, s.indication, s.errors])).toEqual([
			['signature', 'TOTAL-PASSED', []],
			...(count === 2 ? [['documentTimestamp', 'TOTAL-PASSED', []]] : []),
		]);
		const [sig] = vc.signatures;
		expect(sig).toMatchObject({ signatureFormat: format, bestSignatureTimeSource: 'SIGNATURE_TIMESTAMP', signatureMethod: expect.stringContaining('rsassaPss') });
		expect(sig.signedBy).not.toBe('');
		if (level === 'B-T') {
			expect(codes(sig)).toEqual(['REVOCATION_DATA_MISSING']);
			expect(sig.pdf!.coversWholeFile).toBe(true);
		} else {
			expect(sig.ocsp).toMatchObject({ status: 'GOOD' });
			// The DSS (and the document timestamp) come in later revisions: reported, not held against the signature.
			expect(codes(sig)).toEqual(['REVISION_LATER_SIGNATURES_ONLY']);
			expect(sig.pdf!.coversWholeFile).toBe(false);
		}
		expect(vc.indication).toBe('TOTAL-PASSED');
		const oracle = pdfsig(file).signatures;
		expect(oracle.length).toBe(count);
		vc.signatures.forEach((s, i) => {
			if (s.kind === 'signature') expect(intact(s)).toBe(oracle[i].valid);
			expect(s.pdf!.coversWholeFile).toBe(oracle[i].total);
		});
	});

	it('two signers: both pass; the first reports the second as a later signature only', async () => {
		const one = await sign(fixturePath('pdf', 'minimal-xref.pdf'), 'B-T', 'two-1.pdf', 0);
		const two = await sign(one, 'B-LT', 'two-2.pdf', 1);
		const vc = (await verifyPdf(two, { trust: env.trust })).validationConclusion;
		expect(vc.signatures.map((s) => s.indication)).toEqual(['TOTAL-PASSED', 'TOTAL-PASSED']);
		expect(codes(vc.signatures[0])).toContain('REVISION_LATER_SIGNATURES_ONLY');
		expect(vc.validSignaturesCount).toBe(2);
		expect(pdfsig(two).signatures.map((s) => s.valid)).toEqual([true, true]);
	});

	it('on the bundled SK demo anchors the simulator chain is not trusted: INDETERMINATE, never passed', async () => {
		const file = await sign(fixturePath('pdf', 'minimal.pdf'), 'B-T', 'own-demo.pdf');
		const vc = (await verifyPdf(file, { trust: 'demo' })).validationConclusion;
		expect(vc.indication).toBe('INDETERMINATE');
		expect(codes(vc.signatures[0])).toContain('CHAIN_UNTRUSTED');
	});

	it('a Buffer input gives the same verdict as the file (the node passes buffers)', async () => {
		const file = await sign(fixturePath('pdf', 'minimal-two-pages.pdf'), 'B-LT', 'own-buffer.pdf');
		const fromFile = await verifyPdf(file, { trust: env.trust, at: new Date() });
		const fromBuffer = await verifyPdf(fs.readFileSync(file), { trust: env.trust, filename: 'own-buffer.pdf', at: new Date(fromFile.validationConclusion.validationTime) });
		expect(fromBuffer.validationConclusion.indication).toBe('TOTAL-PASSED');
		expect(fromBuffer.validationConclusion.validatedDocument).toEqual(fromFile.validationConclusion.validatedDocument);
	});
});

describe('smart-id verify FILE.pdf', () => {
	async function exitCode(args: string[]): Promise<{ code: number; stdout: string }> {
		const chunks: string[] = [];
		const write = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
			chunks.push(String(c));
			return true;
		});
		const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
		try {
			return { code: await cliVerify(args), stdout: chunks.join('') };
		} finally {
			write.mockRestore();
			err.mockRestore();
		}
	}

	it('uses the container exit codes: 1 for the forged overlap, 2 for the unreadable and the untrusted ones', async () => {
		expect((await exitCode([fixturePath('pdf-verify', 'pdf-byterange-overlap.pdf')])).code).toBe(1);
		expect((await exitCode([fixturePath('pdf-verify', 'pdf-signed-corrupted.pdf')])).code).toBe(2);
		const own = await exitCode([await sign(fixturePath('pdf', 'minimal.pdf'), 'B-T', 'cli.pdf'), '--json']);
		expect(own.code).toBe(2); // the simulator's CA is not a bundled anchor
		expect(JSON.parse(own.stdout).validationConclusion).toMatchObject({ format: 'pdf', signatureForm: 'PAdES', indication: 'INDETERMINATE' });
		expect((await exitCode([fixturePath('pdf', 'minimal.pdf')])).code).toBe(1); // no signature at all
	});
});
