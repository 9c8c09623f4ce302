import { InvalidRequestError } from '../errors';
import { SessionRuntime, type RuntimeSettings } from '../sessions';

const EXECUTION_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The store scope of one hosted page: the credential's key plus the n8n execution that waits on the page. Its
 * sessions are sealed with a key derived for this scope and listed under it, so the Smart-ID Trigger (which lists
 * its credential's key) never takes them, and the page finds its session by the execution alone.
 */
export function hostedPageScope(credentialKey: string, executionId: string): string {
	if (!EXECUTION_ID.test(executionId)) {
		throw new InvalidRequestError(`Execution id "${executionId.slice(0, 70)}" is not usable for a hosted page (letters, digits and "-" only)`);
	}
	return `${credentialKey}:hosted-page:${executionId}`;
}

/** A runtime whose store records, record key and expectation belong to the page's scope. */
export function hostedPageRuntime(settings: RuntimeSettings, executionId: string, maxSockets?: number): SessionRuntime {
	return new SessionRuntime({ ...settings, credentialKey: hostedPageScope(settings.credentialKey, executionId) }, maxSockets);
}
