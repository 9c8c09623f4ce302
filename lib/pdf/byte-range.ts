import { PdfDocument } from './document';
import { intOf, isArray, isName, PdfString, type PdfObject } from './objects';
import { listFields } from './signature-field';

/** Something about a signature's /ByteRange that a verifier must not call intact. */
export type ByteRangeAnomalyCode =
	/** Not an array of four whole numbers. */
	| 'BYTE_RANGE_MALFORMED'
	/** The first range does not start at byte 0: the file head is unsigned. */
	| 'BYTE_RANGE_NOT_FROM_START'
	/** A range reaches past the end of the file. */
	| 'BYTE_RANGE_OUTSIDE_FILE'
	/** The ranges overlap or run backwards. */
	| 'BYTE_RANGE_OVERLAP'
	/** The gap between the two ranges is not exactly this signature's /Contents hex string `<...>`. */
	| 'BYTE_RANGE_GAP_NOT_CONTENTS'
	/** The signature dictionary itself lies (partly) outside the signed ranges. */
	| 'SIGNATURE_DICTIONARY_UNCOVERED'
	/** The signed bytes do not end at the end of a revision (`%%EOF`): part of the signer's revision is unsigned. */
	| 'COVERAGE_ENDS_INSIDE_REVISION';

/** The coverage report of one signature (or document timestamp). */
export interface ByteRangeReport {
	fieldName: string;
	subFilter?: string;
	byteRange?: number[];
	/** Bytes after the signed part (later revisions, or an unsigned tail). */
	uncoveredTail: number;
	coversWholeFile: boolean;
	/** Anomalies; empty when the coverage is the normal shape. A non-zero `uncoveredTail` alone is not one (later incremental updates). */
	anomalies: { code: ByteRangeAnomalyCode; message: string }[];
}

const EOF_TAIL = /%%EOF[\r\n\0\t\f ]*$/;

/**
 * Check the /ByteRange of every signature field of a PDF: four numbers, starting at 0, inside the file, in order,
 * the gap exactly the signature's own /Contents, the signature dictionary inside the signed bytes, and the signed
 * part ending at a revision end. It does not verify any CMS (that is the signature verifier's job); it says what a
 * verifier must not call intact. Reads only the structure and a few bytes around each range. With `appended`, the
 * PDF checked is `file` followed by those bytes.
 */
export async function checkByteRanges(file: string, appended?: Buffer): Promise<ByteRangeReport[]> {
	const doc = await PdfDocument.open(file, undefined, appended);
	try {
		const size = doc.file.size;
		const catalog = await doc.catalog();
		const acro = (await doc.dictOf(catalog.value.get('AcroForm')))?.value;
		const fields = acro ? await doc.resolve(acro.get('Fields')) : undefined;
		const reports: ByteRangeReport[] = [];
		for (const field of isArray(fields) ? await listFields(doc, fields) : []) {
			if (field.type !== 'Sig' || !field.dict.has('V')) continue;
			const sigLocated = await doc.dictOf(field.dict.get('V'));
			if (!sigLocated) continue;
			const sig = sigLocated.value;
			const sf = sig.get('SubFilter');
			const report: ByteRangeReport = { fieldName: field.name, ...(isName(sf) ? { subFilter: sf.name } : {}), uncoveredTail: 0, coversWholeFile: false, anomalies: [] };
			reports.push(report);
			const add = (code: ByteRangeAnomalyCode, message: string): void => {
				report.anomalies.push({ code, message });
			};
			const raw = (await doc.resolve(sig.get('ByteRange'))) as PdfObject;
			const br = isArray(raw) ? raw.map((v) => intOf(v as PdfObject)) : [];
			if (br.length !== 4 || br.some((n) => n === undefined)) {
				add('BYTE_RANGE_MALFORMED', '/ByteRange is not an array of four non-negative whole numbers.');
				continue;
			}
			const [a, b, c, d] = br as number[];
			report.byteRange = [a, b, c, d];
			if (a !== 0) add('BYTE_RANGE_NOT_FROM_START', `The signed bytes start at ${a}, not 0: the head of the file is not signed.`);
			if (a + b > size || c + d > size) add('BYTE_RANGE_OUTSIDE_FILE', `The ranges reach byte ${Math.max(a + b, c + d)} but the file has ${size} bytes.`);
			if (a + b > c) add('BYTE_RANGE_OVERLAP', `The first range ends at ${a + b}, after the second starts (${c}).`);
			const end = c + d;
			report.uncoveredTail = Math.max(0, size - end);
			report.coversWholeFile = a === 0 && end === size;
			// The gap must be exactly `<hex of /Contents>`.
			const contents = sig.get('Contents');
			const gap = c - (a + b);
			if (contents instanceof PdfString && gap > 0 && gap <= 16 * 1024 * 1024 && a + b + gap <= size) {
				const bytes = await doc.file.read(a + b, gap);
				const text = bytes.toString('latin1');
				const ok = text.startsWith('<') && text.endsWith('>') && /^[0-9A-Fa-f\s]*$/.test(text.slice(1, -1)) && Buffer.from(text.slice(1, -1).replace(/\s/g, ''), 'hex').equals(contents.bytes);
				if (!ok) add('BYTE_RANGE_GAP_NOT_CONTENTS', `The unsigned gap ${a + b}..${c} is not this signature's /Contents string.`);
			} else {
				add('BYTE_RANGE_GAP_NOT_CONTENTS', `The unsigned gap ${a + b}..${c} (${gap} bytes) cannot be this signature's /Contents string.`);
			}
			// The signature dictionary must be signed (except /Contents): its object must start inside the first range.
			const entry = sigLocated.ref ? doc.xref.entries.get(sigLocated.ref.num) : undefined;
			if (entry?.type === 'offset' && !(entry.offset >= a && entry.offset < a + b)) {
				add('SIGNATURE_DICTIONARY_UNCOVERED', `The signature dictionary (object ${sigLocated.ref!.num} at ${entry.offset}) is outside the first signed range.`);
			}
			if (end <= size && end > 0) {
				const tail = (await doc.file.read(Math.max(0, end - 64), Math.min(64, end))).toString('latin1');
				if (!EOF_TAIL.test(tail)) add('COVERAGE_ENDS_INSIDE_REVISION', `The signed bytes end at ${end}, which is not the end of a revision (%%EOF); ${size - end} bytes after it are unsigned.`);
			}
		}
		return reports;
	} finally {
		await doc.close();
	}
}
