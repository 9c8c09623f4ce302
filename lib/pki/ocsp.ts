/**
 * OCSP (RFC 6960): build requests, parse responses, and verify a response for one certificate: signature,
 * responder authorisation, CertID, nonce and freshness. Verification failures are ValidationError with
 * rules `ocsp.*` so callers and tests can tell exactly which check failed.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { InvalidRequestError, ValidationError } from '../errors';
import {
	type CertView,
	type TokenHashAlgorithm,
	TOKEN_OID,
	certLabel,
	certView,
	childrenOf,
	digest,
	extendedKeyUsage,
	fromSchema,
	hashAlgorithmIdentifier,
	hashFromOid,
	isContextTag,
	isIssuedBy,
	issuerDer,
	nameText,
	parseAsn1,
	publicKeyBits,
	rawBytes,
	sameBytes,
	serialBytes,
	subjectDer,
	toBuffer,
	unsignedInteger,
	validityProblem,
	verifySignature,
	DEFAULT_TOKEN_SKEW_MS,
} from './ocsp-tsp-crypto';
import type { TrustStore } from './trust-store';

/** Hash algorithms accepted for OCSP CertIDs (SK responders expect SHA-1; SHA-256 for newer ones). */
export type OcspCertIdHash = Extract<TokenHashAlgorithm, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'>;

/** Options of {@link buildOcspRequest}. */
export interface OcspRequestOptions {
	/** Nonce bytes to send; `true` (default) = 32 random bytes, `false` = no nonce (for responders that reject it). */
	nonce?: Uint8Array | boolean;
	/** CertID hash; default SHA-1 (what SK's responders expect). */
	hashAlgorithm?: OcspCertIdHash;
}

/** The request CertID, as the response must echo it. */
export interface OcspCertId {
	hashAlgorithm: TokenHashAlgorithm;
	issuerNameHash: Buffer;
	issuerKeyHash: Buffer;
	/** Serial as unsigned big-endian bytes (no leading zeros). */
	serialNumber: Buffer;
}

/** A built OCSP request. */
export interface BuiltOcspRequest {
	/** DER to POST with Content-Type application/ocsp-request. */
	der: Buffer;
	/** The nonce sent (raw bytes, before the OCTET STRING wrapping), to pass to {@link verifyOcspResponse}. */
	nonce?: Buffer;
	certId: OcspCertId;
}

/** OCSPResponseStatus names (RFC 6960 §4.2.1). */
export type OcspResponseStatus =
	| 'successful'
	| 'malformedRequest'
	| 'internalError'
	| 'tryLater'
	| 'sigRequired'
	| 'unauthorized'
	| 'unknownStatus';

const RESPONSE_STATUS: Record<number, OcspResponseStatus> = {
	0: 'successful',
	1: 'malformedRequest',
	2: 'internalError',
	3: 'tryLater',
	5: 'sigRequired',
	6: 'unauthorized',
};

const CRL_REASONS: Record<number, string> = {
	0: 'unspecified',
	1: 'keyCompromise',
	2: 'cACompromise',
	3: 'affiliationChanged',
	4: 'superseded',
	5: 'cessationOfOperation',
	6: 'certificateHold',
	8: 'removeFromCRL',
	9: 'privilegeWithdrawn',
	10: 'aACompromise',
};

/** Certificate status in one SingleResponse. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** One SingleResponse. */
export interface OcspSingleResponse {
	certId: OcspCertId;
	status: OcspCertStatus;
	revocationTime?: Date;
	/** CRLReason name (e.g. `keyCompromise`) when the responder gave one. */
	revocationReason?: string;
	thisUpdate: Date;
	nextUpdate?: Date;
}

/** Who signed the response, as the response names it. */
export type OcspResponderId = { byName: string; nameDer: Buffer } | { byKeyHash: Buffer };

/** A parsed OCSPResponse; nothing in it is verified yet. */
export interface ParsedOcspResponse {
	/** The whole OCSPResponse DER (what XAdES embeds in EncapsulatedOCSPValue). */
	der: Buffer;
	responseStatus: OcspResponseStatus;
	/** Present when responseStatus is successful and the response type is id-pkix-ocsp-basic. */
	basic?: {
		responderId: OcspResponderId;
		producedAt: Date;
		responses: OcspSingleResponse[];
		/** Certificates the responder included (usually its own). */
		certificates: X509Certificate[];
		/** Nonce extension value with its OCTET STRING wrapping removed. */
		nonce?: Buffer;
		/** signatureAlgorithm OID. */
		signatureAlgorithm: string;
	};
}

/** How the responder is entitled to answer for the certificate's issuer. */
export type OcspResponderAuthorization = 'issuer' | 'delegated' | 'anchor';

/** Options of {@link verifyOcspResponse}. */
export interface OcspVerifyOptions {
	/** The certificate the response must be about. */
	certificate: X509Certificate | Uint8Array;
	/** Its issuing CA. */
	issuer: X509Certificate | Uint8Array;
	/** OCSP entries of this store answer for the CAs they are listed for (e.g. TEST of SK OCSP RESPONDER 2020 for TEST of ESTEID2018). */
	trust?: TrustStore;
	/** Further candidate responder certificates (e.g. from XAdES CertificateValues). */
	responderCertificates?: (X509Certificate | Uint8Array)[];
	/** The nonce that was sent; the response must echo it. */
	nonce?: Uint8Array;
	/** Time the response is judged at (default now). For an archived response pass its best-signature-time. */
	at?: Date;
	/** Allowed clock difference for producedAt/thisUpdate/nextUpdate (default 15 min). */
	maxSkewMs?: number;
	/** Check producedAt/thisUpdate/nextUpdate against `at` (default true). */
	checkFreshness?: boolean;
}

/** Outcome of a verified response. `status` is reported, not judged: a revoked certificate is not an exception here. */
export interface OcspVerification {
	status: OcspCertStatus;
	producedAt: Date;
	thisUpdate: Date;
	nextUpdate?: Date;
	revocationTime?: Date;
	revocationReason?: string;
	/** The certificate whose key signed the response. */
	responder: X509Certificate;
	responderAuthorization: OcspResponderAuthorization;
	/** The nonce echoed by the responder, when any. */
	nonce?: Buffer;
}


function requestCertView(input: X509Certificate | Uint8Array, what: string): CertView {
	try {
		return certView(input, what);
	} catch (error) {
		throw new InvalidRequestError(`The ${what} for the OCSP request is not a valid X.509 certificate.`, {
			reason: error instanceof Error ? error.message : String(error),
		});
	}
}

function certIdFor(cert: CertView, issuer: CertView, hash: TokenHashAlgorithm): OcspCertId {
	return {
		hashAlgorithm: hash,
		issuerNameHash: digest(hash, subjectDer(issuer)),
		issuerKeyHash: digest(hash, publicKeyBits(issuer)),
		serialNumber: serialBytes(cert),
	};
}

/**
 * Build a DER OCSPRequest for `certificate` issued by `issuer`: one Request whose CertID uses SHA-1 (default)
 * or SHA-256, and a nonce extension (32 random bytes unless told otherwise), wrapped as DER(OCTET STRING) like
 * DigiDoc4j and OpenSSL do. Throws InvalidRequestError when `issuer` did not issue `certificate`.
 */
export function buildOcspRequest(
	certificate: X509Certificate | Uint8Array,
	issuer: X509Certificate | Uint8Array,
	options: OcspRequestOptions = {},
): BuiltOcspRequest {
	const cert = requestCertView(certificate, 'certificate');
	const ca = requestCertView(issuer, 'issuer certificate');
	if (!sameBytes(issuerDer(cert), subjectDer(ca))) {
		throw new InvalidRequestError(
			`The issuer certificate "${certLabel(ca)}" did not issue "${certLabel(cert)}"; pass the certificate's own issuing CA.`,
		);
	}
	const hash = options.hashAlgorithm ?? 'SHA-1';
	if (!['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'].includes(hash)) {
		throw new InvalidRequestError(`Unsupported OCSP CertID hash "${String(hash)}"; use SHA-1 or SHA-256.`);
	}
	let nonce: Buffer | undefined;
	if (options.nonce === undefined || options.nonce === true) nonce = randomBytes(32);
	else if (options.nonce instanceof Uint8Array) {
		if (options.nonce.length < 1 || options.nonce.length > 128) {
			throw new InvalidRequestError('The OCSP nonce must be 1 to 128 bytes long (32 is usual).');
		}
		nonce = Buffer.from(options.nonce);
	}
	const certId = certIdFor(cert, ca, hash);
	const request = new pkijs.OCSPRequest();
	request.tbsRequest.requestList = [
		new pkijs.Request({
			reqCert: new pkijs.CertID({
				hashAlgorithm: hashAlgorithmIdentifier(hash),
				issuerNameHash: new asn1js.OctetString({ valueHex: certId.issuerNameHash }),
				issuerKeyHash: new asn1js.OctetString({ valueHex: certId.issuerKeyHash }),
				// The certificate's own INTEGER contents, so a serial with a sign byte is sent exactly as issued.
				serialNumber: new asn1js.Integer({ valueHex: toBuffer(cert.asn.serialNumber.valueBlock.valueHexView) }),
			}),
		}),
	];
	if (nonce) {
		request.tbsRequest.requestExtensions = [
			new pkijs.Extension({
				extnID: TOKEN_OID.ocspNonce,
				critical: false,
				extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(),
			}),
		];
	}
	return { der: toBuffer(request.toSchema(true).toBER()), nonce, certId };
}

/** Nonce extension value without its optional inner OCTET STRING (both encodings exist in the wild). */
function unwrapNonce(value: Uint8Array): Buffer {
	let inner: ReturnType<typeof asn1js.fromBER>;
	try {
		inner = asn1js.fromBER(new Uint8Array(value));
	} catch {
		return Buffer.from(value);
	}
	if (inner.offset === value.length && inner.result instanceof asn1js.OctetString && !inner.result.idBlock.isConstructed) {
		return toBuffer(inner.result.valueBlock.valueHexView);
	}
	return Buffer.from(value);
}

function parseCertId(id: pkijs.CertID): OcspCertId | undefined {
	const hash = hashFromOid(id.hashAlgorithm.algorithmId);
	if (!hash) return undefined;
	return {
		hashAlgorithm: hash,
		issuerNameHash: toBuffer(id.issuerNameHash.valueBlock.valueHexView),
		issuerKeyHash: toBuffer(id.issuerKeyHash.valueBlock.valueHexView),
		serialNumber: unsignedInteger(id.serialNumber.valueBlock.valueHexView),
	};
}

function parseSingle(single: pkijs.SingleResponse): OcspSingleResponse | undefined {
	const certId = parseCertId(single.certID);
	if (!certId) return undefined;
	const status = single.certStatus as asn1js.BaseBlock;
	const base = { certId, thisUpdate: single.thisUpdate, ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}) };
	switch (status.idBlock.tagNumber) {
		case 0:
			return { ...base, status: 'good' };
		case 1: {
			const [time, reason] = childrenOf(status);
			const revocationTime = time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
			const code = childrenOf(reason)[0];
			const revocationReason = code instanceof asn1js.Enumerated ? (CRL_REASONS[code.valueBlock.valueDec] ?? `reason ${code.valueBlock.valueDec}`) : undefined;
			return { ...base, status: 'revoked', revocationTime, ...(revocationReason ? { revocationReason } : {}) };
		}
		default:
			return { ...base, status: 'unknown' };
	}
}

interface InternalOcsp {
	parsed: ParsedOcspResponse;
	basic?: pkijs.BasicOCSPResponse;
	certDers: Buffer[];
}

function parseInternal(der: Uint8Array): InternalOcsp {
	const rule = 'ocsp.malformed';
	const top = parseAsn1(der, rule, 'The OCSP response');
	const response = fromSchema(() => new pkijs.OCSPResponse({ schema: top }), rule, 'The OCSP response');
	const code = response.responseStatus.valueBlock.valueDec;
	const responseStatus = RESPONSE_STATUS[code] ?? 'unknownStatus';
	const parsed: ParsedOcspResponse = { der: Buffer.from(der), responseStatus };
	if (responseStatus !== 'successful' || !response.responseBytes) return { parsed, certDers: [] };
	if (response.responseBytes.responseType !== TOKEN_OID.ocspBasic) {
		throw new ValidationError('ocsp.responseType', `Unsupported OCSP response type ${response.responseBytes.responseType}; only id-pkix-ocsp-basic is accepted.`);
	}
	const basicAsn = parseAsn1(toBuffer(response.responseBytes.response.valueBlock.valueHexView), rule, 'The BasicOCSPResponse');
	const basic = fromSchema(() => new pkijs.BasicOCSPResponse({ schema: basicAsn }), rule, 'The BasicOCSPResponse');
	// Raw certificate bytes, straight from the encoding ([0] EXPLICIT SEQUENCE OF Certificate).
	const certsField = childrenOf(basicAsn).find((node) => isContextTag(node, 0));
	const certDers = childrenOf(childrenOf(certsField)[0]).map(rawBytes);
	const certificates = certDers.map((certDer) => certView(certDer, 'certificate inside the OCSP response').x509);
	const data = basic.tbsResponseData;
	const responderId: OcspResponderId =
		data.responderID instanceof pkijs.RelativeDistinguishedNames
			? { byName: nameText(data.responderID), nameDer: toBuffer(data.responderID.valueBeforeDecode) }
			: { byKeyHash: toBuffer((data.responderID as asn1js.OctetString).valueBlock.valueHexView) };
	const responses = data.responses.map(parseSingle).filter((r): r is OcspSingleResponse => r !== undefined);
	const nonceExt = data.responseExtensions?.find((e) => e.extnID === TOKEN_OID.ocspNonce);
	parsed.basic = {
		responderId,
		producedAt: data.producedAt,
		responses,
		certificates,
		...(nonceExt ? { nonce: unwrapNonce(nonceExt.extnValue.valueBlock.valueHexView) } : {}),
		signatureAlgorithm: basic.signatureAlgorithm.algorithmId,
	};
	return { parsed, basic, certDers };
}

/**
 * Parse a DER OCSPResponse (the whole response, as served over HTTP or embedded in XAdES). Only the structure
 * is checked; call {@link verifyOcspResponse} before trusting anything in it. Throws ValidationError
 * (`ocsp.malformed`, `ocsp.responseType`) on bytes that are not an OCSP response.
 */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
	return parseInternal(der).parsed;
}

function matchesResponderId(cert: CertView, id: OcspResponderId): boolean {
	if ('byKeyHash' in id) return sameBytes(digest('SHA-1', publicKeyBits(cert)), id.byKeyHash);
	return sameBytes(subjectDer(cert), id.nameDer);
}

function uniqueViews(views: CertView[]): CertView[] {
	const seen = new Set<string>();
	return views.filter((view) => {
		const key = view.der.toString('base64');
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

function sameCertId(a: OcspCertId, b: OcspCertId): boolean {
	return (
		a.hashAlgorithm === b.hashAlgorithm &&
		sameBytes(a.issuerNameHash, b.issuerNameHash) &&
		sameBytes(a.issuerKeyHash, b.issuerKeyHash) &&
		sameBytes(a.serialNumber, b.serialNumber)
	);
}

/**
 * Verify `parsed` as the answer about `options.certificate`: responseStatus successful, signature valid
 * (RSA PKCS#1 v1.5, RSA-PSS, ECDSA), signer authorised (the issuing CA itself, a delegated responder issued by
 * it with EKU id-kp-OCSPSigning, or a responder the trust store lists as the OCSP service of that very CA) and valid at producedAt,
 * a SingleResponse whose CertID matches the certificate, the nonce echoed when one was sent, and the times
 * within `maxSkewMs` of `at`. Returns the certificate status; throws ValidationError with an `ocsp.*` rule.
 */
export function verifyOcspResponse(parsed: ParsedOcspResponse, options: OcspVerifyOptions): OcspVerification {
	const { parsed: fresh, basic, certDers } = parseInternal(parsed.der);
	if (fresh.responseStatus !== 'successful' || !basic || !fresh.basic) {
		throw new ValidationError(
			'ocsp.responseStatus',
			`The OCSP responder did not give a status (responseStatus ${fresh.responseStatus}). ` +
				(fresh.responseStatus === 'unauthorized'
					? 'It does not serve this certificate issuer; use the responder from the certificate or the CA.'
					: 'Try again later or check the request.'),
			{ responseStatus: fresh.responseStatus },
		);
	}
	const info = fresh.basic;
	const cert = certView(options.certificate, 'certificate');
	const issuer = certView(options.issuer, 'issuer certificate');
	if (!sameBytes(issuerDer(cert), subjectDer(issuer))) {
		throw new ValidationError('ocsp.issuer.mismatch', `"${certLabel(issuer)}" is not the issuer of "${certLabel(cert)}".`);
	}

	// 1. Find the responder certificate and check the signature.
	// Only OCSP entries of the store are candidates; CA and TSA anchors never sign OCSP answers for others.
	const anchors = (options.trust?.anchors('ocsp') ?? []).map((a) => certView(a, 'trust anchor'));
	const candidates = uniqueViews([
		...certDers.map((d) => certView(d, 'certificate inside the OCSP response')),
		...(options.responderCertificates ?? []).map((c) => certView(c, 'responder certificate')),
		issuer,
		...anchors,
	]).filter((c) => matchesResponderId(c, info.responderId));
	const responderName = 'byName' in info.responderId ? info.responderId.byName : `key hash ${info.responderId.byKeyHash.toString('hex')}`;
	if (candidates.length === 0) {
		throw new ValidationError(
			'ocsp.responder.notFound',
			`The OCSP response is signed by "${responderName}", but that certificate is neither in the response nor among the known certificates.`,
			{ responder: responderName },
		);
	}
	const tbs = toBuffer(basic.tbsResponseData.tbsView);
	const signature = toBuffer(basic.signature.valueBlock.valueHexView);
	const responder = candidates.find((c) => verifySignature(basic.signatureAlgorithm, tbs, signature, c.x509.publicKey, 'ocsp.signature'));
	if (!responder) {
		throw new ValidationError('ocsp.signature', `The OCSP response signature does not verify with the key of "${responderName}"; the response was altered or forged.`, {
			responder: responderName,
		});
	}

	// 2. Is the signer entitled to speak for this issuer?
	let authorization: OcspResponderAuthorization | undefined;
	if (sameBytes(responder.der, issuer.der) || (sameBytes(subjectDer(responder), subjectDer(issuer)) && sameBytes(publicKeyBits(responder), publicKeyBits(issuer)))) {
		authorization = 'issuer';
	} else if (isIssuedBy(responder, issuer)) {
		if (!extendedKeyUsage(responder)?.purposes.includes(TOKEN_OID.ekuOcspSigning)) {
			throw new ValidationError('ocsp.responder.unauthorized', `The OCSP responder certificate "${certLabel(responder)}" is issued by the CA but lacks the OCSPSigning extended key usage.`, {
				responder: certLabel(responder),
			});
		}
		authorization = 'delegated';
	} else if (options.trust?.isOcspServiceFor(responder.x509, issuer.x509, info.producedAt)) {
		// Trusted-list style: the store lists this responder (or a re-issue with the same subject and key) as the
		// OCSP service of exactly this CA. Sitting in the store as an OCSP entry for other CAs is not enough.
		authorization = 'anchor';
	}
	if (!authorization) {
		const trustedElsewhere = options.trust?.isAnchorFor(responder.x509, 'ocsp') ?? false;
		throw new ValidationError(
			'ocsp.responder.unauthorized',
			trustedElsewhere
				? `The OCSP responder "${certLabel(responder)}" is trusted only for other CAs, not for "${certLabel(issuer)}" (RFC 6960 §4.2.2.2: the CA itself or a responder it certified with OCSPSigning).`
				: `The OCSP responder "${certLabel(responder)}" is not authorised for "${certLabel(issuer)}": it is neither that CA, nor a delegated responder issued by it, nor listed as its OCSP service. Add it with TrustStore.withOcspService if it is legitimate.`,
			{ responder: certLabel(responder), issuer: certLabel(issuer), trustedForOtherIssuers: trustedElsewhere },
		);
	}
	const responderProblem = validityProblem(responder, info.producedAt);
	if (responderProblem) {
		throw new ValidationError(
			`ocsp.responder.${responderProblem}`,
			`The OCSP responder certificate "${certLabel(responder)}" was ${responderProblem === 'expired' ? 'expired' : 'not yet valid'} when the response was produced (${info.producedAt.toISOString()}).`,
			{ responder: certLabel(responder), producedAt: info.producedAt.toISOString() },
		);
	}

	// 3. The answer must be about our certificate.
	const single = info.responses.find((r) => sameCertId(r.certId, certIdFor(cert, issuer, r.certId.hashAlgorithm)));
	if (!single) {
		throw new ValidationError('ocsp.certId.mismatch', `The OCSP response does not contain a status for "${certLabel(cert)}" (serial ${cert.x509.serialNumber}); it answers a different certificate.`, {
			serialNumber: cert.x509.serialNumber,
		});
	}

	// 4. Replay protection.
	if (options.nonce) {
		if (!info.nonce) {
			throw new ValidationError('ocsp.nonce.missing', 'The OCSP response does not echo the nonce that was sent; it may be a replayed response. Retry, or disable the nonce for responders that do not support it.');
		}
		if (!sameBytes(info.nonce, options.nonce)) {
			throw new ValidationError('ocsp.nonce.mismatch', 'The OCSP response carries a different nonce than the one sent; it may be a replayed response.');
		}
	}

	// 5. Freshness.
	if (options.checkFreshness !== false) {
		const at = options.at ?? new Date();
		const skew = options.maxSkewMs ?? DEFAULT_TOKEN_SKEW_MS;
		const late = at.getTime() + skew;
		const early = at.getTime() - skew;
		const iso = { at: at.toISOString(), producedAt: info.producedAt.toISOString(), thisUpdate: single.thisUpdate.toISOString() };
		if (info.producedAt.getTime() > late || single.thisUpdate.getTime() > late) {
			throw new ValidationError('ocsp.time.future', `The OCSP response is dated in the future (producedAt ${iso.producedAt}, thisUpdate ${iso.thisUpdate}, checked at ${iso.at}); check the clocks.`, iso);
		}
		if (single.nextUpdate && single.nextUpdate.getTime() < early) {
			throw new ValidationError('ocsp.time.expired', `The OCSP response expired at nextUpdate ${single.nextUpdate.toISOString()} (checked at ${iso.at}).`, iso);
		}
		if (!single.nextUpdate && single.thisUpdate.getTime() < early) {
			throw new ValidationError('ocsp.time.stale', `The OCSP response is too old (thisUpdate ${iso.thisUpdate}, checked at ${iso.at}, allowed skew ${skew / 1000} s).`, iso);
		}
	}

	return {
		status: single.status,
		producedAt: info.producedAt,
		thisUpdate: single.thisUpdate,
		...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
		...(single.revocationTime ? { revocationTime: single.revocationTime } : {}),
		...(single.revocationReason ? { revocationReason: single.revocationReason } : {}),
		responder: responder.x509,
		responderAuthorization: authorization,
		...(info.nonce ? { nonce: info.nonce } : {}),
	};
}

