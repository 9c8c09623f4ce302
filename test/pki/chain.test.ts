import 'reflect-metadata';
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { buildChain, ChainError } from '../../lib/pki/chain';
import { TrustStore } from '../../lib/pki/trust-store';
import { parseCertificate } from '../../lib/pki/certificate';
import { OID } from '../../lib/pki/oids';
import { readFixtureJson, anchorPath } from '../helpers/fixtures';
import { makeCert, testKey, type KeyKind } from './test-pki';

const AT = new Date('2026-06-01T00:00:00Z');

function sharedCert(rel: string): X509Certificate {
	return new X509Certificate(fs.readFileSync(anchorPath(rel)));
}

function vectorCert(file: string): X509Certificate {
	const v = readFixtureJson<{ sessionStatus?: { cert: { value: string } }; certificateBase64?: string }>(
		'smartid-v3',
		file,
	);
	return new X509Certificate(Buffer.from(v.sessionStatus?.cert.value ?? v.certificateBase64 ?? '', 'base64'));
}

function cnOf(cert: X509Certificate): string | undefined {
	return parseCertificate(cert).subject.CN;
}

function expectRule(fn: () => unknown, rule: string): void {
	try {
		fn();
	} catch (err) {
		expect(err).toBeInstanceOf(ChainError);
		expect((err as ChainError).rule).toBe(rule);
		expect((err as ChainError).code).toBe('SMARTID_VALIDATION_FAILED');
		return;
	}
	throw new Error(`expected ChainError ${rule}`);
}

describe('buildChain with real SK certificates', () => {
	const authLeaf = vectorCert('java-notification-auth-acsp_v2-sha3-512.json');

	it('chains a Smart-ID demo leaf (ECDSA P-384 issuer) to the TEST root in the smart-id profile', () => {
		const result = buildChain(authLeaf, { trust: TrustStore.bundled('demo', { profile: 'smart-id' }), at: AT });
		expect(result.chain.map(cnOf)).toEqual([
			'TEST,OK',
			'TEST of SK ID Solutions EID-Q 2024E',
			'TEST of SK ID Solutions ROOT G1E',
		]);
		expect(cnOf(result.anchor)).toBe('TEST of SK ID Solutions ROOT G1E');
	});

	it('stops at a trusted-list CA in the default profile (anchor trusted by itself)', () => {
		const result = buildChain(authLeaf.raw, { trust: TrustStore.bundled('demo'), at: AT });
		expect(result.chain.map(cnOf)).toEqual(['TEST,OK', 'TEST of SK ID Solutions EID-Q 2024E']);
	});

	it('trusts an anchor certificate by itself (TSA unit)', () => {
		const tsa = sharedCert('demo/DEMO_SK_TIMESTAMPING_UNIT_2025E.pem');
		const result = buildChain(tsa, { trust: TrustStore.bundled('demo'), at: AT, purpose: 'timeStamping' });
		expect(result.chain).toHaveLength(1);
		expect(result.anchor.raw.equals(tsa.raw)).toBe(true);
	});

	it('verifies RSA links (EID-Q 2024R under ROOT G1R) and P-521 links (ESTEID2018 under EE-GovCA2018)', () => {
		const q2024r = sharedCert('demo/TEST_of_SK_ID_Solutions_EID-Q_2024R.pem');
		const r = buildChain(q2024r, { trust: TrustStore.bundled('demo', { profile: 'smart-id' }), at: AT });
		expect(cnOf(r.anchor)).toBe('TEST of SK ID Solutions ROOT G1R');
		const esteid = sharedCert('demo/TEST_of_ESTEID2018.pem');
		const gov = sharedCert('demo/TEST_of_EE-GovCA2018.pem');
		expect(parseCertificate(gov).publicKey.namedCurve).toBe('secp521r1');
		const e = buildChain(esteid, { trust: TrustStore.of([gov]), at: AT });
		expect(e.chain).toHaveLength(2);
	});

	it('chains live Smart-ID CAs to the live roots', () => {
		const live = TrustStore.bundled('live', { profile: 'smart-id' });
		for (const file of ['SK_ID_Solutions_EID-Q_2024E.pem', 'SK_ID_Solutions_EID-NQ_2021R.pem', 'EID-SK_2016.pem']) {
			const r = buildChain(sharedCert(`live/${file}`), { trust: live, at: AT });
			expect(r.chain).toHaveLength(2);
		}
	});

	it('refuses a demo leaf against the live store, and out-of-validity times', () => {
		expectRule(() => buildChain(authLeaf, { trust: TrustStore.bundled('live'), at: AT }), 'chain.untrusted');
		expectRule(() => buildChain(authLeaf, { trust: TrustStore.bundled('demo'), at: new Date('2029-01-01Z') }), 'chain.expired');
		expectRule(() => buildChain(authLeaf, { trust: TrustStore.bundled('demo'), at: new Date('2025-01-01Z') }), 'chain.notYetValid');
	});

	it('refuses the leaf when only the trusted-list profile is used but the root is absent and the CA removed', () => {
		const onlyRoot = TrustStore.of([sharedCert('demo/TEST_of_SK_ID_Solutions_ROOT_G1R.pem')]);
		expectRule(() => buildChain(authLeaf, { trust: onlyRoot, at: AT }), 'chain.untrusted');
	});
});

describe('buildChain with generated chains', () => {
	const NAMES = { root: 'CN=Test Root G1, O=Test, C=EE', ca: 'CN=Test EID-Q, O=Test, C=EE', leaf: 'CN=Leaf, C=EE' };

	async function chainOf(rootKind: KeyKind, caKind: KeyKind, leafKind: KeyKind) {
		const rootKey = await testKey(rootKind);
		const caKey = await testKey(caKind, 1);
		const leafKey = await testKey(leafKind, 2);
		const root = await makeCert({ subject: NAMES.root, key: rootKey, ca: true });
		const ca = await makeCert({ subject: NAMES.ca, key: caKey, ca: true, pathLength: 0, issuer: { cert: root, key: rootKey } });
		const leaf = await makeCert({ subject: NAMES.leaf, key: leafKey, issuer: { cert: ca, key: caKey } });
		return { root, ca, leaf, rootKey, caKey, leafKey };
	}

	it.each<[KeyKind, KeyKind, KeyKind]>([
		['rsa', 'P-384', 'rsa'],
		['rsa-pss', 'rsa', 'P-256'],
		['P-521', 'P-256', 'rsa'],
	])('accepts root %s -> CA %s -> leaf %s', async (a, b, c) => {
		const { root, ca, leaf } = await chainOf(a, b, c);
		const r = buildChain(leaf, { trust: TrustStore.of([root]), intermediates: [ca], at: AT });
		expect(r.chain.map((x) => x.subject)).toEqual([leaf.subject, ca.subject, root.subject]);
		const viaStore = buildChain(leaf, { trust: TrustStore.of([root], [ca]), at: AT });
		expect(viaStore.anchor.raw.equals(root.raw)).toBe(true);
	});

	it('reports chain.untrusted when the root is not an anchor', async () => {
		const { ca, leaf } = await chainOf('rsa', 'rsa', 'rsa');
		const other = await makeCert({ subject: 'CN=Other Root', key: await testKey('P-256', 5), ca: true });
		expectRule(() => buildChain(leaf, { trust: TrustStore.of([other]), intermediates: [ca], at: AT }), 'chain.untrusted');
		expectRule(() => buildChain(leaf, { trust: TrustStore.of([other], [ca]), at: AT }), 'chain.untrusted');
	});

	it('reports chain.expired for an expired intermediate and chain.notYetValid for a future leaf', async () => {
		const rootKey = await testKey('rsa');
		const caKey = await testKey('P-384', 1);
		const root = await makeCert({ subject: NAMES.root, key: rootKey, ca: true });
		const oldCa = await makeCert({
			subject: NAMES.ca,
			key: caKey,
			ca: true,
			issuer: { cert: root, key: rootKey },
			notAfter: new Date('2026-01-01Z'),
		});
		const leaf = await makeCert({ subject: NAMES.leaf, key: await testKey('rsa', 2), issuer: { cert: oldCa, key: caKey } });
		expectRule(() => buildChain(leaf, { trust: TrustStore.of([root]), intermediates: [oldCa], at: AT }), 'chain.expired');
		const future = await makeCert({
			subject: NAMES.leaf,
			key: await testKey('rsa', 2),
			issuer: { cert: root, key: rootKey },
			notBefore: new Date('2027-01-01Z'),
		});
		expectRule(() => buildChain(future, { trust: TrustStore.of([root]), at: AT }), 'chain.notYetValid');
	});

	it('reports chain.badSignature when the leaf was signed by another key under the same names', async () => {
		const { root, ca, caKey } = await chainOf('rsa', 'P-384', 'rsa');
		const forged = await makeCert({
			subject: NAMES.leaf,
			key: await testKey('rsa', 2),
			issuer: { cert: ca, key: caKey },
			forgeWith: await testKey('P-384', 7),
		});
		expectRule(() => buildChain(forged, { trust: TrustStore.of([root]), intermediates: [ca], at: AT }), 'chain.badSignature');
	});

	it('reports chain.issuerNotCa, chain.issuerKeyUsage and chain.pathLength', async () => {
		const rootKey = await testKey('rsa');
		const caKey = await testKey('P-256', 1);
		const root = await makeCert({ subject: NAMES.root, key: rootKey, ca: true, pathLength: 0 });
		const leafKey = await testKey('rsa', 2);
		const notCa = await makeCert({ subject: NAMES.ca, key: caKey, noBasicConstraints: true, keyUsage: x509.KeyUsageFlags.keyCertSign, issuer: { cert: root, key: rootKey } });
		const leaf1 = await makeCert({ subject: NAMES.leaf, key: leafKey, issuer: { cert: notCa, key: caKey } });
		expectRule(() => buildChain(leaf1, { trust: TrustStore.of([root]), intermediates: [notCa], at: AT }), 'chain.issuerNotCa');

		const noSign = await makeCert({ subject: NAMES.ca, key: caKey, ca: true, keyUsage: x509.KeyUsageFlags.digitalSignature, issuer: { cert: root, key: rootKey } });
		const leaf2 = await makeCert({ subject: NAMES.leaf, key: leafKey, issuer: { cert: noSign, key: caKey } });
		expectRule(() => buildChain(leaf2, { trust: TrustStore.of([root]), intermediates: [noSign], at: AT }), 'chain.issuerKeyUsage');

		// root allows 0 intermediates; CA -> sub-CA -> leaf puts 2 below it
		const ca = await makeCert({ subject: NAMES.ca, key: caKey, ca: true, issuer: { cert: root, key: rootKey } });
		const subKey = await testKey('P-384', 3);
		const sub = await makeCert({ subject: 'CN=Sub CA', key: subKey, ca: true, issuer: { cert: ca, key: caKey } });
		const leaf3 = await makeCert({ subject: NAMES.leaf, key: leafKey, issuer: { cert: sub, key: subKey } });
		expectRule(() => buildChain(leaf3, { trust: TrustStore.of([root]), intermediates: [ca, sub], at: AT }), 'chain.pathLength');
		// the same path is fine when the CA is itself an anchor
		expect(buildChain(leaf3, { trust: TrustStore.of([root, ca]), intermediates: [sub], at: AT }).chain).toHaveLength(3);
	});

	it('checks the leaf purpose (EKU) when asked', async () => {
		const rootKey = await testKey('rsa');
		const root = await makeCert({ subject: NAMES.root, key: rootKey, ca: true });
		const tsa = await makeCert({ subject: 'CN=TSA', key: await testKey('rsa', 2), issuer: { cert: root, key: rootKey }, eku: [OID.ekuTimeStamping] });
		expect(buildChain(tsa, { trust: TrustStore.of([root]), at: AT, purpose: 'timeStamping' }).chain).toHaveLength(2);
		expectRule(() => buildChain(tsa, { trust: TrustStore.of([root]), at: AT, purpose: 'ocspSigning' }), 'chain.purpose');
		expect(buildChain(tsa, { trust: TrustStore.of([root]), at: AT, purpose: OID.ekuTimeStamping }).chain).toHaveLength(2);
	});

	it('trusts a generated leaf that is itself an anchor, but still checks its validity', async () => {
		const self = await makeCert({ subject: 'CN=Pinned', key: await testKey('P-256'), notAfter: new Date('2026-01-01Z') });
		expect(buildChain(self, { trust: TrustStore.of([self]), at: new Date('2025-06-01Z') }).chain).toHaveLength(1);
		expectRule(() => buildChain(self, { trust: TrustStore.of([self]), at: AT }), 'chain.expired');
		const unrelated = await makeCert({ subject: 'CN=X', key: await testKey('P-256', 1), ca: true });
		expectRule(() => buildChain(self, { trust: TrustStore.of([unrelated]), at: new Date('2025-06-01Z') }), 'chain.untrusted');
	});
});
