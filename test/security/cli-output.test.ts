/**
 * The `smart-id sign` command (in-process `run()`, stdout/stderr captured) against the simulator, on success and
 * with the TSA or the RP API down: the output names what failed, and never contains a private key (PEM markers
 * or any piece of the simulator's user-key files) or a session secret field.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyContainer } from '../../lib/asice/verify';
import { run } from '../../lib/cli/sign';
import { TrustStore } from '../../lib/pki/trust-store';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { TEST_STATE_DIR, call } from '../simulator/helpers';

const DOC = 'PNOLT-40504040001-MOCK-Q';

let sim: RunningSimulator;
let dir: string;
let trustPem: string;

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 50, prewarm: [DOC] });
	dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-cli-security-'));
	trustPem = path.join(dir, 'ca.pem');
	await fs.writeFile(trustPem, sim.caPems.join('\n'));
	await fs.writeFile(path.join(dir, 'a.txt'), 'hello');
}, 60_000);

afterAll(async () => {
	await sim?.stop();
	await fs.rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
	await call(`${sim.controlUrl}faults`, { method: 'DELETE' });
});

/** Run `smart-id sign` in this process; returns the exit code and everything written to stdout/stderr. */
async function sign(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
	let stdout = '';
	let stderr = '';
	const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
	const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
	try {
		const code = await run([
			path.join(dir, 'a.txt'), '--out', out, '--env', 'custom', '--base-url', sim.baseUrl, '--rp-uuid', sim.relyingPartyUUID, '--rp-name', sim.relyingPartyName,
			'--document-number', DOC, '--tsa-url', sim.tsaUrl, '--ocsp-url', sim.ocspUrl, '--trust-pem', trustPem, '--timeout-ms', '20000',
		]);
		return { code, stdout, stderr };
	} finally {
		o.mockRestore();
		e.mockRestore();
	}
}

/** 64-character lines of every user private-key file the simulator holds: none may show up in any output. */
async function keyMaterial(): Promise<string[]> {
	const keys = path.join(TEST_STATE_DIR, 'keys');
	const lines: string[] = [];
	for (const name of (await fs.readdir(keys)).filter((n) => n.includes(DOC))) {
		const pem = await fs.readFile(path.join(keys, name), 'utf8');
		lines.push(...pem.split('\n').filter((l) => l.length === 64));
	}
	expect(lines.length).toBeGreaterThan(10);
	return lines;
}

function expectClean(text: string, keyLines: string[]): void {
	expect(text).not.toMatch(/PRIVATE KEY/);
	expect(text).not.toMatch(/sessionSecret/i);
	expect(keyLines.filter((l) => text.includes(l))).toEqual([]);
}

test('success: one JSON line, a TOTAL-PASSED container, no key material', async () => {
	const out = path.join(dir, 'ok.asice');
	const r = await sign(out);
	expect(r.code).toBe(0);
	expect(JSON.parse(r.stdout.trim())).toMatchObject({ documentNumber: DOC, out });
	expect(r.stderr).toMatch(/Verification code: \d{4}/);
	const report = await verifyContainer(out, { trust: TrustStore.fromPem(sim.caPems) });
	expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
	expectClean(r.stdout + r.stderr, await keyMaterial());
}, 60_000);

test.each([
	['TSA down', { kind: 'status', target: 'tsa', status: 503 }, /TSA/],
	['OCSP responder dropping connections', { kind: 'drop', target: 'ocsp' }, /OCSP responder/],
	['Smart-ID in maintenance (580 storm)', { kind: 'status', target: 'rp-api', status: 580 }, /580|maintenance/i],
])('%s: exit 1, the message names the failing service, nothing half-written, no key material', async (_name, rule, names) => {
	expect((await call(`${sim.controlUrl}faults`, { body: rule })).status).toBe(201);
	const out = path.join(dir, `${_name.split(' ')[0]}.asice`);
	const r = await sign(out);
	expect(r.code).toBe(1);
	expect(r.stdout).toBe('');
	expect(r.stderr).toMatch(/Signing failed/);
	expect(r.stderr).toMatch(names);
	await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
	expectClean(r.stdout + r.stderr, await keyMaterial());
}, 60_000);
