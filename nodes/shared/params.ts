import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../lib/errors';
import type { IdentityTarget } from '../../lib/rp-api/requests';
import type { Interaction } from '../../lib/rp-api/types';
import type { SessionLabels, StartOptions } from '../../lib/sessions';

/** Read a string parameter, trimmed. */
export function str(ctx: IExecuteFunctions, name: string, i: number, fallback = ''): string {
	const value = ctx.getNodeParameter(name, i, fallback);
	return typeof value === 'string' ? value.trim() : String(value ?? '');
}

/** Whom the session goes to, from identifyBy/country/personalCode/documentNumber (or the device-link variant). */
export function identityTarget(
	ctx: IExecuteFunctions,
	i: number,
	identifyByParameter = 'identifyBy',
): IdentityTarget | { anonymous: true } {
	const by = str(ctx, identifyByParameter, i, 'personalCode');
	if (by === 'anonymous') return { anonymous: true };
	if (by === 'documentNumber') {
		const documentNumber = str(ctx, 'documentNumber', i);
		if (!documentNumber) throw new InvalidRequestError('Document Number is empty: give it as e.g. PNOEE-40504040001-MOCK-Q');
		return { documentNumber };
	}
	const country = str(ctx, 'country', i, 'EE').toUpperCase();
	const personalCode = str(ctx, 'personalCode', i);
	if (!personalCode) throw new InvalidRequestError('Personal Code is empty: give the national identification number');
	return { semanticsIdentifier: `PNO${country}-${personalCode}` };
}

/** The person target for flows that cannot be anonymous. */
export function personTarget(ctx: IExecuteFunctions, i: number): IdentityTarget {
	const target = identityTarget(ctx, i);
	if ('anonymous' in target) throw new InvalidRequestError('This operation needs a person: choose personal code or document number');
	return target;
}

/**
 * The interaction list for the request (one interaction; the text limits are checked by lib/rp-api).
 * `linkOnly`: the session is a device link (or the linked signature after one), where the verification-code
 * choice does not exist.
 */
export function interactions(ctx: IExecuteFunctions, i: number, linkOnly = false): Interaction[] {
	const type = str(ctx, 'interactionType', i, 'displayTextAndPIN');
	const text = str(ctx, 'displayText', i);
	if (!text) throw new InvalidRequestError('Display Text is empty: write what the person should see in the Smart-ID app');
	if (linkOnly && type === 'confirmationMessageAndVerificationCodeChoice') {
		throw new InvalidRequestError(
			'Interaction "Confirmation Message and Verification Code Choice" works only with notifications: choose Display Text and PIN or Confirmation Message for device links',
		);
	}
	if (type === 'displayTextAndPIN') return [{ type, displayText60: text }];
	if (type === 'confirmationMessage' || type === 'confirmationMessageAndVerificationCodeChoice') {
		return [{ type, displayText200: text }];
	}
	throw new InvalidRequestError(`Unknown interaction type "${type}"`);
}

/** The Correlation Data parameter as JSON (object, array or value); refuses text that is not JSON. */
export function correlation(ctx: IExecuteFunctions, i: number): unknown {
	const raw = ctx.getNodeParameter('correlation', i, '{}') as unknown;
	if (typeof raw !== 'string') return raw as IDataObject;
	if (raw.trim() === '') return undefined;
	let parsed: unknown;
	let ok = true;
	try {
		parsed = JSON.parse(raw);
	} catch {
		ok = false;
	}
	if (!ok) throw new InvalidRequestError('Correlation Data is not valid JSON: give an object such as {"orderId": 42}');
	return parsed;
}

/** Trigger Tag and Correlation Data of a stored session. */
export function labels(ctx: IExecuteFunctions, i: number): SessionLabels {
	return { tag: str(ctx, 'tag', i), correlation: correlation(ctx, i) };
}

/** Completion mode, wait timeout, labels and the cancel signal: how a started session goes on. */
export function startOptions(ctx: IExecuteFunctions, i: number, extra: Record<string, unknown>): StartOptions {
	const mode = str(ctx, 'completion', i, 'wait') === 'start' ? 'start' : 'wait';
	const seconds = Number(ctx.getNodeParameter('waitTimeoutSeconds', i, 120));
	if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) {
		throw new InvalidRequestError('Timeout must be between 1 and 600 seconds');
	}
	// Waiting uses the labels only to keep a signed container after a TSA/OCSP outage (its fields are hidden then).
	return { mode, timeoutMs: seconds * 1000, signal: ctx.getExecutionCancelSignal?.(), extra, ...labels(ctx, i) };
}

/** How a signature reaches the signer (Signing Method parameter). */
export type SigningMethod = 'notification' | 'deviceLink' | 'deviceLinkCertificateChoice';

/** The Signing Method parameter; `withChoice` allows "Let the Signer Choose the Certificate" (Build ASiC-E). */
export function signingMethod(ctx: IExecuteFunctions, i: number, withChoice = false): SigningMethod {
	const method = str(ctx, 'signingMethod', i, 'notification') || 'notification';
	if (method === 'notification' || method === 'deviceLink') return method;
	if (method === 'deviceLinkCertificateChoice' && withChoice) return method;
	throw new InvalidRequestError(
		`Signing Method "${method}" is not available here: choose Notification or Device Link${withChoice ? ' or Let the Signer Choose the Certificate' : ''}`,
	);
}
