import type { PdfDocument } from '../document';
import { intOf, isArray, isName, PdfString, type PdfDict, type PdfObject, type PdfRef } from '../objects';
import { listFields } from '../signature-field';

/** Most signatures (and document timestamps) verified in one PDF. */
export const MAX_PDF_SIGNATURES = 100;

/** One signature dictionary of the document, as found through its form field. */
export interface PdfSignatureEntry {
	fieldName: string;
	/** 'documentTimestamp' for /Type /DocTimeStamp or /SubFilter /ETSI.RFC3161. */
	kind: 'signature' | 'documentTimestamp';
	subFilter: string;
	/** Four numbers, or null when /ByteRange is not four whole numbers. */
	byteRange: [number, number, number, number] | null;
	/** The /Contents bytes (CMS or timestamp token, with its zero padding). */
	contents: Buffer | null;
	/** /M as written, when any. */
	claimedTime: Date | null;
	/** The signature dictionary object, when indirect. */
	ref?: PdfRef;
	/** Field/widget object. */
	fieldRef: PdfRef;
}

/** PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (parts after the year optional), or null. */
export function parsePdfDate(v: PdfObject | undefined): Date | null {
	if (!(v instanceof PdfString)) return null;
	const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(v.bytes.toString('latin1'));
	if (!m) return null;
	const n = (s: string | undefined, d: number): number => (s === undefined ? d : Number(s));
	let t = Date.UTC(n(m[1], 0), n(m[2], 1) - 1, n(m[3], 1), n(m[4], 0), n(m[5], 0), n(m[6], 0));
	if (m[7] === '+' || m[7] === '-') t -= (m[7] === '+' ? 1 : -1) * (n(m[8], 0) * 60 + n(m[9], 0)) * 60_000;
	return Number.isNaN(t) ? null : new Date(t);
}

/** Every signed signature field (FT /Sig with a /V) of the form, in the order of the form's field tree. */
export async function signatureEntries(doc: PdfDocument): Promise<PdfSignatureEntry[]> {
	const catalog = await doc.catalog();
	const acro = (await doc.dictOf(catalog.value.get('AcroForm')))?.value;
	const fields = acro ? await doc.resolve(acro.get('Fields')) : undefined;
	const out: PdfSignatureEntry[] = [];
	for (const field of isArray(fields) ? await listFields(doc, fields) : []) {
		if (field.type !== 'Sig' || !field.dict.has('V')) continue;
		const located = await doc.dictOf(field.dict.get('V'));
		if (!located) continue;
		out.push(await entryOf(doc, field.name, field.ref, located.value, located.ref));
		if (out.length > MAX_PDF_SIGNATURES) break;
	}
	return out;
}

async function entryOf(doc: PdfDocument, fieldName: string, fieldRef: PdfRef, sig: PdfDict, ref: PdfRef | undefined): Promise<PdfSignatureEntry> {
	const sf = sig.get('SubFilter');
	const subFilter = isName(sf) ? sf.name : '';
	// Read the way the ByteRange checker reads them (an indirect value is followed), so both see the same numbers.
	const raw = await doc.resolve(sig.get('ByteRange'));
	const nums = isArray(raw) ? raw.map((v) => intOf(v)) : [];
	const contents = await doc.resolve(sig.get('Contents'));
	return {
		fieldName,
		kind: isName(sig.get('Type'), 'DocTimeStamp') || subFilter === 'ETSI.RFC3161' ? 'documentTimestamp' : 'signature',
		subFilter,
		byteRange: nums.length === 4 && nums.every((x) => x !== undefined) ? (nums as [number, number, number, number]) : null,
		contents: contents instanceof PdfString ? contents.bytes : null,
		claimedTime: parsePdfDate(sig.get('M')),
		...(ref ? { ref } : {}),
		fieldRef,
	};
}
