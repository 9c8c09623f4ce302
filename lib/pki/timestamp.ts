/**
 * RFC 3161 time-stamping: build TimeStampReq, parse TimeStampResp and TimeStampToken (CMS SignedData with
 * TSTInfo), and verify a token: message imprint, CMS signature with its signed attributes (content-type,
 * message-digest, ESS signing-certificate v1/v2), the TSA certificate's critical timeStamping-only EKU,
 * validity and chain at genTime, nonce. Failures are ValidationError with rules `timestamp.*`.
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
	isTokenHashAlgorithm,
	issuerDer,
	nameText,
	parseAsn1,
	rawBytes,
	sameBytes,
	serialBytes,
	toBuffer,
	tokenDigestLength,
	unsignedInteger,
	validityProblem,
	verifySignature,
	DEFAULT_TOKEN_SKEW_MS,
} from './ocsp-tsp-crypto';
import { buildChain, ChainError } from './chain';
import { OID } from './oids';
import type { TrustStore } from './trust-store';

/** Options of {@link buildTimestampRequest}. */
export interface TimestampRequestOptions {
	/** Nonce: `true` (default) = 20 random bytes (as libdigidocpp), `false` = none, or explicit unsigned big-endian bytes. */
	nonce?: Uint8Array | boolean;
	/** Ask the TSA to include its certificate (default true; the verifier needs it). */
	certReq?: boolean;
	/** Requested TSA policy OID (SK's TSAs need none). */
	policy?: string;
}

/** A built TimeStampReq. */
export interface BuiltTimestampRequest {
	/** DER to POST with Content-Type application/timestamp-query. */
	der: Buffer;
	/** The nonce sent (unsigned big-endian, no leading zero), to pass to {@link verifyTimestampToken}. */
	nonce?: Buffer;
}

/** Accuracy of genTime (RFC 3161 §2.4.2). */
export interface TimestampAccuracy {
	seconds: number;
	millis: number;
	micros: number;
}

/** A parsed TimeStampToken; nothing in it is verified yet. */
export interface ParsedTimestampToken {
	/** The token (CMS ContentInfo) bytes, as embedded in XAdES EncapsulatedTimeStamp. */
	der: Buffer;
	/** The TSTInfo bytes the token signs. */
	tstInfoDer: Buffer;
	version: number;
	policy: string;
	imprintAlgorithm: TokenHashAlgorithm;
	imprint: Buffer;
	/** Serial number, hex (lower case, no leading zeros). */
	serial: string;
	genTime: Date;
	accuracy?: TimestampAccuracy;
	ordering: boolean;
	/** Nonce as unsigned big-endian bytes. */
	nonce?: Buffer;
	/** TSTInfo.tsa when present and a directory name (often absent). */
	tsaName?: string;
	/** Certificates carried in the SignedData. */
	certificates: X509Certificate[];
}

/** PKIStatus names (RFC 3161 §2.4.2). */
export type TimestampStatus = 'granted' | 'grantedWithMods' | 'rejection' | 'waiting' | 'revocationWarning' | 'revocationNotification' | 'unknown';

/** A parsed TimeStampResp. */
export interface ParsedTimestampResponse {
	status: TimestampStatus;
	statusCode: number;
	statusStrings: string[];
	/** PKIFailureInfo bit names (badAlg, badRequest, badDataFormat, timeNotAvailable, ...). */
	failInfo: string[];
	/** The token, when granted. */
	token?: ParsedTimestampToken;
}

/** Options of {@link verifyTimestampToken}. */
export interface TimestampVerifyOptions {
	/** The timestamped data; its hash (with the token's algorithm) must equal the imprint. */
	data?: Uint8Array;
	/** Or the expected imprint itself. */
	imprint?: Uint8Array;
	/** The nonce that was sent; the token must echo it. */
	nonce?: Uint8Array;
	/** Anchors: when given, the TSA certificate must chain to a TSA entry at genTime (an anchor TSA is trusted by itself). */
	trust?: TrustStore;
	/** Extra certificates to find the TSA certificate and its issuers (e.g. XAdES CertificateValues). */
	certificates?: (X509Certificate | Uint8Array)[];
	/** When given, genTime must lie within `maxSkewMs` of it (a fresh token); leave out for archived tokens. */
	at?: Date;
	/** Allowed difference between genTime and `at` (default 15 min). */
	maxSkewMs?: number;
}

/** What a verified token proves. */
export interface TimestampVerification {
	genTime: Date;
	imprintAlgorithm: TokenHashAlgorithm;
	imprint: Buffer;
	/** The certificate that signed the token. */
	tsaCertificate: X509Certificate;
	/** TSA certificate up to the anchor, when `trust` was given. */
	chain?: X509Certificate[];
	serial: string;
	policy: string;
	nonce?: Buffer;
	accuracy?: TimestampAccuracy;
}

const STATUS_NAMES: TimestampStatus[] = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
const FAIL_BITS: Record<number, string> = {
	0: 'badAlg',
	2: 'badRequest',
	5: 'badDataFormat',
	14: 'timeNotAvailable',
	15: 'unacceptedPolicy',
	16: 'unacceptedExtension',
	17: 'addInfoNotAvailable',
	25: 'systemFailure',
};

/** Positive INTEGER contents for unsigned big-endian bytes (adds the sign byte when needed). */
function positiveIntegerBytes(bytes: Uint8Array): Buffer {
	const trimmed = unsignedInteger(bytes);
	return trimmed[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

/**
 * Build a DER TimeStampReq: version 1, messageImprint (hash OID with NULL parameters + `imprint`), certReq TRUE,
 * and a 20-byte random nonce unless told otherwise. Throws InvalidRequestError when the imprint length does not
 * fit the hash algorithm.
 */
export function buildTimestampRequest(imprint: Uint8Array, hashAlgorithm: TokenHashAlgorithm, options: TimestampRequestOptions = {}): BuiltTimestampRequest {
	if (!isTokenHashAlgorithm(hashAlgorithm)) {
		throw new InvalidRequestError(`Unsupported timestamp hash algorithm "${String(hashAlgorithm)}"; use SHA-256, SHA-384 or SHA-512.`);
	}
	if (!(imprint instanceof Uint8Array) || imprint.length !== tokenDigestLength(hashAlgorithm)) {
		throw new InvalidRequestError(
			`The timestamp imprint must be a ${hashAlgorithm} digest of ${tokenDigestLength(hashAlgorithm)} bytes, got ${imprint instanceof Uint8Array ? imprint.length : typeof imprint}.`,
		);
	}
	let nonce: Buffer | undefined;
	if (options.nonce === undefined || options.nonce === true) {
		nonce = randomBytes(20);
		nonce[0] = (nonce[0] % 0x7f) + 1; // non-zero and positive, so the INTEGER is exactly these 20 bytes
	} else if (options.nonce instanceof Uint8Array) {
		nonce = unsignedInteger(options.nonce);
		if (nonce.length > 64 || (nonce.length === 1 && nonce[0] === 0)) {
			throw new InvalidRequestError('The timestamp nonce must be 1 to 64 bytes and not zero.');
		}
	}
	if (options.policy !== undefined && !/^[0-2](\.(0|[1-9]\d*))+$/.test(options.policy)) {
		throw new InvalidRequestError(`The TSA policy "${options.policy}" is not a dotted OID.`);
	}
	const request = new pkijs.TimeStampReq({
		version: 1,
		messageImprint: new pkijs.MessageImprint({
			hashAlgorithm: hashAlgorithmIdentifier(hashAlgorithm),
			hashedMessage: new asn1js.OctetString({ valueHex: Buffer.from(imprint) }),
		}),
		...(options.policy ? { reqPolicy: options.policy } : {}),
		...(nonce ? { nonce: new asn1js.Integer({ valueHex: positiveIntegerBytes(nonce) }) } : {}),
		certReq: options.certReq ?? true,
	});
	return { der: toBuffer(request.toSchema().toBER()), ...(nonce ? { nonce } : {}) };
}

interface InternalToken {
	parsed: ParsedTimestampToken;
	signedData: pkijs.SignedData;
	certDers: Buffer[];
}

function parseTokenInternal(der: Uint8Array): InternalToken {
	const rule = 'timestamp.malformed';
	const top = parseAsn1(der, rule, 'The timestamp token');
	const contentInfo = fromSchema(() => new pkijs.ContentInfo({ schema: top }), rule, 'The timestamp token');
	if (contentInfo.contentType !== TOKEN_OID.signedData) {
		throw new ValidationError(rule, `The timestamp token is not CMS SignedData (content type ${contentInfo.contentType}).`);
	}
	const signedData = fromSchema(() => new pkijs.SignedData({ schema: contentInfo.content }), rule, 'The timestamp token SignedData');
	if (signedData.encapContentInfo.eContentType !== TOKEN_OID.tstInfo) {
		throw new ValidationError('timestamp.contentType', `The timestamp token encapsulates ${signedData.encapContentInfo.eContentType}, not TSTInfo.`);
	}
	const eContent = signedData.encapContentInfo.eContent;
	if (!eContent) throw new ValidationError(rule, 'The timestamp token has no TSTInfo content.');
	// getValue concatenates BER constructed OCTET STRING pieces; a damaged token may carry another ASN.1 type here.
	const tstInfoDer = fromSchema(() => toBuffer(eContent.getValue()), rule, 'The timestamp token content');
	const tst = fromSchema(() => new pkijs.TSTInfo({ schema: parseAsn1(tstInfoDer, rule, 'The TSTInfo') }), rule, 'The TSTInfo');
	if (tst.version !== 1) throw new ValidationError(rule, `The TSTInfo version is ${tst.version}; RFC 3161 tokens have version 1.`);
	const imprintAlgorithm = hashFromOid(tst.messageImprint.hashAlgorithm.algorithmId);
	if (!imprintAlgorithm) {
		throw new ValidationError('timestamp.imprint.algorithm', `The timestamp imprint uses unsupported hash ${tst.messageImprint.hashAlgorithm.algorithmId}.`);
	}
	// Raw certificate bytes from the encoding: SignedData's [0] IMPLICIT CertificateSet.
	const signedDataNode = childrenOf(childrenOf(top)[1])[0];
	const certSet = childrenOf(signedDataNode).find((n) => isContextTag(n, 0));
	const certDers = childrenOf(certSet)
		.filter((n) => n.idBlock.tagClass === 1 && n.idBlock.tagNumber === 16)
		.map(rawBytes);
	const certificates = certDers.map((d) => certView(d, 'certificate inside the timestamp token').x509);
	const tsa = tst.tsa?.type === 4 && tst.tsa.value instanceof pkijs.RelativeDistinguishedNames ? nameText(tst.tsa.value) : undefined;
	const parsed: ParsedTimestampToken = {
		der: Buffer.from(der),
		tstInfoDer,
		version: tst.version,
		policy: tst.policy,
		imprintAlgorithm,
		imprint: toBuffer(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
		serial: unsignedInteger(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
		genTime: tst.genTime,
		...(tst.accuracy
			? { accuracy: { seconds: tst.accuracy.seconds ?? 0, millis: tst.accuracy.millis ?? 0, micros: tst.accuracy.micros ?? 0 } }
			: {}),
		ordering: tst.ordering ?? false,
		...(tst.nonce ? { nonce: unsignedInteger(tst.nonce.valueBlock.valueHexView) } : {}),
		...(tsa ? { tsaName: tsa } : {}),
		certificates,
	};
	return { parsed, signedData, certDers };
}

/**
 * Parse a TimeStampToken (CMS ContentInfo with SignedData over TSTInfo; BER indefinite lengths accepted).
 * Only the structure is checked; call {@link verifyTimestampToken} before trusting it.
 */
export function parseTimestampToken(der: Uint8Array): ParsedTimestampToken {
	return parseTokenInternal(der).parsed;
}

/**
 * Parse a TimeStampResp: PKIStatus, status strings, failInfo names, and the token when one is present.
 * Throws ValidationError(`timestamp.malformed`) when the bytes are not a TimeStampResp.
 */
export function parseTimestampResponse(der: Uint8Array): ParsedTimestampResponse {
	const rule = 'timestamp.malformed';
	const top = parseAsn1(der, rule, 'The timestamp response');
	const response = fromSchema(() => new pkijs.TimeStampResp({ schema: top }), rule, 'The timestamp response');
	const statusCode = response.status.status;
	const failBits = response.status.failInfo ? toBuffer(response.status.failInfo.valueBlock.valueHexView) : Buffer.alloc(0);
	const failInfo = Object.entries(FAIL_BITS)
		.filter(([bit]) => {
			const index = Number(bit);
			return index >> 3 < failBits.length && (failBits[index >> 3] & (0x80 >> (index & 7))) !== 0;
		})
		.map(([, name]) => name);
	const tokenNode = childrenOf(top)[1];
	return {
		status: STATUS_NAMES[statusCode] ?? 'unknown',
		statusCode,
		statusStrings: (response.status.statusStrings ?? []).map((s) => s.valueBlock.value),
		failInfo,
		...(tokenNode ? { token: parseTokenInternal(rawBytes(tokenNode)).parsed } : {}),
	};
}

function attributeValue(signerInfo: pkijs.SignerInfo, oid: string): asn1js.AsnType | undefined {
	const attributes = signerInfo.signedAttrs?.attributes.filter((a) => a.type === oid) ?? [];
	if (attributes.length > 1 || (attributes[0] && attributes[0].values.length !== 1)) {
		throw new ValidationError('timestamp.signedAttrs', `The timestamp token has a malformed ${oid} signed attribute (it must occur once with one value).`);
	}
	return attributes[0]?.values[0];
}

function subjectKeyIdentifier(cert: CertView): Buffer | undefined {
	const extension = cert.asn.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
	const value = extension?.parsedValue as asn1js.OctetString | undefined;
	return value ? toBuffer(value.valueBlock.valueHexView) : undefined;
}

function isSigner(cert: CertView, sid: unknown): boolean {
	if (sid instanceof pkijs.IssuerAndSerialNumber) {
		return sameBytes(issuerDer(cert), toBuffer(sid.issuer.toSchema().toBER())) && sameBytes(serialBytes(cert), unsignedInteger(sid.serialNumber.valueBlock.valueHexView));
	}
	const ski = subjectKeyIdentifier(cert);
	const block = sid as asn1js.Primitive;
	return ski !== undefined && block?.valueBlock?.valueHexView !== undefined && sameBytes(ski, block.valueBlock.valueHexView);
}

/** Check the ESS signing-certificate(-v2) attribute binds `signer` (RFC 2634 / RFC 5035). */
function checkSigningCertificate(signerInfo: pkijs.SignerInfo, signer: CertView): void {
	const v2 = attributeValue(signerInfo, TOKEN_OID.signingCertificateV2);
	const v1 = attributeValue(signerInfo, TOKEN_OID.signingCertificate);
	const value = v2 ?? v1;
	if (!value) {
		throw new ValidationError('timestamp.signingCertificate.missing', 'The timestamp token has no ESS signing-certificate attribute binding the TSA certificate (RFC 3161 requires one).');
	}
	const firstId = childrenOf(childrenOf(value)[0])[0];
	const parts = childrenOf(firstId);
	let hash: TokenHashAlgorithm | undefined = v2 ? 'SHA-256' : 'SHA-1';
	let index = 0;
	if (v2 && parts[0] instanceof asn1js.Sequence) {
		hash = hashFromOid(new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId);
		index = 1;
	}
	const certHash = parts[index];
	if (!hash || !(certHash instanceof asn1js.OctetString)) {
		throw new ValidationError('timestamp.signingCertificate.mismatch', 'The timestamp token ESS signing-certificate attribute is malformed or uses an unsupported hash.');
	}
	if (!sameBytes(toBuffer(certHash.valueBlock.valueHexView), digest(hash, signer.der))) {
		throw new ValidationError('timestamp.signingCertificate.mismatch', `The timestamp token's signing-certificate attribute does not name "${certLabel(signer)}", the certificate that signed it.`);
	}
	const issuerSerial = parts[index + 1];
	if (issuerSerial) {
		const [names, serial] = childrenOf(issuerSerial);
		const directoryName = childrenOf(names).find((n) => isContextTag(n, 4));
		const nameOk = !directoryName || sameBytes(rawBytes(childrenOf(directoryName)[0]), issuerDer(signer));
		const serialOk = serial instanceof asn1js.Integer && sameBytes(unsignedInteger(serial.valueBlock.valueHexView), serialBytes(signer));
		if (!nameOk || !serialOk) {
			throw new ValidationError('timestamp.signingCertificate.mismatch', `The timestamp token's signing-certificate issuer/serial does not match "${certLabel(signer)}".`);
		}
	}
}

/**
 * Verify a timestamp token: the imprint matches `data`/`imprint` (when given), the CMS signature and its signed
 * attributes (content-type TSTInfo, message-digest, ESS signing-certificate/-v2), the TSA certificate has a
 * critical EKU with timeStamping only and was valid at genTime, chains to `trust` at genTime (when given), and
 * echoes `nonce`. Throws ValidationError with a `timestamp.*` rule.
 */
export function verifyTimestampToken(token: ParsedTimestampToken | Uint8Array, options: TimestampVerifyOptions = {}): TimestampVerification {
	const { parsed, signedData, certDers } = parseTokenInternal(token instanceof Uint8Array ? token : token.der);

	// 1. What was timestamped.
	const expected = options.imprint ?? (options.data ? digest(parsed.imprintAlgorithm, options.data) : undefined);
	if (expected && !sameBytes(expected, parsed.imprint)) {
		throw new ValidationError('timestamp.imprint.mismatch', `The timestamp covers other data: its ${parsed.imprintAlgorithm} message imprint differs from the expected one.`, {
			imprintAlgorithm: parsed.imprintAlgorithm,
		});
	}
	if (options.nonce) {
		if (!parsed.nonce) throw new ValidationError('timestamp.nonce.missing', 'The timestamp token does not echo the nonce that was sent; it may be a replayed token.');
		if (!sameBytes(parsed.nonce, unsignedInteger(options.nonce))) {
			throw new ValidationError('timestamp.nonce.mismatch', 'The timestamp token carries a different nonce than the one sent; it may be a replayed token.');
		}
	}

	// 2. Who signed it.
	if (signedData.signerInfos.length !== 1) {
		throw new ValidationError('timestamp.signerInfo', `A timestamp token must have exactly one signer, this one has ${signedData.signerInfos.length}.`);
	}
	const signerInfo = signedData.signerInfos[0];
	const pool = [...certDers.map((d) => certView(d, 'certificate inside the timestamp token')), ...(options.certificates ?? []).map((c) => certView(c))];
	const signer =
		pool.find((c) => isSigner(c, signerInfo.sid)) ??
		(options.trust?.anchors('tsa') ?? []).map((a) => certView(a, 'trust anchor')).find((c) => isSigner(c, signerInfo.sid));
	if (!signer) {
		throw new ValidationError('timestamp.tsaCertificate.notFound', 'The TSA certificate that signed the timestamp token is neither in the token nor among the known certificates; request tokens with certReq.');
	}

	// 3. CMS signature over the signed attributes, which bind the TSTInfo and the TSA certificate.
	if (!signerInfo.signedAttrs || signerInfo.signedAttrs.attributes.length === 0) {
		throw new ValidationError('timestamp.signedAttrs.missing', 'The timestamp token has no signed attributes; RFC 3161 tokens must sign content-type, message-digest and signing-certificate.');
	}
	const digestAlgorithm = hashFromOid(signerInfo.digestAlgorithm.algorithmId);
	if (!digestAlgorithm) throw new ValidationError('timestamp.signature', `Unsupported timestamp digest algorithm ${signerInfo.digestAlgorithm.algorithmId}.`);
	const contentType = attributeValue(signerInfo, TOKEN_OID.contentType);
	if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== TOKEN_OID.tstInfo) {
		throw new ValidationError('timestamp.signedAttrs.contentType', 'The timestamp token content-type attribute is missing or is not id-ct-TSTInfo.');
	}
	const messageDigest = attributeValue(signerInfo, TOKEN_OID.messageDigest);
	if (!(messageDigest instanceof asn1js.OctetString) || !sameBytes(toBuffer(messageDigest.valueBlock.valueHexView), digest(digestAlgorithm, parsed.tstInfoDer))) {
		throw new ValidationError('timestamp.messageDigest', 'The timestamp token message-digest attribute does not match its TSTInfo; the token was altered.');
	}
	checkSigningCertificate(signerInfo, signer);
	const signedAttrs = Buffer.from(signerInfo.signedAttrs.encodedValue); // already re-tagged as SET (0x31) by pkijs
	const signature = toBuffer(signerInfo.signature.valueBlock.valueHexView);
	if (!verifySignature(signerInfo.signatureAlgorithm, signedAttrs, signature, signer.x509.publicKey, 'timestamp.signature', digestAlgorithm)) {
		throw new ValidationError('timestamp.signature', `The timestamp token signature does not verify with the key of "${certLabel(signer)}"; the token was altered or forged.`);
	}

	// 4. The TSA certificate itself.
	const eku = extendedKeyUsage(signer);
	if (!eku || !eku.critical || eku.purposes.length !== 1 || eku.purposes[0] !== TOKEN_OID.ekuTimeStamping) {
		throw new ValidationError(
			'timestamp.tsaCertificate.eku',
			`The TSA certificate "${certLabel(signer)}" must have a critical extended key usage with timeStamping only (RFC 3161 §2.3); it has ${eku ? `${eku.critical ? 'critical' : 'non-critical'} ${eku.purposes.join(', ')}` : 'none'}.`,
		);
	}
	const validity = validityProblem(signer, parsed.genTime);
	if (validity) {
		throw new ValidationError(`timestamp.tsaCertificate.${validity}`, `The TSA certificate "${certLabel(signer)}" was ${validity === 'expired' ? 'expired' : 'not yet valid'} at genTime ${parsed.genTime.toISOString()}.`);
	}
	let chain: X509Certificate[] | undefined;
	if (options.trust) {
		try {
			// Only TSA entries vouch for timestamps: a CA or OCSP anchor does not make a TSA trusted (issue 11 item 6).
			chain = buildChain(signer.x509, { trust: options.trust, intermediates: pool.map((c) => c.x509), at: parsed.genTime, use: 'tsa' }).chain;
		} catch (error) {
			if (!(error instanceof ChainError)) throw error;
			throw new ValidationError('timestamp.chain.untrusted', `The TSA certificate "${certLabel(signer)}" is not trusted at genTime ${parsed.genTime.toISOString()}: ${error.message}`, {
				chainRule: error.rule,
			});
		}
	}

	// 5. Freshness, for tokens just requested.
	if (options.at) {
		const skew = options.maxSkewMs ?? DEFAULT_TOKEN_SKEW_MS;
		if (Math.abs(parsed.genTime.getTime() - options.at.getTime()) > skew) {
			throw new ValidationError('timestamp.genTime.skew', `The timestamp genTime ${parsed.genTime.toISOString()} is more than ${skew / 1000} s away from ${options.at.toISOString()}; check the TSA's and this machine's clocks.`);
		}
	}

	return {
		genTime: parsed.genTime,
		imprintAlgorithm: parsed.imprintAlgorithm,
		imprint: parsed.imprint,
		tsaCertificate: signer.x509,
		...(chain ? { chain } : {}),
		serial: parsed.serial,
		policy: parsed.policy,
		...(parsed.nonce ? { nonce: parsed.nonce } : {}),
		...(parsed.accuracy ? { accuracy: parsed.accuracy } : {}),
	};
}
