import { compressionFor, dataFileUri, guessMediaType, manifestXml } from '../../../lib/asice/sign';
import { decodeReferenceUri } from '../../../lib/asice/verify';
import { checkMediaType } from '../../../lib/asice/sign/media-types';
import fc from 'fast-check';

describe('dataFileUri', () => {
	it('matches the encodings seen in real containers', () => {
		expect(dataFileUri('Faili nimi.txt')).toBe('Faili%20nimi.txt'); // space-in-datafile-name-percent-encoded-in-signature.asice
		expect(dataFileUri("0123456789~#%&()=`@{[]}'.txt")).toBe('0123456789~%23%25%26%28%29%3D%60%40%7B%5B%5D%7D%27.txt'); // libdigidocpp
		expect(dataFileUri('a+b.txt')).toBe('a%2Bb.txt');
		expect(dataFileUri('äö.txt')).toBe('%C3%A4%C3%B6.txt');
		expect(dataFileUri('😀')).toBe('%F0%9F%98%80');
		expect(dataFileUri('\u0001')).toBe('%01'); // leading zero kept (libdigidocpp forgets it)
	});

	it('round-trips through the verifier and decodeURIComponent for any name', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (name) => {
				const uri = dataFileUri(name);
				expect(uri).toMatch(/^[A-Za-z0-9\-._~/%]*$/);
				expect(decodeURIComponent(uri)).toBe(name);
				expect(decodeReferenceUri(uri)).toBe(name);
			}),
		);
	});
});

describe('media types', () => {
	it('guesses by extension and stores only already-compressed types', () => {
		expect(guessMediaType('a.PDF')).toBe('application/pdf');
		expect(guessMediaType('noext')).toBe('application/octet-stream');
		expect(compressionFor('image/jpeg')).toBe('store');
		expect(compressionFor('video/mp4')).toBe('store');
		expect(compressionFor('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('store');
		expect(compressionFor('application/pdf')).toBe('auto');
		expect(compressionFor('text/plain; charset=utf-8')).toBe('auto');
	});

	it('refuses values that are not type/subtype', () => {
		for (const bad of ['text', '', 'text/', '/plain', 'text/plain\n', 'a b/c', 42]) expect(() => checkMediaType(bad, 'f')).toThrow(/type\/subtype/);
		expect(checkMediaType('text/plain; charset="utf-8"', 'f')).toBe('text/plain; charset="utf-8"');
	});

	it('writes the manifest with raw, XML-escaped names', () => {
		const xml = manifestXml([{ name: 'a&b "c".txt', mimeType: 'text/plain' }]);
		expect(xml).toContain('<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>');
		expect(xml).toContain('manifest:full-path="a&amp;b &quot;c&quot;.txt" manifest:media-type="text/plain"');
	});
});
