import { InvalidRequestError } from '../errors';

/** ETSI EN 319 412-1 identity type prefixes Smart-ID uses (spec §7.1). */
export type IdentityType = 'PNO' | 'PAS' | 'IDC';
export const IDENTITY_TYPES: readonly IdentityType[] = ['PNO', 'PAS', 'IDC'];

/** A parsed semantics identifier such as `PNOEE-40504040001`. */
export interface SemanticsIdentifier {
	/** The identifier exactly as Smart-ID spells it (`PNOEE-40504040001`). */
	value: string;
	identityType: IdentityType;
	/** ISO 3166-1 alpha-2 country code, upper case. */
	country: string;
	/** The part after the first `-` (personal code, passport or ID-card number). */
	identityNumber: string;
}

/** A parsed Smart-ID document number such as `PNOEE-40504040001-MOCK-Q`. */
export interface DocumentNumber {
	value: string;
	semanticsIdentifier: SemanticsIdentifier;
	/** The 4-character account/device part (`MOCK`, `DEM0`, `FFL8`, ...). */
	accountCode: string;
	/** `Q` = qualified (Smart-ID), `NQ` = non-qualified (Smart-ID Basic). */
	qualification: 'Q' | 'NQ';
}

/** An identifier or personal code was refused before any request was sent. */
export class InvalidIdentifierError extends InvalidRequestError {
	constructor(message: string, details: Record<string, unknown> = {}) {
		super(message, details);
	}
}

/**
 * Published SK demo accounts (spec §8) whose check digit does not satisfy their country's rule. They are
 * accepted so the demo environment works; real codes never need this.
 */
const KNOWN_DEMO_EXCEPTIONS: ReadonlySet<string> = new Set(['PNOBE-05040400032', 'PNOLV-010111-22341']);

const SEMANTICS_RE = /^(PNO|PAS|IDC)([A-Z]{2})-(.+)$/;
// Identity numbers end up in a URL path: keep them to letters, digits and inner hyphens.
const IDENTITY_NUMBER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
const DOCUMENT_RE = /^(.+)-([A-Za-z0-9]{4})-(Q|NQ)$/;

/**
 * Check a personal code against its country's rule where one is defined (EE, LT, LV, BE); other countries
 * are only checked for shape. Throws {@link InvalidIdentifierError} saying what is wrong.
 */
export function validatePersonalCode(country: string, code: string): void {
	switch (country) {
		case 'EE':
		case 'LT':
			return checkEeLt(country, code);
		case 'LV':
			return checkLv(code);
		case 'BE':
			return checkBe(code);
		default:
			if (!IDENTITY_NUMBER_RE.test(code)) {
				throw new InvalidIdentifierError(
					`personal code "${code}" for ${country} may only contain letters, digits and inner hyphens`,
					{ country },
				);
			}
	}
}

/** Boolean form of {@link validatePersonalCode}. */
export function isValidPersonalCode(country: string, code: string): boolean {
	try {
		validatePersonalCode(country, code);
		return true;
	} catch {
		return false;
	}
}

/**
 * Parse and check a semantics identifier (`PNOEE-40504040001`, `PASLT-AB123456`, `IDCBE-...`). For `PNO`
 * identifiers the national check digit is verified where a rule is known, to catch typos before Smart-ID
 * answers with a 404 that cannot tell a typo from a missing account.
 */
export function parseSemanticsIdentifier(value: unknown): SemanticsIdentifier {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new InvalidIdentifierError('semantics identifier is missing: give it as e.g. PNOEE-40504040001');
	}
	const text = value.trim();
	const m = SEMANTICS_RE.exec(text);
	if (!m) {
		throw new InvalidIdentifierError(
			`semantics identifier "${text}" is not of the form <PNO|PAS|IDC><country>-<number>, e.g. PNOEE-40504040001 ` +
				'(type and country in upper case)',
		);
	}
	const [, type, country, identityNumber] = m;
	if (!IDENTITY_NUMBER_RE.test(identityNumber)) {
		throw new InvalidIdentifierError(
			`semantics identifier "${text}": the number part may only contain letters, digits and inner hyphens (max 64)`,
		);
	}
	if (type === 'PNO' && !KNOWN_DEMO_EXCEPTIONS.has(text)) {
		validatePersonalCode(country, identityNumber);
	}
	return { value: text, identityType: type as IdentityType, country, identityNumber };
}

/** Parse and check a document number (`<semanticsIdentifier>-<4 letters/digits>-<Q|NQ>`). */
export function parseDocumentNumber(value: unknown): DocumentNumber {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new InvalidIdentifierError('document number is missing: give it as e.g. PNOEE-40504040001-MOCK-Q');
	}
	const text = value.trim();
	const m = DOCUMENT_RE.exec(text);
	if (!m) {
		throw new InvalidIdentifierError(
			`document number "${text}" is not of the form <semantics identifier>-<4 letters/digits>-<Q|NQ>, ` +
				'e.g. PNOEE-40504040001-MOCK-Q',
		);
	}
	const semanticsIdentifier = parseSemanticsIdentifier(m[1]);
	return { value: text, semanticsIdentifier, accountCode: m[2], qualification: m[3] as 'Q' | 'NQ' };
}

/** Build a semantics identifier from its parts, checking it like {@link parseSemanticsIdentifier}. */
export function semanticsIdentifierOf(
	identityType: IdentityType,
	country: string,
	identityNumber: string,
): SemanticsIdentifier {
	return parseSemanticsIdentifier(`${identityType}${country}-${identityNumber}`);
}

function digitsOf(code: string): number[] {
	return [...code].map((c) => c.charCodeAt(0) - 48);
}

function wrongCheckDigit(code: string, country: string): InvalidIdentifierError {
	return new InvalidIdentifierError(`personal code ${code} has a wrong check digit: check for a typo`, {
		country,
	});
}

/** Estonian and Lithuanian codes `GYYMMDDSSSC`: two-pass weighted sum modulo 11. */
function checkEeLt(country: string, code: string): void {
	if (!/^\d{11}$/.test(code)) {
		throw new InvalidIdentifierError(
			`personal code "${code}" for ${country} must be exactly 11 digits (GYYMMDDSSSC)`,
			{ country },
		);
	}
	const d = digitsOf(code);
	const weighted = (weights: number[]) => weights.reduce((sum, w, i) => sum + w * d[i], 0) % 11;
	let check = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 1]);
	if (check === 10) {
		check = weighted([3, 4, 5, 6, 7, 8, 9, 1, 2, 3]);
		if (check === 10) check = 0;
	}
	if (check !== d[10]) throw wrongCheckDigit(code, country);
}

/**
 * Latvian codes: old `DDMMYY-CNNNN` and new (since 2017, no birth date) `3[2-9]XXXX-XXXXX`. Both carry the
 * same check digit: (1101 - weighted sum) mod 11, weights 1 6 3 7 9 10 5 8 4 2.
 */
function checkLv(code: string): void {
	if (!/^\d{6}-\d{5}$/.test(code)) {
		throw new InvalidIdentifierError(
			`personal code "${code}" for LV must be 6 digits, a hyphen and 5 digits (DDMMYY-CNNNN or 32XXXX-XXXXX)`,
			{ country: 'LV' },
		);
	}
	const d = digitsOf(code.replace('-', ''));
	const isNewFormat = d[0] === 3 && d[1] >= 2;
	if (!isNewFormat && d[6] > 2) {
		throw new InvalidIdentifierError(
			`personal code ${code} for LV: the century digit after the hyphen must be 0, 1 or 2: check for a typo`,
			{ country: 'LV' },
		);
	}
	const weights = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const sum = weights.reduce((s, w, i) => s + w * d[i], 0);
	if ((1101 - sum) % 11 !== d[10]) throw wrongCheckDigit(code, 'LV');
}

/** Belgian national number `YYMMDDSSSCC`: CC = 97 - (first 9 digits mod 97), with a leading 2 for 2000+ births. */
function checkBe(code: string): void {
	if (!/^\d{11}$/.test(code)) {
		throw new InvalidIdentifierError(`national number "${code}" for BE must be exactly 11 digits (YYMMDDSSSCC)`, {
			country: 'BE',
		});
	}
	const base = Number(code.slice(0, 9));
	const check = Number(code.slice(9));
	const born1900s = 97 - (base % 97);
	const born2000s = 97 - ((2_000_000_000 + base) % 97);
	if (check !== born1900s && check !== born2000s) {
		throw new InvalidIdentifierError(`personal code ${code} has a wrong check digit: check for a typo`, {
			country: 'BE',
		});
	}
}
