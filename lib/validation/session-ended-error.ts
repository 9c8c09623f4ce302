import { SmartIdError } from '../errors';

/** Plain-language names of the app screens an interaction type shows (spec §2.2; legacy value kept). */
const SCREENS: Record<string, string> = {
	displayTextAndPIN: 'PIN entry (text and PIN)',
	confirmationMessage: 'confirmation message',
	confirmationMessageAndVerificationCodeChoice: 'confirmation message with verification code choice',
	verificationCodeChoice: 'verification code choice',
};

const MESSAGES: Record<string, string> = {
	USER_REFUSED: 'The user refused the request in the Smart-ID app.',
	USER_REFUSED_CERT_CHOICE:
		'The user has several Smart-ID accounts and cancelled the choice of account. Ask the user to try again.',
	TIMEOUT: 'The user did not respond in the Smart-ID app in time. Start a new session.',
	DOCUMENT_UNUSABLE:
		'The Smart-ID account cannot be used for this request. The user should check the Smart-ID app or the Smart-ID self-service portal.',
	ACCOUNT_UNUSABLE:
		'The Smart-ID account is not usable. The user should check the Smart-ID app or the Smart-ID self-service portal.',
	WRONG_VC:
		'The user chose the wrong verification code. Start a new session; if it keeps happening, the request may not have come from this user.',
	REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP:
		"The user's Smart-ID app supports none of the requested interactions. Offer displayTextAndPIN as a fallback or ask the user to update the app.",
	PROTOCOL_FAILURE:
		'The Smart-ID app reported a protocol error (for example a stale or altered device link). Start a new session.',
	EXPECTED_LINKED_SESSION:
		'The certificate choice finished but no linked signing session followed. Start the signing session with linkedSessionID right after the certificate choice.',
	SERVER_ERROR: 'Smart-ID aborted the session because of a server error. Try again later.',
};

/** Server values are untrusted: keep only a short, printable form for codes and messages. */
function printable(value: string, max = 64): string {
	return value.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

/**
 * The session completed without success (`result.endResult` other than OK). `code` is `SMARTID_<ENDRESULT>`
 * (e.g. `SMARTID_USER_REFUSED`, `SMARTID_TIMEOUT`); a value that is not an upper-case identifier gets
 * `SMARTID_UNKNOWN_END_RESULT`. `interaction` names the refused screen for USER_REFUSED_INTERACTION.
 */
export class SessionEndedError extends SmartIdError {
	readonly endResult: string;
	readonly interaction?: string;

	constructor(endResult: string, interaction?: string, details: Record<string, unknown> = {}) {
		const safe = printable(String(endResult));
		const code = /^[A-Z][A-Z0-9_]{0,63}$/.test(safe) ? `SMARTID_${safe}` : 'SMARTID_UNKNOWN_END_RESULT';
		super(code, SessionEndedError.messageFor(safe, interaction), {
			...details,
			endResult: safe,
			...(interaction !== undefined ? { interaction: printable(interaction) } : {}),
		});
		this.endResult = safe;
		if (interaction !== undefined) this.interaction = printable(interaction);
	}

	/** The plain-language message used for an endResult (exported for UIs that show it without throwing). */
	static messageFor(endResult: string, interaction?: string): string {
		if (endResult === 'USER_REFUSED_INTERACTION') {
			const screen = interaction === undefined ? undefined : (SCREENS[interaction] ?? `"${printable(interaction)}"`);
			return screen
				? `The user cancelled on the ${screen} screen in the Smart-ID app.`
				: 'The user cancelled on an interaction screen in the Smart-ID app.';
		}
		return (
			MESSAGES[endResult] ??
			`Smart-ID ended the session with an unrecognised result "${printable(endResult)}". Treat it as a failure and start a new session.`
		);
	}
}
