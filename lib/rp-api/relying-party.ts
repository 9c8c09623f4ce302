import { InvalidRequestError } from '../errors';

/** The relying party's identity as SK registered it (spec §1, §2.1). */
export interface RelyingParty {
	/** UUID issued by SK (demo: `00000000-0000-4000-8000-000000000000`). */
	relyingPartyUUID: string;
	/** Name registered with SK; shown in the app and part of signed payloads; at most 32 UTF-8 bytes. */
	relyingPartyName: string;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Maximum relyingPartyName length in UTF-8 bytes (java client / 3.0 docs). */
export const MAX_RELYING_PARTY_NAME_BYTES = 32;

/** Refuse a malformed relying-party UUID or name before anything is sent. Returns the values unchanged. */
export function validateRelyingParty(rp: RelyingParty): RelyingParty {
	if (typeof rp?.relyingPartyUUID !== 'string' || !UUID_RE.test(rp.relyingPartyUUID)) {
		throw new InvalidRequestError(
			'relyingPartyUUID is not a UUID (8-4-4-4-12 hex digits): copy it exactly as SK issued it',
			{ field: 'relyingPartyUUID' },
		);
	}
	const name = rp.relyingPartyName;
	if (typeof name !== 'string' || name.trim() === '') {
		throw new InvalidRequestError('relyingPartyName is empty: use the name SK registered for your relying party', {
			field: 'relyingPartyName',
		});
	}
	const bytes = Buffer.byteLength(name, 'utf8');
	if (bytes > MAX_RELYING_PARTY_NAME_BYTES) {
		throw new InvalidRequestError(
			`relyingPartyName is ${bytes} UTF-8 bytes long; Smart-ID allows at most ${MAX_RELYING_PARTY_NAME_BYTES}`,
			{ field: 'relyingPartyName', bytes },
		);
	}
	return { relyingPartyUUID: rp.relyingPartyUUID, relyingPartyName: name };
}
