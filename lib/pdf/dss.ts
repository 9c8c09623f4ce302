import { createHash } from 'node:crypto';
import type { PdfDocument } from './document';
import { malformed } from './errors';
import { layoutIncrementalUpdate, objectNumbers, type UpdateObject } from './incremental-writer';
import { isArray, isDict, isRef, PdfDict, PdfName, PdfRef, type PdfObject } from './objects';

/** Validation material for one signature, added to the document security store (PAdES B-LT). */
export interface DssMaterial {
	/** DER certificates (signer, CA chain, TSA and OCSP responder certificates). */
	certificates: Buffer[];
	/** DER OCSPResponse values. */
	ocspResponses: Buffer[];
	/** The signature's CMS DER: its SHA-1 names the VRI entry. */
	signatureCms?: Buffer;
}

/** VRI key of a signature: upper-case hex SHA-1 of its CMS bytes (ETSI EN 319 142-1, 5.4.2.4). */
export const vriKey = (cms: Buffer): string => createHash('sha1').update(cms).digest('hex').toUpperCase();

async function refList(doc: PdfDocument, value: PdfObject | undefined): Promise<PdfObject[]> {
	const arr = await doc.resolve(value);
	if (arr === undefined || arr === null) return [];
	if (!isArray(arr)) malformed('an array of the /DSS dictionary is not an array.');
	return arr;
}

/**
 * Lay out an incremental update that adds `material` to the document's /DSS: one uncompressed stream per new
 * certificate and OCSP response, a new /DSS dictionary holding the earlier entries plus the new ones (earlier
 * arrays may be indirect; they are copied), a /VRI entry for the signature, and a new version of the catalog.
 */
export async function buildDssUpdate(doc: PdfDocument, material: DssMaterial): Promise<Buffer> {
	const catalog = await doc.catalog();
	const newNum = objectNumbers(doc.xref);
	const old = (await doc.dictOf(catalog.value.get('DSS')))?.value ?? new PdfDict();
	const objects: UpdateObject[] = [];
	const addStreams = (items: Buffer[]): PdfRef[] => {
		const seen = new Set<string>();
		const refs: PdfRef[] = [];
		for (const item of items) {
			const key = item.toString('base64');
			if (seen.has(key)) continue;
			seen.add(key);
			const ref = new PdfRef(newNum(), 0);
			objects.push({ ref, value: new PdfDict(), stream: item });
			refs.push(ref);
		}
		return refs;
	};
	const certRefs = addStreams(material.certificates);
	const ocspRefs = addStreams(material.ocspResponses);
	const dss = new PdfDict().set('Type', new PdfName('DSS'));
	dss.set('Certs', [...(await refList(doc, old.get('Certs'))), ...certRefs]);
	dss.set('OCSPs', [...(await refList(doc, old.get('OCSPs'))), ...ocspRefs]);
	const crls = await refList(doc, old.get('CRLs'));
	if (crls.length > 0) dss.set('CRLs', crls);
	const oldVri = await doc.resolve(old.get('VRI'));
	const vri = isDict(oldVri) ? oldVri.clone() : new PdfDict();
	if (material.signatureCms) vri.set(vriKey(material.signatureCms), new PdfDict().set('Cert', certRefs).set('OCSP', ocspRefs));
	if (vri.map.size > 0) dss.set('VRI', vri);
	const dssRef = new PdfRef(newNum(), 0);
	objects.push({ ref: dssRef, value: dss });
	const cat = catalog.value.clone().set('DSS', dssRef);
	if (!isRef(cat.get('Pages'))) malformed('the catalog has no /Pages reference.');
	objects.push({ ref: catalog.ref, value: cat });
	const last = (await doc.file.read(doc.file.size - 1, 1))[0];
	return layoutIncrementalUpdate(doc.xref, doc.file.size, last !== 0x0a && last !== 0x0d, objects).bytes;
}
