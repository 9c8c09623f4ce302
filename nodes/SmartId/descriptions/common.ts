import type { INodeProperties } from 'n8n-workflow';

import { hostedPageFields } from './hosted-page';

/** Hash algorithms Smart-ID accepts (lib/hash-algorithm.ts), as n8n options. */
export const hashAlgorithmOptions = [
	{ name: 'SHA-256', value: 'SHA-256' },
	{ name: 'SHA-384', value: 'SHA-384' },
	{ name: 'SHA-512', value: 'SHA-512' },
	{ name: 'SHA3-256', value: 'SHA3-256' },
	{ name: 'SHA3-384', value: 'SHA3-384' },
	{ name: 'SHA3-512', value: 'SHA3-512' },
];

type Show = Record<string, string[]>;

/** Who the session goes to (notification flows): personal code + country, or document number. */
export function signerFields(show: Show, allowAnonymous = false): INodeProperties[] {
	const options = [
		{ name: 'Personal Code and Country', value: 'personalCode' },
		{ name: 'Document Number', value: 'documentNumber' },
	];
	if (allowAnonymous) options.unshift({ name: 'Anonymous (Whoever Scans)', value: 'anonymous' });
	return [
		{
			displayName: 'Identify Person By',
			name: 'identifyBy',
			type: 'options',
			options,
			default: allowAnonymous ? 'anonymous' : 'personalCode',
			description: allowAnonymous
				? 'Who may answer: a named person, or anyone who opens the link or scans the code'
				: 'Who the request goes to; only that person can answer it',
			displayOptions: { show },
		},
		{
			displayName: 'Country',
			name: 'country',
			type: 'options',
			options: [
				{ name: 'Estonia', value: 'EE' },
				{ name: 'Latvia', value: 'LV' },
				{ name: 'Lithuania', value: 'LT' },
				{ name: 'Belgium', value: 'BE' },
			],
			default: 'EE',
			description: 'Country that issued the personal code',
			displayOptions: { show: { ...show, identifyBy: ['personalCode'] } },
		},
		{
			displayName: 'Personal Code',
			name: 'personalCode',
			type: 'string',
			default: '',
			required: true,
			placeholder: '40504040001',
			description: 'National identification number (isikukood / personas kods / asmens kodas)',
			displayOptions: { show: { ...show, identifyBy: ['personalCode'] } },
		},
		{
			displayName: 'Document Number',
			name: 'documentNumber',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'PNOEE-40504040001-MOCK-Q',
			description: "Smart-ID document number of the person's account, e.g. the documentNumber output of an earlier authentication",
			displayOptions: { show: { ...show, identifyBy: ['documentNumber'] } },
		},
	];
}

/** The interaction types; the verification-code choice needs a notification (the person compares codes on two screens). */
const INTERACTIONS = [
	{
		name: 'Display Text and PIN',
		value: 'displayTextAndPIN',
		description: 'Short text (up to 60 characters), then PIN',
	},
	{
		name: 'Confirmation Message',
		value: 'confirmationMessage',
		description: 'Longer text (up to 200 characters) the person must confirm',
	},
	{
		name: 'Confirmation Message and Verification Code Choice',
		value: 'confirmationMessageAndVerificationCodeChoice',
		description: 'Text up to 200 characters, then the person picks the right verification code',
	},
];

/**
 * What the Smart-ID app shows: interaction type + text (spec §2.2 limits 60 / 200 characters). `byMethod` names the
 * parameter that chooses notification vs device link and its values: device links get no verification-code choice
 * (the app cannot offer it there), so that option is not shown for them. Both variants share the parameter name.
 */
export function interactionFields(
	show: Show,
	defaultText: string,
	byMethod: { param: string; notification: string[]; deviceLink: string[] },
): INodeProperties[] {
	const field = (options: typeof INTERACTIONS, values: string[]): INodeProperties => ({
		displayName: 'Interaction',
		name: 'interactionType',
		type: 'options',
		options,
		default: 'displayTextAndPIN',
		description: 'What the person sees and confirms in the Smart-ID app',
		displayOptions: { show: { ...show, [byMethod.param]: values } },
	});
	return [
		field(INTERACTIONS, byMethod.notification),
		field(
			INTERACTIONS.filter((o) => o.value !== 'confirmationMessageAndVerificationCodeChoice'),
			byMethod.deviceLink,
		),
		{
			displayName: 'Display Text',
			name: 'displayText',
			type: 'string',
			default: defaultText,
			required: true,
			description: 'Shown in the Smart-ID app: up to 60 characters for Display Text and PIN, 200 otherwise',
			displayOptions: { show },
		},
	];
}

/** Wait for completion vs Start and continue, with the fields of each. */
export function completionFields(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Completion',
			name: 'completion',
			type: 'options',
			options: [
				{
					name: 'Wait for Completion',
					value: 'wait',
					description: 'Keep this execution open until the person answers or the timeout passes',
				},
				{
					name: 'Start and Continue',
					value: 'start',
					description:
						'Return at once with the session ID and verification code; the Smart-ID Trigger emits the result later',
				},
				{
					name: 'Hosted Page',
					value: 'hostedPage',
					description:
						'Wait on a page for the person at {{ $execution.resumeUrl }} (QR code, Open Smart-ID); resume with the result when they finish',
				},
			],
			default: 'wait',
			description: 'Whether this execution waits for the answer or hands it to the Smart-ID Trigger',
			displayOptions: { show },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'waitTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 5, maxValue: 600 },
			default: 120,
			description: 'How long to wait for the person before failing with a timeout',
			hint: 'People may need a minute or more; for longer waits use Start and Continue with the Smart-ID Trigger',
			displayOptions: { show: { ...show, completion: ['wait'] } },
		},
		{
			displayName: 'Trigger Tag',
			name: 'tag',
			type: 'string',
			default: '',
			description: 'Optional label; a Smart-ID Trigger with the same tag emits the result',
			displayOptions: { show: { ...show, completion: ['start'] } },
		},
		...hostedPageFields(show),
		{
			displayName: 'Correlation Data (JSON)',
			name: 'correlation',
			type: 'json',
			default: '{}',
			description: 'Any JSON handed back unchanged by the Smart-ID Trigger with the result, e.g. an order number',
			displayOptions: { show: { ...show, completion: ['start'] } },
		},
	];
}

/** Certificate level option for a request. */
export function certificateLevelField(show: Show, withQscd: boolean): INodeProperties {
	const options = [
		{ name: 'Qualified', value: 'QUALIFIED' },
		{ name: 'Advanced', value: 'ADVANCED' },
	];
	if (withQscd) options.push({ name: 'QSCD', value: 'QSCD' });
	return {
		displayName: 'Certificate Level',
		name: 'certificateLevel',
		type: 'options',
		options,
		default: 'QUALIFIED',
		description: 'Lowest certificate level the person must have; Advanced needs a relying-party contract that allows it',
		displayOptions: { show },
	};
}

/**
 * Signing Method of the signing operations. `withChoice` adds "Let the Signer Choose the Certificate" (container
 * operations: the signer need not be known in advance, their certificate goes into the signature after the choice).
 */
export function signingMethodField(show: Show, withChoice: boolean): INodeProperties {
	const options = [
		{
			name: 'Device Link (QR or App Link)',
			value: 'deviceLink',
			// n8n shows two lines of an option's description: keep each under about 95 characters.
			description: 'A link and QR code for a known signer, returned at once; the Smart-ID Trigger finishes it',
		},
		{
			name: 'Notification',
			value: 'notification',
			description: "Push to the signer's Smart-ID app; the person compares the verification code",
		},
	];
	if (withChoice) {
		options.push({
			name: 'Any Signer Scans (QR)',
			value: 'deviceLinkCertificateChoice',
			description: 'An unknown signer scans, picks their account and signs; the Smart-ID Trigger finishes it',
		});
	}
	return {
		displayName: 'Signing Method',
		name: 'signingMethod',
		type: 'options',
		options,
		default: 'notification',
		description: 'How the signature request reaches the signer',
		displayOptions: { show },
	};
}

/**
 * Fields of a device-link start: link type, callback URL (same-device links), QR output field, trigger tag and
 * correlation data (device-link sessions always return at once).
 */
export function deviceLinkFields(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Device Link Type',
			name: 'deviceLinkType',
			type: 'options',
			options: [
				{ name: 'App2App', value: 'App2App', description: 'Link opened from another app on the same phone' },
				{ name: 'QR Code', value: 'QR', description: 'Shown on another screen and scanned with the phone' },
				{ name: 'Web2App', value: 'Web2App', description: 'Link opened in the browser of the same phone' },
			],
			default: 'QR',
			description: 'QR codes expire after about a second: re-make them with Session → Get Device Link while the page shows them',
			displayOptions: { show },
		},
		{
			displayName: 'Callback URL',
			name: 'initialCallbackUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://example.com/smart-id/callback',
			description: 'HTTPS address the Smart-ID app returns to after a same-device (Web2App/App2App) flow',
			displayOptions: { show: { ...show, deviceLinkType: ['Web2App', 'App2App'] } },
		},
		{
			displayName: 'Put QR Code in Field',
			name: 'qrBinaryProperty',
			type: 'string',
			default: 'qr',
			description: 'Binary field that receives the QR code as a PNG image',
			displayOptions: { show: { ...show, deviceLinkType: ['QR'] } },
		},
		{
			displayName: 'Trigger Tag',
			name: 'tag',
			type: 'string',
			default: '',
			placeholder: 'contracts',
			description: 'Optional label; a Smart-ID Trigger with the same tag emits the result',
			displayOptions: { show },
		},
		{
			displayName: 'Correlation Data (JSON)',
			name: 'correlation',
			type: 'json',
			default: '{}',
			description: 'Any JSON handed back unchanged by the Smart-ID Trigger with the result, e.g. an order number',
			displayOptions: { show },
		},
	];
}
