import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { certView, issuerDer, sameBytes } from '../../pki/ocsp-tsp-crypto';
import { digestAlgorithm } from './algorithms';
import { hash } from './signature-value';
import type { SigningCertRef } from './xades';

const TYPE_NAMES: Record<string, string> = {
	cn: '2.5.4.3',
	c: '2.5.4.6',
	l: '2.5.4.7',
	st: '2.5.4.8',
	o: '2.5.4.10',
	ou: '2.5.4.11',
	serialnumber: '2.5.4.5',
	sn: '2.5.4.4',
	givenname: '2.5.4.42',
	gn: '2.5.4.42',
	organizationidentifier: '2.5.4.97',
	emailaddress: '1.2.840.113549.1.9.1',
	e: '1.2.840.113549.1.9.1',
	street: '2.5.4.9',
	dc: '0.9.2342.19200300.100.1.25',
	uid: '0.9.2342.19200300.100.1.1',
};

function typeOid(t: string): string {
	const k = t.trim().toLowerCase().replace(/^oid\./, '');
	return TYPE_NAMES[k] ?? k;
}

/** Decode an RFC 4514 `#hex` value (DER of a string type) into its text. */
function hexValue(hex: string): string {
	try {
		const parsed = asn1js.fromBER(Buffer.from(hex, 'hex'));
		const block = parsed.result as unknown as { valueBlock?: { value?: unknown } };
		if (parsed.offset !== -1 && typeof block.valueBlock?.value === 'string') return block.valueBlock.value;
	} catch {
		// fall through
	}
	return `#${hex.toLowerCase()}`;
}

/** Split an RFC 2253/4514 DN string into sorted "oid=value" pairs (escapes and #hex values resolved). */
export function normaliseDnString(dn: string): string[] {
	const out: string[] = [];
	let i = 0;
	while (i < dn.length) {
		let type = '';
		while (i < dn.length && dn[i] !== '=') type += dn[i++];
		i++;
		let value = '';
		if (dn[i] === '#') {
			i++;
			let hex = '';
			while (i < dn.length && /[0-9A-Fa-f]/.test(dn[i])) hex += dn[i++];
			value = hexValue(hex);
		} else {
			while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
				if (dn[i] === '\\' && i + 1 < dn.length) {
					if (/[0-9A-Fa-f]{2}/.test(dn.slice(i + 1, i + 3))) {
						const bytes: number[] = [];
						while (dn[i] === '\\' && /[0-9A-Fa-f]{2}/.test(dn.slice(i + 1, i + 3))) {
							bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
							i += 3;
						}
						value += Buffer.from(bytes).toString('utf8');
						continue;
					}
					value += dn[i + 1];
					i += 2;
					continue;
				}
				value += dn[i++];
			}
		}
		while (i < dn.length && (dn[i] === ',' || dn[i] === '+' || dn[i] === ';' || dn[i] === ' ')) i++;
		if (type.trim()) out.push(`${typeOid(type)}=${value.trim()}`);
	}
	return out.sort();
}

/** The certificate's issuer as sorted "oid=value" pairs. */
function certIssuerPairs(cert: X509Certificate): string[] {
	const view = certView(cert);
	return view.asn.issuer.typesAndValues
		.map((tv) => `${tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '').trim()}`)
		.sort();
}

/** Result of matching a certificate against SigningCertificate(V2). */
export interface BindingResult {
	digestMatches: boolean;
	/** null when the element carries no issuer/serial. */
	issuerSerialMatches: boolean | null;
	reason?: string;
}

/** Does `cert` match one SigningCertificate Cert entry (digest, then issuer + serial when present)? */
export function matchSigningCertificate(cert: X509Certificate, ref: SigningCertRef): BindingResult {
	const alg = digestAlgorithm(ref.digestMethod);
	if (!alg || !ref.digestValue) return { digestMatches: false, issuerSerialMatches: null, reason: 'CertDigest uses an unsupported or missing digest.' };
	const digestMatches = hash(alg, cert.raw).equals(ref.digestValue);
	let issuerSerialMatches: boolean | null = null;
	if (ref.serialNumber !== undefined) {
		let serialOk = false;
		try {
			serialOk = BigInt(ref.serialNumber) === BigInt(`0x${cert.serialNumber}`);
		} catch {
			serialOk = false;
		}
		const a = ref.issuerName !== undefined ? normaliseDnString(ref.issuerName) : null;
		const nameOk = a === null || JSON.stringify(a) === JSON.stringify(certIssuerPairs(cert));
		issuerSerialMatches = serialOk && nameOk;
	} else if (ref.issuerSerialV2) {
		issuerSerialMatches = issuerSerialV2Matches(cert, ref.issuerSerialV2);
	}
	return { digestMatches, issuerSerialMatches };
}

/** IssuerSerialV2 = DER IssuerSerial { GeneralNames [4] directoryName, serialNumber } compared with the certificate. */
function issuerSerialV2Matches(cert: X509Certificate, der: Buffer): boolean {
	try {
		const parsed = asn1js.fromBER(der);
		if (parsed.offset === -1) return false;
		const seq = parsed.result as asn1js.Sequence;
		const [names, serial] = seq.valueBlock.value as [asn1js.Sequence, asn1js.Integer];
		const dirName = (names.valueBlock.value as asn1js.Constructed[]).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 4);
		const inner = dirName ? (dirName.valueBlock.value as asn1js.AsnType[])[0] : undefined;
		const view = certView(cert);
		const nameOk = !!inner && sameBytes(Buffer.from(inner.toBER(false)), issuerDer(view));
		const serialHex = Buffer.from(serial.valueBlock.valueHexView).toString('hex').replace(/^(00)+(?=.)/, '');
		const certSerial = cert.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
		return nameOk && serialHex === certSerial;
	} catch {
		return false;
	}
}

/** Parse DER certificates, skipping unreadable ones. */
export function toCertificates(ders: Buffer[]): X509Certificate[] {
	const out: X509Certificate[] = [];
	for (const d of ders) {
		try {
			out.push(new X509Certificate(d));
		} catch {
			// An unreadable embedded certificate is simply not a candidate.
		}
	}
	return out;
}
