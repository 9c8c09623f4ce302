import type { PdfDocument } from './document';
import { PdfSignError } from './errors';
import { layoutIncrementalUpdate, objectNumbers, type UpdateObject } from './incremental-writer';
import { PdfDict, PdfName, PdfRaw, PdfRef, type PdfObject } from './objects';
import { planSignatureField } from './signature-field';
import type { WidgetPlacement } from './visible/placement';

/** Width reserved for each ByteRange number (10 digits: files up to 9.3 GB). */
const BYTE_RANGE_DIGITS = 10;
const BYTE_RANGE_PLACEHOLDER = `[${'0'.repeat(BYTE_RANGE_DIGITS)} ${'0'.repeat(BYTE_RANGE_DIGITS)} ${'0'.repeat(BYTE_RANGE_DIGITS)} ${'0'.repeat(BYTE_RANGE_DIGITS)}]`;
/** Largest /Contents reservation (bytes of CMS; the hex string is twice as long). */
export const MAX_CONTENTS_BYTES = 4 * 1024 * 1024;

/** An incremental update holding a signature dictionary whose /Contents is still zeros. */
export interface SignatureRevision {
	/** The update bytes, ByteRange already filled in. */
	bytes: Buffer;
	/** [start1, length1, start2, length2] in file offsets: everything but the /Contents hex string `<...>`. */
	byteRange: [number, number, number, number];
	/** Bytes the /Contents can hold. */
	contentsBytes: number;
	fieldName: string;
}

/**
 * Build the incremental update for one new signature (or document timestamp): the signature dictionary with the
 * given entries, a fixed-width /ByteRange and a /Contents of `contentsBytes` zero bytes, its field, and every
 * object the field changes. The /ByteRange numbers are written into the reserved width once the layout is known;
 * a file too large for it is refused.
 */
export async function buildSignatureRevision(
	doc: PdfDocument,
	entries: [string, PdfObject][],
	contentsBytes: number,
	fieldName: string | undefined,
	extraObjects: (newNum: () => number) => UpdateObject[] = () => [],
	visible?: (newNum: () => number) => Promise<WidgetPlacement>,
): Promise<SignatureRevision> {
	if (!Number.isSafeInteger(contentsBytes) || contentsBytes < 1024 || contentsBytes > MAX_CONTENTS_BYTES) {
		throw new PdfSignError('PDF_INVALID_INPUT', `The /Contents reservation must be 1024 to ${MAX_CONTENTS_BYTES} bytes (got ${contentsBytes}).`);
	}
	const newNum = objectNumbers(doc.xref);
	const sigRef = new PdfRef(newNum(), 0);
	const sig = new PdfDict(entries);
	sig.set('ByteRange', new PdfRaw(BYTE_RANGE_PLACEHOLDER));
	sig.set('Contents', new PdfRaw(`<${'0'.repeat(contentsBytes * 2)}>`));
	const plan = await planSignatureField(doc, sigRef, newNum, fieldName, visible);
	const objects: UpdateObject[] = [{ ref: sigRef, value: sig }, ...plan.objects, ...extraObjects(newNum)];
	const last = (await doc.file.read(doc.file.size - 1, 1))[0];
	const needsNewline = last !== 0x0a && last !== 0x0d;
	const update = layoutIncrementalUpdate(doc.xref, doc.file.size, needsNewline, objects);
	const sigAt = update.offsets.get(sigRef.num)! - doc.file.size;
	const rangeAt = update.bytes.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, sigAt, 'latin1') + '/ByteRange '.length;
	const contentsAt = update.bytes.indexOf(`/Contents <`, rangeAt, 'latin1') + '/Contents '.length;
	const start2 = doc.file.size + contentsAt + 2 + contentsBytes * 2;
	const total = doc.file.size + update.bytes.length;
	const byteRange: [number, number, number, number] = [0, doc.file.size + contentsAt, start2, total - start2];
	const text = `[${byteRange.map(String).join(' ')}]`;
	if (text.length > BYTE_RANGE_PLACEHOLDER.length) throw new PdfSignError('PDF_INVALID_INPUT', 'The PDF is too large for a signature (over 9.3 GB).');
	update.bytes.write(text.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), rangeAt, 'latin1');
	return { bytes: update.bytes, byteRange, contentsBytes, fieldName: plan.fieldName };
}

/** The fixed entries of a CAdES signature dictionary (PAdES baseline). */
export function cadesSignatureEntries(mDate: PdfObject, extra: [string, PdfObject][]): [string, PdfObject][] {
	return [['Type', new PdfName('Sig')], ['Filter', new PdfName('Adobe.PPKLite')], ['SubFilter', new PdfName('ETSI.CAdES.detached')], ['M', mDate], ...extra];
}

/** The fixed entries of a document timestamp dictionary (PAdES B-LTA). */
export function docTimestampEntries(): [string, PdfObject][] {
	return [['Type', new PdfName('DocTimeStamp')], ['Filter', new PdfName('Adobe.PPKLite')], ['SubFilter', new PdfName('ETSI.RFC3161')]];
}
