import { DOMParser, type Document, type Node } from '@xmldom/xmldom';
import { XmlParseError } from './errors';

/** Limits applied by {@link parseXmlSafely}; every field has a conservative default. */
export interface XmlLimits {
	/** Maximum input size in bytes (default 10 MiB; real signature files are < 100 KiB). */
	maxBytes?: number;
	/** Maximum element nesting depth (default 64; XAdES needs about 12). */
	maxDepth?: number;
	/** Maximum number of nodes of all kinds (default 200 000). */
	maxNodes?: number;
}

const DEFAULTS: Required<XmlLimits> = { maxBytes: 10 * 1024 * 1024, maxDepth: 64, maxNodes: 200_000 };

/** XML 1.0 line-end handling only (xmldom's default also folds U+0085/U+2028, which XML 1.0 keeps). */
function normalizeXml10LineEndings(input: string): string {
	return input.replace(/\r\n?/g, '\n');
}

function decode(xml: Buffer | string): string {
	if (typeof xml === 'string') return xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
	if (xml.length >= 2 && ((xml[0] === 0xff && xml[1] === 0xfe) || (xml[0] === 0xfe && xml[1] === 0xff))) {
		throw new XmlParseError('XML_ENCODING_UNSUPPORTED', 'XML is UTF-16 encoded; only UTF-8 XML is accepted.');
	}
	const start = xml.length >= 3 && xml[0] === 0xef && xml[1] === 0xbb && xml[2] === 0xbf ? 3 : 0;
	const text = new TextDecoder('utf-8', { fatal: false }).decode(xml.subarray(start));
	if (text.includes('\uFFFD') && !xml.includes(Buffer.from('\uFFFD', 'utf8'))) {
		throw new XmlParseError('XML_ENCODING_UNSUPPORTED', 'XML is not valid UTF-8; re-save the document as UTF-8.');
	}
	return text;
}

function checkDeclaredEncoding(text: string): void {
	const decl = /^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(text);
	if (decl && !/^utf-?8$/i.test(decl[1])) {
		throw new XmlParseError('XML_ENCODING_UNSUPPORTED', `XML declares encoding "${decl[1]}"; only UTF-8 is accepted.`);
	}
}

/**
 * Upper-bound-free quick depth scan before parsing, so a 10 MiB "<a><a><a>…" is refused in milliseconds.
 * It can only under-count ("/>" inside text), never over-count, so it never refuses a document the
 * exact post-parse walk would accept.
 */
function quickDepthCheck(text: string, maxDepth: number): void {
	const re = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<\/|\/>|<[^!?/]/g;
	let depth = 0;
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const t = m[0];
		if (t === '</' || t === '/>') depth--;
		else if (t.length === 2 && t[0] === '<') {
			if (++depth > maxDepth) {
				throw new XmlParseError('XML_TOO_DEEP', `XML elements nest deeper than ${maxDepth} levels; refusing it.`);
			}
		}
	}
}

function checkTree(doc: Document, limits: Required<XmlLimits>): void {
	// Iterative walk: a recursive one would let a deep document overflow the stack.
	let nodes = 0;
	const stack: Array<[Node, number]> = [[doc, 0]];
	while (stack.length > 0) {
		const [node, depth] = stack.pop()!;
		if (++nodes > limits.maxNodes) {
			throw new XmlParseError('XML_TOO_MANY_NODES', `XML has more than ${limits.maxNodes} nodes; refusing it.`);
		}
		if (node.nodeType === 10) {
			throw new XmlParseError('XML_DTD_FORBIDDEN', 'XML contains a DOCTYPE; DTDs and entities are not allowed.');
		}
		if (node.nodeType === 1 && depth > limits.maxDepth) {
			throw new XmlParseError('XML_TOO_DEEP', `XML elements nest deeper than ${limits.maxDepth} levels; refusing it.`);
		}
		for (let c = node.firstChild; c; c = c.nextSibling) stack.push([c, node.nodeType === 1 || node.nodeType === 9 ? depth + 1 : depth]);
	}
}

/**
 * Parse untrusted XML into a namespace-aware DOM that keeps whitespace exactly (needed for c14n).
 * Refuses DTDs/DOCTYPE and entity declarations (billion laughs, external entities), non-UTF-8 input,
 * inputs above the byte size, depth and node-count limits, and any well-formedness error.
 * @throws XmlParseError with a `reason` naming the broken rule.
 */
export function parseXmlSafely(xml: Buffer | string, limits: XmlLimits = {}): Document {
	const lim: Required<XmlLimits> = { ...DEFAULTS, ...limits };
	const size = typeof xml === 'string' ? Buffer.byteLength(xml, 'utf8') : xml.length;
	if (size > lim.maxBytes) {
		throw new XmlParseError('XML_TOO_LARGE', `XML is ${size} bytes, above the ${lim.maxBytes}-byte limit.`, { size });
	}
	const text = decode(xml);
	checkDeclaredEncoding(text);
	// Cheap pre-scan: refuse before the parser sees any declaration, whatever its spelling.
	if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(text)) {
		throw new XmlParseError('XML_DTD_FORBIDDEN', 'XML contains a DOCTYPE or entity declaration; these are not allowed.');
	}
	quickDepthCheck(text, lim.maxDepth);
	let doc: Document;
	try {
		const parser = new DOMParser({
			locator: false,
			normalizeLineEndings: normalizeXml10LineEndings,
			onError: (level: string, message: string) => {
				if (level !== 'warning') throw new Error(message);
			},
		});
		doc = parser.parseFromString(text, 'application/xml');
	} catch (err) {
		// xmldom wraps our thrown message as 'Reporting fatalError "…" caused Error: …'; keep the plain reason.
		const first = err instanceof Error ? err.message.split('\n')[0] : String(err);
		const msg = first.includes('caused Error: ') ? first.slice(first.lastIndexOf('caused Error: ') + 14) : first;
		throw new XmlParseError('XML_MALFORMED', `XML is not well-formed: ${msg}`);
	}
	if (!doc || !doc.documentElement) throw new XmlParseError('XML_MALFORMED', 'XML has no root element.');
	checkTree(doc, lim);
	return doc;
}
