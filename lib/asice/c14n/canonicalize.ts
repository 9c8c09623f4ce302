import type { Attr, Element, Node } from '@xmldom/xmldom';
import { SmartIdError } from '../../errors';
import { c14nMode, type C14nMode } from './algorithms';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Canonicalization refused: unknown algorithm URI or a node type that cannot be canonicalized. */
export class C14nError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}) {
		super('ASICE_C14N_UNSUPPORTED', message, details);
	}
}

/** The work budget of a canonicalization ran out (secure-validation limit); the partial output is discarded. */
export class C14nBudgetError extends SmartIdError {
	constructor(message: string) {
		super('ASICE_C14N_BUDGET', message, {});
	}
}

/**
 * A shared, mutable work budget: every output character and every namespace considered per element costs one unit.
 * Several canonicalizations (all of a container's) can draw from one budget.
 */
export interface C14nBudget {
	remaining: number;
}

/** Options beyond the algorithm URI. */
export interface CanonicalizeOptions {
	/** Exclusive c14n InclusiveNamespaces PrefixList (`#default` for the default namespace). */
	inclusivePrefixes?: string[];
	/**
	 * Override the URI's comment flag. Same-document `#id` dereferencing yields a node-set without
	 * comments, so a WithComments transform after it must still drop them (XMLDSig §4.3.3.3).
	 */
	withComments?: boolean;
	/** Work budget shared across calls; {@link C14nBudgetError} when it runs out. */
	budget?: C14nBudget;
}

type NsMap = Map<string, string>;

function escText(s: string): string {
	return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

function escAttr(s: string): string {
	return s.replace(/[&<"\t\n\r]/g, (c) => {
		switch (c) {
			case '&':
				return '&amp;';
			case '<':
				return '&lt;';
			case '"':
				return '&quot;';
			case '\t':
				return '&#x9;';
			case '\n':
				return '&#xA;';
			default:
				return '&#xD;';
		}
	});
}

function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Namespace declarations an element makes itself (prefix '' = default namespace). */
function ownDeclarations(el: Element): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	const attrs = el.attributes;
	for (let i = 0; i < attrs.length; i++) {
		const a = attrs.item(i)!;
		if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
			const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
			if (prefix === 'xml') continue;
			out.push([prefix, a.value]);
		}
	}
	return out;
}

function isNsDecl(a: Attr): boolean {
	return a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:');
}

/** All namespaces in scope at `el` (ancestors first, nearer declarations override). */
function inScopeNamespaces(el: Element): NsMap {
	const chain: Element[] = [];
	for (let n: Node | null = el; n && n.nodeType === 1; n = n.parentNode) chain.push(n as Element);
	const map: NsMap = new Map();
	for (let i = chain.length - 1; i >= 0; i--) for (const [p, v] of ownDeclarations(chain[i])) map.set(p, v);
	return map;
}

/** Merge xml:base values per C14N 1.1 §2.4 (RFC 3986 reference resolution, no trailing-segment keep). */
function joinXmlBase(base: string, ref: string): string {
	if (ref === '') return base;
	if (base === '') return ref;
	try {
		if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(base)) return new URL(ref, base).toString();
	} catch {
		// fall through to the relative merge
	}
	if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(ref) || ref.startsWith('/')) return ref;
	const dir = base.includes('/') ? base.slice(0, base.lastIndexOf('/') + 1) : '';
	const parts: string[] = [];
	for (const seg of (dir + ref).split('/')) {
		if (seg === '.') continue;
		if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
		else parts.push(seg);
	}
	return parts.join('/');
}

/**
 * xml:* attributes the apex inherits from its ancestors (inclusive c14n only): C14N 1.0 copies all of them;
 * C14N 1.1 copies xml:lang and xml:space, never xml:id, and fixes up xml:base by joining ancestor values.
 */
function inheritedXmlAttrs(el: Element, kind: 'c14n10' | 'c14n11'): Map<string, string> {
	const chain: Element[] = [];
	for (let n: Node | null = el.parentNode; n && n.nodeType === 1; n = n.parentNode) chain.push(n as Element);
	const out = new Map<string, string>();
	let base = '';
	for (let i = chain.length - 1; i >= 0; i--) {
		const attrs = chain[i].attributes;
		for (let j = 0; j < attrs.length; j++) {
			const a = attrs.item(j)!;
			if (a.namespaceURI !== XML_NS) continue;
			const local = a.localName ?? a.name.slice(4);
			if (kind === 'c14n11') {
				if (local === 'id') continue;
				if (local === 'base') {
					base = joinXmlBase(base, a.value);
					continue;
				}
			}
			out.set(local, a.value);
		}
	}
	if (kind === 'c14n11' && base !== '') {
		const own = el.getAttributeNS(XML_NS, 'base');
		out.set('base', own !== null && own !== '' && el.hasAttributeNS(XML_NS, 'base') ? joinXmlBase(base, own) : base);
	}
	return out;
}

interface Ctx {
	mode: C14nMode;
	withComments: boolean;
	inclusivePrefixes: Set<string>;
	out: string[];
	budget?: C14nBudget;
}

interface Frame {
	node: Node;
	/** Namespaces in scope at the parent element (input document). */
	scope: NsMap;
	/** Namespaces already rendered by output ancestors. */
	rendered: NsMap;
	apex: boolean;
	closing?: string;
}

function visiblyUsedPrefixes(el: Element): Set<string> {
	const used = new Set<string>([el.prefix ?? '']);
	const attrs = el.attributes;
	for (let i = 0; i < attrs.length; i++) {
		const a = attrs.item(i)!;
		if (isNsDecl(a)) continue;
		if (a.prefix && a.prefix !== 'xml') used.add(a.prefix);
	}
	return used;
}

function charge(ctx: Ctx, units: number): void {
	if (!ctx.budget) return;
	ctx.budget.remaining -= units;
	if (ctx.budget.remaining < 0) throw new C14nBudgetError('The canonicalization work budget is exhausted; refusing to canonicalize more.');
}

function put(ctx: Ctx, text: string): void {
	charge(ctx, text.length);
	ctx.out.push(text);
}

function renderElement(ctx: Ctx, el: Element, parentScope: NsMap, rendered: NsMap, apex: boolean): [NsMap, NsMap, string] {
	const scope: NsMap = apex ? inScopeNamespaces(el) : new Map(parentScope);
	if (!apex) for (const [p, v] of ownDeclarations(el)) scope.set(p, v);

	// Which namespace declarations to write.
	const emit: Array<[string, string]> = [];
	const candidates: Iterable<string> =
		ctx.mode.kind === 'exc'
			? new Set([...visiblyUsedPrefixes(el), ...[...ctx.inclusivePrefixes].filter((p) => scope.has(p))])
			: new Set([...scope.keys(), ...rendered.keys()]);
	charge(ctx, scope.size + rendered.size + 1);
	const newRendered: NsMap = new Map(rendered);
	for (const p of candidates) {
		const value = scope.get(p) ?? '';
		const have = rendered.get(p) ?? '';
		if (value === have) continue;
		if (p !== '' && value === '') continue; // an undeclared prefix is never written as xmlns:p=""
		emit.push([p, value]);
		newRendered.set(p, value);
	}
	emit.sort((a, b) => cmp(a[0], b[0]));

	// Ordinary attributes, sorted by (namespace URI, local name).
	const attrs: Array<{ ns: string; local: string; qname: string; value: string }> = [];
	const own = el.attributes;
	for (let i = 0; i < own.length; i++) {
		const a = own.item(i)!;
		if (isNsDecl(a)) continue;
		attrs.push({ ns: a.namespaceURI ?? '', local: a.localName ?? a.name, qname: a.name, value: a.value });
	}
	if (apex && ctx.mode.kind !== 'exc') {
		for (const [local, value] of inheritedXmlAttrs(el, ctx.mode.kind)) {
			const existing = attrs.find((x) => x.ns === XML_NS && x.local === local);
			if (existing) {
				if (local === 'base' && ctx.mode.kind === 'c14n11') existing.value = value;
				continue;
			}
			attrs.push({ ns: XML_NS, local, qname: `xml:${local}`, value });
		}
	}
	attrs.sort((a, b) => cmp(a.ns, b.ns) || cmp(a.local, b.local));

	const name = el.tagName;
	let s = `<${name}`;
	for (const [p, v] of emit) s += p === '' ? ` xmlns="${escAttr(v)}"` : ` xmlns:${p}="${escAttr(v)}"`;
	for (const a of attrs) s += ` ${a.qname}="${escAttr(a.value)}"`;
	s += '>';
	put(ctx, s);
	return [scope, newRendered, `</${name}>`];
}

function walk(ctx: Ctx, root: Node): void {
	const isDoc = root.nodeType === 9;
	const stack: Frame[] = [{ node: root, scope: new Map(), rendered: new Map(), apex: true }];
	while (stack.length) {
		const f = stack.pop()!;
		if (f.closing !== undefined) {
			put(ctx, f.closing);
			continue;
		}
		const n = f.node;
		switch (n.nodeType) {
			case 9: {
				for (let c = n.lastChild; c; c = c.previousSibling) stack.push({ node: c, scope: f.scope, rendered: f.rendered, apex: false });
				break;
			}
			case 1: {
				const el = n as Element;
				const apex = f.apex || (isDoc && el.parentNode === root);
				const [scope, rendered, closing] = renderElement(ctx, el, f.scope, f.rendered, apex);
				stack.push({ node: n, scope, rendered, apex: false, closing });
				for (let c = n.lastChild; c; c = c.previousSibling) stack.push({ node: c, scope, rendered, apex: false });
				break;
			}
			case 3:
			case 4: {
				// Outside the document element only markup counts; whitespace there is dropped.
				if (isDoc && n.parentNode === root) break;
				put(ctx, escText((n as unknown as { data: string }).data));
				break;
			}
			case 7:
			case 8: {
				if (n.nodeType === 8 && !ctx.withComments) break;
				// xmldom keeps the XML declaration as a PI named "xml"; it is not part of the data model.
				if (n.nodeType === 7 && (n as unknown as { target: string }).target.toLowerCase() === 'xml') break;
				const text =
					n.nodeType === 8
						? `<!--${(n as unknown as { data: string }).data}-->`
						: `<?${(n as unknown as { target: string }).target}${(n as unknown as { data: string }).data ? ' ' + (n as unknown as { data: string }).data : ''}?>`;
				if (isDoc && n.parentNode === root) {
					const docEl = (root as unknown as { documentElement: Node | null }).documentElement;
					const before = docEl ? isBefore(n, docEl) : true;
					put(ctx, before ? text + '\n' : '\n' + text);
				} else {
					put(ctx, text);
				}
				break;
			}
			default:
				// Doctype and entity nodes never reach here: parseXmlSafely refuses DTDs.
				break;
		}
	}
}

function isBefore(a: Node, b: Node): boolean {
	for (let s = a.nextSibling; s; s = s.nextSibling) if (s === b) return true;
	return false;
}

/**
 * Canonical form (UTF-8 bytes) of `node` and its subtree as part of its document, per the algorithm URI:
 * inclusive C14N 1.0 / 1.1 (apex gets every in-scope namespace and the inherited xml:* attributes) or
 * exclusive C14N 1.0 (only visibly utilized namespaces plus the InclusiveNamespaces PrefixList), each with or
 * without comments. A Document node canonicalizes the whole document.
 * @throws C14nError for an unknown algorithm URI or a node that is neither an element nor a document.
 */
export function canonicalize(node: Node, algorithm: string, options: CanonicalizeOptions = {}): Buffer {
	const mode = c14nMode(algorithm);
	if (!mode) throw new C14nError(`Canonicalization algorithm "${algorithm}" is not supported.`, { algorithm });
	if (node.nodeType !== 1 && node.nodeType !== 9) {
		throw new C14nError('Only an element or a whole document can be canonicalized.', { nodeType: node.nodeType });
	}
	const prefixes = new Set<string>();
	if (mode.kind === 'exc') for (const p of options.inclusivePrefixes ?? []) prefixes.add(p === '#default' ? '' : p);
	const ctx: Ctx = { mode, withComments: options.withComments ?? mode.withComments, inclusivePrefixes: prefixes, out: [], budget: options.budget };
	walk(ctx, node);
	return Buffer.from(ctx.out.join(''), 'utf8');
}
