// Identifier parsing against every published SK demo account (test/fixtures/smartid-v3/demo-accounts.json) plus typos.
import {
	InvalidIdentifierError,
	isValidPersonalCode,
	parseDocumentNumber,
	parseSemanticsIdentifier,
	semanticsIdentifierOf,
} from '../../lib/rp-api/identifiers';
import { readFixtureJson } from '../helpers/fixtures';

function demoAccounts(): string[] {
	const { documentNumbers } = readFixtureJson<{ documentNumbers: string[] }>('smartid-v3', 'demo-accounts.json');
	return [...new Set(documentNumbers)];
}

describe('demo accounts (spec §8)', () => {
	const accounts = demoAccounts();

	it('finds the published accounts', () => {
		expect(accounts.length).toBeGreaterThan(60);
	});

	it.each(accounts)('%s parses as a document number', (doc) => {
		const parsed = parseDocumentNumber(doc);
		expect(parsed.value).toBe(doc);
		expect(doc.startsWith(`${parsed.semanticsIdentifier.value}-${parsed.accountCode}-`)).toBe(true);
		expect(parsed.semanticsIdentifier.identityType).toBe('PNO');
		expect(['EE', 'LT', 'LV', 'BE']).toContain(parsed.semanticsIdentifier.country);
	});

	it('keeps DEM0/DEME spellings and Q/NQ', () => {
		expect(parseDocumentNumber('PNOEE-40504040001-DEM0-Q').accountCode).toBe('DEM0');
		expect(parseDocumentNumber('PNOLV-010111-23474-DEME-Q').accountCode).toBe('DEME');
		expect(parseDocumentNumber('PNOLT-40504049999-MOCK-NQ').qualification).toBe('NQ');
		expect(parseDocumentNumber('PNOLV-050405-10009-DEM0-Q').semanticsIdentifier).toEqual({
			value: 'PNOLV-050405-10009',
			identityType: 'PNO',
			country: 'LV',
			identityNumber: '050405-10009',
		});
	});
});

describe('check digits', () => {
	it.each([
		['EE', '40504040002'],
		['EE', '40504040011'],
		['LT', '30303039915'],
		['LV', '050405-10008'],
		['LV', '320000-00009'],
		['BE', '00010211725'],
		['BE', '99010199988'],
	])('%s %s is refused as a typo', (country, code) => {
		expect(isValidPersonalCode(country, code)).toBe(false);
		expect(() => semanticsIdentifierOf('PNO', country, code)).toThrow(
			`personal code ${code} has a wrong check digit: check for a typo`,
		);
	});

	it('uses the second EE/LT pass when the first yields 10', () => {
		// 3760503006x: first pass gives 10, second pass gives 4
		expect(isValidPersonalCode('EE', '37605030064')).toBe(true);
		expect(isValidPersonalCode('EE', '37605030060')).toBe(false);
	});

	it('accepts both BE variants (born 19xx and 20xx)', () => {
		// 1900s: 97 - (850730033 mod 97) = 28 ; 2000s: 97 - (2 010730033 mod 97)
		expect(isValidPersonalCode('BE', '85073003328')).toBe(true);
		const base = 10730033;
		const cc = 97 - ((2_000_000_000 + base) % 97);
		expect(isValidPersonalCode('BE', `0${base}${String(cc).padStart(2, '0')}`)).toBe(true);
	});

	it('refuses wrong shapes with a reason', () => {
		expect(() => semanticsIdentifierOf('PNO', 'EE', '4050404000')).toThrow(/exactly 11 digits/);
		expect(() => semanticsIdentifierOf('PNO', 'LV', '05040510009')).toThrow(/6 digits, a hyphen and 5 digits/);
		expect(() => semanticsIdentifierOf('PNO', 'LV', '050405-30009')).toThrow(/century digit/);
		expect(() => semanticsIdentifierOf('PNO', 'BE', '0504040003')).toThrow(/exactly 11 digits/);
	});

	it('only checks the shape for other countries and for PAS/IDC', () => {
		expect(parseSemanticsIdentifier('PNOFI-010203-123X').country).toBe('FI');
		expect(parseSemanticsIdentifier('PASEE-K1234567').identityType).toBe('PAS');
		expect(parseSemanticsIdentifier('IDCEE-AB0123456').identityType).toBe('IDC');
	});
});

describe('malformed identifiers', () => {
	it.each([
		[undefined, /missing/],
		['', /missing/],
		['pnoee-40504040001', /not of the form/],
		['PNOEST-40504040001', /not of the form/],
		['XYZEE-40504040001', /not of the form/],
		['PNOEE40504040001', /not of the form/],
		['PNOEE-4050/4040001', /letters, digits/],
		['PNOEE-', /not of the form/],
	])('%p is refused', (input, message) => {
		expect(() => parseSemanticsIdentifier(input)).toThrow(message);
		expect(() => parseSemanticsIdentifier(input)).toThrow(InvalidIdentifierError);
	});

	it.each(['PNOEE-40504040001', 'PNOEE-40504040001-MOCK', 'PNOEE-40504040001-MOCK-X', 'PNOEE-40504040001-MOK-Q'])(
		'document number %p is refused',
		(input) => {
			expect(() => parseDocumentNumber(input)).toThrow(/not of the form/);
		},
	);

	it('reports a bad check digit inside a document number', () => {
		const err = (() => {
			try {
				parseDocumentNumber('PNOEE-40504040002-MOCK-Q');
			} catch (e) {
				return e as InvalidIdentifierError;
			}
			throw new Error('not refused');
		})();
		expect(err.code).toBe('SMARTID_INVALID_REQUEST');
		expect(err.message).toBe('personal code 40504040002 has a wrong check digit: check for a typo');
	});
});
