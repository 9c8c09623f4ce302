import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { normaliseSerial, type PkiEntity, type PkiTag, type TestPki } from './pki';

/** OCSP answer a certificate gets; `unknown` also for serials this PKI never issued. */
export type CertStatus = 'good' | 'revoked' | 'unknown';

/** A status set through the control API, overriding the default (`good` for issued certificates). */
export interface StatusOverride {
	status: CertStatus;
	revocationTime?: Date;
	/** CRLReason code (RFC 5280), e.g. 1 keyCompromise. */
	reason?: number;
}

/** Certificate statuses the OCSP responder reports, keyed by normalised serial. */
export class CertificateStatuses {
	private readonly overrides = new Map<string, StatusOverride>();

	set(serialHex: string, override: StatusOverride): void {
		this.overrides.set(normaliseSerial(serialHex), override);
	}

	get(serialHex: string): StatusOverride | undefined {
		return this.overrides.get(normaliseSerial(serialHex));
	}

	clear(): void {
		this.overrides.clear();
	}
}

const engine = new pkijs.CryptoEngine({
	name: 'node-webcrypto',
	crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
});
const HASH_OIDS: Record<string, string> = {
	'1.3.14.3.2.26': 'sha1',
	'2.16.840.1.101.3.4.2.1': 'sha256',
	'2.16.840.1.101.3.4.2.2': 'sha384',
	'2.16.840.1.101.3.4.2.3': 'sha512',
};
const NONCE_OID = '1.3.6.1.5.5.7.48.1.2';

const responderCache = new WeakMap<PkiEntity, { certificate: pkijs.Certificate; keyHash: Buffer }>();

/** Parsed responder certificate and its byKey ResponderID (SHA-1 of the public key bits), parsed once. */
function responderInfo(responder: PkiEntity): { certificate: pkijs.Certificate; keyHash: Buffer } {
	let info = responderCache.get(responder);
	if (!info) {
		const certificate = pkijs.Certificate.fromBER(responder.der);
		const keyHash = createHash('sha1').update(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest();
		info = { certificate, keyHash };
		responderCache.set(responder, info);
	}
	return info;
}

/** OCSPResponse with an error status and no body (RFC 6960 §4.2.1): 1 malformedRequest, 6 unauthorized. */
function errorResponse(status: 1 | 2 | 6): Buffer {
	const response = new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) });
	return Buffer.from(response.toSchema().toBER(false));
}

/** Delegated responder for the issuing CAs; the root answers for its own children itself. */
function responderFor(pki: TestPki, issuer: PkiEntity): PkiEntity | undefined {
	const byIssuer: Partial<Record<PkiTag, PkiTag>> = { E: 'ocsp-E', R: 'ocsp-R', root: 'root' };
	const tag = byIssuer[issuer.tag];
	return tag ? pki.entity(tag) : undefined;
}

function wholeSeconds(date: Date): Date {
	return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function certStatusOf(status: CertStatus, override: StatusOverride | undefined): asn1js.BaseBlock {
	if (status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
	if (status === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
	const value: asn1js.BaseBlock[] = [new asn1js.GeneralizedTime({ valueDate: wholeSeconds(override?.revocationTime ?? new Date()) })];
	if (override?.reason !== undefined) {
		value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: override.reason })] }));
	}
	return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value });
}

/** The status of one certificate, by issuer and serial: what the responder would answer. */
export function statusOf(pki: TestPki, statuses: CertificateStatuses, issuer: PkiEntity, serialHex: string): CertStatus {
	const issued: X509Certificate | undefined = pki.issuedCertificate(serialHex);
	const override = statuses.get(serialHex);
	if (override) return override.status;
	return issued && issued.issuer === issuer.cert.subject ? 'good' : 'unknown';
}

/**
 * Answer a DER OCSPRequest (RFC 6960) for the test PKI: one SingleResponse per request, nonce echoed, signed by the
 * delegated responder of the issuing CA (its certificate included). Unknown issuers get `unauthorized`.
 */
export async function answerOcspRequest(der: Buffer, pki: TestPki, statuses: CertificateStatuses): Promise<Buffer> {
	let request: pkijs.OCSPRequest;
	try {
		request = pkijs.OCSPRequest.fromBER(der);
	} catch {
		return errorResponse(1);
	}
	const items = request.tbsRequest.requestList;
	if (items.length === 0) return errorResponse(1);
	const resolved: Array<{ certID: pkijs.CertID; issuer: PkiEntity; serial: string }> = [];
	for (const item of items) {
		const certID = item.reqCert;
		const hashName = HASH_OIDS[certID.hashAlgorithm.algorithmId];
		if (!hashName) return errorResponse(1);
		const issuer = pki.issuerByHashes(
			hashName,
			Buffer.from(certID.issuerNameHash.valueBlock.valueHexView),
			Buffer.from(certID.issuerKeyHash.valueBlock.valueHexView),
		);
		if (!issuer) return errorResponse(6);
		resolved.push({ certID, issuer, serial: Buffer.from(certID.serialNumber.valueBlock.valueHexView).toString('hex') });
	}
	const responder = responderFor(pki, resolved[0].issuer);
	if (!responder || resolved.some((r) => r.issuer.tag !== resolved[0].issuer.tag)) return errorResponse(6);
	const now = wholeSeconds(new Date());
	const basic = new pkijs.BasicOCSPResponse();
	const { certificate: responderCert, keyHash } = responderInfo(responder);
	basic.tbsResponseData.responderID = new asn1js.OctetString({ valueHex: keyHash });
	basic.tbsResponseData.producedAt = now;
	for (const { certID, issuer, serial } of resolved) {
		const status = statusOf(pki, statuses, issuer, serial);
		basic.tbsResponseData.responses.push(
			new pkijs.SingleResponse({
				certID,
				certStatus: certStatusOf(status, statuses.get(serial)),
				thisUpdate: now,
			}),
		);
	}
	const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === NONCE_OID);
	if (nonce) {
		basic.tbsResponseData.responseExtensions = [new pkijs.Extension({ extnID: NONCE_OID, extnValue: nonce.extnValue.valueBlock.valueHexView.slice().buffer })];
	}
	if (responder.tag !== 'root') basic.certs = [responderCert];
	await basic.sign(responder.signingKey as unknown as Parameters<pkijs.BasicOCSPResponse['sign']>[0], responder.hash, engine);
	const response = new pkijs.OCSPResponse({
		responseStatus: new asn1js.Enumerated({ value: 0 }),
		responseBytes: new pkijs.ResponseBytes({
			responseType: '1.3.6.1.5.5.7.48.1.1',
			response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
		}),
	});
	return Buffer.from(response.toSchema().toBER(false));
}
