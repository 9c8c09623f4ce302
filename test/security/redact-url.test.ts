import { redactUrl } from '../../lib/redact-url';

describe('redactUrl (issue 11 item 9)', () => {
	it.each([
		['https://user:pa55@tsa.example/tsa', 'https://***:***@tsa.example/tsa'],
		['redis://:s3cret@redis:6379/0', 'redis://:***@redis:6379/0'],
		['https://APIKEY@ocsp.example/', 'https://***@ocsp.example/'],
		['http://tsa.example/tsa?key=abc123&mode=x', 'http://tsa.example/tsa?key=***&mode=***'],
		['https://ocsp.example/q?token=t0k#frag', 'https://ocsp.example/q?token=***'],
		['http://demo.sk.ee/ocsp', 'http://demo.sk.ee/ocsp'],
	])('%s -> %s', (url, expected) => {
		expect(redactUrl(url)).toBe(expected);
	});

	it('never shows secrets of text that is not a URL, and never throws', () => {
		expect(redactUrl('tsa.example/tsa?key=abc123')).toBe('tsa.example/tsa?***');
		expect(redactUrl('weird://us:pw@host with space?token=zz')).not.toMatch(/pw|zz/);
		expect(redactUrl(undefined)).toBe('');
		expect(redactUrl('x'.repeat(500)).length).toBeLessThanOrEqual(201);
	});
});
