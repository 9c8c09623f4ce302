// A real HTTP(S) server on 127.0.0.1 for client tests: records requests and counts TCP connections.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RecordedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse, index: number) => void;

export interface TestServer {
	baseUrl: string;
	port: number;
	requests: RecordedRequest[];
	connections: number;
	handler: Handler;
	close(): Promise<void>;
}

export interface TlsMaterial {
	certPem: string;
	keyPem: string;
	pin: string;
}

/** A self-signed EC certificate for 127.0.0.1, made with openssl; its SPKI pin is computed independently by node. */
export function makeTlsMaterial(name: string): TlsMaterial {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sid-tls-'));
	const key = path.join(dir, 'key.pem');
	const cert = path.join(dir, 'cert.pem');
	execFileSync('openssl', [
		'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
		'-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
		'-addext', 'subjectAltName=IP:127.0.0.1',
	], { stdio: 'ignore' });
	const certPem = fs.readFileSync(cert, 'utf8');
	const keyPem = fs.readFileSync(key, 'utf8');
	fs.rmSync(dir, { recursive: true, force: true });
	const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
	return { certPem, keyPem, pin: `sha256//${createHash('sha256').update(spki).digest('base64')}` };
}

export async function startServer(handler: Handler, tls?: TlsMaterial): Promise<TestServer> {
	const state: TestServer = {
		baseUrl: '',
		port: 0,
		requests: [],
		connections: 0,
		handler,
		close: async () => undefined,
	};
	const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const rec: RecordedRequest = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			state.requests.push(rec);
			state.handler(rec, res, state.requests.length - 1);
		});
	};
	const server = tls
		? https.createServer({ cert: tls.certPem, key: tls.keyPem }, listener)
		: http.createServer(listener);
	const sockets = new Set<import('node:net').Socket>();
	server.on(tls ? 'secureConnection' : 'connection', (socket) => {
		state.connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	state.port = (server.address() as AddressInfo).port;
	state.baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${state.port}/smart-id-rp/v3/`;
	state.close = () =>
		new Promise<void>((resolve) => {
			for (const s of sockets) s.destroy();
			server.close(() => resolve());
		});
	return state;
}

export function json(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}
