import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { settingsFromCredential, type RuntimeSettings } from '../../lib/sessions';

/** Everything the engine needs from a `smartIdApi` credential, resolved and checked. */
export type SmartIdConfig = RuntimeSettings;

/**
 * n8n's user folder: `N8N_USER_FOLDER` or the home folder (n8n's own rule). Read here in the node layer
 * because lib/ never reads n8n's environment.
 */
export function n8nUserFolder(): string {
	return process.env.N8N_USER_FOLDER?.trim() || os.homedir();
}

/**
 * n8n's own encryption key: `N8N_ENCRYPTION_KEY` (always set in queue mode), else `encryptionKey` in
 * `<user folder>/.n8n/config`, which n8n writes on first start. Undefined when neither exists.
 */
export function n8nEncryptionKey(userFolder: string): string | undefined {
	const fromEnv = process.env.N8N_ENCRYPTION_KEY?.trim();
	if (fromEnv) return fromEnv;
	try {
		const config = JSON.parse(readFileSync(path.join(userFolder, '.n8n', 'config'), 'utf8')) as { encryptionKey?: unknown };
		return typeof config.encryptionKey === 'string' && config.encryptionKey ? config.encryptionKey : undefined;
	} catch {
		return undefined;
	}
}

/** Resolve a credential into engine settings; throws InvalidRequestError naming the field to fix. */
export function configFromCredential(data: ICredentialDataDecryptedObject, userFolder = n8nUserFolder()): SmartIdConfig {
	const ownKey = typeof data.sessionRecordKey === 'string' && data.sessionRecordKey !== '';
	return settingsFromCredential(data, {
		userFolder,
		n8nEncryptionKey: ownKey ? undefined : n8nEncryptionKey(userFolder),
		queueMode: process.env.EXECUTIONS_MODE === 'queue',
	});
}
