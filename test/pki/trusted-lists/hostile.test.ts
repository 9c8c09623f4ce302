import {
	TrustedListError,
	parseTrustedListXml,
	verifyListSignature,
	verifyNationalList,
	verifyLotl,
	verifyTrustedList,
} from '../../../lib/pki/trusted-lists';
import { AT, OJ_2019, tlBytes } from './helpers';

function codeOf(fn: () => unknown): string {
	try {
		fn();
	} catch (err) {
		if (err instanceof TrustedListError) return err.code;
		throw err;
	}
	return 'PASSED';
}

const lotlText = tlBytes('eu-lotl.xml').toString('utf8');
const verify = (text: string) => () => verifyLotl(Buffer.from(text), { ojCertificates: OJ_2019(), at: AT });

describe('hostile or damaged list XML is refused with a named code', () => {
	it('one changed status URI in a signed national list: TL_DIGEST_MISMATCH', () => {
		const lotl = verifyLotl(tlBytes('eu-lotl.xml'), { ojCertificates: OJ_2019(), at: AT }).list;
		const lv = tlBytes('LV.xml').toString('utf8').replace('Svcstatus/withdrawn', 'Svcstatus/granted');
		expect(codeOf(() => verifyNationalList(Buffer.from(lv), lotl, 'LV', { at: AT }))).toBe('TL_DIGEST_MISMATCH');
	});

	it('a signature moved below the root (wrapping) is not an enveloped list signature: TL_SIGNATURE_MISSING', () => {
		const start = lotlText.indexOf('<ds:Signature ');
		const end = lotlText.indexOf('</ds:Signature>') + '</ds:Signature>'.length;
		const sig = lotlText.slice(start, end);
		const moved = lotlText.slice(0, start) + lotlText.slice(end);
		const wrapped = moved.replace('</SchemeInformation>', `</SchemeInformation><Wrapper>${sig}</Wrapper>`);
		expect(codeOf(verify(wrapped))).toBe('TL_SIGNATURE_MISSING');
	});

	it('two signatures under the root: TL_SIGNATURE_UNSUPPORTED', () => {
		const start = lotlText.indexOf('<ds:Signature ');
		const end = lotlText.indexOf('</ds:Signature>') + '</ds:Signature>'.length;
		const twice = lotlText.slice(0, end) + lotlText.slice(start, end).replace(/Id="/g, 'Id="x') + lotlText.slice(end);
		expect(codeOf(verify(twice))).toBe('TL_SIGNATURE_UNSUPPORTED');
	});

	it('a reference pointing at the SignatureValue instead of SignedProperties: TL_SIGNATURE_NOT_COVERING', () => {
		const redirected = lotlText.replace(/URI="#xades-(id-[0-9a-f]+)"/, 'URI="#value-$1"');
		expect(codeOf(verify(redirected))).toBe('TL_SIGNATURE_NOT_COVERING');
	});

	it('an unknown SignatureMethod: TL_SIGNATURE_UNSUPPORTED', () => {
		expect(codeOf(verify(lotlText.replace('xmldsig-more#rsa-sha256', 'xmldsig-more#rsa-md5')))).toBe('TL_SIGNATURE_UNSUPPORTED');
	});

	it('an HTML error page served with 200, a DTD, UTF-16 and a node flood: TL_XML_REFUSED before any signature work', () => {
		expect(codeOf(() => verifyTrustedList(Buffer.from('<html><body>Service unavailable</body>'), OJ_2019(), { at: AT }))).toBe('TL_XML_REFUSED');
		expect(codeOf(() => parseTrustedListXml(Buffer.from('<!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>')))).toBe('TL_XML_REFUSED');
		expect(codeOf(() => parseTrustedListXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a/>', 'utf16le')])))).toBe('TL_XML_REFUSED');
		expect(codeOf(() => parseTrustedListXml(tlBytes('eu-lotl.xml'), { maxNodes: 1000 }))).toBe('TL_XML_REFUSED');
		const deep = Buffer.from('<a>'.repeat(10_000) + '</a>'.repeat(10_000));
		expect(codeOf(() => parseTrustedListXml(deep))).toBe('TL_XML_REFUSED');
	});

	it('a well-formed document that is not a trusted list: TL_MALFORMED (after its signature) or TL_SIGNATURE_MISSING', () => {
		expect(codeOf(() => verifyTrustedList(Buffer.from('<x xmlns="urn:other"/>'), OJ_2019(), { at: AT }))).toBe('TL_SIGNATURE_MISSING');
	});

	it('the canonicalization work budget stops a costly signature: TL_WORK_BUDGET_EXCEEDED', () => {
		const doc = parseTrustedListXml(tlBytes('eu-lotl.xml'));
		expect(codeOf(() => verifyListSignature(doc, OJ_2019(), { c14nBudget: 10_000 }))).toBe('TL_WORK_BUDGET_EXCEEDED');
		// The document is restored after the enveloped transform: the same DOM verifies with a normal budget.
		expect(verifyListSignature(doc, OJ_2019()).signer.subject).toContain('Kremer');
	});
});
