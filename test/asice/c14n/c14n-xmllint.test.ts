import { execFileSync } from 'node:child_process';
import { canonicalize, C14N, C14nError } from '../../../lib/asice/c14n';
import { parseXmlSafely } from '../../../lib/asice/xml';

// Whole-document oracle: xmllint --c14n / --c14n11 / --exc-c14n (all "with comments").
function xmllint(flag: string, xml: string): string {
	return execFileSync('xmllint', [flag, '-'], { input: xml, encoding: 'utf8' });
}

const DOCS: Record<string, string> = {
	// W3C C14N 1.0 §3.1 (PIs, comments, outside-element whitespace)
	w3c31: `<?xml version="1.0"?>\n\n<?xml-stylesheet   href="doc.xsl"\n   type="text/xsl"   ?>\n\n<doc>Hello, world!<!-- Comment 1 --></doc>\n\n<?pi-without-data     ?>\n\n<!-- Comment 2 -->\n\n<!-- Comment 3 -->`,
	// W3C C14N 1.0 §3.2 (whitespace in document content)
	w3c32: `<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n   <mixed>\n      A\n      <clean>   </clean>\n      B\n      <dirty>   A   B   </dirty>\n      C\n   </mixed>\n</doc>`,
	// W3C §3.3 start and end tags, namespace and attribute ordering (DTD parts left out: we refuse DTDs)
	w3c33: `<doc>\n   <e1   />\n   <e2   ></e2>\n   <e3   name = "elem3"   id="elem3"   />\n   <e4   name="elem4"   id="elem4"   ></e4>\n   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"\n      xmlns:b="http://www.ietf.org"\n      xmlns:a="http://www.w3.org"\n      xmlns="http://example.org"/>\n   <e6 xmlns="" xmlns:a="http://www.w3.org">\n      <e7 xmlns="http://www.ietf.org">\n         <e8 xmlns="" xmlns:a="http://www.w3.org">\n            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>\n         </e8>\n      </e7>\n   </e6>\n</doc>`,
	// W3C §3.4 character modifications (no DTD-defaulted attributes)
	w3c34: `<doc>\n   <text>First line&#x0d;&#10;Second line</text>\n   <value>&#x32;</value>\n   <compute><![CDATA[value>"0" && value<"10" ?"valid":"error"]]></compute>\n   <compute expr='value>"0" &amp;&amp; value&lt;"10" ?"valid":"error"'>valid</compute>\n   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>\n</doc>`,
	// W3C §3.6 UTF-8 encoding
	w3c36: `<?xml version="1.0" encoding="UTF-8"?>\n<doc>&#169;</doc>`,
	excVsInc: `<n0:pdu xmlns:n0="http://a.example"><n1:elem1 xmlns:n1="http://b.example" xmlns:n2="http://c.example">content</n1:elem1></n0:pdu>`,
};

describe('canonicalize() of whole documents matches xmllint', () => {
	for (const [name, xml] of Object.entries(DOCS)) {
		it(name, () => {
			const doc = parseXmlSafely(xml);
			expect(canonicalize(doc, C14N.c14n10Comments).toString('utf8')).toBe(xmllint('--c14n', xml));
			expect(canonicalize(doc, C14N.c14n11Comments).toString('utf8')).toBe(xmllint('--c14n11', xml));
			expect(canonicalize(doc, C14N.excComments).toString('utf8')).toBe(xmllint('--exc-c14n', xml));
		});
	}

	it('drops comments without #WithComments', () => {
		const doc = parseXmlSafely(DOCS.w3c31);
		expect(canonicalize(doc, C14N.c14n10).toString('utf8')).toBe(
			'<?xml-stylesheet href="doc.xsl"\n   type="text/xsl"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>',
		);
	});

	it('refuses an unknown algorithm with a typed error', () => {
		const doc = parseXmlSafely('<a/>');
		expect(() => canonicalize(doc, 'http://example.com/c14n')).toThrow(C14nError);
	});
});
