import type { Element } from '@xmldom/xmldom';
import { canonicalize, C14N, isC14nAlgorithm } from '../c14n';
import { parseXmlSafely } from '../xml';
import type { ParsedReference, ParsedSignature, C14nStep } from './xades';

/** Result of dereferencing a same-document reference. */
export type Dereferenced = { ok: true; bytes: Buffer } | { ok: false; notFound?: boolean; reason: string };

/** Apply the c14n steps of a same-document reference (default inclusive C14N 1.0; comments never kept for "#id"). */
export function transformElement(el: Element, transforms: C14nStep[]): Dereferenced {
	const steps = transforms.length > 0 ? transforms : [{ algorithm: C14N.c14n10 }];
	let bytes: Buffer | null = null;
	for (const step of steps) {
		if (!isC14nAlgorithm(step.algorithm)) return { ok: false, reason: `Transform "${step.algorithm}" is not supported.` };
		const opts = { withComments: false, ...(step.prefixes ? { inclusivePrefixes: step.prefixes } : {}) };
		// A second c14n step works on the octets of the first: re-parse them.
		bytes = bytes === null ? canonicalize(el, step.algorithm, opts) : canonicalize(parseXmlSafely(bytes), step.algorithm, opts);
	}
	return { ok: true, bytes: bytes! };
}

/** Resolve `#id` inside the signature only (duplicate Ids across signature files are legal; inside one they are not). */
export function dereferenceLocal(sig: ParsedSignature, ref: ParsedReference): Dereferenced {
	const id = (ref.uri ?? '').slice(1);
	const found = sig.ids.get(id) ?? [];
	if (found.length === 0) return { ok: false, notFound: true, reason: `Reference "#${id}" points at no element inside the signature.` };
	if (found.length > 1) return { ok: false, reason: `Id "${id}" occurs ${found.length} times inside the signature (possible wrapping attack).` };
	return transformElement(found[0], ref.transforms);
}
