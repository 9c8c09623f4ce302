import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { KeyObject, X509Certificate } from 'node:crypto';
import {
	SessionEndedError,
	validateCertificateByDocument,
	validateCertificateChoice,
	validateSignature,
	type ValidationOptions,
} from '../../lib/validation';
import { InvalidRequestError, ValidationError } from '../../lib/errors';
import { OID } from '../../lib/pki/oids';
import type { HashAlgorithm } from '../../lib/hash-algorithm';
import type { SessionStatus, SignatureContext } from '../../lib/rp-api/types';
import { DOC, NOW, POLICIES_ADVANCED, SEMANTICS_ID, digestOf, pkcs1Sign, pssParams, pssSign, testPki } from './smartid-test-pki';

// One test per RAW_DIGEST_SIGNATURE and certificate-choice rule (spec §6.2), on a generated SK-shaped PKI.

interface Scenario {
	ctx: SignatureContext;
	status: SessionStatus;
	opts: ValidationOptions;
}

const DATA = Buffer.from('<ds:SignedInfo>test data</ds:SignedInfo>');
const INTERACTIONS = Buffer.from(JSON.stringify([{ type: 'confirmationMessage', displayText200: 'Sign the contract?' }])).toString('base64');

async function scenario(b: { cert?: X509Certificate; key?: KeyObject; hash?: HashAlgorithm; legacy?: boolean; level?: string; data?: Buffer } = {}): Promise<Scenario> {
	const pki = await testPki();
	const hash = b.hash ?? 'SHA-512';
	const key = b.key ?? pki.userKey;
	// The app signs mHash = the digest we send, which is exactly a normal signature over the data.
	const value = b.legacy ? pkcs1Sign(key, hash, b.data ?? DATA) : pssSign(key, hash, b.data ?? DATA);
	return {
		ctx: {
			digest: digestOf(hash, DATA).toString('base64'),
			hashAlgorithm: hash,
			requestedCertificateLevel: 'QSCD',
			interactions: INTERACTIONS,
			allowedFlowTypes: ['Notification', 'QR'],
		},
		status: {
			state: 'COMPLETE',
			result: { endResult: 'OK', documentNumber: DOC },
			signatureProtocol: 'RAW_DIGEST_SIGNATURE',
			signature: {
				value,
				flowType: 'QR',
				signatureAlgorithm: b.legacy ? `${hash.replace('-', '').toLowerCase()}WithRSAEncryption` : 'rsassa-pss',
				...(b.legacy ? {} : { signatureAlgorithmParameters: pssParams(hash) }),
			},
			cert: { value: (b.cert ?? pki.signCert).raw.toString('base64'), certificateLevel: b.level ?? 'QUALIFIED' },
			interactionTypeUsed: 'confirmationMessage',
		},
		opts: { trust: pki.trust, now: NOW },
	};
}

const run = (s: Scenario) => validateSignature(s.status, s.ctx, s.opts);

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

describe('validateSignature: valid answers', () => {
	it.each<HashAlgorithm>(['SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512'])('accepts prehashed RSASSA-PSS with %s', async (hash) => {
		const r = run(await scenario({ hash }));
		expect(r).toMatchObject({ signatureScheme: 'RSASSA-PSS', hashAlgorithm: hash, flowType: 'QR', documentNumber: DOC, certificateLevel: 'QUALIFIED' });
		expect(r.signatureBase64).toBe(r.signature.toString('base64'));
	});

	it('accepts expectedCertificate / expectedDocumentNumber / expectedSemanticsIdentifier that match', async () => {
		const pki = await testPki();
		const s = await scenario();
		const ctx = { ...s.ctx, expectedCertificate: pki.signCert.raw.toString('base64'), expectedDocumentNumber: DOC, expectedSemanticsIdentifier: SEMANTICS_ID };
		expect(run({ ...s, ctx }).identity.semanticsIdentifier).toBe(SEMANTICS_ID);
	});

	it('accepts an ADVANCED signing certificate without QC statements when ADVANCED was requested', async () => {
		const pki = await testPki();
		const cert = await pki.user({ keyUsage: x509.KeyUsageFlags.nonRepudiation, eku: [], policies: POLICIES_ADVANCED });
		const s = await scenario({ cert, level: 'ADVANCED' });
		expect(run({ ...s, ctx: { ...s.ctx, requestedCertificateLevel: 'ADVANCED' } }).certificateLevel).toBe('ADVANCED');
	});

	it('accepts legacy PKCS#1 v1.5 (DigestInfo over the digest) only when allowed', async () => {
		for (const hash of ['SHA-256', 'SHA-512'] as const) {
			const s = await scenario({ hash, legacy: true });
			expectRule(() => run(s), 'signature.algorithm');
			expect(run({ ...s, ctx: { ...s.ctx, allowLegacyPkcs1: true } }).signatureScheme).toBe('RSASSA-PKCS1-v1_5');
			expect(run({ ...s, opts: { ...s.opts, allowLegacyPkcs1: true } }).saltLength).toBeUndefined();
		}
	});
});

type Breaker = (s: Scenario) => Scenario | Promise<Scenario>;

const RULES: [string, Breaker][] = [
	['session.state', (s) => ({ ...s, status: { state: 'RUNNING' } })],
	['session.signatureProtocol', (s) => ({ ...s, status: { ...s.status, signatureProtocol: 'ACSP_V2' } })],
	['signature.algorithm', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, signatureAlgorithm: 'sha1WithRSAEncryption' } } })],
	['signature.hashAlgorithm.matchesRequest', async (s) => ({ ...(await scenario({ hash: 'SHA-256' })), ctx: s.ctx })],
	['signature.flowType.notOffered', (s) => ({ ...s, ctx: { ...s.ctx, allowedFlowTypes: ['Notification'] } })],
	['session.interactionTypeUsed', (s) => ({ ...s, status: { ...s.status, interactionTypeUsed: 'displayTextAndPIN' } })],
	['chain.untrusted', async (s) => ({ ...s, opts: { ...s.opts, trust: (await import('../../lib/pki/trust-store')).TrustStore.bundled('live') } })],
	['chain.expired', (s) => ({ ...s, opts: { ...s.opts, now: new Date('2029-01-01Z') } })],
	['certificate.level.insufficient', async () => scenario({ cert: await (await testPki()).user({ keyUsage: x509.KeyUsageFlags.nonRepudiation, policies: POLICIES_ADVANCED }), level: 'ADVANCED' })],
	['certificate.level.mismatch', () => scenario({ level: 'ADVANCED' })],
	['certificate.purpose.signing', async () => scenario({ cert: (await testPki()).authCert })],
	['certificate.purpose.qcEsign', async () => scenario({ cert: await (await testPki()).user({ keyUsage: x509.KeyUsageFlags.nonRepudiation, policies: [OID.policySkSmartIdQualified, OID.policyEtsiQcpNQscd], qcStatements: { compliance: true, types: [OID.qcTypeEseal] } }) })],
	['signature.certificate.matchesExpected', async (s) => ({ ...s, ctx: { ...s.ctx, expectedCertificate: (await testPki()).authCert.raw.toString('base64') } })],
	['signature.value', (s) => ({ ...s, status: { ...s.status, signature: { ...s.status.signature, value: undefined } } })],
	['signature.invalid', async () => scenario({ key: (await testPki()).otherKey })],
	['signature.invalid', () => scenario({ data: Buffer.concat([DATA, Buffer.from('5')]) })],
	['signature.invalid', (s) => ({ ...s, ctx: { ...s.ctx, digest: digestOf('SHA-512', digestOf('SHA-512', DATA)).toString('base64') } })],
	['identity.documentNumber.matchesRequest', (s) => ({ ...s, ctx: { ...s.ctx, expectedDocumentNumber: 'PNOEE-40504040001-OTHR-Q' } })],
	['identity.semanticsIdentifier.matchesRequest', (s) => ({ ...s, ctx: { ...s.ctx, expectedSemanticsIdentifier: 'PNOLT-40504040001' } })],
];

describe('validateSignature: each rule broken alone', () => {
	it.each(RULES)('%s', async (rule, breaker) => {
		const base = await scenario();
		expect(run(base).documentNumber).toBe(DOC);
		const broken = await breaker(base);
		expectRule(() => run(broken), rule);
	});

	it('refuses a stored digest that is not Base64 or has the wrong length (caller error)', async () => {
		const s = await scenario();
		expect(() => run({ ...s, ctx: { ...s.ctx, digest: 'not base64!' } })).toThrow(InvalidRequestError);
		expect(() => run({ ...s, ctx: { ...s.ctx, digest: digestOf('SHA-256', DATA).toString('base64') } })).toThrow(InvalidRequestError);
	});

	it('maps a non-OK end result to SessionEndedError', async () => {
		const s = await scenario();
		s.status.result = { endResult: 'TIMEOUT' };
		expect(() => run(s)).toThrow(SessionEndedError);
	});
});

describe('validateCertificateChoice / validateCertificateByDocument', () => {
	async function choice(cert?: X509Certificate, level = 'QUALIFIED'): Promise<SessionStatus> {
		const pki = await testPki();
		return {
			state: 'COMPLETE',
			result: { endResult: 'OK', documentNumber: DOC },
			signature: { flowType: 'QR' },
			cert: { value: (cert ?? pki.signCert).raw.toString('base64'), certificateLevel: level },
		};
	}
	const opts = async (): Promise<ValidationOptions> => ({ trust: (await testPki()).trust, now: NOW });

	it('accepts a qualified signing certificate and reports the flow', async () => {
		const r = validateCertificateChoice(await choice(), { requestedCertificateLevel: 'QSCD', allowedFlowTypes: ['QR'] }, await opts());
		expect(r).toMatchObject({ documentNumber: DOC, certificateLevel: 'QUALIFIED', flowType: 'QR' });
		expect(r.identity.dateOfBirth).toBe('1905-04-04');
	});

	it.each<[string, () => Promise<[SessionStatus, Parameters<typeof validateCertificateChoice>[1]]>]>([
		['signature.flowType.notOffered', async () => [await choice(), { requestedCertificateLevel: 'QUALIFIED', allowedFlowTypes: ['Web2App'] }]],
		['certificate.purpose.signing', async () => [await choice((await testPki()).authCert), { requestedCertificateLevel: 'QUALIFIED' }]],
		['certificate.level.mismatch', async () => [await choice(undefined, 'ADVANCED'), { requestedCertificateLevel: 'ADVANCED' }]],
		['identity.semanticsIdentifier.matchesRequest', async () => [await choice(), { requestedCertificateLevel: 'QUALIFIED', expectedSemanticsIdentifier: 'PNOEE-1' }]],
		['chain.expired', async () => [await choice(), { requestedCertificateLevel: 'QUALIFIED' }]],
	])('%s', async (rule, make) => {
		const [status, ctx] = await make();
		const o = await opts();
		expectRule(() => validateCertificateChoice(status, ctx, rule === 'chain.expired' ? { ...o, now: new Date('2030-01-01Z') } : o), rule);
	});

	it('validates the certificate-by-document answer and maps DOCUMENT_UNUSABLE', async () => {
		const pki = await testPki();
		const response = { state: 'OK', cert: { value: pki.signCert.raw.toString('base64'), certificateLevel: 'QUALIFIED' } };
		expect(validateCertificateByDocument(response, DOC, { requestedCertificateLevel: 'QSCD' }, await opts()).documentNumber).toBe(DOC);
		const o = await opts();
		expectRule(
			() => validateCertificateByDocument(response, 'PNOEE-40504040001-XXXX-Q', { requestedCertificateLevel: 'QSCD' }, o),
			'identity.documentNumber.matchesCertificate',
		);
		let error: unknown;
		try {
			validateCertificateByDocument({ state: 'DOCUMENT_UNUSABLE' }, DOC, { requestedCertificateLevel: 'QSCD' }, await opts());
		} catch (err) {
			error = err;
		}
		expect(error).toMatchObject({ code: 'SMARTID_DOCUMENT_UNUSABLE' });
	});
});
