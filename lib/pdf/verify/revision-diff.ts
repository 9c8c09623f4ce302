import { PdfDocument } from '../document';
import { intOf, isArray, isDict, isName, isRef, writeObject, type PdfDict, type PdfObject } from '../objects';
import type { XrefEntry } from '../xref';
import type { PdfFindings } from './findings';

/** Most objects followed when collecting what a revision's pages show (bounds the work on hostile files). */
const MAX_CLOSURE = 200_000;
/** Annotation flags that hide: Hidden (bit 2), NoView (bit 6) (PDF 32000-1 12.5.3). */
const HIDDEN_FLAGS = 2 | 32;
/** Keys a later signature may set on an existing empty signature field (filling it). */
const SIG_FIELD_FILL_KEYS = new Set(['V', 'AP', 'MK', 'Lock', 'SV']);
/** Catalog keys later signatures and LT/LTA data may change. */
const CATALOG_ALLOWED = new Set(['DSS', 'AcroForm', 'Extensions']);
/** AcroForm keys a later signature may change (besides /Fields, checked entry by entry). */
const ACROFORM_ALLOWED = new Set(['SigFlags', 'DR', 'DA', 'Fields']);

/** What the later revisions changed, as reported for one signature. */
export interface RevisionDiff {
	/** Bytes after the signed revision. */
	laterBytes: number;
	/** Objects added, replaced or freed after the signed revision. */
	changedObjects: number;
	/** True when a finding says the document content changed. */
	contentChanged: boolean;
}

function sameEntry(a: XrefEntry | undefined, b: XrefEntry | undefined): boolean {
	if (!a || a.type === 'free') return !b || b.type === 'free';
	if (!b || b.type === 'free') return false;
	if (a.type === 'offset') return b.type === 'offset' && a.offset === b.offset && a.gen === b.gen;
	return b.type === 'compressed' && a.stream === b.stream && a.index === b.index;
}

const text = (v: PdfObject | undefined): string => (v === undefined ? '' : writeObject(v));

function refsIn(v: PdfObject | undefined, out: number[], skip: ReadonlySet<string> = new Set()): void {
	if (isRef(v)) out.push(v.num);
	else if (isArray(v)) for (const x of v) refsIn(x, out);
	else if (isDict(v)) for (const [k, x] of v.map) if (!skip.has(k)) refsIn(x, out);
}

async function dictAt(doc: PdfDocument, num: number): Promise<PdfDict | undefined> {
	const v = (await doc.getIndirect(num)).value;
	return isDict(v) ? v : undefined;
}

/** Object numbers of the array `value` (direct or referenced) of `doc`. */
async function listOf(doc: PdfDocument, value: PdfObject | undefined): Promise<PdfObject[]> {
	const v = await doc.resolve(value);
	return isArray(v) ? v : [];
}

/** True when `dict` is a signature field/widget (FT /Sig on it or inherited from its parent). */
async function isSigField(doc: PdfDocument, dict: PdfDict): Promise<boolean> {
	let d: PdfDict | undefined = dict;
	for (let i = 0; d && i < 16; i++) {
		const ft = d.get('FT');
		if (ft !== undefined) return isName(ft, 'Sig');
		d = (await doc.dictOf(d.get('Parent')))?.value;
	}
	return false;
}

/**
 * Everything the pages of `doc` show: page dictionaries' values (contents, resources, XObjects, fonts, annotations
 * and their appearances), following references but not /Parent or /P (back to the tree). `dangling` gets the
 * numbers referenced there that the revision does not hold (a later revision filling them changes the content).
 */
async function contentClosure(doc: PdfDocument, pages: number[], dangling: Set<number>): Promise<Set<number>> {
	const seen = new Set<number>();
	const queue: number[] = [];
	const skip = new Set(['Parent', 'P', 'Annots']);
	for (const p of pages) {
		const d = await dictAt(doc, p);
		refsIn(d, queue, skip);
		// Annotations (and their appearance streams) are content too; the /Annots array itself is compared separately.
		for (const a of await listOf(doc, d?.get('Annots'))) refsIn(a, queue);
	}
	while (queue.length > 0 && seen.size < MAX_CLOSURE) {
		const n = queue.pop()!;
		if (seen.has(n)) continue;
		const entry = doc.xref.entries.get(n);
		if (!entry || entry.type === 'free') {
			dangling.add(n);
			continue;
		}
		seen.add(n);
		refsIn((await doc.getIndirect(n)).value, queue, new Set(['Parent', 'P']));
	}
	return seen;
}

/**
 * Compare the revision a signature covers (the first `signedEnd` bytes) with the whole file and report what the
 * later incremental updates changed: pages added/removed, page content or resources changed, annotations other than
 * signature widgets, form fields other than signature fields, catalog entries, objects replaced or freed, hidden
 * content (annotation flags, optional content), and references the signed revision left empty being filled.
 * Signatures, document timestamps and DSS validation data are what later revisions may add without a finding.
 */
export async function diffLaterRevisions(path: string, signedEnd: number, final: PdfDocument, f: PdfFindings): Promise<RevisionDiff> {
	const diff: RevisionDiff = { laterBytes: final.file.size - signedEnd, changedObjects: 0, contentChanged: false };
	if (diff.laterBytes <= 0) return diff;
	let old: PdfDocument;
	try {
		old = await PdfDocument.open(path, signedEnd);
	} catch (e) {
		f.add('REVISION_UNCHECKED', `The signed revision (first ${signedEnd} bytes) cannot be read on its own, so what later revisions changed is unknown: ${(e as Error).message}`);
		diff.contentChanged = true;
		return diff;
	}
	const flag = (code: Parameters<PdfFindings['add']>[0], message: string): void => {
		f.add(code, message);
		if (code !== 'REVISION_METADATA_CHANGED') diff.contentChanged = true;
	};
	try {
		const explained = new Set<number>();
		// 1. Which objects differ.
		const nums = new Set([...old.xref.entries.keys(), ...final.xref.entries.keys()]);
		const changed: number[] = [];
		for (const n of nums) {
			if (n === 0) continue;
			const a = old.xref.entries.get(n);
			const b = final.xref.entries.get(n);
			let same = sameEntry(a, b);
			// An object kept at the same place in an object stream that was itself replaced is a new object.
			if (same && a?.type === 'compressed' && b?.type === 'compressed') same = sameEntry(old.xref.entries.get(a.stream), final.xref.entries.get(b.stream));
			if (!same) changed.push(n);
		}
		diff.changedObjects = changed.length;
		if (changed.length === 0) return diff;
		const existedBefore = (n: number): boolean => {
			const e = old.xref.entries.get(n);
			return e !== undefined && e.type !== 'free';
		};

		// 2. Pages: same page objects in the same order.
		const oldPages = (await old.pageRefs()).map((r) => r.num);
		const newPages = (await final.pageRefs()).map((r) => r.num);
		if (oldPages.length !== newPages.length || oldPages.some((p, i) => p !== newPages[i])) {
			flag('REVISION_PAGES_CHANGED', `Pages changed after the signature: the signed revision has ${oldPages.length} page(s), the document now has ${newPages.length}${oldPages.length === newPages.length ? ' (reordered or replaced)' : ''}.`);
		}
		const dangling = new Set<number>();
		const content = await contentClosure(old, oldPages, dangling);

		// 3. Catalog.
		const oldCat = await old.catalog();
		const newCat = await final.catalog();
		explained.add(newCat.ref.num).add(oldCat.ref.num);
		for (const key of new Set([...oldCat.value.map.keys(), ...newCat.value.map.keys()])) {
			if (CATALOG_ALLOWED.has(key) || text(oldCat.value.get(key)) === text(newCat.value.get(key))) continue;
			if (key === 'Metadata') flag('REVISION_METADATA_CHANGED', 'The XMP metadata reference changed after the signature.');
			else if (key === 'OCProperties') flag('REVISION_HIDDEN_CONTENT', 'Optional content (/OCProperties: layers shown or hidden) changed after the signature.');
			else flag('REVISION_CATALOG_CHANGED', `The catalog's /${key} changed after the signature (it changes what the document shows or does).`);
		}
		const isRootSame = oldCat.ref.num === newCat.ref.num;
		if (!isRootSame) flag('REVISION_CATALOG_CHANGED', 'A later revision points the trailer at another catalog object.');

		// 4. Form: old fields stay, new ones are signature fields; other AcroForm keys unchanged.
		const oldAcroLoc = await old.dictOf(oldCat.value.get('AcroForm'));
		const newAcroLoc = await final.dictOf(newCat.value.get('AcroForm'));
		for (const loc of [oldAcroLoc, newAcroLoc]) if (loc?.ref) explained.add(loc.ref.num);
		for (const v of [oldAcroLoc?.value.get('Fields'), newAcroLoc?.value.get('Fields')]) if (isRef(v)) explained.add(v.num);
		const oldAcro = oldAcroLoc?.value;
		const newAcro = newAcroLoc?.value;
		for (const key of new Set([...(oldAcro?.map.keys() ?? []), ...(newAcro?.map.keys() ?? [])])) {
			if (!ACROFORM_ALLOWED.has(key) && text(oldAcro?.get(key)) !== text(newAcro?.get(key))) flag('REVISION_FORM_CHANGED', `The form's /${key} changed after the signature.`);
		}
		const oldFields = (await listOf(old, oldAcro?.get('Fields'))).filter(isRef).map((r) => r.num);
		const newFields = (await listOf(final, newAcro?.get('Fields'))).filter(isRef).map((r) => r.num);
		for (const n of oldFields) if (!newFields.includes(n)) flag('REVISION_FORM_CHANGED', `Form field object ${n} was removed from the form after the signature.`);
		for (const n of newFields) {
			if (oldFields.includes(n)) continue;
			const d = await dictAt(final, n);
			if (d && (await isSigField(final, d))) explained.add(n);
			else flag('REVISION_FORM_CHANGED', `A form field (object ${n}) that is not a signature field was added after the signature.`);
		}

		// 5. Pages changed in place: only /Annots may change, and only by adding signature widgets.
		for (let i = 0; i < oldPages.length; i++) {
			const p = oldPages[i];
			const oldPage = await dictAt(old, p);
			const newPage = await dictAt(final, p);
			if (!oldPage || !newPage) continue;
			explained.add(p);
			for (const key of new Set([...oldPage.map.keys(), ...newPage.map.keys()])) {
				if (key === 'Annots' || text(oldPage.get(key)) === text(newPage.get(key))) continue;
				flag('REVISION_CONTENT_CHANGED', `Page ${i + 1}: /${key} changed after the signature.`);
			}
			for (const v of [oldPage.get('Annots'), newPage.get('Annots')]) if (isRef(v)) explained.add(v.num);
			const oldAnnots = (await listOf(old, oldPage.get('Annots'))).map(text);
			const newAnnots = await listOf(final, newPage.get('Annots'));
			const newTexts = newAnnots.map(text);
			for (const a of oldAnnots) if (!newTexts.includes(a)) flag('REVISION_CONTENT_CHANGED', `Page ${i + 1}: an annotation (${a}) was removed after the signature.`);
			for (const a of newAnnots) {
				if (oldAnnots.includes(text(a))) continue;
				const d = (await final.dictOf(a))?.value;
				const sigWidget = d !== undefined && isName(d.get('Subtype'), 'Widget') && (await isSigField(final, d));
				if (!sigWidget) {
					const subtype = d && isName(d.get('Subtype')) ? (d.get('Subtype') as { name: string }).name : 'unknown';
					flag('REVISION_ANNOTATION_ADDED', `Page ${i + 1}: a /${subtype} annotation was added after the signature.`);
				}
				if (d && ((intOf(d.get('F')) ?? 0) & HIDDEN_FLAGS) !== 0 && !sigWidget) flag('REVISION_HIDDEN_CONTENT', `Page ${i + 1}: an annotation added after the signature is flagged hidden.`);
				if (isRef(a) && sigWidget) explained.add(a.num);
			}
		}

		// 6. Validation data (DSS) and new signature dictionaries.
		const dssRoot = newCat.value.get('DSS');
		const dss = new Set<number>();
		const queue: number[] = [];
		refsIn(dssRoot, queue);
		while (queue.length > 0 && dss.size < MAX_CLOSURE) {
			const n = queue.pop()!;
			if (dss.has(n)) continue;
			dss.add(n);
			refsIn((await final.getIndirect(n)).value, queue);
		}

		// 7. Every other changed object.
		for (const n of changed) {
			if (explained.has(n)) continue;
			if (!existedBeforeOrNew(final, n)) {
				if (existedBefore(n)) flag(content.has(n) ? 'REVISION_CONTENT_CHANGED' : 'REVISION_OBJECT_DELETED', `Object ${n} of the signed revision was freed (deleted) by a later revision.`);
				continue;
			}
			const v = (await final.getIndirect(n)).value;
			const d = isDict(v) ? v : undefined;
			if (d && (isName(d.get('Type'), 'XRef') || isName(d.get('Type'), 'ObjStm'))) continue;
			if (d && d.has('OC') && !content.has(n)) flag('REVISION_HIDDEN_CONTENT', `Object ${n} was given optional content (/OC: shown or hidden by a layer) after the signature.`);
			if (!existedBefore(n)) {
				if (dangling.has(n)) flag('REVISION_CONTENT_CHANGED', `Object ${n}, which the signed pages refer to but the signed revision did not hold, was added later: content appears that the signature does not cover.`);
				continue; // other new objects only matter through what refers to them (checked above)
			}
			if (content.has(n)) {
				const oldD = await dictAt(old, n);
				if (oldD && d && (await isSigField(old, oldD)) && !oldD.has('V')) {
					const keys = new Set([...oldD.map.keys(), ...d.map.keys()]);
					const hidden = text(oldD.get('F')) !== text(d.get('F')) && ((intOf(d.get('F')) ?? 0) & HIDDEN_FLAGS) !== 0;
					// Signing an empty field may also set its flags (e.g. Print); hiding it may not.
					const extra = [...keys].filter((k) => !SIG_FIELD_FILL_KEYS.has(k) && !(k === 'F' && !hidden) && text(oldD.get(k)) !== text(d.get(k)));
					if (extra.length === 0) continue; // an empty signature field signed later
					flag(hidden ? 'REVISION_HIDDEN_CONTENT' : 'REVISION_CONTENT_CHANGED', `Signature field object ${n} changed beyond being signed (/${extra.join(', /')}).`);
					continue;
				}
				if (oldD && d && text(oldD.get('F')) !== text(d.get('F')) && ((intOf(d.get('F')) ?? 0) & HIDDEN_FLAGS) !== 0) {
					flag('REVISION_HIDDEN_CONTENT', `Annotation object ${n} was flagged hidden after the signature.`);
					continue;
				}
				flag('REVISION_CONTENT_CHANGED', `Object ${n}, part of what the signed pages show (content stream, resource or annotation), was replaced by a later revision.`);
				continue;
			}
			if (dss.has(n)) continue; // validation data: an LT/LTA update may rewrite the DSS
			const info = final.trailer.get('Info');
			const oldInfo = old.trailer.get('Info');
			if ((isRef(info) && info.num === n) || (isRef(oldInfo) && oldInfo.num === n) || (d && isName(d.get('Type'), 'Metadata'))) {
				flag('REVISION_METADATA_CHANGED', `Document metadata (object ${n}) changed after the signature.`);
				continue;
			}
			if (d && (await isSigField(final, d))) {
				const oldD = await dictAt(old, n);
				if (oldD && !oldD.has('V') && [...new Set([...oldD.map.keys(), ...d.map.keys()])].every((k) => SIG_FIELD_FILL_KEYS.has(k) || text(oldD.get(k)) === text(d.get(k)))) continue;
			}
			flag('REVISION_OBJECT_REPLACED', `Object ${n} of the signed revision was replaced by a later revision${d && isName(d.get('Type')) ? ` (a /${(d.get('Type') as { name: string }).name})` : ''}.`);
		}
		if (!diff.contentChanged && !f.has('REVISION_METADATA_CHANGED')) {
			f.add('REVISION_LATER_SIGNATURES_ONLY', `The signature covers the document up to byte ${signedEnd}; the ${diff.laterBytes} bytes of later revisions add only signatures, document timestamps or validation data (no content change).`);
		}
		return diff;
	} finally {
		await old.close();
	}
}

function existedBeforeOrNew(doc: PdfDocument, n: number): boolean {
	const e = doc.xref.entries.get(n);
	return e !== undefined && e.type !== 'free';
}
