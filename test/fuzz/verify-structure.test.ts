/**
 * Fuzz: `verifyContainer` on real containers whose signature XML was edited as a tree (not as bytes), so the
 * XAdES reader sees well-formed but wrong structures: elements removed, duplicated, moved to another parent or
 * emptied; attributes removed or changed (Id, URI, Algorithm, Type, ...); text replaced (digests, Base64 values,
 * times, serial numbers). The ZIP is rewritten with correct CRCs.
 *
 * Properties:
 * - verifyContainer never throws and always returns a report with a known indication, within the per-case limit;
 * - an edit inside ds:SignedInfo or xades:SignedProperties never leaves the container TOTAL-PASSED;
 * - an added file (a twin of the signed name under case, trailing dot/space, '+' or percent readings, or a plain or
 *   META-INF extra) never leaves the container TOTAL-PASSED;
 * - heap growth stays bounded.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 30 runs (about 150 ms each: ZIP rewrite plus full verification).
 */
import * as fs from 'node:fs';
import { XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import fc from 'fast-check';
import JSZip from 'jszip';
import { verifyContainer } from '../../lib/asice/verify';
import { parseXmlSafely } from '../../lib/asice/xml';
import { fuzzParams, fuzzTimeout, typedOutcomeAsync, withBoundedHeap } from '../helpers/fuzz-budget';
import { fixturePath } from '../helpers/fixtures';

jest.setTimeout(fuzzTimeout(90_000));

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const AT = new Date('2026-11-01T00:00:00Z');

interface Source {
	name: string;
	files: Array<[string, Buffer]>;
	signatureFile: string;
	xml: string;
}

const FIXTURES = ['valid-asice.asice', 'valid-bdoc-tm.bdoc', 'valid-asice-lta.asice', 'PSS-signature.asice'];
let sources: Source[];

beforeAll(async () => {
	sources = [];
	for (const name of FIXTURES) {
		const zip = await JSZip.loadAsync(fs.readFileSync(fixturePath('containers', name)));
		const files: Array<[string, Buffer]> = [];
		for (const n of Object.keys(zip.files)) if (!zip.files[n].dir && n !== 'mimetype') files.push([n, await zip.file(n)!.async('nodebuffer')]);
		const sig = files.find(([n]) => /^META-INF\/[^/]*signatures[^/]*\.xml$/.test(n))!;
		sources.push({ name, files, signatureFile: sig[0], xml: sig[1].toString('utf8') });
	}
});

async function zipWith(src: Source, signatureXml: string, extra?: string): Promise<Buffer> {
	const out = new JSZip();
	out.file('mimetype', 'application/vnd.etsi.asic-e+zip', { compression: 'STORE' });
	for (const [n, d] of src.files) out.file(n, n === src.signatureFile ? Buffer.from(signatureXml, 'utf8') : d, { compression: 'DEFLATE' });
	if (extra !== undefined) out.file(extra, 'not signed by anyone', { compression: 'DEFLATE' });
	return out.generateAsync({ type: 'nodebuffer' });
}

/** Files an attacker adds next to the signed test.txt: twins under lenient readings, plain and META-INF extras. */
const EXTRA_NAMES = ['Test.txt', 'TEST.TXT', 'test.txt.', 'test.txt ', 'test+txt', 'test%2Etxt', 'evil.exe', 'sub/test.txt', 'META-INF/evil.xml', 'META-INF/signatures.txt'];

function elementsOf(root: Node): Element[] {
	const out: Element[] = [];
	const stack: Node[] = [root];
	while (stack.length) {
		const n = stack.pop()!;
		if (n.nodeType === 1) out.push(n as Element);
		for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
	}
	return out;
}

function inSigned(el: Node | null): boolean {
	for (let n = el; n; n = n.parentNode) {
		const e = n as Element;
		if (n.nodeType === 1 && ((e.namespaceURI === DS && e.localName === 'SignedInfo') || (e.namespaceURI === XADES && e.localName === 'SignedProperties'))) return true;
	}
	return false;
}

type Edit =
	| { kind: 'remove'; pick: number }
	| { kind: 'duplicate'; pick: number }
	| { kind: 'move'; pick: number; to: number }
	| { kind: 'empty'; pick: number }
	| { kind: 'text'; pick: number; value: string }
	| { kind: 'attr'; pick: number; attr: number; value: string | null };

const TEXTS = ['', 'AAAA', 'not base64!', '2018-11-23T12:24:04Z', '1999-01-01T00:00:00Z', '-1', '0', '99999999999999999999999999', 'CN=x', 'http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha1', 'MII'];
const ATTR_VALUES = ['', '#', '#S0', '#nope', 'test.txt', 'test%2etxt', '../test.txt', 'http://www.w3.org/2001/10/xml-exc-c14n#', 'http://www.w3.org/2006/12/xml-c14n11', 'urn:unknown', 'http://uri.etsi.org/01903#SignedProperties', 'S0', 'S0-SignedProperties'];
const editArb: fc.Arbitrary<Edit> = fc.oneof(
	fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), to: fc.nat() }),
	fc.record({ kind: fc.constant('empty' as const), pick: fc.nat() }),
	fc.record({ kind: fc.constant('text' as const), pick: fc.nat(), value: fc.oneof(fc.constantFrom(...TEXTS), fc.base64String({ maxLength: 60 }), fc.string({ maxLength: 20 })) }),
	fc.record({ kind: fc.constant('attr' as const), pick: fc.nat(), attr: fc.nat(), value: fc.option(fc.oneof(fc.constantFrom(...ATTR_VALUES), fc.string({ maxLength: 12 })), { nil: null }) }),
);

/** Apply edits to the signature document; returns the new XML and whether a signed part was touched. */
function applyEdits(xml: string, edits: Edit[]): { xml: string; signedTouched: boolean; changed: boolean } {
	const doc = parseXmlSafely(xml);
	let signedTouched = false;
	for (const e of edits) {
		// Never edit the root: a missing XAdESSignatures root is covered by the byte-level fuzz.
		const els = elementsOf(doc.documentElement!).slice(1);
		if (els.length === 0) break;
		const el = els[e.pick % els.length];
		const touched = inSigned(el);
		switch (e.kind) {
			case 'remove':
				el.parentNode!.removeChild(el);
				break;
			case 'duplicate':
				el.parentNode!.insertBefore(el.cloneNode(true), el.nextSibling);
				break;
			case 'move': {
				const target = els[e.to % els.length];
				let loop = false;
				for (let n: Node | null = target; n; n = n.parentNode) if (n === el) loop = true;
				if (loop || target === el.parentNode) continue;
				signedTouched ||= inSigned(target);
				target.appendChild(el);
				break;
			}
			case 'empty':
				if (!el.firstChild) continue;
				while (el.firstChild) el.removeChild(el.firstChild);
				break;
			case 'text':
				if (el.textContent === e.value) continue;
				while (el.firstChild) el.removeChild(el.firstChild);
				el.appendChild(doc.createTextNode(e.value));
				break;
			case 'attr': {
				// Namespace declarations are left alone: the serializer re-creates the ones in use.
				const attrs = Array.from({ length: el.attributes.length }, (_, i) => el.attributes.item(i)!).filter((a) => a.prefix !== 'xmlns' && a.name !== 'xmlns');
				if (attrs.length === 0) continue;
				const a = attrs[e.attr % attrs.length];
				if (e.value === null) el.removeAttributeNode(a);
				else if (a.value !== e.value) a.value = e.value;
				else continue;
				break;
			}
		}
		signedTouched ||= touched;
	}
	const out = new XMLSerializer().serializeToString(doc);
	return { xml: out, signedTouched, changed: out !== new XMLSerializer().serializeToString(parseXmlSafely(xml)) };
}

describe('XAdES structure fuzz', () => {
	it('controls: the untouched sources pass; one changed SignedInfo attribute fails', async () => {
		for (const s of sources.slice(0, 1)) {
			const same = await verifyContainer(await zipWith(s, s.xml), { trust: 'demo', at: AT });
			expect(same.validationConclusion.indication).toBe('TOTAL-PASSED');
			const ref = elementsOf(parseXmlSafely(s.xml)).findIndex((e) => e.localName === 'Reference') - 1;
			const edited = applyEdits(s.xml, [{ kind: 'attr', pick: ref, attr: 0, value: 'urn:changed' }]);
			expect(edited.signedTouched).toBe(true);
			const r = await verifyContainer(await zipWith(s, edited.xml), { trust: 'demo', at: AT });
			expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
		}
	});

	it('tree edits of the signature XML: a report, never a throw; edits in signed parts never pass', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.asyncProperty(fc.nat(FIXTURES.length - 1), fc.array(editArb, { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom(...EXTRA_NAMES), { freq: 3, nil: undefined }), async (i, edits, extra) => {
					const src = sources[i];
					const { xml, signedTouched, changed } = applyEdits(src.xml, edits);
					const bytes = await zipWith(src, xml, extra);
					const r = await typedOutcomeAsync('verifyContainer(edited XAdES)', [], () => verifyContainer(bytes, { trust: 'demo', at: AT }));
					if (!r.ok) return;
					const vc = r.value.validationConclusion;
					expect(['TOTAL-PASSED', 'TOTAL-FAILED', 'INDETERMINATE']).toContain(vc.indication);
					if (signedTouched && changed) expect(vc.indication).not.toBe('TOTAL-PASSED');
					// A file nobody signed never rides along with a passing verdict, whatever its name.
					if (extra !== undefined) expect(vc.indication).not.toBe('TOTAL-PASSED');
				}),
				fuzzParams(30),
			),
		);
	});
});
