import * as fs from 'node:fs';
import { run } from '../../lib/cli/simulator';
import { call, TEST_STATE_DIR } from './helpers';

jest.setTimeout(60_000);

describe('smart-id simulator (CLI)', () => {
	it('prints one JSON line when ready, serves requests, and stops cleanly on SIGTERM', async () => {
		const lines: string[] = [];
		const log = jest.spyOn(process.stdout, 'write').mockImplementation((line: string | Uint8Array) => lines.push(String(line).trimEnd()) > 0);
		try {
			const exit = run(['--port', '0', '--state-dir', TEST_STATE_DIR, '--notification-delay-ms', '50']);
			while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
			expect(lines).toHaveLength(1);
			const ready = JSON.parse(lines[0]);
			expect(ready.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/smart-id-rp\/v3\/$/);
			expect(ready.schemeName).toBe('smart-id-demo');
			expect(ready.relyingPartyUUID).toBe('00000000-0000-4000-8000-000000000000');
			expect(ready.relyingPartyName).toBe('DEMO');
			expect(ready.ocspUrl).toMatch(/\/ocsp$/);
			expect(ready.tsaUrl).toMatch(/\/tsa$/);
			expect(ready.controlUrl).toMatch(/\/control\/$/);
			expect(ready.caPemPaths).toHaveLength(3);
			for (const p of ready.caPemPaths) expect(fs.readFileSync(p, 'utf8')).toContain('BEGIN CERTIFICATE');
			expect(ready.caPemDir).toBe(`${TEST_STATE_DIR}/ca`);
			const c3 = await call(`${ready.baseUrl}signature/certificate/PNOEE-40504040001-DEM0-Q`, {
				body: { relyingPartyUUID: ready.relyingPartyUUID, relyingPartyName: ready.relyingPartyName },
			});
			expect(c3.body.state).toBe('OK');
			process.emit('SIGTERM');
			expect(await exit).toBe(0);
			await expect(fetch(ready.controlUrl + 'accounts')).rejects.toThrow();
		} finally {
			log.mockRestore();
		}
	});

	it('refuses bad arguments with exit code 2 and says what is wrong', async () => {
		const errors: string[] = [];
		const spy = jest.spyOn(process.stderr, 'write').mockImplementation((line: string | Uint8Array) => errors.push(String(line)) > 0);
		try {
			expect(await run(['--port', 'abc'])).toBe(2);
			expect(errors[0]).toContain('--port must be an integer');
			expect(await run(['--bogus'])).toBe(2);
			expect(errors[1]).toContain('Unknown option --bogus');
		} finally {
			spy.mockRestore();
		}
	});
});
