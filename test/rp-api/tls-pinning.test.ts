// SPKI pins of SK's real TLS certificates (spec §1, test/fixtures/trust) and the pinning check itself.
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { PinMismatchError } from '../../lib/rp-api/errors';
import { pinningCheckServerIdentity, spkiPin, validatePins } from '../../lib/rp-api/tls-pinning';
import { fixturePath } from '../helpers/fixtures';

const DEMO_2024_PIN = 'sha256//Ps1Im3KeB0Q4AlR+/J9KFd/MOznaARdwo4gURPCLaVA=';
const LIVE_2024_PIN = 'sha256//5qbYbM98EtA9yIVCQ1HVnkKyqZBUL6kpHoZfuMN+i8o=';

function load(file: string): X509Certificate {
	return new X509Certificate(fs.readFileSync(fixturePath('trust', file)));
}

/** The fields of a PeerCertificate that host-name and pin checks read. */
function peer(cert: X509Certificate, cn: string): PeerCertificate {
	return { raw: cert.raw, subject: { CN: cn }, subjectaltname: cert.subjectAltName } as unknown as PeerCertificate;
}

describe('SK TLS pins', () => {
	const demo = load('demo/tls/sid.demo.sk.ee__2024.pem');
	const live = load('live/tls/rp-api.smart-id.com__2024.pem');

	it('reproduces the published pins from the certificates', () => {
		expect(spkiPin(demo.publicKey.export({ type: 'spki', format: 'der' }))).toBe(DEMO_2024_PIN);
		expect(spkiPin(live.publicKey.export({ type: 'spki', format: 'der' }))).toBe(LIVE_2024_PIN);
	});

	it('accepts the demo host with its pin among current + next, refuses it with the live pin only', () => {
		expect(pinningCheckServerIdentity([LIVE_2024_PIN, DEMO_2024_PIN])('sid.demo.sk.ee', peer(demo, 'sid.demo.sk.ee'))).toBeUndefined();
		const error = pinningCheckServerIdentity([LIVE_2024_PIN])('sid.demo.sk.ee', peer(demo, 'sid.demo.sk.ee'));
		expect(error).toBeInstanceOf(PinMismatchError);
		expect((error as PinMismatchError).presentedPin).toBe(DEMO_2024_PIN);
	});

	it('still checks the host name first', () => {
		const error = pinningCheckServerIdentity([DEMO_2024_PIN])('rp-api.smart-id.com', peer(demo, 'sid.demo.sk.ee'));
		expect(error).toBeDefined();
		expect(error).not.toBeInstanceOf(PinMismatchError);
	});

	it('validates the pin format', () => {
		expect(validatePins([` ${DEMO_2024_PIN} `])).toEqual([DEMO_2024_PIN]);
		expect(() => validatePins([])).toThrow(/empty/);
		expect(() => validatePins(['Ps1Im3KeB0Q4AlR+/J9KFd/MOznaARdwo4gURPCLaVA='])).toThrow(/#1 is not of the form/);
		expect(() => validatePins([DEMO_2024_PIN, 'sha256//short='])).toThrow(/#2/);
	});
});
