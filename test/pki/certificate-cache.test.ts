import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { LruCache, deepFreeze, derCacheKey } from '../../lib/pki/certificate-cache';
import { certificateCacheSize, parseCertificate } from '../../lib/pki/certificate';
import { certView, certViewCacheSize } from '../../lib/pki/ocsp-tsp-crypto';
import { ANCHORS_DIR, fixturePath } from '../helpers/fixtures';

/** Real certificates: the bundled SK demo and live CAs (lib/pki/anchors) and the SK TLS certificates in test/fixtures/trust. */
function realCertificates(): Buffer[] {
	const ders: Buffer[] = [];
	const walk = (d: string): void => {
		for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
			const full = `${d}/${entry.name}`;
			if (entry.isDirectory()) walk(full);
			else if (/\.(pem|crt|cer)$/i.test(entry.name)) {
				const text = fs.readFileSync(full);
				const pems = text.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
				if (pems) for (const pem of pems) ders.push(new X509Certificate(pem).raw);
				else {
					try {
						ders.push(new X509Certificate(text).raw);
					} catch {
						/* not a certificate */
					}
				}
			}
		}
	};
	walk(ANCHORS_DIR);
	walk(fixturePath('trust'));
	// Smallest first: the bound tests parse hundreds of variants.
	return [...new Map(ders.map((d) => [derCacheKey(d), d])).values()].sort((a, b) => a.length - b.length);
}

let certs: Buffer[];
beforeAll(() => {
	certs = realCertificates();
	expect(certs.length).toBeGreaterThanOrEqual(2);
});

describe('LruCache', () => {
	it('evicts the least recently used entry beyond its bound', () => {
		const lru = new LruCache<string, number>(3);
		lru.set('a', 1);
		lru.set('b', 2);
		lru.set('c', 3);
		expect(lru.get('a')).toBe(1); // a is now the most recent
		lru.set('d', 4);
		expect(lru.size).toBe(3);
		expect(lru.has('b')).toBe(false);
		expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4]);
		expect(() => new LruCache(0)).toThrow(RangeError);
	});

	it('deepFreeze freezes plain objects and arrays, leaves Buffers alone', () => {
		const v = deepFreeze({ a: [1, { b: 2 }], buf: Buffer.from('x') });
		expect(Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a[1])).toBe(true);
		expect(Object.isFrozen(v.buf)).toBe(false);
	});
});

describe('parseCertificate cache keyed by DER', () => {
	it('returns the same frozen view for the same bytes arriving as new Buffers, PEM text or new X509Certificate objects', () => {
		const der = certs[0];
		const first = parseCertificate(Buffer.from(der));
		expect(parseCertificate(Buffer.from(der))).toBe(first);
		expect(parseCertificate(new X509Certificate(der))).toBe(first);
		expect(parseCertificate(new X509Certificate(der).toString())).toBe(first);
		expect(Object.isFrozen(first)).toBe(true);
		expect(Object.isFrozen(first.subject)).toBe(true);
		expect(() => {
			(first.policies as string[]).push('1.2.3');
		}).toThrow(TypeError);
		expect(first.sha256).toBe(derCacheKey(der));
	});

	it('does not share the caller’s buffer: changing the input afterwards does not change the cached view', () => {
		const input = Buffer.from(certs[1]);
		const view = parseCertificate(input);
		input.fill(0);
		expect(view.der.equals(certs[1])).toBe(true);
		expect(parseCertificate(Buffer.from(certs[1]))).toBe(view);
	});

	it('a changed byte is a different entry', () => {
		const der = Buffer.from(certs[0]);
		const view = parseCertificate(der);
		const changed = Buffer.from(der);
		changed[changed.length - 5] ^= 0xff; // inside the signature: still parses, different certificate bytes
		const other = parseCertificate(changed);
		expect(other).not.toBe(view);
		expect(other.sha256).not.toBe(view.sha256);
		expect(parseCertificate(der)).toBe(view);
	});

	it('stays bounded', () => {
		// Unique variants of one certificate (a flipped signature byte) fill the cache past its bound.
		const base = certs[0];
		for (let i = 0; i < 600; i++) {
			const v = Buffer.from(base);
			v.writeUInt16BE(i, v.length - 4);
			parseCertificate(v);
		}
		expect(certificateCacheSize()).toBe(512);
		const newest = Buffer.from(base);
		newest.writeUInt16BE(599, newest.length - 4);
		const newestView = parseCertificate(newest);
		expect(parseCertificate(Buffer.from(newest))).toBe(newestView);
	});
});

describe('certView cache keyed by DER', () => {
	it('same bytes give the same frozen view; other bytes another; bounded', () => {
		const a = certView(Buffer.from(certs[0]));
		expect(certView(Buffer.from(certs[0]))).toBe(a);
		expect(certView(new X509Certificate(certs[0]))).toBe(a);
		expect(Object.isFrozen(a)).toBe(true);
		const b = certView(Buffer.from(certs[1]));
		expect(b).not.toBe(a);
		const flipped = Buffer.from(certs[0]);
		flipped[flipped.length - 5] ^= 0xff;
		expect(certView(flipped)).not.toBe(a);
		for (let i = 0; i < 600; i++) {
			const v = Buffer.from(certs[1]);
			v.writeUInt16BE(i, v.length - 4);
			certView(v);
		}
		expect(certViewCacheSize()).toBe(512);
	});

	it('malformed bytes are still refused with certificate.malformed, and not cached', () => {
		const before = certViewCacheSize();
		expect(() => certView(Buffer.from('not a certificate'))).toThrow(expect.objectContaining({ rule: 'certificate.malformed' }));
		expect(certViewCacheSize()).toBe(before);
	});
});
