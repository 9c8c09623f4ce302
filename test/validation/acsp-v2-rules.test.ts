import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, type KeyObject, type X509Certificate } from 'node:crypto';
import { acspV2Payload, SessionEndedError, validateAuthentication, type ValidationOptions } from '../../lib/validation';
import { ValidationError, InvalidRequestError } from '../../lib/errors';
import { userChallengeOf } from '../../lib/flows/callback-digests';
import { TrustStore } from '../../lib/pki/trust-store';
import { OID } from '../../lib/pki/oids';
import type { AuthenticationContext, FlowType, SessionStatus } from '../../lib/rp-api/types';
import type { HashAlgorithm } from '../../lib/hash-algorithm';
import { DOC, NOW, POLICIES_ADVANCED, SEMANTICS_ID, pkcs1Sign, pssParams, pssSign, testPki } from './smartid-test-pki';

// One test per ACSP_V2 validation rule (spec §5.4): a correct answer signed by a generated key passes, and
// each case breaks exactly one thing.

interface Scenario {
	ctx: AuthenticationContext;
	status: SessionStatus;
	opts: ValidationOptions;
}

interface Build {
	cert?: X509Certificate;
	certificateLevel?: string;
	flowType?: FlowType;
	hash?: HashAlgorithm;
	key?: KeyObject;
	legacy?: string;
	documentNumber?: string;
	/** Extra stored context, signed consistently. */
	ctx?: Partial<AuthenticationContext>;
	/** Change the signed payload inputs only (the RP's stored context stays correct). */
	signedContext?: Partial<AuthenticationContext>;
}

const INTERACTIONS = Buffer.from(
	JSON.stringify([
		{ type: 'displayTextAndPIN', displayText60: 'Log in?' },
		{ type: 'confirmationMessage', displayText200: 'Log in to Test RP?' },
	]),
).toString('base64');
const VERIFIER = randomBytes(32).toString('base64url');
const CALLBACK = 'https://rp.example.com/callback?value=RrKjjT4aggzu27YBddX1bQ';

async function scenario(b: Build = {}): Promise<Scenario> {
	const pki = await testPki();
	const hash = b.hash ?? 'SHA-512';
	const flowType = b.flowType ?? 'Notification';
	const ctx: AuthenticationContext = {
		schemeName: 'smart-id-demo',
		relyingPartyName: 'DEMO',
		rpChallenge: randomBytes(64).toString('base64'),
		interactions: INTERACTIONS,
		requestedCertificateLevel: 'QUALIFIED',
		hashAlgorithm: hash,
		allowedFlowTypes: ['Notification', 'QR', 'Web2App', 'App2App'],
		...(flowType === 'Web2App' || flowType === 'App2App' ? { initialCallbackUrl: CALLBACK } : {}),
		...b.ctx,
	};
	const serverRandom = randomBytes(18).toString('base64');
	const userChallenge = userChallengeOf(VERIFIER);
	const payload = acspV2Payload({
		...ctx,
		...b.signedContext,
		serverRandom,
		userChallenge,
		interactionTypeUsed: 'displayTextAndPIN',
		flowType,
	});
	const key = b.key ?? pki.userKey;
	const legacyHash = b.legacy ? { sha256WithRSAEncryption: 'SHA-256', sha512WithRSAEncryption: 'SHA-512' }[b.legacy] : undefined;
	const value = legacyHash ? pkcs1Sign(key, legacyHash, payload) : pssSign(key, hash, payload);
	const status: SessionStatus = {
		state: 'COMPLETE',
		result: { endResult: 'OK', documentNumber: b.documentNumber ?? DOC },
		signatureProtocol: 'ACSP_V2',
		signature: {
			value,
			serverRandom,
			userChallenge,
			flowType,
			signatureAlgorithm: b.legacy ?? 'rsassa-pss',
			...(b.legacy ? {} : { signatureAlgorithmParameters: pssParams(hash) }),
		},
		cert: { value: (b.cert ?? pki.authCert).raw.toString('base64'), certificateLevel: b.certificateLevel ?? 'QUALIFIED' },
		interactionTypeUsed: 'displayTextAndPIN',
	};
	return { ctx, status, opts: { trust: pki.trust, now: NOW } };
}

function run(s: Scenario) {
	return validateAuthentication(s.status, s.ctx, s.opts);
}

function expectRule(s: Scenario, rule: string): void {
	let error: unknown;
	try {
		run(s);
	} catch (err) {
		error = err;
	}
	expect(error).toBeInstanceOf(ValidationError);
	expect((error as ValidationError).rule).toBe(rule);
}

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

describe('validateAuthentication: valid answers', () => {
	it.each<HashAlgorithm>(['SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512'])('accepts RSASSA-PSS with %s', async (hash) => {
		const r = run(await scenario({ hash }));
		expect(r).toMatchObject({ documentNumber: DOC, certificateLevel: 'QUALIFIED', flowType: 'Notification', hashAlgorithm: hash });
		expect(r.identity).toMatchObject({ semanticsIdentifier: SEMANTICS_ID, givenName: 'OK', surname: 'TEST', dateOfBirth: '1905-04-04' });
		expect(r.chain).toHaveLength(3);
	});

	it('accepts a Web2App answer with the matching userChallengeVerifier (callback URL inside the payload)', async () => {
		const s = await scenario({ flowType: 'Web2App' });
		expect(run({ ...s, opts: { ...s.opts, userChallengeVerifier: VERIFIER } }).flowType).toBe('Web2App');
	});

	it('accepts a brokered RP and a QR answer whose session also had a callback URL (callback not signed)', async () => {
		expect(run(await scenario({ ctx: { brokeredRpName: 'Example RP' } })).documentNumber).toBe(DOC);
		const qr = await scenario({ flowType: 'QR', ctx: { initialCallbackUrl: CALLBACK } });
		expect(run(qr).flowType).toBe('QR');
	});

	it('accepts identified sessions and the older authentication certificate profile', async () => {
		const pki = await testPki();
		const s = await scenario();
		expect(run({ ...s, ctx: { ...s.ctx, expectedSemanticsIdentifier: SEMANTICS_ID, expectedDocumentNumber: DOC } }).documentNumber).toBe(DOC);
		const older = await pki.user({
			keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment,
			eku: [OID.ekuClientAuth],
		});
		expect(run(await scenario({ cert: older })).certificateLevel).toBe('QUALIFIED');
	});

	it('accepts an ADVANCED certificate when ADVANCED was requested', async () => {
		const pki = await testPki();
		const s = await scenario({ cert: await pki.user({ policies: POLICIES_ADVANCED }), certificateLevel: 'ADVANCED' });
		expect(run({ ...s, ctx: { ...s.ctx, requestedCertificateLevel: 'ADVANCED' } }).certificateLevel).toBe('ADVANCED');
	});

	it('accepts a legacy PKCS#1 v1.5 answer only with allowLegacyPkcs1 and the requested hash', async () => {
		const s = await scenario({ hash: 'SHA-256', legacy: 'sha256WithRSAEncryption' });
		expectRule(s, 'signature.algorithm');
		expect(run({ ...s, opts: { ...s.opts, allowLegacyPkcs1: true } }).signatureScheme).toBe('RSASSA-PKCS1-v1_5');
		const wrongHash = await scenario({ hash: 'SHA-256', legacy: 'sha512WithRSAEncryption' });
		expectRule({ ...wrongHash, opts: { ...wrongHash.opts, allowLegacyPkcs1: true } }, 'signature.hashAlgorithm.matchesRequest');
	});
});

describe('validateAuthentication: session end results', () => {
	it('throws SessionEndedError for a non-OK endResult, naming the refused screen', async () => {
		const s = await scenario();
		s.status.result = { endResult: 'USER_REFUSED_INTERACTION', details: { interaction: 'confirmationMessage' } };
		let error: unknown;
		try {
			run(s);
		} catch (err) {
			error = err;
		}
		expect(error).toBeInstanceOf(SessionEndedError);
		expect(error).toMatchObject({ code: 'SMARTID_USER_REFUSED_INTERACTION', interaction: 'confirmationMessage' });
		expect((error as Error).message).toContain('confirmation message');
	});
});

type Breaker = (s: Scenario) => Scenario | Promise<Scenario>;

const RULES: [string, Breaker][] = [
	['session.state', (s) => ({ ...s, status: { state: 'RUNNING' } })],
	['session.result', (s) => ({ ...s, status: { ...s.status, result: undefined } })],
	['session.documentNumber', (s) => ({ ...s, status: { ...s.status, result: { endResult: 'OK', documentNumber: '' } } })],
	['session.signatureProtocol', (s) => ({ ...s, status: { ...s.status, signatureProtocol: 'RAW_DIGEST_SIGNATURE' } })],
	['signature.missing', (s) => ({ ...s, status: { ...s.status, signature: undefined } })],
	['signature.algorithm', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, signatureAlgorithm: 'rsassa-pkcs1-v1_5' } } })],
	['signature.algorithmParameters', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, signatureAlgorithmParameters: undefined } } })],
	['signature.hashAlgorithm.matchesRequest', (s) => ({ ...s, ctx: { ...s.ctx, hashAlgorithm: 'SHA3-512' } })],
	[
		'signature.maskGenAlgorithm',
		(s) => {
			const status = clone(s.status);
			status.signature!.signatureAlgorithmParameters!.maskGenAlgorithm!.parameters!.hashAlgorithm = 'SHA-256';
			return { ...s, status };
		},
	],
	[
		'signature.saltLength',
		(s) => {
			const status = clone(s.status);
			status.signature!.signatureAlgorithmParameters!.saltLength = 32;
			return { ...s, status };
		},
	],
	[
		'signature.trailerField',
		(s) => {
			const status = clone(s.status);
			status.signature!.signatureAlgorithmParameters!.trailerField = '0x01';
			return { ...s, status };
		},
	],
	['signature.serverRandom', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, serverRandom: 'c2hvcnQ=' } } })],
	['signature.userChallenge', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, userChallenge: 'a'.repeat(42) } } })],
	['signature.flowType', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, flowType: 'Bluetooth' } } })],
	['signature.flowType.notOffered', (s) => ({ ...s, ctx: { ...s.ctx, allowedFlowTypes: ['QR'] } })],
	['session.interactionTypeUsed', (s) => ({ ...s, status: { ...s.status, interactionTypeUsed: 'confirmationMessageAndVerificationCodeChoice' } })],
	['callback.userChallengeVerifier.missing', () => scenario({ flowType: 'App2App' })],
	[
		'callback.userChallenge.mismatch',
		async () => {
			const s = await scenario({ flowType: 'Web2App' });
			return { ...s, opts: { ...s.opts, userChallengeVerifier: randomBytes(32).toString('base64url') } };
		},
	],
	['certificate.parse', (s) => ({ ...s, status: { ...s.status, cert: { value: Buffer.from('not a cert').toString('base64') } } })],
	['chain.untrusted', (s) => ({ ...s, opts: { ...s.opts, trust: TrustStore.bundled('demo') } })],
	['chain.expired', (s) => ({ ...s, opts: { ...s.opts, now: new Date('2028-10-01Z') } })],
	['chain.notYetValid', (s) => ({ ...s, opts: { ...s.opts, now: new Date('2025-08-01Z') } })],
	['certificate.basicConstraints', async () => scenario({ cert: await (await testPki()).user({ ca: true }) })],
	['certificate.level.unknown', async () => scenario({ cert: await (await testPki()).user({ policies: [OID.policySkSmartIdQualifiedTestLegacy] }) })],
	['certificate.level.mismatch', () => scenario({ certificateLevel: 'ADVANCED' })],
	[
		'certificate.level.insufficient',
		async () => scenario({ cert: await (await testPki()).user({ policies: POLICIES_ADVANCED }), certificateLevel: 'ADVANCED' }),
	],
	['certificate.purpose.authentication', async () => scenario({ cert: (await testPki()).signCert })],
	['signature.value', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, value: '!!!' } } })],
	['signature.invalid', async () => scenario({ key: (await testPki()).otherKey })],
	['signature.invalid', () => scenario({ signedContext: { relyingPartyName: 'Other RP' } })],
	['signature.invalid', (s) => ({ ...s, ctx: { ...s.ctx, rpChallenge: randomBytes(64).toString('base64') } })],
	['signature.invalid', (s) => ({ ...s, ctx: { ...s.ctx, brokeredRpName: 'Broker' } })],
	['identity.semanticsIdentifier.matchesRequest', (s) => ({ ...s, ctx: { ...s.ctx, expectedSemanticsIdentifier: 'PNOEE-30303039914' } })],
	['identity.documentNumber.matchesRequest', (s) => ({ ...s, ctx: { ...s.ctx, expectedDocumentNumber: 'PNOEE-40504040001-AAAA-Q' } })],
	['identity.documentNumber.matchesCertificate', () => scenario({ documentNumber: 'PNOEE-40504040001-ZZZZ-Q' })],
	['identity.semanticsIdentifier', async () => scenario({ cert: await (await testPki()).user({ subject: 'C=EE, CN=NO ID, 2.5.4.5=40504040001' }) })],
];

describe('validateAuthentication: each rule broken alone', () => {
	it.each(RULES)('%s', async (rule, breaker) => {
		const base = await scenario();
		expect(run(base).documentNumber).toBe(DOC);
		expectRule(await breaker(base), rule);
	});

	it('refuses a stored interactions string that is not Base64 JSON with InvalidRequestError', async () => {
		const s = await scenario();
		expect(() => run({ ...s, ctx: { ...s.ctx, interactions: 'bm90IGpzb24=' } })).toThrow(InvalidRequestError);
	});
});
