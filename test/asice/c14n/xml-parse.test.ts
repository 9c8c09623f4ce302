import { parseXmlSafely, XmlParseError, descendants, childPath, NS } from '../../../lib/asice/xml';

function reason(fn: () => unknown): string {
	try {
		fn();
	} catch (e) {
		if (e instanceof XmlParseError) return e.reason;
		throw e;
	}
	throw new Error('expected a refusal');
}

describe('parseXmlSafely', () => {
	it('refuses the billion laughs entity expansion quickly', () => {
		const lol =
			'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
			Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
			']><lolz>&lol9;</lolz>';
		const t0 = Date.now();
		expect(reason(() => parseXmlSafely(lol))).toBe('XML_DTD_FORBIDDEN');
		expect(Date.now() - t0).toBeLessThan(500);
	});

	it('refuses external entities (XXE)', () => {
		const xxe = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
		expect(reason(() => parseXmlSafely(xxe))).toBe('XML_DTD_FORBIDDEN');
		expect(reason(() => parseXmlSafely('<!doctype x SYSTEM "http://127.0.0.1/x.dtd"><x/>'))).toBe('XML_DTD_FORBIDDEN');
	});

	it('refuses undeclared entity references as malformed', () => {
		expect(reason(() => parseXmlSafely('<a>&ent;</a>'))).toBe('XML_MALFORMED');
	});

	it('enforces depth, size and node limits', () => {
		const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
		const t0 = Date.now();
		expect(reason(() => parseXmlSafely(deep))).toBe('XML_TOO_DEEP');
		expect(Date.now() - t0).toBeLessThan(500);
		expect(reason(() => parseXmlSafely('<a>' + 'x'.repeat(2000) + '</a>', { maxBytes: 1000 }))).toBe('XML_TOO_LARGE');
		expect(reason(() => parseXmlSafely('<a>' + '<b/>'.repeat(50) + '</a>', { maxNodes: 20 }))).toBe('XML_TOO_MANY_NODES');
		expect(parseXmlSafely('<a>'.repeat(10) + '</a>'.repeat(10), { maxDepth: 10 }).documentElement).toBeTruthy();
	});

	it('refuses malformed XML, unbound prefixes and non-UTF-8 encodings', () => {
		expect(reason(() => parseXmlSafely('<a><b></a>'))).toBe('XML_MALFORMED');
		expect(reason(() => parseXmlSafely('<p:a/>'))).toBe('XML_MALFORMED');
		expect(reason(() => parseXmlSafely(''))).toBe('XML_MALFORMED');
		expect(reason(() => parseXmlSafely('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'))).toBe('XML_ENCODING_UNSUPPORTED');
		expect(reason(() => parseXmlSafely(Buffer.from([0xff, 0xfe, 0x3c, 0x00])))).toBe('XML_ENCODING_UNSUPPORTED');
		expect(reason(() => parseXmlSafely(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])))).toBe(
			'XML_ENCODING_UNSUPPORTED',
		);
	});

	it('keeps whitespace and normalises only XML 1.0 line ends', () => {
		const doc = parseXmlSafely(Buffer.from('\uFEFF<a>\r\n x\u2028y\r</a>', 'utf8'));
		expect(doc.documentElement!.firstChild!.nodeValue).toBe('\n x\u2028y\n');
	});

	it('finds namespaced elements', () => {
		const doc = parseXmlSafely(
			`<r xmlns:ds="${NS.ds}"><ds:Signature><ds:SignedInfo/><x:SignedInfo xmlns:x="urn:other"/></ds:Signature><ds:Signature/></r>`,
		);
		expect(descendants(doc, NS.ds, 'Signature')).toHaveLength(2);
		expect(descendants(doc, NS.ds, 'SignedInfo')).toHaveLength(1);
		expect(() => childPath(doc.documentElement!, [NS.ds, 'Signature'])).toThrow(/occurs 2 times/);
	});
});
