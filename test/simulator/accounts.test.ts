import { isValidPersonalCode, parseDocumentNumber, parseSemanticsIdentifier } from '../../lib/rp-api';
import { AccountRegistry, dateOfBirthFromCode, defaultAccounts, eeCheckDigit } from '../../lib/simulator/accounts';
import { dateOfBirthFromPersonalCode } from '../../lib/validation';

describe('simulator accounts', () => {
	const accounts = defaultAccounts();

	it('every identifier parses with the client-side rules (document number, semantics id, check digits)', () => {
		for (const account of accounts) {
			expect(parseDocumentNumber(account.documentNumber).semanticsIdentifier.value).toBe(account.semanticsIdentifier);
			expect(parseSemanticsIdentifier(account.semanticsIdentifier).country).toBe(account.country);
		}
		// Two codes SK publishes (spec §8) fail their national check digit; every other code is valid.
		const invalid = accounts.filter((a) => !isValidPersonalCode(a.country, a.semanticsIdentifier.slice(6))).map((a) => a.documentNumber);
		expect(invalid.sort()).toEqual(['PNOBE-05040400032-DEMO-Q', 'PNOLV-010111-22341-MOCK-Q']);
	});

	it('covers every end result an RP must handle, each refusal interaction, and the legacy PKCS#1 answer', () => {
		const results = new Set(accounts.map((a) => a.behaviour.endResult));
		for (const r of ['OK', 'USER_REFUSED', 'USER_REFUSED_INTERACTION', 'USER_REFUSED_CERT_CHOICE', 'TIMEOUT', 'DOCUMENT_UNUSABLE',
			'ACCOUNT_UNUSABLE', 'WRONG_VC', 'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP', 'PROTOCOL_FAILURE', 'SERVER_ERROR']) {
			expect(results.has(r as never)).toBe(true);
		}
		const interactions = new Set(accounts.map((a) => a.behaviour.interaction).filter(Boolean));
		expect([...interactions].sort()).toEqual(
			['confirmationMessage', 'confirmationMessageAndVerificationCodeChoice', 'displayTextAndPIN', 'verificationCodeChoice'].sort(),
		);
		expect(accounts.filter((a) => a.behaviour.legacyPkcs1)).toHaveLength(1);
		for (const country of ['EE', 'LT', 'LV', 'BE']) {
			expect(accounts.filter((a) => a.country === country && a.behaviour.endResult === 'TIMEOUT')).toHaveLength(1);
		}
	});

	it('dates of birth from codes agree with the validation helper (EE/LT/LV; BE only feeds certificate attributes)', () => {
		for (const account of accounts.filter((a) => a.country !== 'BE')) {
			const code = account.semanticsIdentifier.slice(6);
			expect([account.documentNumber, dateOfBirthFromCode(account.country, code)]).toEqual([
				account.documentNumber,
				dateOfBirthFromPersonalCode(account.country, code),
			]);
		}
		expect(dateOfBirthFromCode('EE', '40504040001')).toBe('1905-04-04');
		expect(dateOfBirthFromCode('LV', '311299-19993')).toBe('1999-12-31');
		expect(dateOfBirthFromCode('LV', '329999-99709')).toBeNull();
		expect(dateOfBirthFromCode('BE', '00010299944')).toBe('2000-01-02');
		expect(eeCheckDigit('3040303991')).toBe(7);
	});

	it('looks up by document and by person; QUALIFIED requests never land on a Basic account', () => {
		const registry = new AccountRegistry();
		expect(registry.byDocumentNumber('PNOEE-40504040001-DEM0-Q')?.certificateLevel).toBe('QUALIFIED');
		expect(registry.forPerson('PNOLT-40504049999', 'QUALIFIED')).toBeUndefined();
		expect(registry.forPerson('PNOLT-40504049999', 'ADVANCED')?.documentNumber).toBe('PNOLT-40504049999-MOCK-NQ');
		registry.setBehaviour('PNOEE-40504040001-DEM0-Q', { endResult: 'USER_REFUSED' });
		expect(registry.byDocumentNumber('PNOEE-40504040001-DEM0-Q')?.behaviour.endResult).toBe('USER_REFUSED');
		registry.resetBehaviour();
		expect(registry.byDocumentNumber('PNOEE-40504040001-DEM0-Q')?.behaviour.endResult).toBe('OK');
	});
});
