import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenServiceError, checkServiceUrl, postDer } from '../../lib/pki/ocsp-tsp-http';
import { redactUrl } from '../../lib/redact-url';

describe('redactUrl (issue 11 item 9)', () => {
	it.each([
		['https://user:pa55@tsa.example/tsa', 'https://user:***@tsa.example/tsa'],
		['http://tsa.example/tsa?key=a&key=b', 'http://tsa.example/tsa?key=***'],
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

describe('TSA / OCSP URLs in errors and results are redacted', () => {
	it('a failing TSA with a key in its query: the error message, details and url carry no key', async () => {
		const server = http.createServer((_req, res) => {
			res.writeHead(500);
			res.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as AddressInfo).port;
		try {
			const error = (await postDer(`http://127.0.0.1:${port}/tsa?key=SECRET-KEY&token=SECRET-TOKEN`, Buffer.from('x'), {
				peer: 'TSA',
				contentType: 'application/timestamp-query',
				accept: 'application/timestamp-reply',
				timeoutMs: 2000,
			}).catch((e: unknown) => e)) as TokenServiceError;
			expect(error).toBeInstanceOf(TokenServiceError);
			expect(error.message).toContain('HTTP 500');
			expect(JSON.stringify({ message: error.message, details: error.details, url: error.url })).not.toMatch(/SECRET/);
			expect(error.url).toBe(`http://127.0.0.1:${port}/tsa?key=***&token=***`);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('an invalid or credential-carrying URL is refused without echoing the secret', () => {
		for (const url of ['https://user:SECRET@tsa.example/tsa', 'not a url?token=SECRET', 'ftp://tsa.example/?key=SECRET']) {
			let error: TokenServiceError | undefined;
			try {
				checkServiceUrl('OCSP responder', url);
			} catch (e) {
				error = e as TokenServiceError;
			}
			expect(error).toBeInstanceOf(TokenServiceError);
			expect(JSON.stringify({ message: error!.message, details: error!.details })).not.toMatch(/SECRET/);
		}
	});
});
