import { C14N, isC14nAlgorithm } from '../c14n';
import { C14nCache } from './c14n-cache';
import type { ParsedReference, ParsedSignature, C14nStep } from './xades';
import type { Element } from '@xmldom/xmldom';

/** Result of dereferencing a same-document reference. */
export type Dereferenced = { ok: true; bytes: Buffer } | { ok: false; notFound?: boolean; reason: string };

/** Apply the c14n steps of a same-document reference (default inclusive C14N 1.0; comments never kept for "#id"). */
export function transformElement(el: Element, transforms: C14nStep[], cache: C14nCache): Dereferenced {
	const steps = transforms.length > 0 ? transforms : [{ algorithm: C14N.c14n10 }];
	for (const step of steps) {
		if (!isC14nAlgorithm(step.algorithm)) return { ok: false, reason: `Transform "${step.algorithm}" is not supported.` };
	}
	return { ok: true, bytes: cache.get(el, steps.map((s) => ({ algorithm: s.algorithm, prefixes: s.prefixes, withComments: false }))) };
}

/** Resolve `#id` inside the signature only (duplicate Ids across signature files are legal; inside one they are not). */
export function dereferenceLocal(sig: ParsedSignature, ref: ParsedReference, cache: C14nCache = new C14nCache(Number.POSITIVE_INFINITY)): Dereferenced {
	const id = (ref.uri ?? '').slice(1);
	const found = sig.ids.get(id) ?? [];
	if (found.length === 0) return { ok: false, notFound: true, reason: `Reference "#${id}" points at no element inside the signature.` };
	if (found.length > 1) return { ok: false, reason: `Id "${id}" occurs ${found.length} times inside the signature (possible wrapping attack).` };
	return transformElement(found[0], ref.transforms, cache);
}
