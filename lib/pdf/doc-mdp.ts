import type { PdfDocument } from './document';
import { PdfSignError } from './errors';
import { intOf, isArray, isDict, isName } from './objects';

/**
 * The DocMDP permission of a certified document (catalog /Perms /DocMDP → signature → /Reference → /TransformParams
 * /P): 1 = no changes, 2 = form filling and signing, 3 = also annotations; undefined when not certified.
 */
export async function docMdpPermission(doc: PdfDocument): Promise<number | undefined> {
	const catalog = await doc.catalog();
	const perms = await doc.resolve(catalog.value.get('Perms'));
	if (!isDict(perms)) return undefined;
	const sig = await doc.resolve(perms.get('DocMDP'));
	if (!isDict(sig)) return undefined;
	const refs = await doc.resolve(sig.get('Reference'));
	for (const item of isArray(refs) ? refs : []) {
		const ref = await doc.resolve(item);
		if (!isDict(ref) || !isName(await doc.resolve(ref.get('TransformMethod')), 'DocMDP')) continue;
		const params = await doc.resolve(ref.get('TransformParams'));
		// P defaults to 2 (ISO 32000-2, 12.8.2.2.2).
		return isDict(params) ? (intOf(await doc.resolve(params.get('P'))) ?? 2) : 2;
	}
	return undefined;
}

/** Refuse to add a signature to a document certified with "no changes allowed" (it would break the certification). */
export async function checkSigningAllowed(doc: PdfDocument): Promise<void> {
	if ((await docMdpPermission(doc)) === 1) {
		throw new PdfSignError('PDF_INVALID_INPUT', 'The PDF is certified with "no changes allowed" (DocMDP P=1): any new signature would invalidate its certification signature. Ask its author for a copy that allows signing.');
	}
}
