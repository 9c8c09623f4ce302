import { createHash } from 'node:crypto';
import { base64OfUtf8 } from '../encoding';

/** Inputs of the ACSP_V2 signed payload (spec §5.2): the RP's stored values plus the response's. */
export interface AcspV2PayloadInput {
	schemeName: string;
	serverRandom: string;
	rpChallenge: string;
	userChallenge: string;
	relyingPartyName: string;
	brokeredRpName?: string;
	/** Interactions Base64 string exactly as sent. */
	interactions: string;
	interactionTypeUsed: string;
	/** Only used when flowType is Web2App or App2App; otherwise the field is empty (spec §10.3). */
	initialCallbackUrl?: string;
	flowType: string;
}

/** The exact UTF-8 string the user's authentication key signs: 11 fields joined by `|`. */
export function acspV2Payload(input: AcspV2PayloadInput): string {
	const sameDevice = input.flowType === 'Web2App' || input.flowType === 'App2App';
	const interactionsDigest = createHash('sha256').update(input.interactions, 'utf8').digest('base64');
	return [
		input.schemeName,
		'ACSP_V2',
		input.serverRandom,
		input.rpChallenge,
		input.userChallenge,
		base64OfUtf8(input.relyingPartyName),
		input.brokeredRpName ? base64OfUtf8(input.brokeredRpName) : '',
		interactionsDigest,
		input.interactionTypeUsed,
		sameDevice ? (input.initialCallbackUrl ?? '') : '',
		input.flowType,
	].join('|');
}
