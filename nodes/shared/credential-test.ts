import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { SmartIdError } from '../../lib/errors';
import { getSigningCertificate } from '../../lib/flows/signing-certificate';
import { clientFor } from '../../lib/sessions';
import { configFromCredential } from './config';

/** Syntactically valid (EE check digit correct) document number that no real account has. */
export const PROBE_DOCUMENT_NUMBER = 'PNOEE-30001019991-N8NT-Q';

/** Plain messages for what a credential test can run into. */
function explain(error: unknown): string {
	const code = error instanceof SmartIdError ? error.code : '';
	switch (code) {
		case 'SMARTID_RP_UNAUTHORIZED':
			return 'Smart-ID is reachable but did not accept the Relying Party UUID (HTTP 401): check the UUID and that this server\'s IP is registered with SK.';
		case 'SMARTID_RP_FORBIDDEN':
			return 'Smart-ID is reachable but this relying party may not use the service (HTTP 403): check the contract with SK.';
		case 'SMARTID_TLS_PIN_MISMATCH':
			return `The server's TLS key matches none of the pinned keys: update the pins from SK's pinning page. ${(error as Error).message}`;
		case 'SMARTID_HTTP_TIMEOUT':
			return 'Smart-ID did not answer in time: check the firewall/proxy path to the Base URL.';
		case 'SMARTID_CONNECTION_FAILED':
			return `Could not connect to Smart-ID (DNS, refused or TLS failure): check the Base URL. ${(error as Error).message}`;
		default:
			return error instanceof Error ? error.message : String(error);
	}
}

/**
 * Harmless probe: ask for the signing certificate of a non-existent document (C3, no user involved).
 * 404 (no such account) means the API is reachable and accepted the relying party.
 */
export async function testSmartIdCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	let client;
	try {
		const config = configFromCredential(data);
		client = clientFor(config);
		await getSigningCertificate(client, { ...config.relyingParty, schemeName: config.schemeName }, PROBE_DOCUMENT_NUMBER, {}, {
			deadline: Date.now() + 15_000,
		});
		return { status: 'OK', message: 'Smart-ID is reachable and accepted the relying party' };
	} catch (error) {
		const code = error instanceof SmartIdError ? error.code : '';
		if (code === 'SMARTID_ACCOUNT_NOT_FOUND' || code === 'SMARTID_DOCUMENT_UNUSABLE' || code === 'SMARTID_CERTIFICATE_UNAVAILABLE') {
			return { status: 'OK', message: 'Smart-ID is reachable and accepted the relying party' };
		}
		return { status: 'Error', message: explain(error) };
	} finally {
		client?.close();
	}
}

/** `methods` of both nodes: the credential's Test button runs {@link testSmartIdCredential}. */
export const credentialTestMethods = {
	credentialTest: {
		async smartIdApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
			return testSmartIdCredential(credential.data ?? {});
		},
	},
};
