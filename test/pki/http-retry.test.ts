import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postDer, TokenServiceError, type PostDerOptions } from '../../lib/pki/ocsp-tsp-http';

type Mode = 'ok' | 'resetSecondPerConnection' | 'resetAll';

/** Loopback TSA-like server whose misbehaviour is chosen per test; counts requests and connections. */
async function startServer(): Promise<{ url: string; state: { mode: Mode; requests: number; connections: number }; close(): Promise<void> }> {
	const state = { mode: 'ok' as Mode, requests: 0, connections: 0 };
	const perSocket = new WeakMap<object, number>();
	const server = http.createServer({ keepAlive: true, keepAliveTimeout: 30_000 }, (req, res) => {
		state.requests++;
		const n = (perSocket.get(req.socket) ?? 0) + 1;
		perSocket.set(req.socket, n);
		// Close the connection exactly when the client reuses it, before any response byte.
		if (state.mode === 'resetAll' || (state.mode === 'resetSecondPerConnection' && n === 2)) {
			req.socket.destroy();
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
			res.end(Buffer.concat([Buffer.from('echo:'), ...chunks]));
		});
	});
	server.on('connection', () => state.connections++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/tsa`,
		state,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const options = (agent: http.Agent): PostDerOptions => ({
	peer: 'TSA',
	contentType: 'application/timestamp-query',
	accept: 'application/timestamp-reply',
	timeoutMs: 5_000,
	agent,
});

describe('postDer keep-alive reuse and retry', () => {
	let agent: http.Agent;
	beforeEach(() => {
		agent = new http.Agent({ keepAlive: true, maxSockets: 4, scheduling: 'lifo' });
	});
	afterEach(() => agent.destroy());

	it('retries once when the server closes a reused socket, and succeeds', async () => {
		const server = await startServer();
		try {
			server.state.mode = 'resetSecondPerConnection';
			expect((await postDer(server.url, Buffer.from('one'), options(agent))).toString()).toBe('echo:one');
			// Second request reuses the kept-alive socket; the server drops it; the retry goes out on a new connection.
			expect((await postDer(server.url, Buffer.from('two'), options(agent))).toString()).toBe('echo:two');
			expect(server.state.requests).toBe(3);
			expect(server.state.connections).toBe(2);
		} finally {
			await server.close();
		}
	});

	it('gives up after two attempts with an error naming the TSA when every reused socket is reset', async () => {
		const server = await startServer();
		try {
			// Warm three pooled connections, then make the server reset every request.
			await Promise.all(['a', 'b', 'c'].map((x) => postDer(server.url, Buffer.from(x), options(agent))));
			expect(server.state.connections).toBe(3);
			server.state.mode = 'resetAll';
			const before = server.state.requests;
			const error = await postDer(server.url, Buffer.from('x'), options(agent)).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(TokenServiceError);
			const e = error as TokenServiceError;
			expect(e.code).toBe('SMARTID_TSA_UNAVAILABLE');
			expect(e.message).toContain(`TSA at ${server.url}`);
			expect(e.details).toMatchObject({ attempts: 2, reusedSocket: true });
			expect(server.state.requests - before).toBe(2);
		} finally {
			await server.close();
		}
	});

	it('does not retry a reset on a fresh connection', async () => {
		const server = await startServer();
		try {
			server.state.mode = 'resetAll';
			const error = (await postDer(server.url, Buffer.from('x'), options(agent)).catch((e: unknown) => e)) as TokenServiceError;
			expect(error).toBeInstanceOf(TokenServiceError);
			expect(error.details).toMatchObject({ attempts: 1, reusedSocket: false });
			expect(server.state.requests).toBe(1);
		} finally {
			await server.close();
		}
	});

	it('uses the shared keep-alive agent by default and survives a reset of a reused socket', async () => {
		const server = await startServer();
		try {
			server.state.mode = 'resetSecondPerConnection';
			const opts = { ...options(agent), agent: undefined };
			for (const x of ['1', '2', '3']) expect((await postDer(server.url, Buffer.from(x), opts)).toString()).toBe(`echo:${x}`);
			// 1 ok (conn A), 2 reset on A + retry ok (conn B), 3 reset on B + retry ok (conn C)
			expect(server.state.requests).toBe(5);
			expect(server.state.connections).toBe(3);
		} finally {
			await server.close();
		}
	});

	it('starts the peer timeout when the request gets a connection, not while it waits for the pool', async () => {
		const slow = http.createServer((_req, res) => {
			setTimeout(() => {
				res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
				res.end('late');
			}, 300);
		});
		await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
		const single = new http.Agent({ keepAlive: true, maxSockets: 1 });
		try {
			// Each answer takes 300 ms; three requests through one socket finish after ~900 ms, but each gets 500 ms of peer time.
			const results = await Promise.all([1, 2, 3].map(() => postDer(url, Buffer.from('q'), { ...options(single), timeoutMs: 500 })));
			expect(results.map(String)).toEqual(['late', 'late', 'late']);
			// With a queue limit smaller than the wait, the last one fails and says so.
			const queued = await Promise.all(
				[1, 2, 3].map((i) => postDer(url, Buffer.from('q'), { ...options(single), timeoutMs: 500, queueTimeoutMs: i === 3 ? 100 : 5_000 }).catch((e: unknown) => e)),
			);
			expect(String(queued[0])).toBe('late');
			expect((queued[2] as TokenServiceError).message).toMatch(/No connection to the TSA .* became free/);
		} finally {
			single.destroy();
			slow.closeAllConnections();
			await new Promise<void>((resolve) => slow.close(() => resolve()));
		}
	});
});
