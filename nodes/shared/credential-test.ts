import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { SmartIdError } from '../../lib/errors';
import { getSigningCertificate } from '../../lib/flows/signing-certificate';
import { clientFor } from '../../lib/sessions';
import { configFromCredential, type SmartIdConfig } from './config';

/** Syntactically valid (EE check digit correct) document number that no real account has. */
export const PROBE_DOCUMENT_NUMBER = 'PNOEE-30001019991-N8NT-Q';

/** How long the test may take: a person waits in front of the form. */
const TEST_DEADLINE_MS = 15_000;

/** Host of the RP API, for messages (Demo and Live have no Base URL field the user could check). */
function hostOf(config: SmartIdConfig): string {
	try {
		return new URL(config.baseUrl).host;
	} catch {
		return config.baseUrl;
	}
}

/**
 * Plain messages for what a credential test can run into. n8n puts its own "Couldn't connect with these settings"
 * in front; these sentences say what happened and which field or network path to check, in the words of the form
 * (no RP API endpoint ids).
 */
export function explainCredentialTestError(error: unknown, config: SmartIdConfig | undefined): string {
	const code = error instanceof SmartIdError ? error.code : '';
	const details = error instanceof SmartIdError ? error.details : {};
	if (!config) {
		// The credential could not even be read: the engine's message names the field to fix.
		return error instanceof Error ? error.message : String(error);
	}
	const host = hostOf(config);
	const hasBaseUrl = config.environment === 'custom' || config.environment === 'simulator';
	switch (code) {
		case 'SMARTID_RP_UNAUTHORIZED':
			return `Smart-ID at ${host} is reachable but refused the Relying Party UUID (HTTP 401). Check the UUID, and that this server's public IP address is registered with SK for it.`;
		case 'SMARTID_RP_FORBIDDEN':
			return `Smart-ID at ${host} is reachable but this relying party may not use the service (HTTP 403). Check the contract with SK.`;
		case 'SMARTID_TLS_PIN_MISMATCH':
			return `The TLS key of ${host} matches none of the Pinned TLS Public Keys (it presented ${String(details.presentedPin ?? 'another key')}). Add the current pin from SK's HTTPS pinning page, or empty the field. Nothing was sent.`;
		case 'SMARTID_HTTP_TIMEOUT':
			return `Smart-ID at ${host} did not answer within ${TEST_DEADLINE_MS / 1000} s. Check that this server can reach it (firewall, proxy, DNS).`;
		case 'SMARTID_CONNECTION_FAILED': {
			const reason = typeof details.reason === 'string' ? ` (${details.reason})` : '';
			return hasBaseUrl
				? `Could not connect to the Base URL ${config.baseUrl}${reason}. Check the Base URL${config.environment === 'simulator' ? ' and that the simulator (smart-id simulator) is running' : ''}.`
				: `Could not connect to Smart-ID at ${host}${reason}. Check that this server can reach it (DNS, firewall, proxy).`;
		}
		default: {
			const message = error instanceof Error ? error.message : String(error);
			// The engine names RP API calls by their spec ids, e.g. "the signing certificate query (C3)".
			return message.replace(/the [a-z][a-z -]* \([ACQS]\d\)/g, 'the test request');
		}
	}
}

/**
 * Harmless probe: ask for the signing certificate of a non-existent document (no person involved).
 * 404 (no such account) means the API is reachable and accepted the relying party.
 */
export async function testSmartIdCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	let client;
	let config: SmartIdConfig | undefined;
	try {
		config = configFromCredential(data);
		client = clientFor(config);
		await getSigningCertificate(client, { ...config.relyingParty, schemeName: config.schemeName }, PROBE_DOCUMENT_NUMBER, {}, {
			deadline: Date.now() + TEST_DEADLINE_MS,
		});
		return { status: 'OK', message: `Smart-ID at ${hostOf(config)} is reachable and accepted the relying party` };
	} catch (error) {
		const code = error instanceof SmartIdError ? error.code : '';
		if (config && (code === 'SMARTID_ACCOUNT_NOT_FOUND' || code === 'SMARTID_DOCUMENT_UNUSABLE' || code === 'SMARTID_CERTIFICATE_UNAVAILABLE')) {
			return { status: 'OK', message: `Smart-ID at ${hostOf(config)} is reachable and accepted the relying party` };
		}
		return { status: 'Error', message: explainCredentialTestError(error, config) };
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
