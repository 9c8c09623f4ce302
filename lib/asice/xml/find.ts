import type { Node, Element, CharacterData } from '@xmldom/xmldom';

/** Namespace URIs used across ASiC-E / XAdES processing. */
export const NS = {
	ds: 'http://www.w3.org/2000/09/xmldsig#',
	xades: 'http://uri.etsi.org/01903/v1.3.2#',
	xades141: 'http://uri.etsi.org/01903/v1.4.1#',
	asic: 'http://uri.etsi.org/02918/v1.2.1#',
	manifest: 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0',
	xmlns: 'http://www.w3.org/2000/xmlns/',
	xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** True when `node` is an element with that namespace URI and local name. */
export function isElement(node: Node | null | undefined, ns: string, localName: string): node is Element {
	return !!node && node.nodeType === 1 && (node as Element).namespaceURI === ns && (node as Element).localName === localName;
}

/** Element children of `parent` (in document order), optionally only those with the given name. */
export function childElements(parent: Node, ns?: string, localName?: string): Element[] {
	const out: Element[] = [];
	for (let c = parent.firstChild; c; c = c.nextSibling) {
		if (c.nodeType !== 1) continue;
		if (ns !== undefined && localName !== undefined && !isElement(c, ns, localName)) continue;
		out.push(c as Element);
	}
	return out;
}

/** The single child element with that name, or null; throws when there are several (ambiguous input). */
export function childElement(parent: Node, ns: string, localName: string): Element | null {
	const all = childElements(parent, ns, localName);
	if (all.length > 1) throw new Error(`Element ${localName} occurs ${all.length} times where one is allowed.`);
	return all[0] ?? null;
}

/** Follow a path of (ns, localName) steps through single children; null when a step is missing. */
export function childPath(parent: Node, ...steps: Array<[string, string]>): Element | null {
	let cur: Node | null = parent;
	for (const [ns, name] of steps) {
		if (!cur) return null;
		cur = childElement(cur, ns, name);
	}
	return cur as Element | null;
}

/** All descendant elements (document order, iterative) with that namespace URI and local name. */
export function descendants(root: Node, ns: string, localName: string): Element[] {
	const out: Element[] = [];
	const stack: Node[] = [];
	for (let c = root.lastChild; c; c = c.previousSibling) stack.push(c);
	while (stack.length) {
		const n = stack.pop()!;
		if (n.nodeType !== 1) continue;
		if (isElement(n, ns, localName)) out.push(n as Element);
		for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
	}
	return out;
}

/** Concatenated text content of an element (text and CDATA children only), untrimmed. */
export function textOf(el: Element): string {
	let s = '';
	for (let c = el.firstChild; c; c = c.nextSibling) {
		if (c.nodeType === 3 || c.nodeType === 4) s += (c as CharacterData).data;
	}
	return s;
}
