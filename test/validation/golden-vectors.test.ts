import { constants, createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import {
	validateAuthentication,
	validateSignature,
	verifyPssPrehashed,
	type ValidationOptions,
} from '../../lib/validation';
import { ValidationError } from '../../lib/errors';
import { TrustStore } from '../../lib/pki/trust-store';
import type { AuthenticationContext, SessionStatus, SignatureContext } from '../../lib/rp-api/types';
import type { HashAlgorithm } from '../../lib/hash-algorithm';
import { readFixtureJson, fixturePath } from '../helpers/fixtures';

// Real SK demo answers from test/fixtures/smartid-v3 validated through the public API only.

const NOW = new Date('2026-06-01T00:00:00Z');
const options = (extra: Partial<ValidationOptions> = {}): ValidationOptions => ({
	trust: TrustStore.bundled('demo'),
	now: NOW,
	...extra,
});

interface Vector {
	name: string;
	inputs: Record<string, string | null | undefined>;
	sessionStatus?: SessionStatus;
	expectedIdentity?: Record<string, string>;
	signatureAlgorithmParameters?: Record<string, unknown>;
	signatureValueBase64?: string;
	certificateBase64?: string;
	verifiedByResearcher: { negativeCases: { mutation: string }[] };
}

const dir = fixturePath('smartid-v3');
const vectors = fs
	.readdirSync(dir)
	.filter((f) => /(acsp_v2|raw_digest|raw-digest)/.test(f))
	.map((f) => readFixtureJson<Vector>('smartid-v3', f));

function expectRule(fn: () => unknown, rule: string): void {
	let error: unknown;
	try {
		fn();
	} catch (err) {
		error = err;
	}
	expect(error).toBeInstanceOf(ValidationError);
	expect((error as ValidationError).rule).toBe(rule);
}

const isPkcs1 = (v: Vector): boolean => v.name.includes('pkcs1');

describe('golden vectors: inventory', () => {
	it('finds all six signature vectors (3 ACSP_V2, 3 RAW_DIGEST)', () => {
		expect(vectors.map((v) => v.name).sort()).toEqual([
			'java-notification-auth-acsp_v2-sha3-512',
			'java-raw-digest-signature-pss-sha512-xades-signedinfo',
			'vatsake-notification-auth-acsp_v2-pkcs1-sha256',
			'vatsake-notification-auth-acsp_v2-pss-sha256',
			'vatsake-notification-sign-raw_digest-pkcs1-sha512',
			'vatsake-notification-sign-raw_digest-pss-sha512',
		]);
	});
});

// ---- ACSP_V2 ----

const authVectors = vectors.filter((v) => v.name.includes('acsp_v2'));

function authContext(v: Vector): AuthenticationContext {
	const params = v.sessionStatus?.signature?.signatureAlgorithmParameters;
	return {
		schemeName: v.inputs.schemeName as string,
		relyingPartyName: v.inputs.relyingPartyName as string,
		...(v.inputs.brokeredRpName ? { brokeredRpName: v.inputs.brokeredRpName } : {}),
		rpChallenge: v.inputs.rpChallenge as string,
		interactions: v.inputs.interactions as string,
		requestedCertificateLevel: 'QUALIFIED',
		hashAlgorithm: (params?.hashAlgorithm ?? 'SHA-256') as HashAlgorithm,
		allowedFlowTypes: ['Notification'],
		expectedSemanticsIdentifier: 'PNOEE-40504040001',
		expectedDocumentNumber: v.sessionStatus?.result?.documentNumber,
	};
}

const AUTH_MUTATIONS: Record<string, (c: AuthenticationContext) => AuthenticationContext> = {
	'rpChallenge altered (char at index 10 changed)': (c) => ({
		...c,
		rpChallenge: c.rpChallenge.slice(0, 10) + (c.rpChallenge[10] === 'A' ? 'B' : 'A') + c.rpChallenge.slice(11),
	}),
	'schemeName smart-id instead of smart-id-demo': (c) => ({ ...c, schemeName: 'smart-id' }),
	'relyingPartyName altered': (c) => ({ ...c, relyingPartyName: c.relyingPartyName + 'X' }),
	'interactions base64 re-encoded with different JSON key order': (c) => {
		const decoded = JSON.parse(Buffer.from(c.interactions, 'base64').toString('utf8')) as Record<string, string>[];
		const reordered = decoded.map((o) => Object.fromEntries(Object.entries(o).reverse()));
		const interactions = Buffer.from(JSON.stringify(reordered)).toString('base64');
		expect(interactions).not.toBe(c.interactions);
		return { ...c, interactions };
	},
};

describe.each(authVectors.map((v) => [v.name, v] as const))('ACSP_V2 %s', (_name, v) => {
	const status = v.sessionStatus as SessionStatus;

	if (isPkcs1(v)) {
		it('is refused by default (legacy PKCS#1 v1.5 answer)', () => {
			expectRule(() => validateAuthentication(status, authContext(v), options()), 'signature.algorithm');
		});
	}

	it('validates' + (isPkcs1(v) ? ' with allowLegacyPkcs1' : ''), () => {
		const result = validateAuthentication(status, authContext(v), options({ allowLegacyPkcs1: isPkcs1(v) }));
		expect(result.signatureScheme).toBe(isPkcs1(v) ? 'RSASSA-PKCS1-v1_5' : 'RSASSA-PSS');
		expect(result.documentNumber).toBe(status.result?.documentNumber);
		expect(result.certificateLevel).toBe('QUALIFIED');
		expect(result.flowType).toBe('Notification');
		expect(result.interactionTypeUsed).toBe('displayTextAndPIN');
		expect(result.chain.length).toBeGreaterThanOrEqual(2);
		expect(result.identity).toMatchObject({
			semanticsIdentifier: 'PNOEE-40504040001',
			identityType: 'PNO',
			country: 'EE',
			identityNumber: '40504040001',
			givenName: 'OK',
			surname: 'TEST',
			documentNumber: status.result?.documentNumber,
			dateOfBirthSource: 'certificate',
		});
		if (v.expectedIdentity) {
			expect(result.identity.givenName).toBe(v.expectedIdentity.givenName);
			expect(result.identity.dateOfBirth).toBe(v.expectedIdentity.dateOfBirthAttribute.slice(0, 10));
		}
	});

	it.each(v.verifiedByResearcher.negativeCases.map((n) => [n.mutation] as const))('rejects mutation: %s', (mutation) => {
		const mutate = AUTH_MUTATIONS[mutation];
		expect(mutate).toBeDefined();
		expectRule(
			() => validateAuthentication(status, mutate(authContext(v)), options({ allowLegacyPkcs1: isPkcs1(v) })),
			'signature.invalid',
		);
	});

	it('is refused against the live trust store and outside the certificate validity', () => {
		const ctx = authContext(v);
		const extra = { allowLegacyPkcs1: isPkcs1(v) };
		expectRule(() => validateAuthentication(status, ctx, options({ ...extra, trust: TrustStore.bundled('live') })), 'chain.untrusted');
		expectRule(() => validateAuthentication(status, ctx, options({ ...extra, now: new Date('2030-01-01Z') })), 'chain.expired');
	});
});

// ---- RAW_DIGEST_SIGNATURE ----

const signVectors = vectors.filter((v) => !v.name.includes('acsp_v2'));

function dataOf(v: Vector): Buffer {
	return v.inputs.dataToSignUtf8 != null
		? Buffer.from(v.inputs.dataToSignUtf8, 'utf8')
		: Buffer.from(v.inputs.dataToSignBase64 as string, 'base64');
}

function signStatus(v: Vector): SessionStatus {
	if (v.sessionStatus) return v.sessionStatus;
	// The java vector has no status JSON: assemble one from its signature, parameters and certificate.
	const cert = new X509Certificate(Buffer.from(v.certificateBase64 as string, 'base64'));
	const san = /CN=([^,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
	return {
		state: 'COMPLETE',
		result: { endResult: 'OK', documentNumber: san },
		signatureProtocol: 'RAW_DIGEST_SIGNATURE',
		signature: {
			value: v.signatureValueBase64,
			flowType: 'Notification',
			signatureAlgorithm: 'rsassa-pss',
			signatureAlgorithmParameters: v.signatureAlgorithmParameters,
		},
		cert: { value: v.certificateBase64 as string, certificateLevel: 'QUALIFIED' },
		interactionTypeUsed: 'displayTextAndPIN',
	};
}

function signContext(v: Vector, digest?: Buffer): SignatureContext {
	const hashAlgorithm = v.inputs.hashAlgorithm as HashAlgorithm;
	return {
		digest: (digest ?? Buffer.from(v.inputs.digestBase64 as string, 'base64')).toString('base64'),
		hashAlgorithm,
		requestedCertificateLevel: 'QSCD',
		allowedFlowTypes: ['Notification'],
		expectedDocumentNumber: signStatus(v).result?.documentNumber,
	};
}

const SIGN_MUTATIONS: Record<string, (v: Vector) => Buffer> = {
	'data + "5"': (v) => createHash('sha512').update(Buffer.concat([dataOf(v), Buffer.from('5')])).digest(),
	'hash the digest again (double hashing)': (v) => createHash('sha512').update(Buffer.from(v.inputs.digestBase64 as string, 'base64')).digest(),
	'verify over digest as message (double hash) — what the java README example effectively does': (v) =>
		createHash('sha512').update(Buffer.from(v.inputs.digestBase64 as string, 'base64')).digest(),
};

describe.each(signVectors.map((v) => [v.name, v] as const))('RAW_DIGEST %s', (_name, v) => {
	const status = signStatus(v);

	it('the digest in the vector is the hash of the data', () => {
		expect(createHash('sha512').update(dataOf(v)).digest('base64')).toBe(v.inputs.digestBase64);
	});

	if (isPkcs1(v)) {
		it('is refused by default (legacy PKCS#1 v1.5 answer)', () => {
			expectRule(() => validateSignature(status, signContext(v), options()), 'signature.algorithm');
		});
	}

	it('validates' + (isPkcs1(v) ? ' with allowLegacyPkcs1' : ''), () => {
		const ctx = { ...signContext(v), ...(isPkcs1(v) ? { allowLegacyPkcs1: true } : {}) };
		const result = validateSignature(status, ctx, options());
		expect(result.signatureScheme).toBe(isPkcs1(v) ? 'RSASSA-PKCS1-v1_5' : 'RSASSA-PSS');
		expect(result.saltLength).toBe(isPkcs1(v) ? undefined : 64);
		expect(result.signature.equals(Buffer.from(status.signature?.value as string, 'base64'))).toBe(true);
		expect(result.certificateLevel).toBe('QUALIFIED');
		expect(result.identity.dateOfBirthSource).toBe('certificate');
		const again = validateSignature(status, { ...ctx, expectedCertificate: status.cert?.value }, options());
		expect(again.documentNumber).toBe(status.result?.documentNumber);
		if (!isPkcs1(v)) {
			// independent oracle: node's own PSS verify over the original data agrees with the prehashed verify
			const key = createPublicKey(result.certificate.publicKey.export({ format: 'pem', type: 'spki' }));
			expect(
				verify('sha512', dataOf(v), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, result.signature),
			).toBe(true);
			const digest = Buffer.from(v.inputs.digestBase64 as string, 'base64');
			expect(verifyPssPrehashed(key, 'SHA-512', digest, result.signature)).toBe(true);
			expect(verifyPssPrehashed(key, 'SHA-512', createHash('sha512').update(digest).digest(), result.signature)).toBe(false);
		}
	});

	it.each(v.verifiedByResearcher.negativeCases.map((n) => [n.mutation] as const))('rejects mutation: %s', (mutation) => {
		const mutate = SIGN_MUTATIONS[mutation];
		expect(mutate).toBeDefined();
		const ctx = { ...signContext(v, mutate(v)), allowLegacyPkcs1: isPkcs1(v) };
		expectRule(() => validateSignature(status, ctx, options()), 'signature.invalid');
	});

	it('is refused when the signed object committed to another certificate', () => {
		const other = authVectors[0].sessionStatus?.cert?.value;
		const ctx = { ...signContext(v), expectedCertificate: other, allowLegacyPkcs1: isPkcs1(v) };
		expectRule(() => validateSignature(status, ctx, options()), 'signature.certificate.matchesExpected');
	});
});
