import type { Node } from '@xmldom/xmldom';
import { canonicalize, type C14nBudget } from '../c14n';
import { parseXmlSafely } from '../xml';

/** A c14n step as a reference or property names it. */
export interface CanonStep {
	algorithm: string;
	prefixes?: string[];
	withComments?: boolean;
}

/**
 * Canonical forms of one container, cached per (node, transform chain) and charged to one work budget, in the
 * spirit of xmlsec's secure validation: however many references, timestamps and archive timestamps name the same
 * element, it is canonicalized once, and the container as a whole cannot make the verifier produce more than
 * `budget` units of canonical output (see {@link C14nBudget}).
 */
export class C14nCache {
	private readonly forms = new WeakMap<Node, Map<string, Buffer>>();
	readonly budget: C14nBudget;

	constructor(units: number) {
		this.budget = { remaining: units };
	}

	/** Canonical bytes of `node` after `steps` (a later step re-parses the previous octets). */
	get(node: Node, steps: CanonStep[]): Buffer {
		const key = JSON.stringify(steps.map((s) => [s.algorithm, s.prefixes ?? null, s.withComments ?? null]));
		let perNode = this.forms.get(node);
		const hit = perNode?.get(key);
		if (hit) return hit;
		let bytes: Buffer | null = null;
		for (const step of steps) {
			const opts = { ...(step.prefixes ? { inclusivePrefixes: step.prefixes } : {}), ...(step.withComments !== undefined ? { withComments: step.withComments } : {}), budget: this.budget };
			bytes = bytes === null ? canonicalize(node, step.algorithm, opts) : canonicalize(parseXmlSafely(bytes), step.algorithm, opts);
		}
		if (!perNode) {
			perNode = new Map();
			this.forms.set(node, perNode);
		}
		perNode.set(key, bytes!);
		return bytes!;
	}
}
