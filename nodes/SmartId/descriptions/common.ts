import type { INodeProperties } from 'n8n-workflow';

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
			displayOptions: { show: { ...show, identifyBy: ['documentNumber'] } },
		},
	];
}

/** What the Smart-ID app shows: interaction type + text (spec §2.2 limits 60 / 200 characters). */
export function interactionFields(show: Show, defaultText: string): INodeProperties[] {
	return [
		{
			displayName: 'Interaction',
			name: 'interactionType',
			type: 'options',
			options: [
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
					description: 'Text up to 200 characters, then the person picks the right verification code (notification only)',
				},
			],
			default: 'displayTextAndPIN',
			displayOptions: { show },
		},
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
			],
			default: 'wait',
			displayOptions: { show },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'waitTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 5, maxValue: 600 },
			default: 120,
			description: 'How long to wait for the person before failing with a timeout',
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
		displayOptions: { show },
	};
}
