import { InvalidRequestError } from '../errors';
import { base64OfUtf8 } from '../encoding';
import { INTERACTION_TYPES, type Interaction, type InteractionType } from './types';

/** Which kind of session the interactions are for; decides which types are allowed (spec §2.2). */
export type InteractionFlow = 'deviceLink' | 'notification' | 'linked';

const TEXT_FIELD: Record<InteractionType, { field: 'displayText60' | 'displayText200'; max: number }> = {
	displayTextAndPIN: { field: 'displayText60', max: 60 },
	confirmationMessage: { field: 'displayText200', max: 200 },
	confirmationMessageAndVerificationCodeChoice: { field: 'displayText200', max: 200 },
};

const ALLOWED: Record<InteractionFlow, readonly InteractionType[]> = {
	deviceLink: ['displayTextAndPIN', 'confirmationMessage'],
	notification: INTERACTION_TYPES,
	linked: ['displayTextAndPIN', 'confirmationMessage'],
};

const FLOW_NAMES: Record<InteractionFlow, string> = {
	deviceLink: 'device-link sessions',
	notification: 'notification sessions',
	linked: 'linked signature sessions',
};

/**
 * Check interactions against the rules of spec §2.2 and encode them as the `interactions` request string:
 * Base64 of the UTF-8 JSON array, each object `{"type":…,"displayTextNN":…}` in that key order. Build it
 * ONCE per session and store it: authCode and ACSP_V2 validation need the identical string.
 */
export function encodeInteractions(interactions: readonly Interaction[], flow: InteractionFlow): string {
	if (!Array.isArray(interactions) || interactions.length === 0) {
		throw new InvalidRequestError('interactions are empty: give at least one, e.g. displayTextAndPIN with a short text', {
			field: 'interactions',
		});
	}
	const seen = new Set<string>();
	const out = interactions.map((item: unknown, index) => {
		const where = `interactions[${index}]`;
		if (typeof item !== 'object' || item === null) {
			throw new InvalidRequestError(`${where} is not an object with a type and a text`, { field: where });
		}
		const it = item as Record<string, unknown>;
		const type = it.type;
		if (typeof type !== 'string' || !(INTERACTION_TYPES as readonly string[]).includes(type)) {
			throw new InvalidRequestError(`${where} has unknown type ${JSON.stringify(type)}; use one of ${INTERACTION_TYPES.join(', ')}`, {
				field: where,
			});
		}
		const t = type as InteractionType;
		if (!ALLOWED[flow].includes(t)) {
			throw new InvalidRequestError(`${where}: ${t} is not allowed in ${FLOW_NAMES[flow]}; use ${ALLOWED[flow].join(' or ')}`, {
				field: where,
			});
		}
		if (seen.has(t)) {
			throw new InvalidRequestError(`${where}: type ${t} is listed twice; each type may appear once`, { field: where });
		}
		seen.add(t);
		const { field, max } = TEXT_FIELD[t];
		for (const key of Object.keys(it)) {
			if (key !== 'type' && key !== field) {
				throw new InvalidRequestError(`${where}: ${t} takes ${field}, not ${key}`, { field: where });
			}
		}
		const text = it[field];
		if (typeof text !== 'string' || text.trim() === '') {
			throw new InvalidRequestError(`${where}: ${field} is empty; ${t} needs a text to show`, { field: where });
		}
		const length = [...text].length;
		if (length > max) {
			throw new InvalidRequestError(`${where}: ${field} is ${length} characters long; at most ${max} are allowed`, {
				field: where,
			});
		}
		return { type: t, [field]: text };
	});
	return base64OfUtf8(JSON.stringify(out));
}
