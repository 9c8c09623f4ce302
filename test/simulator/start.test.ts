import { startSimulator } from '../../lib/simulator';
import { call, TEST_STATE_DIR } from './helpers';

jest.setTimeout(60_000);

describe('startSimulator', () => {
	it('reports the agreed fields and serves on loopback; stop() closes it', async () => {
		const sim = await startSimulator({ stateDir: TEST_STATE_DIR, prewarm: ['PNOEE-40504040001-DEM0-Q'] });
		expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/smart-id-rp\/v3\/$/);
		expect(sim.mockDeviceLinkUrl).toBe(sim.baseUrl.replace('/smart-id-rp/v3/', '/mock/device-link'));
		expect(sim.caPems).toHaveLength(3);
		expect(sim.caPemPaths).toHaveLength(3);
		expect(sim.ocspResponderPems).toHaveLength(2);
		expect(sim.accounts.length).toBeGreaterThan(60);
		const certs = await call(`${sim.controlUrl}accounts/PNOEE-40504040001-DEM0-Q/certificates`);
		expect(certs.body.sign.ocspStatus).toBe('good');
		await sim.stop();
		await sim.stop();
		await expect(fetch(sim.controlUrl + 'accounts')).rejects.toThrow();
	});

	it('refuses an unknown prewarm account and a busy port', async () => {
		await expect(startSimulator({ stateDir: TEST_STATE_DIR, prewarm: ['PNOEE-00000000000-NOPE-Q'] })).rejects.toThrow(/not a simulator account/);
		const first = await startSimulator({ stateDir: TEST_STATE_DIR });
		try {
			const port = Number(new URL(first.baseUrl).port);
			await expect(startSimulator({ stateDir: TEST_STATE_DIR, port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
		} finally {
			await first.stop();
		}
	});
});
