import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { parseCertificate, toX509, type CertificateInput } from '../../pki/certificate';
import { AsiceBuildError } from './errors';

/** A certificate given as node object, DER bytes, PEM text or Base64 DER text (lib/pki's CertificateInput). */
export type CertificateLike = CertificateInput;

/**
 * Parse one certificate from any {@link CertificateLike} with lib/pki's reader (the one certificate input parser);
 * refuses anything else with an AsiceBuildError naming `what`.
 */
export function certificateFrom(input: CertificateLike, what: string): X509Certificate {
	if (input instanceof X509Certificate) return input;
	if (typeof input === 'string') {
		const text = input.trim();
		const pem = /^-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----$/.exec(text);
		const body = (pem ? pem[1] : text).replace(/\s+/g, '');
		if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
			throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `${what} is neither a PEM certificate nor Base64 DER.`, { what });
		}
		return readable(body, what);
	}
	return readable(input, what);
}

function readable(input: Exclude<CertificateLike, X509Certificate>, what: string): X509Certificate {
	try {
		return toX509(input);
	} catch (error) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `${what} is not a readable X.509 certificate.`, { what }, error);
	}
}

/** All certificates of a PEM bundle (or a single certificate in any form). */
export function certificatesFrom(input: CertificateLike | CertificateLike[] | undefined, what: string): X509Certificate[] {
	if (input === undefined) return [];
	const list = Array.isArray(input) ? input : [input];
	const out: X509Certificate[] = [];
	for (const item of list) {
		const blocks = typeof item === 'string' ? (item.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) : [];
		if (blocks.length > 1) {
			for (const block of blocks) out.push(certificateFrom(block, what));
		} else {
			out.push(certificateFrom(item, what));
		}
	}
	return out;
}

/**
 * DER of `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }` (RFC 5035) for
 * xades:IssuerSerialV2: the issuer Name as a directoryName ([4], explicit because Name is a CHOICE).
 */
export function issuerSerialV2(cert: X509Certificate): Buffer {
	const parsed = parseCertificate(cert).asn;
	const issuerName = parsed.issuer.toSchema();
	const sequence = new asn1js.Sequence({
		value: [
			new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [issuerName] })] }),
			parsed.serialNumber,
		],
	});
	return Buffer.from(sequence.toBER(false));
}

/** The signer key must be RSA: Smart-ID signs with RSASSA-PSS, the legacy answers are PKCS#1 v1.5. */
export function checkRsaSigner(cert: X509Certificate): void {
	const type = cert.publicKey.asymmetricKeyType;
	if (type !== 'rsa' && type !== 'rsa-pss') {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `The signer certificate has a ${String(type)} key; only RSA signer keys (Smart-ID) are supported.`, { keyType: type });
	}
}
