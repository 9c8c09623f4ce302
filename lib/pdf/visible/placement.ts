import type { X509Certificate } from 'node:crypto';
import { parseCertificate } from '../../pki/certificate';
import type { PdfDocument } from '../document';
import { malformed, PdfSignError } from '../errors';
import type { UpdateObject } from '../incremental-writer';
import { intOf, isArray, isDict, isName, isNumber, isRef, PdfDict, PdfName, PdfNumber, PdfRef, type PdfObject } from '../objects';
import { listFields } from '../signature-field';
import { fontResources, signatureAppearance, textLine, type SignatureLabel } from './appearance';

/** Where a box goes on its page. */
export type BoxPosition = 'bottomLeft' | 'bottomRight' | 'topLeft' | 'topRight';
export const BOX_POSITIONS: readonly BoxPosition[] = ['bottomLeft', 'bottomRight', 'topLeft', 'topRight'];

/**
 * A visible signature: `page` appends a signature page after the last page (or fills the next free slot of the
 * signature page an earlier signature of this package appended), `box` draws it on a chosen page (1-based; 0 or
 * absent: the last page) at a corner. The personal code is shown only with `showPersonalCode`.
 */
export type VisibleSignatureOptions =
	| { mode: 'page'; showPersonalCode?: boolean }
	| { mode: 'box'; page?: number; position?: BoxPosition; showPersonalCode?: boolean };

/** Where the widget of a visible signature goes and what else the update writes for it. */
export interface WidgetPlacement {
	page: PdfRef;
	/** Set when the page is new: its dictionary (the field code adds the widget to its /Annots). */
	newPage?: PdfDict;
	rect: [number, number, number, number];
	/** The widget's normal appearance (form XObject). */
	appearance: PdfRef;
	objects: UpdateObject[];
	/** What the signature shows (for the caller's report). */
	label: SignatureLabel;
}

/** Marks a page this package appended for signatures, so a later signature fills its next slot. */
const PAGE_MARK = 'SmartIdSignaturePage';
const A4: [number, number] = [595, 842];
const SLOT = { x: 50, width: 495, height: 78, firstTop: A4[1] - 150, step: 90, perPage: 7 };
const BOX = { width: 210, height: 66, margin: 36, gap: 6 };

/** A, B, ..., Z, AA, AB, ... */
export function referenceLetter(index: number): string {
	let s = '';
	for (let i = index + 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
	return s;
}

/** Name and semantics identifier from a Smart-ID certificate subject (GN + SN, else CN). */
export function signerLabel(certificate: X509Certificate): { name: string; personalCode?: string } {
	const subject = parseCertificate(certificate.raw).subject;
	const name = [subject.GN, subject.SN].filter(Boolean).join(' ') || subject.CN || 'Unknown signer';
	return { name, ...(subject.serialNumber ? { personalCode: subject.serialNumber } : {}) };
}

/** Signatures already in the document (document timestamps are not signatures of a person). */
async function signatureCount(doc: PdfDocument): Promise<number> {
	const catalog = await doc.catalog();
	const acro = (await doc.dictOf(catalog.value.get('AcroForm')))?.value;
	const fields = acro ? await doc.resolve(acro.get('Fields')) : undefined;
	if (!isArray(fields)) return 0;
	let count = 0;
	for (const f of await listFields(doc, fields)) {
		if (f.type !== 'Sig') continue;
		const v = (await doc.dictOf(f.dict.get('V')))?.value;
		if (v && !isName(v.get('SubFilter'), 'ETSI.RFC3161')) count++;
	}
	return count;
}

/** Signature widgets with a real rectangle on a page (the boxes already drawn there). */
async function visibleSignatureWidgets(doc: PdfDocument, page: PdfDict): Promise<number> {
	const annots = await doc.resolve(page.get('Annots'));
	if (!isArray(annots)) return 0;
	let count = 0;
	for (const a of annots.slice(0, 10_000)) {
		const d = (await doc.dictOf(a))?.value;
		if (!d || !isName(d.get('Subtype'), 'Widget')) continue;
		const parent = (await doc.dictOf(d.get('Parent')))?.value;
		if (!isName(d.get('FT'), 'Sig') && !isName(parent?.get('FT'), 'Sig')) continue;
		const rect = await doc.resolve(d.get('Rect'));
		if (isArray(rect) && rect.length === 4 && rect.every(isNumber)) {
			const [x1, y1, x2, y2] = rect.map((r) => (r as PdfNumber).value);
			if (Math.abs(x2 - x1) > 1 && Math.abs(y2 - y1) > 1) count++;
		}
	}
	return count;
}

/** The page's visible area: /CropBox, else /MediaBox, inherited through the page tree. */
async function pageBox(doc: PdfDocument, page: PdfDict): Promise<[number, number, number, number]> {
	for (const key of ['CropBox', 'MediaBox']) {
		let node: PdfDict | undefined = page;
		for (let depth = 0; node && depth < 32; depth++) {
			const box = await doc.resolve(node.get(key));
			if (isArray(box) && box.length === 4 && box.every(isNumber)) {
				const [a, b, c, d] = box.map((v) => (v as PdfNumber).value);
				return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
			}
			node = (await doc.dictOf(node.get('Parent')))?.value;
		}
	}
	return [0, 0, A4[0], A4[1]];
}

function appearanceObject(newNum: () => number, label: SignatureLabel, width: number, height: number): { ref: PdfRef; object: UpdateObject } {
	const ref = new PdfRef(newNum(), 0);
	const ap = signatureAppearance(label, width, height);
	return { ref, object: { ref, value: ap.dict, stream: ap.stream } };
}

/** Content of a new signature page: title and one explaining line; each signature is a widget on it. */
function signaturePageContent(): Buffer {
	const w = A4[0] - 100;
	const top = A4[1];
	let s = '';
	s += textLine('Signatures', 'F2', 20, 50, top - 72, w);
	s += textLine('This document was signed electronically with Smart-ID. Each box below is one signature; its reference', 'F1', 9.5, 50, top - 96, w);
	s += textLine('letter names it. Check the signatures themselves in the signature panel of a PDF reader.', 'F1', 9.5, 50, top - 109, w);
	s += `q 0.16 0.29 0.55 RG 1 w 50 ${top - 122} m ${A4[0] - 50} ${top - 122} l S Q\n`;
	return Buffer.from(s, 'latin1');
}

/**
 * Plan the widget of a visible signature: its page, rectangle and appearance stream, plus the new signature
 * page and the updated page tree when one is appended. Nothing of the input is rewritten but the page tree root
 * (its /Kids and /Count) and, through the field code, the page that gets the widget.
 */
export async function placeVisibleSignature(
	doc: PdfDocument,
	newNum: () => number,
	options: VisibleSignatureOptions,
	signer: X509Certificate,
	signingTime: Date,
): Promise<WidgetPlacement> {
	const who = signerLabel(signer);
	const label: SignatureLabel = {
		letter: referenceLetter(await signatureCount(doc)),
		name: who.name,
		...(options.showPersonalCode && who.personalCode ? { personalCode: who.personalCode } : {}),
		signingTime,
	};
	const pages = await doc.pageRefs();
	if (pages.length === 0) malformed('the document has no pages.');

	if (options.mode === 'box') {
		const wanted = options.page ?? 0;
		if (!Number.isSafeInteger(wanted) || wanted < 0 || wanted > pages.length) {
			throw new PdfSignError('PDF_INVALID_INPUT', `The PDF has ${pages.length} page(s); page ${wanted} does not exist (use 1 to ${pages.length}, or 0 for the last page).`, { page: wanted });
		}
		const position = options.position ?? 'bottomRight';
		if (!BOX_POSITIONS.includes(position)) throw new PdfSignError('PDF_INVALID_INPUT', `position must be one of ${BOX_POSITIONS.join(', ')} (got ${JSON.stringify(position)}).`);
		const pageRef = pages[wanted === 0 ? pages.length - 1 : wanted - 1];
		const page = (await doc.dictOf(pageRef))!.value;
		const [x1, y1, x2, y2] = await pageBox(doc, page);
		// Earlier boxes on this page push this one inwards, so signatures at the same corner do not overlap.
		const shift = (await visibleSignatureWidgets(doc, page)) * (BOX.height + BOX.gap);
		// Half an inch from the edges, less on small pages.
		const margin = Math.min(BOX.margin, Math.round(0.06 * Math.min(x2 - x1, y2 - y1)));
		const width = Math.min(BOX.width, x2 - x1 - 2 * margin);
		const left = position.endsWith('Left') ? x1 + margin : x2 - margin - width;
		const bottom = position.startsWith('bottom') ? y1 + margin + shift : y2 - margin - BOX.height - shift;
		if (width < 100 || bottom < y1 || bottom + BOX.height > y2) {
			throw new PdfSignError('PDF_INVALID_INPUT', 'There is no room left for a signature box on that page; choose another page or position, or the signature page.', { page: wanted });
		}
		const ap = appearanceObject(newNum, label, width, BOX.height);
		return { page: pageRef, rect: [left, bottom, left + width, bottom + BOX.height], appearance: ap.ref, objects: [ap.object], label };
	}

	// Signature page: fill the next slot of our last signature page, else append a new page.
	const lastRef = pages[pages.length - 1];
	const last = (await doc.dictOf(lastRef))!.value;
	const used = last.get(PAGE_MARK) === true ? await visibleSignatureWidgets(doc, last) : SLOT.perPage;
	const top = SLOT.firstTop - (used % SLOT.perPage) * SLOT.step;
	const rect: [number, number, number, number] = [SLOT.x, top - SLOT.height, SLOT.x + SLOT.width, top];
	if (used < SLOT.perPage) {
		const ap = appearanceObject(newNum, label, SLOT.width, SLOT.height);
		return { page: lastRef, rect, appearance: ap.ref, objects: [ap.object], label };
	}
	const catalog = await doc.catalog();
	const rootRef = catalog.value.get('Pages');
	if (!isRef(rootRef)) malformed('/Pages in the catalog is not a reference.');
	const root = (await doc.dictOf(rootRef))?.value;
	if (!root) malformed('/Pages in the catalog is not a dictionary.');
	if ((await doc.getIndirect(rootRef.num)).streamStart !== undefined) malformed(`object ${rootRef.num} would have to be changed but is a stream.`);
	const rootAt = new PdfRef(rootRef.num, (await doc.getIndirect(rootRef.num)).gen);
	const pageRef = new PdfRef(newNum(), 0);
	const contentRef = new PdfRef(newNum(), 0);
	const ap = appearanceObject(newNum, label, SLOT.width, SLOT.height);
	const objects: UpdateObject[] = [{ ref: contentRef, value: new PdfDict(), stream: signaturePageContent() }, ap.object];
	const kids = root.get('Kids');
	const kidsArray = await doc.resolve(kids);
	if (!isArray(kidsArray)) malformed('the page tree root has no /Kids array.');
	const newRoot = root.clone().set('Count', PdfNumber.of((intOf(root.get('Count')) ?? pages.length) + 1));
	if (isRef(kids)) {
		if ((await doc.getIndirect(kids.num)).streamStart !== undefined) malformed(`object ${kids.num} would have to be changed but is a stream.`);
		objects.push({ ref: new PdfRef(kids.num, (await doc.getIndirect(kids.num)).gen), value: [...kidsArray, pageRef] });
	} else {
		newRoot.set('Kids', [...kidsArray, pageRef]);
	}
	objects.push({ ref: rootAt, value: newRoot });
	const newPage = new PdfDict()
		.set('Type', new PdfName('Page'))
		.set('Parent', rootAt)
		.set('MediaBox', [PdfNumber.of(0), PdfNumber.of(0), PdfNumber.of(A4[0]), PdfNumber.of(A4[1])] as PdfObject[])
		.set('Resources', fontResources())
		.set('Contents', contentRef)
		.set(PAGE_MARK, true);
	return { page: pageRef, newPage, rect, appearance: ap.ref, objects, label };
}

/** True for a dictionary this module marked as its signature page (for tests and inspection). */
export function isSignaturePage(page: PdfObject | undefined): boolean {
	return isDict(page) && page.get(PAGE_MARK) === true;
}
