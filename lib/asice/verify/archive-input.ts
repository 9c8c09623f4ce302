import type { Element } from '@xmldom/xmldom';
import { NS, childElements, isElement } from '../xml';
import type { ParsedSignature } from './xades';

/**
 * The bytes an xades141:ArchiveTimeStamp covers (EN 319 132-1 §5.5.2, XAdES 1.4.1 as DigiDoc4j and libdigidocpp
 * build it), in this order: each ds:Reference's input (data file bytes, or the canonical form of a same-document
 * target), then canonical ds:SignedInfo, ds:SignatureValue and ds:KeyInfo, then every child of
 * UnsignedSignatureProperties before `before` (all of them when `before` is null: a new archive timestamp), then
 * every ds:Object other than the one holding QualifyingProperties. The verifier and the extender both use this, so
 * what is stamped and what is checked cannot drift apart.
 */
export function archiveTimestampInput(sig: ParsedSignature, before: Element | null, referenceBytes: Buffer[], c14n: (el: Element) => Buffer): Buffer {
	const parts: Buffer[] = [...referenceBytes];
	for (const el of [sig.signedInfo, sig.signatureValueElement, sig.keyInfoElement]) if (el) parts.push(c14n(el));
	if (sig.unsignedSignatureProperties) {
		for (const child of childElements(sig.unsignedSignatureProperties)) {
			if (child === before) break;
			parts.push(c14n(child));
		}
	}
	for (const obj of childElements(sig.element, NS.ds, 'Object')) {
		if (!childElements(obj).some((x) => isElement(x, NS.xades, 'QualifyingProperties'))) parts.push(c14n(obj));
	}
	return Buffer.concat(parts);
}
