import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate, createHash } from 'node:crypto';
import { TrustStore, anchorsDirectory, bundledCertificateIndex } from '../../lib/pki/trust-store';
import { CertificateParseError, parseCertificate } from '../../lib/pki/certificate';
import { readFixtureJson, fixturePath, anchorPath } from '../helpers/fixtures';

interface ResearchIndexEntry {
	file: string;
	sha256: string;
	trust_anchor: boolean;
	subject_cn: string;
}

const index = bundledCertificateIndex();
const researchIndex = readFixtureJson<ResearchIndexEntry[]>('trust', 'index.json');
const indexMd = fs.readFileSync(fixturePath('trust', 'INDEX.md'), 'utf8');

function der(file: string): Buffer {
	return new X509Certificate(fs.readFileSync(path.join(anchorsDirectory(), file))).raw;
}

describe('bundled trust anchors (product data, DECISIONS 7)', () => {
	it('index.json lists exactly the PEM files in the anchors folder', () => {
		const onDisk = ['demo', 'live'].flatMap((env) =>
			fs.readdirSync(path.join(anchorsDirectory(), env)).map((f) => `${env}/${f}`),
		);
		expect(onDisk.sort()).toEqual(index.map((e) => e.file).sort());
	});

	it.each(index.map((e) => [e.file, e] as const))('%s: SHA-256, subject and env match index.json', (_file, entry) => {
		const bytes = der(entry.file);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
		expect(parseCertificate(bytes).subject.CN).toBe(entry.subjectCn);
		expect(entry.file.startsWith(`${entry.env}/`)).toBe(true);
		expect(entry.anchor).toBe(entry.anchorFor.length > 0);
	});

	it('agrees with test/fixtures/trust/index.json and INDEX.md wherever they list the same file', () => {
		let compared = 0;
		for (const entry of index) {
			const listed = researchIndex.find((s) => s.file === entry.file);
			if (listed) {
				expect(entry.sha256).toBe(listed.sha256);
				expect(entry.anchorFor.includes('trusted-list')).toBe(listed.trust_anchor);
				compared++;
			}
			const row = indexMd.split('\n').find((l) => l.startsWith(`| ${path.basename(entry.file)} |`));
			if (row && indexMd.includes(`## ${entry.env}/\n`)) {
				expect(row.toLowerCase()).toContain(entry.sha256);
				compared++;
			}
		}
		expect(compared).toBeGreaterThan(70);
	});

	it('bundles every trust_anchor of test/fixtures/trust/index.json as an anchor', () => {
		for (const s of researchIndex.filter((e) => e.trust_anchor)) {
			const mine = index.find((e) => e.sha256 === s.sha256);
			expect(mine?.anchor).toBe(true);
		}
	});

	it('bundles the Smart-ID roots and issuing CAs of both environments (spec §7.5)', () => {
		const demo = ['ROOT G1E', 'ROOT G1R', 'EID-Q 2024E', 'EID-Q 2024R', 'EID-NQ 2021E', 'EID-NQ 2021R'].map(
			(n) => `TEST of SK ID Solutions ${n}`,
		);
		demo.push('TEST of EID-SK 2016', 'TEST of NQ-SK 2016', 'TEST of EE Certification Centre Root CA');
		const live = demo.map((n) => n.replace('TEST of ', ''));
		for (const [env, names] of [['demo', demo], ['live', live]] as const) {
			for (const name of names) {
				const entry = index.find((e) => e.env === env && e.subjectCn === name);
				expect(entry?.smartId).toBe(true);
			}
			const roots = index.filter((e) => e.env === env && e.anchorFor.includes('smart-id')).map((e) => e.subjectCn);
			expect(roots.sort()).toEqual(names.filter((n) => /Root|ROOT/.test(n)).sort());
		}
	});
});

describe('TrustStore', () => {
	it('splits anchors and intermediates per profile', () => {
		const all = TrustStore.bundled('demo');
		const smartId = TrustStore.bundled('demo', { profile: 'smart-id' });
		const tl = TrustStore.bundled('demo', { profile: 'trusted-list' });
		const demoCount = index.filter((e) => e.env === 'demo').length;
		for (const store of [all, smartId, tl]) {
			expect(store.anchors().length + store.intermediates().length).toBe(demoCount);
		}
		expect(smartId.anchors().map((c) => parseCertificate(c).subject.CN).sort()).toEqual([
			'TEST of EE Certification Centre Root CA',
			'TEST of SK ID Solutions ROOT G1E',
			'TEST of SK ID Solutions ROOT G1R',
		]);
		const root = smartId.anchors()[0];
		expect(tl.isAnchor(root)).toBe(false);
		expect(all.isAnchor(root)).toBe(true);
		expect(TrustStore.bundled('demo')).toBe(all);
	});

	it('looks certificates up by subject and by SKI', () => {
		const store = TrustStore.bundled('live');
		const g1e = store.anchors().find((c) => parseCertificate(c).subject.CN === 'SK ID Solutions ROOT G1E');
		expect(g1e).toBeDefined();
		expect(store.findBySubject(g1e!.subject)[0].raw.equals(g1e!.raw)).toBe(true);
		const ski = parseCertificate(g1e!).subjectKeyIdentifier!;
		expect(store.findBySubjectKeyIdentifier(ski.toUpperCase().match(/../g)!.join(':'))).toHaveLength(1);
		expect(store.findBySubjectKeyIdentifier('00ff')).toHaveLength(0);
	});

	it('fromPem / withAnchors / withIntermediates build new stores', () => {
		const pemA = fs.readFileSync(anchorPath('demo/TEST_of_SK_ID_Solutions_ROOT_G1E.pem'), 'utf8');
		const pemB = fs.readFileSync(anchorPath('demo/TEST_of_SK_ID_Solutions_ROOT_G1R.pem'), 'utf8');
		const one = TrustStore.fromPem(pemA, 'mine');
		expect(one.label).toBe('mine');
		expect(one.anchors()).toHaveLength(1);
		const two = TrustStore.fromPem(pemA + '\n' + pemB);
		expect(two.anchors()).toHaveLength(2);
		expect(TrustStore.fromPem([pemA, pemA]).anchors()).toHaveLength(1);
		const grown = one.withAnchors([pemB]);
		expect(grown.anchors()).toHaveLength(2);
		expect(one.anchors()).toHaveLength(1);
		const withInt = one.withIntermediates(pemB);
		expect(withInt.intermediates()).toHaveLength(1);
		expect(withInt.isAnchor(new X509Certificate(pemB))).toBe(false);
		// promoting a bundled intermediate to anchor removes it from the intermediates
		const tl = TrustStore.bundled('demo', { profile: 'trusted-list' });
		const promoted = tl.withAnchors([pemA]);
		expect(promoted.isAnchor(new X509Certificate(pemA))).toBe(true);
		expect(promoted.intermediates().some((c) => c.raw.equals(new X509Certificate(pemA).raw))).toBe(false);
	});

	it('refuses garbage with a typed error', () => {
		expect(() => TrustStore.fromPem('not a certificate')).toThrow(CertificateParseError);
		expect(() => TrustStore.fromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
			CertificateParseError,
		);
		expect(() => TrustStore.fromPem([])).toThrow(CertificateParseError);
		expect(() => TrustStore.bundled('prod' as never)).toThrow(/Unknown bundled trust store/);
	});
});

describe('bundled store integrity', () => {
	it('refuses to load a bundled file whose content no longer matches its fingerprint', () => {
		const other = fs.readFileSync(anchorPath('live/SK_ID_Solutions_ROOT_G1E.pem'), 'utf8');
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const nodeFs = require('node:fs') as typeof fs;
		const real = nodeFs.readFileSync;
		const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, opts?: unknown) =>
			String(file).endsWith('TEST_of_SK_ID_Solutions_ROOT_G1E.pem') ? other : real(file, opts as BufferEncoding)) as typeof fs.readFileSync);
		try {
			jest.isolateModules(() => {
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				const fresh = require('../../lib/pki/trust-store') as typeof import('../../lib/pki/trust-store');
				expect(() => fresh.TrustStore.bundled('demo')).toThrow(fresh.TrustStoreError);
				expect(() => fresh.TrustStore.bundled('demo')).toThrow(/TEST_of_SK_ID_Solutions_ROOT_G1E\.pem does not match/);
			});
		} finally {
			spy.mockRestore();
		}
		expect(TrustStore.bundled('demo').anchors().length).toBeGreaterThan(0);
	});
});
