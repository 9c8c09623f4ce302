import { X509Certificate } from 'node:crypto';
import type { PdfDocument } from '../document';
import { isArray, isDict, isRef, type PdfObject } from '../objects';

/** Most entries read from each DSS array (real LT/LTA files hold tens). */
const MAX_DSS_ITEMS = 10_000;

/** Validation data of the document security store (ETSI EN 319 142-1 5.4): certificates, OCSP responses, CRLs. */
export interface DssData {
	certificates: X509Certificate[];
	ocsp: Buffer[];
	crls: Buffer[];
	/** VRI keys present (upper-case hex SHA-1 of a signature's CMS). */
	vriKeys: string[];
}

async function streams(doc: PdfDocument, value: PdfObject | undefined): Promise<Buffer[]> {
	const arr = await doc.resolve(value);
	if (!isArray(arr)) return [];
	const out: Buffer[] = [];
	for (const item of arr.slice(0, MAX_DSS_ITEMS)) {
		if (!isRef(item)) continue;
		const obj = await doc.getIndirect(item.num);
		if (obj.streamStart === undefined) continue;
		out.push(await doc.streamData(obj));
	}
	return out;
}

/** Read /DSS of the (final) document; empty when there is none. Unreadable certificates are skipped. */
export async function readDss(doc: PdfDocument): Promise<DssData> {
	const catalog = await doc.catalog();
	const dss = (await doc.dictOf(catalog.value.get('DSS')))?.value;
	const data: DssData = { certificates: [], ocsp: [], crls: [], vriKeys: [] };
	if (!dss) return data;
	for (const der of await streams(doc, dss.get('Certs'))) {
		try {
			data.certificates.push(new X509Certificate(der));
		} catch {
			// not a certificate: not used
		}
	}
	data.ocsp = await streams(doc, dss.get('OCSPs'));
	data.crls = await streams(doc, dss.get('CRLs'));
	const vri = await doc.resolve(dss.get('VRI'));
	if (isDict(vri)) data.vriKeys = [...vri.map.keys()].map((k) => k.toUpperCase());
	return data;
}
