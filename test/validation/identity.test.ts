import 'reflect-metadata';
import { identityFromCertificate, dateOfBirthFromPersonalCode, ageAt } from '../../lib/validation';
import { ValidationError } from '../../lib/errors';
import { OID } from '../../lib/pki/oids';
import { makeCert, testKey } from '../pki/test-pki';
import { readFixtureJson } from '../helpers/fixtures';

describe('dateOfBirthFromPersonalCode (spec §7.3)', () => {
	it.each([
		['EE', '40504040001', '1905-04-04'],
		['EE', '39003012798', '1990-03-01'],
		['EE', '61101019999', '2011-01-01'],
		['EE', '10001010000', '1800-01-01'],
		['LT', '50001029996', '2000-01-02'],
		['LT', '49912318881', '1999-12-31'],
		['LV', '050405-10009', '1905-04-05'],
		['LV', '311299-19993', '1999-12-31'],
		['LV', '010111-22341', '2011-01-01'],
		['LV', '020100-29990', '2000-01-02'],
		['LV', '0101010-0000', null],
		['LV', '320000-00008', null],
		['LV', '329999-99901', null],
		['EE', '70001010000', null],
		['EE', '40502300001', null],
		['EE', '4050404000', null],
		['LV', '310299-19993', null],
		['BE', '05040400032', null],
		['FI', '010190-123A', null],
	])('%s %s -> %s', (country, code, expected) => {
		expect(dateOfBirthFromPersonalCode(country, code)).toBe(expected);
	});

	it('ageAt counts full years in UTC', () => {
		expect(ageAt('2008-06-02', new Date('2026-06-01T23:59:59Z'))).toBe(17);
		expect(ageAt('2008-06-02', new Date('2026-06-02T00:00:00Z'))).toBe(18);
		expect(ageAt('1905-04-04', new Date('2026-06-01Z'))).toBe(121);
	});
});

describe('identityFromCertificate', () => {
	const NOW = new Date('2026-06-01T00:00:00Z');
	async function cert(serial: string, opts: { c?: string; dob?: string; san?: string } = {}) {
		return makeCert({
			subject: `C=${opts.c ?? serial.slice(3, 5)}, CN=SURNAME\\, GIVEN, 2.5.4.4=SURNAME, 2.5.4.42=GIVEN, 2.5.4.5=${serial}`,
			key: await testKey('rsa', 20),
			...(opts.dob ? { dateOfBirth: opts.dob } : {}),
			...(opts.san ? { sanDirectoryCn: opts.san } : {}),
		});
	}

	it.each([
		['PNOEE-40404040009', undefined, '1904-04-04', 'personalCode'],
		['PNOLT-61101019999', undefined, '2011-01-01', 'personalCode'],
		['PNOLV-040404-10003', undefined, '1904-04-04', 'personalCode'],
		['PNOLV-320000-00008', undefined, null, null],
		['PNOLV-329999-99901', '1999-12-31', '1999-12-31', 'certificate'],
		['PNOBE-05040400032', undefined, null, null],
		['PASEE-K1234567', undefined, null, null],
		['IDCLV-AB1234567', undefined, null, null],
		// mock data: attribute disagrees with the code; the attribute wins (like the java client)
		['PNOEE-40504040001', '1999-01-01', '1999-01-01', 'certificate'],
	])('%s (attribute %s) -> %s from %s', async (serial, dob, expected, source) => {
		const id = identityFromCertificate(await cert(serial, { dob, san: `${serial}-MOCK-Q` }), NOW);
		const [, type, country, number] = /^(PNO|PAS|IDC)([A-Z]{2})-(.+)$/.exec(serial)!;
		expect(id).toMatchObject({
			semanticsIdentifier: serial,
			identityType: type,
			country,
			identityNumber: number,
			givenName: 'GIVEN',
			surname: 'SURNAME',
			documentNumber: `${serial}-MOCK-Q`,
			dateOfBirth: expected,
			dateOfBirthSource: source,
			age: expected ? ageAt(expected, NOW) : null,
			certificateLevel: null,
		});
	});

	it('takes the country from C and never parses the CN', async () => {
		const id = identityFromCertificate(await cert('PNOEE-40404040009', { c: 'EE' }), NOW);
		expect(id.country).toBe('EE');
		expect(id.documentNumber).toBeUndefined();
	});

	it('refuses a serialNumber that is not a semantics identifier', async () => {
		for (const serial of ['40404040009', 'XYZEE-1', 'PNOee-1', 'PNOEE-']) {
			const c = await makeCert({ subject: `C=EE, CN=X, 2.5.4.5=${serial}`, key: await testKey('rsa', 20) });
			expect(() => identityFromCertificate(c, NOW)).toThrow(ValidationError);
		}
	});

	it('reads the real demo certificates (DOB attribute vs personal code)', () => {
		const auth = readFixtureJson<{ sessionStatus: { cert: { value: string } } }>('smartid-v3', 'java-notification-auth-acsp_v2-sha3-512.json');
		const id = identityFromCertificate(auth.sessionStatus.cert.value, NOW);
		expect(id).toMatchObject({ dateOfBirth: '1999-01-01', dateOfBirthSource: 'certificate', age: 27, certificateLevel: 'QUALIFIED', documentNumber: 'PNOEE-40504040001-DEMO-Q' });
		expect(dateOfBirthFromPersonalCode(id.country, id.identityNumber)).toBe('1905-04-04');
		expect(OID.pdaDateOfBirth).toBe('1.3.6.1.5.5.7.9.1');
	});
});
