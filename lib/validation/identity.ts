import { ValidationError } from '../errors';
import type { CertificateLevel } from '../rp-api/types';
import { parseCertificate, type CertificateInput, type ParsedCertificate } from '../pki/certificate';
import { certificateLevelOf } from './certificate-level';

/** The person a Smart-ID certificate names (spec §7). */
export interface Identity {
	/** ETSI semantics identifier from the subject serialNumber, e.g. `PNOEE-40504040001`. */
	semanticsIdentifier: string;
	identityType: 'PNO' | 'PAS' | 'IDC';
	/** ISO 3166-1 alpha-2 country. */
	country: string;
	/** Part of the semantics identifier after the first `-`. */
	identityNumber: string;
	givenName: string;
	surname: string;
	/** Document number from the certificate's subjectAltName directoryName CN, when present. */
	documentNumber?: string;
	/** `YYYY-MM-DD`, or null when neither the certificate nor the personal code tells. */
	dateOfBirth: string | null;
	dateOfBirthSource: 'certificate' | 'personalCode' | null;
	/** Full years at the validation time, or null without a date of birth. */
	age: number | null;
	/** Level derived from the certificate policies; null when the policies match no Smart-ID level. */
	certificateLevel: CertificateLevel | null;
}

const SEMANTICS_ID = /^(PNO|PAS|IDC)([A-Z]{2})-([A-Za-z0-9][A-Za-z0-9-]*)$/;

function isoIfReal(year: number, month: number, day: number): string | null {
	const d = new Date(Date.UTC(year, month - 1, day));
	if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
	return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Date of birth encoded in a national personal code (spec §7.3): EE/LT `GYYMMDDSSSC` (G 1-2 → 1800s,
 * 3-4 → 1900s, 5-6 → 2000s); LV old `DDMMYY-CNNNN` (C 0 → 1800s, 1 → 1900s, 2 → 2000s). LV codes starting
 * 32-39 (issued since 2017) and every other country carry no date: null. Impossible dates give null.
 */
export function dateOfBirthFromPersonalCode(country: string, identityNumber: string): string | null {
	if (country === 'EE' || country === 'LT') {
		const m = /^([1-6])(\d{2})(\d{2})(\d{2})\d{4}$/.exec(identityNumber);
		if (!m) return null;
		const century = 1800 + Math.floor((Number(m[1]) - 1) / 2) * 100;
		return isoIfReal(century + Number(m[2]), Number(m[3]), Number(m[4]));
	}
	if (country === 'LV') {
		if (/^3[2-9]/.test(identityNumber)) return null;
		const m = /^(\d{2})(\d{2})(\d{2})-?([0-2])\d{4}$/.exec(identityNumber);
		if (!m) return null;
		const century = 1800 + Number(m[4]) * 100;
		return isoIfReal(century + Number(m[3]), Number(m[2]), Number(m[1]));
	}
	return null;
}

/** Full years between a `YYYY-MM-DD` birth date and `now` (UTC calendar). */
export function ageAt(dateOfBirth: string, now: Date): number {
	const [y, m, d] = dateOfBirth.split('-').map(Number);
	let age = now.getUTCFullYear() - y;
	const month = now.getUTCMonth() + 1;
	if (month < m || (month === m && now.getUTCDate() < d)) age--;
	return age;
}

/**
 * Identity from a Smart-ID certificate: the subject serialNumber (never the CN, FAQ), C, GN, SN, SAN document
 * number; date of birth from the subjectDirectoryAttributes attribute first (even when it disagrees with the
 * code, as in SK's mock data), else from the personal code.
 * @throws ValidationError `identity.semanticsIdentifier` when the serialNumber is not a PNO/PAS/IDC identifier.
 */
export function identityFromCertificate(input: CertificateInput | ParsedCertificate, now: Date = new Date()): Identity {
	const cert = isParsed(input) ? input : parseCertificate(input);
	const serial = cert.subject.serialNumber ?? '';
	const m = SEMANTICS_ID.exec(serial);
	if (!m) {
		throw new ValidationError(
			'identity.semanticsIdentifier',
			'The certificate subject serialNumber is not an ETSI semantics identifier (PNO/PAS/IDC + country + id).',
			{ serialNumber: serial.slice(0, 40) },
		);
	}
	const identityType = m[1] as Identity['identityType'];
	const country = cert.subject.C ?? m[2];
	const identityNumber = m[3];
	let dateOfBirth: string | null = cert.dateOfBirth;
	let dateOfBirthSource: Identity['dateOfBirthSource'] = dateOfBirth ? 'certificate' : null;
	if (!dateOfBirth && identityType === 'PNO') {
		dateOfBirth = dateOfBirthFromPersonalCode(m[2], identityNumber);
		dateOfBirthSource = dateOfBirth ? 'personalCode' : null;
	}
	const documentNumber = cert.subjectAltNameDirectoryCns[0];
	return {
		semanticsIdentifier: serial,
		identityType,
		country,
		identityNumber,
		givenName: cert.subject.GN ?? '',
		surname: cert.subject.SN ?? '',
		...(documentNumber !== undefined ? { documentNumber } : {}),
		dateOfBirth,
		dateOfBirthSource,
		age: dateOfBirth ? ageAt(dateOfBirth, now) : null,
		certificateLevel: certificateLevelOf(cert),
	};
}

function isParsed(input: unknown): input is ParsedCertificate {
	return typeof input === 'object' && input !== null && 'x509' in input && 'policies' in input;
}
