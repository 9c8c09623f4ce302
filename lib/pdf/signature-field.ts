import type { PdfDocument } from './document';
import { malformed, PdfSignError } from './errors';
import type { UpdateObject } from './incremental-writer';
import { intOf, isArray, isName, isRef, PdfDict, PdfName, PdfNumber, PdfRef, PdfString, textString, type PdfObject } from './objects';
import type { WidgetPlacement } from './visible/placement';

const MAX_FIELDS = 100_000;

/** A signature field found in the form. */
export interface FoundField {
	name: string;
	ref: PdfRef;
	dict: PdfDict;
	signed: boolean;
}

function textOf(v: PdfObject | undefined): string | undefined {
	if (!(v instanceof PdfString)) return undefined;
	const b = v.bytes;
	if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
	return b.toString('latin1');
}

/** Every terminal field of the form with its fully qualified name (`parent.child`) and inherited /FT. */
export async function listFields(doc: PdfDocument, fields: PdfObject[]): Promise<{ name: string; ref: PdfRef; dict: PdfDict; type?: string }[]> {
	const out: { name: string; ref: PdfRef; dict: PdfDict; type?: string }[] = [];
	const seen = new Set<number>();
	const walk = async (item: PdfObject, prefix: string, inheritedType: string | undefined, depth: number): Promise<void> => {
		if (depth > 32 || out.length > MAX_FIELDS) malformed('the form field tree is too deep or too large.');
		if (!isRef(item) || seen.has(item.num)) return;
		seen.add(item.num);
		const located = await doc.dictOf(item);
		if (!located?.ref) return;
		const dict = located.value;
		const partial = textOf(dict.get('T'));
		const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
		const ft = dict.get('FT');
		const type = isName(ft) ? ft.name : inheritedType;
		const kids = await doc.resolve(dict.get('Kids'));
		const fieldKids = isArray(kids) ? await Promise.all(kids.map(async (k) => ((await doc.dictOf(k))?.value.has('T') ? k : undefined))) : [];
		const named = fieldKids.filter((k): k is PdfObject => k !== undefined);
		if (named.length > 0) for (const kid of named) await walk(kid, name, type, depth + 1);
		else if (partial !== undefined) out.push({ name, ref: located.ref, dict, type });
	};
	for (const f of fields) await walk(f, '', undefined, 0);
	return out;
}

/** What a new signature revision changes or adds around its signature dictionary. */
export interface FieldPlan {
	objects: UpdateObject[];
	fieldName: string;
}

/**
 * Attach the signature dictionary `sigRef` to a field: to the existing empty signature field `fieldName` when
 * given (refused when it is missing, not a signature field, or already signed), else to a new invisible field
 * (a widget with an empty /Rect on the first page) named `Signature<n>`. Returns the objects to write: the
 * field/widget, the page (or its /Annots array), the AcroForm with /SigFlags 3 (or the catalog).
 */
export async function planSignatureField(
	doc: PdfDocument,
	sigRef: PdfRef,
	newNum: () => number,
	fieldName?: string,
	visible?: (newNum: () => number) => Promise<WidgetPlacement>,
): Promise<FieldPlan> {
	if (visible && fieldName !== undefined) throw new PdfSignError('PDF_INVALID_INPUT', 'A visible signature gets a new field: leave the field name empty, or sign the existing field invisibly.', { fieldName });
	const catalog = await doc.catalog();
	const objects: UpdateObject[] = [];
	const acroLocated = await doc.dictOf(catalog.value.get('AcroForm'));
	const acro = acroLocated ? acroLocated.value.clone() : new PdfDict();
	const fieldsValue = acro.get('Fields');
	const fieldsArray = (await doc.resolve(fieldsValue)) ?? [];
	if (!isArray(fieldsArray)) malformed('/AcroForm /Fields is not an array.');
	const existing = await listFields(doc, fieldsArray);
	const writeCheck = async (ref: PdfRef): Promise<void> => {
		if ((await doc.getIndirect(ref.num)).streamStart !== undefined) malformed(`object ${ref.num} would have to be changed but is a stream.`);
	};

	let name: string;
	let newFields: PdfObject[] | undefined;
	if (fieldName !== undefined) {
		const field = existing.find((f) => f.name === fieldName);
		if (!field) throw new PdfSignError('PDF_FIELD', `The PDF has no form field named "${fieldName}"; its signature fields are: ${existing.filter((f) => f.type === 'Sig').map((f) => f.name).join(', ') || 'none'}.`, { fieldName });
		if (field.type !== 'Sig') throw new PdfSignError('PDF_FIELD', `The form field "${fieldName}" is a ${field.type ?? 'untyped'} field, not a signature field.`, { fieldName });
		if (field.dict.has('V') && field.dict.get('V') !== null) throw new PdfSignError('PDF_FIELD', `The signature field "${fieldName}" is already signed; leave the field name empty to add a new signature field.`, { fieldName });
		await writeCheck(field.ref);
		objects.push({ ref: field.ref, value: field.dict.clone().set('V', sigRef) });
		name = fieldName;
	} else {
		const names = new Set(existing.map((f) => f.name));
		let n = 1;
		while (names.has(`Signature${n}`)) n++;
		name = `Signature${n}`;
		const widgetRef = new PdfRef(newNum(), 0);
		// Visible: the placement's page (maybe a new one), rectangle and appearance; else an empty /Rect on page 1.
		const placement = visible ? await visible(newNum) : undefined;
		let pageRef: PdfRef;
		if (placement) pageRef = placement.page;
		else {
			const pages = await doc.pageRefs(1);
			if (pages.length === 0) malformed('the document has no pages.');
			pageRef = pages[0];
		}
		const widget = new PdfDict()
			.set('Type', new PdfName('Annot'))
			.set('Subtype', new PdfName('Widget'))
			.set('FT', new PdfName('Sig'))
			.set('T', textString(name))
			.set('V', sigRef)
			.set('F', PdfNumber.of(132))
			.set('Rect', (placement?.rect ?? [0, 0, 0, 0]).map((v) => new PdfNumber(String(Math.round(v * 100) / 100))))
			.set('P', pageRef);
		if (placement) widget.set('AP', new PdfDict().set('N', placement.appearance));
		objects.push({ ref: widgetRef, value: widget });
		if (placement) objects.push(...placement.objects);
		// The page's /Annots gets the widget: a new version of the page, or of its /Annots array object.
		if (!placement?.newPage) await writeCheck(pageRef);
		const page = placement?.newPage ? placement.newPage.clone() : (await doc.dictOf(pageRef))!.value.clone();
		const annots = page.get('Annots');
		if (isRef(annots)) {
			const arr = await doc.resolve(annots);
			if (!isArray(arr)) malformed('a page /Annots reference does not point to an array.');
			await writeCheck(annots);
			objects.push({ ref: new PdfRef(annots.num, (await doc.getIndirect(annots.num)).gen), value: [...arr, widgetRef] });
		} else {
			page.set('Annots', [...(isArray(annots) ? annots : []), widgetRef]);
			objects.push({ ref: pageRef, value: page });
		}
		newFields = [...fieldsArray, widgetRef];
	}

	// AcroForm: /Fields (when a field was added) and /SigFlags 3 (signatures exist, append only).
	const flags = intOf(acro.get('SigFlags')) ?? 0;
	acro.set('SigFlags', PdfNumber.of(flags | 3));
	if (newFields) {
		if (isRef(fieldsValue)) {
			await writeCheck(fieldsValue);
			objects.push({ ref: new PdfRef(fieldsValue.num, (await doc.getIndirect(fieldsValue.num)).gen), value: newFields });
		} else {
			acro.set('Fields', newFields);
		}
	} else if (!acro.has('Fields')) {
		acro.set('Fields', fieldsArray);
	}
	if (acroLocated?.ref) {
		await writeCheck(acroLocated.ref);
		objects.push({ ref: acroLocated.ref, value: acro });
	} else {
		objects.push({ ref: catalog.ref, value: catalog.value.clone().set('AcroForm', acro) });
	}
	return { objects, fieldName: name };
}

