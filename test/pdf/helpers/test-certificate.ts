import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A throw-away self-signed RSA certificate (PEM) made by openssl, for tests that never reach the signing step. */
export function testSignerCertificate(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-cert-'));
	try {
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=PDF test signer'], { cwd: dir, stdio: 'ignore' });
		return fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
