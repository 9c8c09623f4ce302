/**
 * Fuzz: certificate parsing (`parseCertificate`, `toX509`, `pemToDerList` in lib/pki/certificate.ts) and what sits
 * right on top of it (`identityFromCertificate`, `buildChain`) on mutated real certificates: the SK anchors and
 * intermediates bundled in lib/pki/anchors/demo and the Smart-ID leaf certificates in test/fixtures/smartid-v3.
 *
 * Mutations: bit flips, byte sets, truncation, inserted/deleted ranges, and DER length-byte edits (the byte after a
 * tag set to short, long, indefinite or oversized forms); inputs are given as DER bytes, PEM text or Base64 text.
 *
 * Properties:
 * - parseCertificate returns a consistent view or throws CertificateParseError, within the per-case time limit;
 *   a returned view agrees with node:crypto about the serial and the DER, and parsing is stable (same result twice);
 * - identityFromCertificate returns or throws ValidationError / CertificateParseError;
 * - buildChain on a mutated leaf throws ChainError / CertificateParseError or returns a chain that ends in an anchor,
 *   and never trusts a leaf whose bytes (as node:crypto reads them) changed;
 * - heap growth stays bounded.
 *
 * Budget (see test/helpers/fuzz-budget.ts): FUZZ_SEED (default 20261122), FUZZ_RUNS, FUZZ_TIME_MS.
 * CI default: 250 parse runs, 200 identity runs, 150 chain runs, 200 text-input runs.
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ValidationError } from '../../lib/errors';
import { CertificateParseError, parseCertificate, pemToDerList, toX509 } from '../../lib/pki/certificate';
import { buildChain, ChainError } from '../../lib/pki/chain';
import { TrustStore } from '../../lib/pki/trust-store';
import { identityFromCertificate } from '../../lib/validation';
import { fuzzParams, fuzzTimeout, typedOutcome, withBoundedHeap } from '../helpers/fuzz-budget';
import { fixturePath, anchorPath } from '../helpers/fixtures';

jest.setTimeout(fuzzTimeout(60_000));

const demoDir = anchorPath('demo');
const anchorsDer = fs
	.readdirSync(demoDir)
	.filter((f) => f.endsWith('.pem'))
	.flatMap((f) => pemToDerList(fs.readFileSync(path.join(demoDir, f), 'utf8')));

// Smart-ID leaf certificates (Base64 DER) from the protocol fixtures, deduplicated.
const leavesDer = [
	...new Set(
		fs
			.readdirSync(fixturePath('smartid-v3'))
			.filter((f) => f.endsWith('.json'))
			.flatMap((f) => [...fs.readFileSync(fixturePath('smartid-v3', f), 'utf8').matchAll(/"(MII[A-Za-z0-9+/=]{500,})"/g)].map((m) => m[1])),
	),
].map((b64) => Buffer.from(b64, 'base64'));
const SOURCES = [...leavesDer, ...anchorsDer];

type Mutation =
	| { kind: 'flip'; at: number; bit: number }
	| { kind: 'set'; at: number; value: number }
	| { kind: 'truncate'; at: number }
	| { kind: 'insert'; at: number; bytes: Uint8Array }
	| { kind: 'delete'; at: number; length: number }
	| { kind: 'length'; nth: number; form: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
	fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
	fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
	fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
	fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
	fc.record({ kind: fc.constant('length' as const), nth: fc.nat(), form: fc.nat(6) }),
);

// Universal tags whose following byte is a length: SEQUENCE, SET, INTEGER, BIT/OCTET STRING, OID, strings, times.
const TAGS = new Set([0x30, 0x31, 0x02, 0x03, 0x04, 0x06, 0x0c, 0x13, 0x17, 0x18, 0xa0, 0xa3]);
const LENGTH_FORMS = [[0x00], [0x7f], [0x80], [0x81, 0xff], [0x84, 0xff, 0xff, 0xff, 0xff], [0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0x82, 0x00, 0x01]];

function mutate(der: Buffer, m: Mutation): Buffer {
	if (der.length === 0) return der;
	const at = 'at' in m ? m.at % der.length : 0;
	switch (m.kind) {
		case 'flip': {
			const c = Buffer.from(der);
			c[at] ^= 1 << m.bit;
			return c;
		}
		case 'set': {
			const c = Buffer.from(der);
			c[at] = m.value;
			return c;
		}
		case 'truncate':
			return der.subarray(0, at);
		case 'insert':
			return Buffer.concat([der.subarray(0, at), Buffer.from(m.bytes), der.subarray(at)]);
		case 'delete':
			return Buffer.concat([der.subarray(0, at), der.subarray(at + m.length)]);
		case 'length': {
			// Replace the first length byte after the nth tag-looking byte (long forms replace only that byte too,
			// shifting what follows: nonsense on purpose).
			const positions: number[] = [];
			for (let i = 0; i < der.length - 1; i++) if (TAGS.has(der[i])) positions.push(i + 1);
			if (positions.length === 0) return der;
			const p = positions[m.nth % positions.length];
			return Buffer.concat([der.subarray(0, p), Buffer.from(LENGTH_FORMS[m.form]), der.subarray(p + 1)]);
		}
	}
}

const mutantArb = fc.record({ source: fc.nat(SOURCES.length - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }).map(({ source, mutations }) => ({
	source,
	der: mutations.reduce(mutate, SOURCES[source]),
}));

const PARSE_ERRORS = [CertificateParseError];

function checkView(der: Buffer): ReturnType<typeof parseCertificate> | null {
	const out = typedOutcome('parseCertificate', PARSE_ERRORS, () => parseCertificate(der));
	if (!out.ok) {
		expect((out.error as CertificateParseError).code).toEqual(expect.any(String));
		return null;
	}
	const view = out.value;
	// node:crypto read the same bytes (it may drop trailing garbage): the view is of what node accepted.
	expect(view.der.equals(view.x509.raw)).toBe(true);
	expect(view.serialNumberHex).toBe(view.x509.serialNumber.toUpperCase());
	expect(view.sha256).toMatch(/^[0-9a-f]{64}$/);
	expect(view.notBefore).toBeInstanceOf(Date);
	expect(view.notAfter).toBeInstanceOf(Date);
	expect(parseCertificate(view.x509)).toBe(view); // cached per X509Certificate
	expect(parseCertificate(der)).toEqual(view); // same bytes, same view
	return view;
}

let demoTrust: TrustStore;
beforeAll(() => {
	demoTrust = TrustStore.bundled('demo');
});

describe('certificate parsing fuzz', () => {
	it('controls: every source certificate parses; leaves give an identity and chain to the demo anchors', () => {
		expect(leavesDer.length).toBeGreaterThanOrEqual(3);
		expect(anchorsDer.length).toBeGreaterThan(20);
		for (const der of SOURCES) expect(checkView(der)).not.toBeNull();
		for (const der of leavesDer) {
			const id = identityFromCertificate(der, new Date('2026-01-01T00:00:00Z'));
			expect(id.country).toMatch(/^[A-Z]{2}$/);
			const x = new X509Certificate(der);
			expect(buildChain(x, { trust: demoTrust, at: new Date(Date.parse(x.validFrom) + 86_400_000) }).chain.length).toBeGreaterThan(1);
		}
	});

	it('mutated DER: a consistent view or CertificateParseError, fast', async () => {
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(mutantArb, ({ der }) => {
					checkView(der);
				}),
				fuzzParams(250),
			),
		);
	});

	it('identityFromCertificate on mutated leaves: an identity or ValidationError / CertificateParseError', async () => {
		const leafMutants = fc.record({ source: fc.nat(leavesDer.length - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 2 }) }).map(({ source, mutations }) => mutations.reduce(mutate, leavesDer[source]));
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(leafMutants, (der) => {
					const out = typedOutcome('identityFromCertificate', [ValidationError, CertificateParseError], () => identityFromCertificate(der, new Date('2026-01-01T00:00:00Z')));
					if (out.ok) {
						expect(['PNO', 'PAS', 'IDC']).toContain(out.value.identityType);
						if (out.value.dateOfBirth !== null) expect(out.value.dateOfBirth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
					}
				}),
				fuzzParams(200),
			),
		);
	});

	it('buildChain on mutated leaves: ChainError / CertificateParseError, or a chain only for the original bytes', async () => {
		const leafMutants = fc.record({ source: fc.nat(leavesDer.length - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 2 }) }).map(({ source, mutations }) => ({ source, der: mutations.reduce(mutate, leavesDer[source]) }));
		await withBoundedHeap(() =>
			fc.assert(
				fc.property(leafMutants, ({ source, der }) => {
					const original = new X509Certificate(leavesDer[source]);
					const at = new Date(Date.parse(original.validFrom) + 86_400_000);
					const out = typedOutcome('buildChain', [ChainError, CertificateParseError], () => buildChain(der, { trust: demoTrust, at }));
					if (out.ok) {
						// Trusted only if the certificate node:crypto read is byte-identical to the original (it may drop
						// trailing garbage, which nobody signed or reads).
						const seen = (d: Buffer): string => parseCertificate(d).der.toString('hex');
						expect(seen(der)).toBe(seen(leavesDer[source]));
						expect(out.value.chain[out.value.chain.length - 1].raw.equals(out.value.anchor.raw)).toBe(true);
					}
				}),
				fuzzParams(150),
			),
		);
	});

	it('text inputs (PEM and Base64 with mutated text): a certificate or CertificateParseError', () => {
		const pem = (der: Buffer): string => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
		const textArb = fc.oneof(
			mutantArb.map(({ der }) => pem(der)),
			mutantArb.map(({ der }) => der.toString('base64')),
			fc.tuple(fc.nat(SOURCES.length - 1), fc.nat(), fc.constantFrom('-', '=', '*', ' ', '\n', '-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----', '\u0000', 'é')).map(([i, at, ins]) => {
				const t = pem(SOURCES[i]);
				const p = at % t.length;
				return t.slice(0, p) + ins + t.slice(p);
			}),
			fc.string({ maxLength: 100 }),
			fc.constantFrom('', '-----BEGIN CERTIFICATE----------END CERTIFICATE-----', '====', 'AAAA'),
		);
		fc.assert(
			fc.property(textArb, (text) => {
				typedOutcome('toX509(text)', PARSE_ERRORS, () => toX509(text));
				typedOutcome('parseCertificate(text)', PARSE_ERRORS, () => parseCertificate(text));
			}),
			fuzzParams(200),
		);
	});
});
