
describe('TSA / OCSP URLs in errors and results are redacted', () => {
	it('a failing TSA with a key in its query: the error message, details and url carry no key', async () => {
		const { postDer } = await import('../../lib/pki/ocsp-tsp-http');
		const http = await import('node:http');
		const server = http.createServer((_req, res) => {
			res.writeHead(500);
			res.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as { port: number }).port;
		try {
			const error = (await postDer(`http://127.0.0.1:${port}/tsa?key=SECRET-KEY&token=SECRET-TOKEN`, Buffer.from('x'), {
				peer: 'TSA',
				contentType: 'application/timestamp-query',
				accept: 'application/timestamp-reply',
				timeoutMs: 2000,
			}).catch((e: unknown) => e)) as { message: string; details: unknown; url: string };
			expect(error.message).toContain('HTTP 500');
			const shown = JSON.stringify({ message: error.message, details: error.details, url: error.url });
			expect(shown).not.toMatch(/SECRET/);
			expect(error.url).toBe(`http://127.0.0.1:${port}/tsa?key=***&token=***`);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});

	it('an invalid or credential-carrying URL is refused without echoing the secret', async () => {
		const { checkServiceUrl } = await import('../../lib/pki/ocsp-tsp-http');
		for (const url of ['https://user:SECRET@tsa.example/tsa', 'not a url?token=SECRET', 'ftp://tsa.example/?key=SECRET']) {
			let error: { message: string; details: unknown } | undefined;
			try {
				checkServiceUrl('OCSP responder', url);
			} catch (e) {
				error = e as { message: string; details: unknown };
			}
			expect(error).toBeDefined();
			expect(JSON.stringify({ message: error!.message, details: error!.details })).not.toMatch(/SECRET/);
		}
	});
});
