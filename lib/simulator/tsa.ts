import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import type { PkiEntity } from './pki';

/** TSA policy the simulator's tokens carry (ETSI EN 319 421 best-practices policy OID). */
export const SIMULATOR_TSA_POLICY = '0.4.0.2023.1.1';

const engine = new pkijs.CryptoEngine({
	name: 'node-webcrypto',
	crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
});

const IMPRINT_LENGTHS: Record<string, number> = {
	'2.16.840.1.101.3.4.2.1': 32,
	'2.16.840.1.101.3.4.2.2': 48,
	'2.16.840.1.101.3.4.2.3': 64,
	'2.16.840.1.101.3.4.2.8': 32,
	'2.16.840.1.101.3.4.2.9': 48,
	'2.16.840.1.101.3.4.2.10': 64,
};

/** PKIFailureInfo bits (RFC 3161): 0 badAlg, 2 badRequest, 5 badDataFormat, 15 unacceptedPolicy. */
function rejection(bit: number, text: string): Buffer {
	const bytes = Buffer.alloc(2);
	bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
	const response = new pkijs.TimeStampResp({
		status: new pkijs.PKIStatusInfo({
			status: pkijs.PKIStatus.rejection,
			statusStrings: [new asn1js.Utf8String({ value: text })],
			failInfo: new asn1js.BitString({ valueHex: bytes, unusedBits: 0 }),
		}),
	});
	return Buffer.from(response.toSchema().toBER(false));
}

function attribute(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
	return new pkijs.Attribute({ type, values: [value] });
}

/**
 * Answer a DER TimeStampReq (RFC 3161) with a token signed by the simulator's TSA unit: TSTInfo with the request's
 * imprint and nonce, SignedData with contentType, messageDigest and ESS signingCertificateV2 signed attributes,
 * the TSA certificate included when `certReq` is set.
 */
export async function answerTimestampRequest(der: Buffer, tsa: PkiEntity): Promise<Buffer> {
	let request: pkijs.TimeStampReq;
	try {
		request = pkijs.TimeStampReq.fromBER(der);
	} catch {
		return rejection(5, 'TimeStampReq is not valid DER');
	}
	const imprint = request.messageImprint;
	const expectedLength = IMPRINT_LENGTHS[imprint.hashAlgorithm.algorithmId];
	if (!expectedLength) return rejection(0, 'Unsupported message imprint hash algorithm');
	if (imprint.hashedMessage.valueBlock.valueHexView.byteLength !== expectedLength) {
		return rejection(2, 'Message imprint length does not match its hash algorithm');
	}
	if (request.reqPolicy && request.reqPolicy !== SIMULATOR_TSA_POLICY) return rejection(15, 'Requested policy is not offered');
	const serial = randomBytes(16);
	// Positive and with a non-zero first byte: a leading 0x00 before a byte < 0x80 is illegal DER padding, which
	// OpenSSL 3 refuses (`openssl ts -verify` failed on about 1 token in 256).
	serial[0] = (serial[0] & 0x7f) | 0x10;
	const tstInfo = new pkijs.TSTInfo({
		version: 1,
		policy: SIMULATOR_TSA_POLICY,
		messageImprint: imprint,
		serialNumber: new asn1js.Integer({ valueHex: serial }),
		genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
		accuracy: new pkijs.Accuracy({ seconds: 1 }),
		...(request.nonce ? { nonce: request.nonce } : {}),
	});
	const content = Buffer.from(tstInfo.toSchema().toBER(false));
	const certificate = pkijs.Certificate.fromBER(tsa.der);
	const essCertIdV2 = new asn1js.Sequence({
		value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: createHash('sha256').update(tsa.der).digest() })] })] })],
	});
	const signedData = new pkijs.SignedData({
		version: 3,
		encapContentInfo: new pkijs.EncapsulatedContentInfo({
			eContentType: '1.2.840.113549.1.9.16.1.4',
			eContent: new asn1js.OctetString({ valueHex: content }),
		}),
		signerInfos: [
			new pkijs.SignerInfo({
				version: 1,
				sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
				signedAttrs: new pkijs.SignedAndUnsignedAttributes({
					type: 0,
					attributes: [
						attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.9.16.1.4' })),
						attribute('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: new Date() })),
						attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: createHash('sha256').update(content).digest() })),
						attribute('1.2.840.113549.1.9.16.2.47', essCertIdV2),
					],
				}),
			}),
		],
		certificates: request.certReq ? [certificate] : undefined,
	});
	await signedData.sign(tsa.signingKey as unknown as Parameters<pkijs.SignedData['sign']>[0], 0, 'SHA-256', undefined, engine);
	const response = new pkijs.TimeStampResp({
		status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
		timeStampToken: new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signedData.toSchema(true) }),
	});
	return Buffer.from(response.toSchema().toBER(false));
}
