import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ValidationError } from '../../errors';
import { hashBytes } from '../../hash-algorithm';
import { certView, childrenOf, hashFromOid, isContextTag, issuerDer, rawBytes, sameBytes, serialBytes, toBuffer, unsignedInteger, verifySignature, type TokenHashAlgorithm } from '../../pki/ocsp-tsp-crypto';
import { OID, oidName } from '../../pki/oids';
import { readTlv } from '../der';
import type { CoveredBytes } from './covered-bytes';
import type { PdfFindings } from './findings';
import type { PdfSignatureEntry } from './signature-dictionaries';

/** CMS attribute OIDs the PDF verifier reads beyond lib/pki/oids.ts. */
const ATTR = {
	signingTime: '1.2.840.113549.1.9.5',
	signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
	/** Adobe's adbe-revocationInfoArchival (PDF 32000-1 12.8.3.3.2): CRLs and OCSP answers inside the signed attributes. */
	revocationInfoArchival: '1.2.840.113583.1.1.8',
	data: '1.2.840.113549.1.7.1',
} as const;

/** What the CMS check learnt, for the timestamp, chain and revocation checks. */
export interface CmsOutcome {
	/** The CMS DER without the /Contents zero padding. */
	der: Buffer;
	signer: X509Certificate | null;
	certificates: X509Certificate[];
	signatureValue: Buffer;
	/** Readable signature algorithm (e.g. "rsassaPss with SHA-256"). */
	signatureMethod: string;
	digestAlgorithm: TokenHashAlgorithm | null;
	/** Unsigned signature-time-stamp tokens (over the signature value). */
	timestampTokens: Buffer[];
	/** OCSPResponse / CRL DER from adbe-revocationInfoArchival. */
	ocsp: Buffer[];
	crls: Buffer[];
	signingTimeAttribute: Date | null;
}

/** The DER of a /Contents value without its trailing zero padding; throws when it is not one DER element. */
export function trimDer(contents: Buffer): Buffer {
	let end: number;
	try {
		end = readTlv(contents, 0).end;
	} catch {
		// BER (indefinite lengths: some producers write the CMS so); asn1js finds where it ends.
		const asn = asn1js.fromBER(contents);
		if (asn.offset === -1 || asn.result.error) throw new Error(`not BER/DER (${asn.result.error || 'unreadable'})`);
		end = asn.offset;
	}
	if (!contents.subarray(end).every((b) => b === 0)) throw new Error('bytes other than zero padding follow the CMS value');
	return contents.subarray(0, end);
}

/** Parse a CMS ContentInfo(SignedData); throws a plain Error with what is wrong. */
export function parseSignedData(der: Buffer): pkijs.SignedData {
	const asn = asn1js.fromBER(der);
	if (asn.offset === -1) throw new Error('not DER');
	const ci = new pkijs.ContentInfo({ schema: asn.result });
	if (ci.contentType !== OID.cmsSignedData) throw new Error(`content type ${ci.contentType} is not SignedData`);
	return new pkijs.SignedData({ schema: ci.content });
}

function attributes(list: pkijs.SignedAndUnsignedAttributes | undefined, oid: string): asn1js.AsnType[] {
	return (list?.attributes ?? []).filter((a) => a.type === oid).flatMap((a) => a.values);
}

function subjectKeyId(cert: X509Certificate): Buffer | undefined {
	const view = certView(cert);
	const ext = view.asn.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
	const value = ext?.parsedValue as asn1js.OctetString | undefined;
	return value ? toBuffer(value.valueBlock.valueHexView) : undefined;
}

/** True when `cert` is the one a SignerInfo's sid names (issuer + serial, or subject key identifier). */
export function isSid(cert: X509Certificate, sid: unknown): boolean {
	const view = certView(cert);
	if (sid instanceof pkijs.IssuerAndSerialNumber) {
		return sameBytes(issuerDer(view), toBuffer(sid.issuer.toSchema().toBER())) && sameBytes(serialBytes(view), unsignedInteger(sid.serialNumber.valueBlock.valueHexView));
	}
	const ski = subjectKeyId(cert);
	const block = sid as asn1js.Primitive | undefined;
	return ski !== undefined && block?.valueBlock?.valueHexView !== undefined && sameBytes(ski, block.valueBlock.valueHexView);
}

/** ESS signing-certificate(-v2) (RFC 2634 / RFC 5035): the first ESSCertID must be the signer's hash (and issuer/serial). */
function checkSigningCertificate(signerInfo: pkijs.SignerInfo, signer: X509Certificate, required: boolean, f: PdfFindings): void {
	const v2 = attributes(signerInfo.signedAttrs, OID.attrSigningCertificateV2)[0];
	const v1 = attributes(signerInfo.signedAttrs, OID.attrSigningCertificate)[0];
	const value = v2 ?? v1;
	if (!value) {
		if (required) f.add('SIGNING_CERTIFICATE_MISSING', 'The CMS has no ESS signing-certificate(-v2) attribute binding the signer certificate (PAdES requires one).');
		return;
	}
	const parts = childrenOf(childrenOf(childrenOf(value)[0])[0]);
	let hash: TokenHashAlgorithm | undefined = v2 ? 'SHA-256' : 'SHA-1';
	let i = 0;
	if (v2 && parts[0] instanceof asn1js.Sequence) {
		hash = hashFromOid(new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId);
		i = 1;
	}
	const certHash = parts[i];
	if (!hash || !(certHash instanceof asn1js.OctetString)) {
		f.add('SIGNING_CERTIFICATE_MISMATCH', 'The ESS signing-certificate attribute is malformed or uses an unsupported hash.');
		return;
	}
	if (!sameBytes(toBuffer(certHash.valueBlock.valueHexView), hashBytes(hash, certView(signer).der))) {
		f.add('SIGNING_CERTIFICATE_MISMATCH', `The ESS signing-certificate attribute names another certificate than the signer "${signer.subject.replace(/\n/g, ', ')}".`);
		return;
	}
	const issuerSerial = parts[i + 1];
	if (issuerSerial) {
		const [names, serial] = childrenOf(issuerSerial);
		const dn = childrenOf(names).find((n) => isContextTag(n, 4));
		const view = certView(signer);
		const nameOk = !dn || sameBytes(rawBytes(childrenOf(dn)[0]), issuerDer(view));
		const serialOk = serial instanceof asn1js.Integer && sameBytes(unsignedInteger(serial.valueBlock.valueHexView), serialBytes(view));
		if (!nameOk || !serialOk) f.add('SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH', 'The ESS signing-certificate issuer/serial does not match the signer certificate.');
	}
}

function revocationArchive(signerInfo: pkijs.SignerInfo): { ocsp: Buffer[]; crls: Buffer[] } {
	const out = { ocsp: [] as Buffer[], crls: [] as Buffer[] };
	for (const value of attributes(signerInfo.signedAttrs, ATTR.revocationInfoArchival)) {
		for (const part of childrenOf(value)) {
			const inner = childrenOf(childrenOf(part)[0]);
			if (isContextTag(part, 0)) out.crls.push(...inner.map(rawBytes));
			else if (isContextTag(part, 1)) out.ocsp.push(...inner.map(rawBytes));
		}
	}
	return out;
}

/**
 * Check a signature's CMS (ETSI.CAdES.detached, adbe.pkcs7.detached): one SignerInfo, its certificate, the digest
 * of the ByteRange bytes against message-digest (or, without signed attributes, the signature over those bytes
 * directly), content-type id-data, the ESS signing-certificate binding, and the signature value (RSASSA-PKCS1 v1.5,
 * RSASSA-PSS with its parameters, ECDSA). Findings go to `f`; returns null when the CMS cannot be read at all.
 */
export async function checkCms(entry: PdfSignatureEntry, covered: CoveredBytes, f: PdfFindings): Promise<CmsOutcome | null> {
	if (!entry.contents || !entry.byteRange) {
		f.add('CMS_MALFORMED', 'The signature dictionary has no /Contents string or no usable /ByteRange.');
		return null;
	}
	let der: Buffer;
	let sd: pkijs.SignedData;
	try {
		der = trimDer(entry.contents);
		sd = parseSignedData(der);
	} catch (e) {
		f.add('CMS_MALFORMED', `/Contents is not a readable CMS SignedData (${(e as Error).message}).`);
		return null;
	}
	if (sd.signerInfos.length !== 1) {
		f.add('CMS_MALFORMED', `The CMS has ${sd.signerInfos.length} SignerInfos; a PDF signature has exactly one.`);
		return null;
	}
	const si = sd.signerInfos[0];
	const certificates: X509Certificate[] = [];
	for (const c of sd.certificates ?? []) {
		if (!(c instanceof pkijs.Certificate)) continue;
		try {
			certificates.push(new X509Certificate(Buffer.from(c.toSchema().toBER())));
		} catch {
			// An unreadable extra certificate is simply not used.
		}
	}
	const signer = certificates.find((c) => isSid(c, si.sid)) ?? null;
	const digestAlgorithm = hashFromOid(si.digestAlgorithm.algorithmId) ?? null;
	const signatureValue = toBuffer(si.signature.valueBlock.valueHexView);
	const sigAlg = si.signatureAlgorithm.algorithmId;
	const signatureMethod = `${oidName(sigAlg)}${digestAlgorithm ? ` with ${digestAlgorithm}` : ''}`;
	const archive = revocationArchive(si);
	const signingTimeValue = attributes(si.signedAttrs, ATTR.signingTime)[0];
	const signingTimeAttribute = signingTimeValue instanceof asn1js.UTCTime || signingTimeValue instanceof asn1js.GeneralizedTime ? signingTimeValue.toDate() : null;
	const outcome: CmsOutcome = {
		der,
		signer,
		certificates,
		signatureValue,
		signatureMethod,
		digestAlgorithm,
		timestampTokens: attributes(si.unsignedAttrs, ATTR.signatureTimeStampToken).map(rawBytes),
		ocsp: archive.ocsp,
		crls: archive.crls,
		signingTimeAttribute,
	};
	if (!signer) f.add('SIGNING_CERTIFICATE_MISSING', 'The CMS does not carry the certificate its SignerInfo names; the signer cannot be identified.');
	if (!digestAlgorithm) {
		f.add('UNSUPPORTED_ALGORITHM', `The CMS digest algorithm ${si.digestAlgorithm.algorithmId} is not supported.`);
		return outcome;
	}
	const br = entry.byteRange;
	const contentDigest = await covered.digest(br, digestAlgorithm);
	let signedBytes: Buffer;
	if (si.signedAttrs && si.signedAttrs.attributes.length > 0) {
		const ct = attributes(si.signedAttrs, OID.attrContentType);
		if (ct.length !== 1 || !(ct[0] instanceof asn1js.ObjectIdentifier) || ct[0].valueBlock.toString() !== ATTR.data) {
			f.add('CMS_CONTENT_TYPE_INVALID', 'The signed attributes must hold one content-type id-data (RFC 5652 11.1).');
		}
		const md = attributes(si.signedAttrs, OID.attrMessageDigest);
		if (md.length !== 1 || !(md[0] instanceof asn1js.OctetString)) {
			f.add('CMS_MALFORMED', 'The signed attributes must hold one message-digest.');
		} else if (!sameBytes(toBuffer(md[0].valueBlock.valueHexView), contentDigest)) {
			f.add('MESSAGE_DIGEST_MISMATCH', `The signature is not intact: the ${digestAlgorithm} digest of the bytes its /ByteRange covers differs from the CMS message-digest (the document was changed, or the CMS belongs to other bytes).`);
		}
		if (signer) checkSigningCertificate(si, signer, entry.subFilter === 'ETSI.CAdES.detached', f);
		if (signingTimeAttribute && entry.subFilter === 'ETSI.CAdES.detached') {
			f.add('SIGNING_TIME_ATTRIBUTE_PRESENT', 'The CMS carries a signing-time attribute; PAdES baseline takes the claimed time from /M only (EN 319 142-1 5.3).');
		}
		signedBytes = Buffer.from(si.signedAttrs.encodedValue); // pkijs re-tags [0] IMPLICIT to SET (0x31), the form that is signed
	} else {
		f.add('SIGNED_ATTRIBUTES_MISSING', 'The CMS has no signed attributes (legacy adbe.pkcs7.detached form): the signature is over the document bytes directly, with no signer-certificate binding.');
		signedBytes = await covered.bytes(br);
	}
	if (signer) {
		try {
			if (!verifySignature(si.signatureAlgorithm, signedBytes, signatureValue, signer.publicKey, 'pdf.cms.signature', digestAlgorithm)) {
				f.add('SIGNATURE_VALUE_INVALID', `The signature is not intact: the ${signatureMethod} signature value does not verify with the signer's key.`);
			}
		} catch (e) {
			if (!(e instanceof ValidationError)) throw e;
			f.add('UNSUPPORTED_ALGORITHM', e.message);
		}
	}
	return outcome;
}
