import type { CertificateLevel, EndResult } from '../rp-api/types';

/** How the simulated phone answers for an account (spec §8), changeable at run time through the control API. */
export interface AccountBehaviour {
	/** End result of sessions for this account. */
	endResult: EndResult;
	/** `result.details.interaction` for USER_REFUSED_INTERACTION (may be the legacy `verificationCodeChoice`). */
	interaction?: string;
	/** Answer with legacy RSA PKCS#1 v1.5 (`sha*WithRSAEncryption`, no parameters) instead of RSASSA-PSS (spec §6.3). */
	legacyPkcs1?: boolean;
	/** Per-account delay before a notification session completes; the simulator-wide default applies otherwise. */
	delayMs?: number;
}

/** Which simulated issuing CA signs an account's certificates: the ECDSA "…E" one or the RSA "…R" one. */
export type IssuerTag = 'E' | 'R';

/** A simulated Smart-ID account (one document of one person). */
export interface SimulatorAccount {
	documentNumber: string;
	/** ETSI semantics identifier, e.g. `PNOEE-40504040001`. */
	semanticsIdentifier: string;
	/** ISO 3166-1 alpha-2 country of the identity. */
	country: string;
	givenName: string;
	surname: string;
	certificateLevel: CertificateLevel;
	/** Date of birth written into the signing certificate (subjectDirectoryAttributes); null = no attribute. */
	dateOfBirth: string | null;
	/** Date of birth of the authentication certificate when it differs (SK mock data quirk, spec §7.3). */
	authDateOfBirth?: string | null;
	issuer: IssuerTag;
	/** Whether SK lists the account for device-link (QR/Web2App/App2App) or notification testing. */
	listedFor: 'device-link' | 'notification' | 'simulator';
	behaviour: AccountBehaviour;
	/** One line saying what the account is for. */
	note: string;
}

/** Date of birth implied by a personal code (spec §7.3); null when the code carries none. */
export function dateOfBirthFromCode(country: string, code: string): string | null {
	if ((country === 'EE' || country === 'LT') && /^[1-6]\d{10}$/.test(code)) {
		const century = [1800, 1800, 1900, 1900, 2000, 2000][Number(code[0]) - 1];
		return isoDate(century + Number(code.slice(1, 3)), code.slice(3, 5), code.slice(5, 7));
	}
	if (country === 'LV') {
		const match = /^(\d{2})(\d{2})(\d{2})-([0-2])\d{4}$/.exec(code);
		if (!match || /^3[2-9]/.test(code)) return null;
		const century = [1800, 1900, 2000][Number(match[4])];
		return isoDate(century + Number(match[3]), match[2], match[1]);
	}
	if (country === 'BE' && /^\d{11}$/.test(code)) {
		const base = code.slice(0, 9);
		const check = Number(code.slice(9));
		const year = Number(code.slice(0, 2));
		if (97 - (Number(base) % 97) === check) return isoDate(1900 + year, code.slice(2, 4), code.slice(4, 6));
		if (97 - (Number(`2${base}`) % 97) === check) return isoDate(2000 + year, code.slice(2, 4), code.slice(4, 6));
	}
	return null;
}

function isoDate(year: number, month: string, day: string): string | null {
	const text = `${year}-${month}-${day}`;
	const date = new Date(`${text}T00:00:00Z`);
	return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : text;
}

/** Estonian/Lithuanian personal code check digit (two weight rounds, mod 11). */
export function eeCheckDigit(first10: string): number {
	const weights1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
	const weights2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];
	const sum = (weights: number[]) => weights.reduce((acc, w, i) => acc + w * Number(first10[i]), 0) % 11;
	const first = sum(weights1);
	if (first < 10) return first;
	const second = sum(weights2);
	return second < 10 ? second : 0;
}

interface Row {
	doc: string;
	result?: EndResult;
	interaction?: string;
	given?: string;
	level?: CertificateLevel;
	dob?: string | null;
	authDob?: string | null;
	legacyPkcs1?: boolean;
	listedFor?: SimulatorAccount['listedFor'];
	note: string;
}

const LABELS: Partial<Record<EndResult, string>> = {
	USER_REFUSED: 'REFUSED',
	USER_REFUSED_INTERACTION: 'REFUSED_INTERACTION',
	WRONG_VC: 'WRONG_VC',
	TIMEOUT: 'TIMEOUT',
};

function refusalRows(result: EndResult, interaction: string | undefined, docs: string[], note: string): Row[] {
	return docs.map((doc) => ({ doc, result, interaction, note }));
}

/** Our own accounts for end results SK has no test account for (codes carry valid EE check digits). */
function simulatorRows(): Row[] {
	const own: Array<{ serial: number; result: EndResult; given: string; legacy?: boolean; note: string }> = [
		{ serial: 980, result: 'DOCUMENT_UNUSABLE', given: 'DOCUMENT_UNUSABLE', note: 'document cannot be used (C3 state DOCUMENT_UNUSABLE too)' },
		{
			serial: 981,
			result: 'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP',
			given: 'INTERACTION_UNSUPPORTED',
			note: 'app supports none of the requested interactions',
		},
		{ serial: 982, result: 'PROTOCOL_FAILURE', given: 'PROTOCOL_FAILURE', note: 'app reports a protocol failure' },
		{ serial: 983, result: 'SERVER_ERROR', given: 'SERVER_ERROR', note: 'server aborts the session' },
		{ serial: 984, result: 'USER_REFUSED_CERT_CHOICE', given: 'REFUSED_CERT_CHOICE', note: 'user cancels the account choice' },
		{ serial: 985, result: 'ACCOUNT_UNUSABLE', given: 'ACCOUNT_UNUSABLE', note: 'account unusable' },
		{ serial: 986, result: 'OK', given: 'LEGACY_PKCS1', legacy: true, note: 'answers with legacy PKCS#1 v1.5 (spec §6.3)' },
	];
	return own.map(({ serial, result, given, legacy, note }) => {
		const first10 = `3040303${serial}`;
		return {
			doc: `PNOEE-${first10}${eeCheckDigit(first10)}-SIMU-Q`,
			result,
			given,
			legacyPkcs1: legacy,
			listedFor: 'simulator' as const,
			note,
		};
	});
}

const ROWS: Row[] = [
	// Device-link accounts (spec §8): complete when the mock app "scans" a link.
	...['PNOEE-40404040009-MOCK-Q', 'PNOLT-40404040009-MOCK-Q', 'PNOLV-040404-10003-DEMO-Q', 'PNOBE-04040400287-MOCK-Q'].map(
		(doc): Row => ({ doc, listedFor: 'device-link', note: 'device link, adult' }),
	),
	...[
		'PNOEE-61101019999-MOCK-Q',
		'PNOLT-61101019999-MOCK-Q',
		'PNOLV-010111-22341-MOCK-Q',
		'PNOBE-11010199815-MOCK-Q',
	].map((doc): Row => ({ doc, given: 'MINOR', listedFor: 'device-link', note: 'device link, minor' })),
	{ doc: 'PNOLV-320000-00008-DEMO-Q', given: 'MINOR', dob: '2011-01-01', listedFor: 'device-link', note: 'device link, minor, new LV code' },
	...['PNOLT-61101019988-MOCK-NQ', 'PNOLV-020211-12351-MOCK-NQ'].map(
		(doc): Row => ({ doc, given: 'MINOR', level: 'ADVANCED', listedFor: 'device-link', note: 'device link, minor, Basic (NQ)' }),
	),
	// Notification OK accounts.
	{ doc: 'PNOEE-40504040001-DEM0-Q', authDob: '1999-01-01', note: 'OK; auth cert DOB attribute differs from the code like SK mock data' },
	{ doc: 'PNOLT-40504040001-MOCK-Q', note: 'OK' },
	{ doc: 'PNOLV-050405-10009-DEM0-Q', note: 'OK' },
	{ doc: 'PNOLV-320000-10003-DEMO-Q', dob: '1905-04-04', note: 'OK, new LV code' },
	{ doc: 'PNOBE-05040400032-DEMO-Q', note: 'OK' },
	{ doc: 'PNOLT-40504049999-MOCK-NQ', level: 'ADVANCED', note: 'OK, Basic (NQ)' },
	{ doc: 'PNOLV-050404-19993-DEMO-NQ', level: 'ADVANCED', note: 'OK, Basic (NQ)' },
	...['PNOEE-50001029996-DEMO-Q', 'PNOLT-50001029996-DEMO-Q', 'PNOLV-020100-29990-MOCK-Q', 'PNOBE-00010299944-MOCK-Q'].map(
		(doc): Row => ({ doc, note: 'OK, adult' }),
	),
	{ doc: 'PNOLT-30303039914-MOCK-Q', note: 'OK' },
	...['PNOEE-39901012239-MOCK-Q', 'PNOLT-39901012239-DEMO-Q', 'PNOLV-030303-10215-MOCK-Q', 'PNOBE-99010199987-DEMO-Q'].map(
		(doc): Row => ({ doc, note: 'OK, has other active account at SK' }),
	),
	...['PNOEE-61101012257-MOCK-Q', 'PNOLT-61101012257-MOCK-Q', 'PNOLV-010111-23474-DEME-Q'].map(
		(doc): Row => ({ doc, given: 'MINOR', note: 'OK, under 18' }),
	),
	{ doc: 'PNOLV-320000-00032-DEMO-Q', given: 'MINOR', dob: '2011-01-01', note: 'OK, under 18, new LV code' },
	{ doc: 'PNOLV-030303-10004-MOCK-Q', given: 'NONUMBERS', note: 'OK, no numbers in names' },
	{ doc: 'PNOLV-040404-19999-MOCK-Q', note: 'OK' },
	{ doc: 'PNOLV-040404-19980-MOCK-Q', note: 'OK' },
	{ doc: 'PNOLV-311299-19993-MOCK-Q', note: 'OK, DOB in separate field' },
	{ doc: 'PNOLV-329999-99901-MOCK-Q', dob: '1999-12-31', note: 'OK, DOB in separate field (new LV code)' },
	{ doc: 'PNOLV-329999-99709-MOCK-Q', dob: null, note: 'OK, no DOB anywhere' },
	{ doc: 'PNOLT-49912318881-MOCK-NQ', level: 'ADVANCED', note: 'OK, Basic (NQ)' },
	{ doc: 'PNOLV-311299-18886-MOCK-NQ', level: 'ADVANCED', note: 'OK, Basic (NQ)' },
	// Refusal and error accounts (spec §8).
	...refusalRows(
		'USER_REFUSED',
		undefined,
		['PNOEE-30403039917-MOCK-Q', 'PNOLT-30403039917-MOCK-Q', 'PNOLV-030403-10016-MOCK-Q', 'PNOBE-00010238349-MOCK-Q'],
		'USER_REFUSED',
	),
	...refusalRows(
		'USER_REFUSED_INTERACTION',
		'displayTextAndPIN',
		['PNOEE-30403039928-MOCK-Q', 'PNOLT-30403039928-MOCK-Q', 'PNOLV-030403-10024-MOCK-Q', 'PNOBE-00010267350-MOCK-Q'],
		'USER_REFUSED_INTERACTION displayTextAndPIN',
	),
	...refusalRows(
		'USER_REFUSED_INTERACTION',
		'verificationCodeChoice',
		['PNOEE-30403039939-MOCK-Q', 'PNOLT-30403039939-MOCK-Q', 'PNOLV-030403-10032-MOCK-Q', 'PNOBE-00010266756-MOCK-Q'],
		'USER_REFUSED_INTERACTION with the legacy value verificationCodeChoice',
	),
	...refusalRows(
		'USER_REFUSED_INTERACTION',
		'confirmationMessage',
		['PNOEE-30403039946-MOCK-Q', 'PNOLT-30403039946-MOCK-Q', 'PNOLV-030403-10040-MOCK-Q', 'PNOBE-00010232708-MOCK-Q'],
		'USER_REFUSED_INTERACTION confirmationMessage',
	),
	...refusalRows(
		'USER_REFUSED_INTERACTION',
		'confirmationMessageAndVerificationCodeChoice',
		['PNOEE-30403039950-MOCK-Q', 'PNOLT-30403039950-MOCK-Q', 'PNOLV-030403-10059-MOCK-Q', 'PNOBE-00010211724-MOCK-Q'],
		'USER_REFUSED_INTERACTION confirmationMessageAndVerificationCodeChoice',
	),
	...refusalRows(
		'WRONG_VC',
		undefined,
		['PNOEE-30403039972-MOCK-Q', 'PNOLT-30403039972-MOCK-Q', 'PNOLV-030403-10075-MOCK-Q', 'PNOBE-00010216276-MOCK-Q'],
		'WRONG_VC',
	),
	...refusalRows(
		'TIMEOUT',
		undefined,
		['PNOEE-30403039983-MOCK-Q', 'PNOLT-30403039983-MOCK-Q', 'PNOLV-030403-10083-MOCK-Q', 'PNOBE-00010220335-MOCK-Q'],
		'TIMEOUT',
	),
	...simulatorRows(),
];

function accountOf(row: Row): SimulatorAccount {
	const parts = row.doc.split('-');
	const level: CertificateLevel = row.level ?? (row.doc.endsWith('-NQ') ? 'ADVANCED' : 'QUALIFIED');
	const semanticsIdentifier = parts.slice(0, -2).join('-');
	const country = semanticsIdentifier.slice(3, 5);
	const code = semanticsIdentifier.slice(6);
	const result = row.result ?? 'OK';
	const dob = row.dob !== undefined ? row.dob : dateOfBirthFromCode(country, code);
	return {
		documentNumber: row.doc,
		semanticsIdentifier,
		country,
		givenName: row.given ?? LABELS[result] ?? 'OK',
		surname: 'TEST',
		certificateLevel: level,
		dateOfBirth: dob,
		authDateOfBirth: row.authDob,
		// LV and BE accounts are issued by the RSA CA so both issuer key types get exercised.
		issuer: country === 'LV' || country === 'BE' ? 'R' : 'E',
		listedFor: row.listedFor ?? 'notification',
		behaviour: { endResult: result, interaction: row.interaction, legacyPkcs1: row.legacyPkcs1 },
		note: row.note,
	};
}

/** A fresh copy of every built-in account (each simulator gets its own, so behaviour changes stay local). */
export function defaultAccounts(): SimulatorAccount[] {
	return ROWS.map(accountOf);
}

/** Accounts indexed by document number and semantics identifier. */
export class AccountRegistry {
	private readonly byDocument = new Map<string, SimulatorAccount>();
	private readonly bySemantics = new Map<string, SimulatorAccount[]>();
	private readonly defaults = new Map<string, AccountBehaviour>();

	constructor(accounts: SimulatorAccount[] = defaultAccounts()) {
		for (const account of accounts) {
			this.byDocument.set(account.documentNumber, account);
			const list = this.bySemantics.get(account.semanticsIdentifier) ?? [];
			list.push(account);
			this.bySemantics.set(account.semanticsIdentifier, list);
			this.defaults.set(account.documentNumber, { ...account.behaviour });
		}
	}

	all(): SimulatorAccount[] {
		return [...this.byDocument.values()];
	}

	byDocumentNumber(documentNumber: string): SimulatorAccount | undefined {
		return this.byDocument.get(documentNumber);
	}

	/** Every account of a person (a person may hold a qualified and a Basic account). */
	bySemanticsIdentifier(semanticsIdentifier: string): SimulatorAccount[] {
		return this.bySemantics.get(semanticsIdentifier) ?? [];
	}

	/**
	 * The account a request for a person lands on: QUALIFIED requests need a qualified account, ADVANCED requests
	 * take the qualified one first (the app would offer the best), like the real service.
	 */
	forPerson(semanticsIdentifier: string, level: CertificateLevel): SimulatorAccount | undefined {
		const accounts = this.bySemanticsIdentifier(semanticsIdentifier);
		return (
			accounts.find((a) => a.certificateLevel === 'QUALIFIED') ??
			(level === 'ADVANCED' ? accounts.find((a) => a.certificateLevel === 'ADVANCED') : undefined)
		);
	}

	/** Change how the phone answers for one account until {@link resetBehaviour}. */
	setBehaviour(documentNumber: string, behaviour: AccountBehaviour): SimulatorAccount | undefined {
		const account = this.byDocument.get(documentNumber);
		if (account) account.behaviour = { ...behaviour };
		return account;
	}

	resetBehaviour(documentNumber?: string): void {
		for (const account of this.byDocument.values()) {
			if (documentNumber === undefined || account.documentNumber === documentNumber) {
				account.behaviour = { ...(this.defaults.get(account.documentNumber) as AccountBehaviour) };
			}
		}
	}
}
