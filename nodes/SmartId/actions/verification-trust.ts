import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { TrustSource, type TrustChoice } from '../../../lib/pki/trust-source';
import { str } from '../../shared/params';

/** Node values of the "Trust" parameter → engine trust choices. */
const CHOICE: Record<string, TrustChoice> = { skLive: 'sk', skDemo: 'sk-demo', skBoth: 'sk-both', eu: 'eu', skEu: 'sk+eu' };

// One trust source per distinct configuration and process, renewed every few hours: EU lists are loaded (and cached
// on disk, refreshed at most daily by the loader) once per period, not per item, and a long-running n8n still
// picks up new lists.
const sources = new Map<string, { pending: Promise<TrustSource>; at: number }>();
const MAX_SOURCES = 16;
const RENEW_MS = 6 * 60 * 60 * 1000;

/**
 * The trust Verify Container / Extend Signatures use, from the node's own parameters (Trust, Extra Trusted
 * Certificates, trusted-list options); never from a Smart-ID credential, so verifying needs no RP account.
 */
export async function trustFromParameters(ctx: IExecuteFunctions, i: number): Promise<{ source: TrustSource; validationTime?: Date }> {
	const value = str(ctx, 'verificationTrust', i, 'skLive');
	const choice = CHOICE[value];
	if (!choice) throw new InvalidRequestError(`Trust "${value}" is not known: pick one from the Trust list`);
	const pem = str(ctx, 'extraTrustedCertificates', i);
	const options = ctx.getNodeParameter('trustOptions', i, {}) as IDataObject;
	const cacheDir = typeof options.trustedListCacheFolder === 'string' ? options.trustedListCacheFolder.trim() : '';
	const ojPem = typeof options.officialJournalCertificates === 'string' ? options.officialJournalCertificates.trim() : '';
	const offline = options.trustedListOffline === true;
	const at = typeof options.validationTime === 'string' && options.validationTime ? new Date(options.validationTime) : undefined;
	if (at && Number.isNaN(at.getTime())) throw new InvalidRequestError('Validation Time is not a date: give an ISO date-time such as 2030-01-01T00:00:00Z');
	const key = JSON.stringify([choice, pem, cacheDir, ojPem, offline]);
	const cached = sources.get(key);
	let pending = cached && Date.now() - cached.at < RENEW_MS ? cached.pending : undefined;
	if (!pending) {
		pending = TrustSource.load({
			choice,
			...(pem ? { extraPems: [pem] } : {}),
			// Empty option: the OJ set bundled with the package; filled: exactly those certificates.
			eu: { ...(ojPem ? { ojCertificates: [ojPem] } : {}), ...(cacheDir ? { cacheDir } : {}), offline },
		});
		// A failed load is not kept: the next execution tries again (e.g. once the network is back).
		const entry = { pending, at: Date.now() };
		pending.catch(() => {
			if (sources.get(key) === entry) sources.delete(key);
		});
		sources.delete(key);
		if (sources.size >= MAX_SOURCES) sources.delete(sources.keys().next().value!);
		sources.set(key, entry);
	}
	return { source: await pending, ...(at ? { validationTime: at } : {}) };
}
