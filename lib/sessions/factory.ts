import * as path from 'node:path';

import { SmartIdError } from '../errors';
import { FileSessionStore } from './file-store';
import { RedisSessionStore } from './redis-store';
import type { PendingSessionStore } from './store';

/** Store settings as a credential holds them. */
export type SessionStoreSettings =
	| { type: 'file'; folder: string; queueMode?: boolean }
	| { type: 'redis'; url: string; keyPrefix?: string };

/** `<userFolder>/.n8n/smart-id-sessions`: the default folder; the caller supplies n8n's user folder. */
export function defaultSessionFolder(n8nUserFolder: string): string {
	return path.join(n8nUserFolder, '.n8n', 'smart-id-sessions');
}

/** A store for the given settings; throws a configuration error that says which field is wrong. */
export function createSessionStore(settings: SessionStoreSettings): PendingSessionStore {
	switch (settings?.type) {
		case 'file':
			// Workers and the main process of a queue-mode n8n share no disk: the trigger would never see the record.
			if (settings.queueMode) {
				throw new SmartIdError(
					'SMARTID_SESSION_STORE_CONFIG',
					'The File session store does not work in n8n queue mode: workers and the main process do not share a disk, so the Smart-ID Trigger would never see these sessions. Open the Smart-ID credential and set Session Store to Redis.',
				);
			}
			return new FileSessionStore({ folder: settings.folder });
		case 'redis':
			return new RedisSessionStore({ url: settings.url, keyPrefix: settings.keyPrefix });
		default:
			throw new SmartIdError(
				'SMARTID_SESSION_STORE_CONFIG',
				'Session store type must be "file" or "redis"; check the Session Store field of the credential',
			);
	}
}
