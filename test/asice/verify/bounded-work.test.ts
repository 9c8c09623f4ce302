/**
 * Bounded work (secure-validation style limits) and "never throws": transforms per reference, one canonicalization
 * per (element, transforms), a per-container budget of canonicalized output, a per-container budget of signature
 * XML, every failure a finding, and the event loop gets a turn between signatures.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyContainer, type Report } from '../../../lib/asice/verify';
import { C14nCache } from '../../../lib/asice/verify/c14n-cache';
import { C14N_BUDGET_UNITS, MAX_TRANSFORMS } from '../../../lib/asice/verify/context';
import * as verifySignatureModule from '../../../lib/asice/verify/verify-signature';
import { parseXmlSafely } from '../../../lib/asice/xml';
import { fixturePath } from '../../helpers/fixtures';
import { forgeZip, splitZip, type ForgeEntry } from './forge';
import { manifestXml, MIMETYPE } from './zip-fixture';

jest.setTimeout(60_000);

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SIG = /^META-INF\/[^/]*signatures[^/]*\.xml$/;

function real(file: string): ForgeEntry[] {
	return splitZip(fs.readFileSync(fixturePath('containers', file)));
}

function withSignature(entries: ForgeEntry[], edit: (xml: string) => string): Buffer {
	return forgeZip(entries.map((e) => (SIG.test(e.name) ? { ...e, data: Buffer.from(edit(e.data.toString('utf8'))) } : e)));
}

function sigCodes(r: Report): string[] {
	return r.validationConclusion.signatures.flatMap((s) => s.errors.map((e) => e.code));
}

/** A container whose one signature has `refs` same-document references, in a document with `ns` namespaces in scope. */
function namespaceBomb(ns: number, refs: number, sameTarget: boolean): Buffer {
	const decls = Array.from({ length: ns }, (_, i) => ` xmlns:n${i}="urn:n${i}"`).join('');
	const targets = Array.from({ length: sameTarget ? 1 : refs }, (_, i) => `<ds:Object Id="o${i}">x</ds:Object>`).join('');
	const references = Array.from(
		{ length: refs },
		(_, i) => `<ds:Reference URI="#o${sameTarget ? 0 : i}"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>`,
	).join('');
	const xml =
		`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="${DS}"${decls}><ds:Signature Id="S0"><ds:SignedInfo>` +
		`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
		`${references}</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>${targets}</ds:Signature></asic:XAdESSignatures>`;
	return forgeZip([
		{ ...MIMETYPE, deflate: false },
		{ name: 'META-INF/manifest.xml', data: manifestXml(['a.txt']) },
		{ name: 'a.txt', data: Buffer.from('a') },
		{ name: 'META-INF/signatures0.xml', data: Buffer.from(xml) },
	]);
}

describe('limits', () => {
	it(`more than ${MAX_TRANSFORMS} transforms on a reference → TOO_MANY_TRANSFORMS`, async () => {
		const t = '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>';
		const bytes = withSignature(real('valid-asice.asice'), (xml) => {
			expect(xml).toContain(`<ds:Transforms>${t}</ds:Transforms>`);
			return xml.replace(`<ds:Transforms>${t}</ds:Transforms>`, `<ds:Transforms>${t.repeat(MAX_TRANSFORMS + 1)}</ds:Transforms>`);
		});
		const r = await verifyContainer(bytes, { trust: 'demo' });
		expect(sigCodes(r)).toContain('TOO_MANY_TRANSFORMS');
		expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	});

	it('one canonicalization per (element, transforms): 1000 references to one element cost one', async () => {
		const doc = parseXmlSafely('<a xmlns="urn:a"><b Id="x">text</b></a>');
		const b = doc.documentElement!.firstChild!;
		const cache = new C14nCache(1000);
		const first = cache.get(b, [{ algorithm: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315' }]);
		const spent = 1000 - cache.budget.remaining;
		for (let i = 0; i < 1000; i++) expect(cache.get(b, [{ algorithm: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315' }])).toBe(first);
		expect(1000 - cache.budget.remaining).toBe(spent);
		// Another transform chain is another canonical form.
		expect(cache.get(b, [{ algorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#' }]).toString()).toBe('<b xmlns="urn:a" Id="x">text</b>');
		const t0 = Date.now();
		const r = await verifyContainer(namespaceBomb(3000, 1000, true), { trust: 'demo' });
		expect(Date.now() - t0).toBeLessThan(5000);
		expect(sigCodes(r)).not.toContain('WORK_BUDGET_EXCEEDED');
	});

	it('namespace amplification (3000 namespaces in scope × 1000 distinct references) runs out of the c14n budget → WORK_BUDGET_EXCEEDED, fast', async () => {
		const t0 = Date.now();
		const r = await verifyContainer(namespaceBomb(3000, 1000, false), { trust: 'demo' });
		const ms = Date.now() - t0;
		expect(sigCodes(r)).toEqual(['WORK_BUDGET_EXCEEDED']);
		expect(r.validationConclusion.signatures[0].errors[0].message).toContain(String(C14N_BUDGET_UNITS));
		expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
		expect(ms).toBeLessThan(5000);
	});

	it('signature XML beyond the per-container budget (or one file beyond 4 MiB) is not parsed → SIGNATURE_XML_BUDGET_EXCEEDED / SIGNATURE_FILE_INVALID', async () => {
		// Incompressible filler, so the ZIP ratio limit does not refuse the container first.
		const filler = randomBytes(2.5 * 1024 * 1024).toString('base64');
		const big = Buffer.from(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><!--${filler}--></asic:XAdESSignatures>`);
		const files = Array.from({ length: 6 }, (_, i) => ({ name: `META-INF/signatures${i}.xml`, data: big }));
		const r = await verifyContainer(forgeZip([{ ...MIMETYPE, deflate: false }, { name: 'META-INF/manifest.xml', data: manifestXml(['a.txt']) }, { name: 'a.txt', data: Buffer.from('a') }, ...files]), { trust: 'demo' });
		expect(r.validationConclusion.containerErrors.map((e) => e.code)).toContain('SIGNATURE_XML_BUDGET_EXCEEDED');
		// One file over the per-file limit is refused before parsing.
		const huge = Buffer.from(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><!--${randomBytes(3.5 * 1024 * 1024).toString('base64')}--></asic:XAdESSignatures>`);
		const t0 = Date.now();
		const one = await verifyContainer(forgeZip([{ ...MIMETYPE, deflate: false }, { name: 'META-INF/manifest.xml', data: manifestXml(['a.txt']) }, { name: 'a.txt', data: Buffer.from('a') }, { name: 'META-INF/signatures0.xml', data: huge }]), { trust: 'demo' });
		expect(one.validationConclusion.containerErrors.map((e) => e.code)).toContain('SIGNATURE_FILE_INVALID');
		expect(Date.now() - t0).toBeLessThan(3000);
		expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	});
});

describe('never throws', () => {
	it('hostile inputs and options become findings', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'never-throws-'));
		try {
			const cases: Array<[unknown, unknown]> = [
				[Buffer.alloc(0), { trust: 'demo' }],
				[Buffer.from('PK\u0003\u0004'), { trust: 'demo' }],
				[dir, { trust: 'demo' }],
				[path.join(dir, 'missing.asice'), { trust: 'demo' }],
				[forgeZip(real('valid-asice.asice')), { trust: 'no-such-trust' }],
				[forgeZip(real('valid-asice.asice')), { trust: 'demo', anchors: ['not a PEM'] }],
				[forgeZip(real('valid-asice.asice')), { trust: 'demo', at: new Date('invalid') }],
				[forgeZip(real('valid-asice.asice')), undefined],
				[42, { trust: 'demo' }],
				[null, { trust: 'demo' }],
			];
			for (const [input, options] of cases) {
				const r = await verifyContainer(input as Buffer, options as { trust: 'demo' });
				const vc = r.validationConclusion;
				expect(['TOTAL-FAILED', 'INDETERMINATE', 'TOTAL-PASSED']).toContain(vc.indication);
				if (input === cases[6][0] || input === cases[4][0] || input === cases[5][0] || input === cases[7][0]) continue;
				expect(vc.indication).not.toBe('TOTAL-PASSED');
				expect(vc.containerErrors.length).toBeGreaterThan(0);
			}
			const bad = await verifyContainer(forgeZip(real('valid-asice.asice')), { trust: 'no-such-trust' as 'demo' });
			expect(bad.validationConclusion.containerErrors.map((e) => e.code)).toEqual(['VERIFIER_ERROR']);
			expect(bad.validationConclusion.indication).not.toBe('TOTAL-PASSED');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('a signature the verifier crashes on is reported as VERIFIER_ERROR; the others are still verified', async () => {
		const original = verifySignatureModule.verifySignature;
		let calls = 0;
		const spy = jest.spyOn(verifySignatureModule, 'verifySignature').mockImplementation((...args) => {
			if (calls++ === 1) throw new TypeError('boom');
			return original(...args);
		});
		try {
			const r = await verifyContainer(fs.readFileSync(fixturePath('containers', '2_signatures_duplicate_id.asice')), { trust: 'demo' });
			const sigs = r.validationConclusion.signatures;
			expect(sigs.map((s) => s.indication)).toEqual(['TOTAL-PASSED', 'INDETERMINATE']);
			expect(sigs[1].errors.map((e) => e.code)).toEqual(['VERIFIER_ERROR']);
			expect(sigs[1].errors[0].message).toContain('boom');
			expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
		} finally {
			spy.mockRestore();
		}
	});

	it('yields to the event loop between signatures', async () => {
		const bytes = fs.readFileSync(fixturePath('containers', 'one-valid-and-multiple-invalid-signatures.asice'));
		let ticks = 0;
		let running = true;
		const tick = (): void => {
			ticks++;
			if (running) setImmediate(tick);
		};
		setImmediate(tick);
		const r = await verifyContainer(bytes, { trust: 'demo' });
		running = false;
		expect(r.validationConclusion.signaturesCount).toBe(9);
		expect(ticks).toBeGreaterThanOrEqual(8);
	});
});
