import type { INodeProperties } from 'n8n-workflow';

import { certificateLevelField, completionFields, hashAlgorithmOptions, interactionFields, signerFields } from './common';

const show = { resource: ['authentication'], operation: ['authenticate'] };

/** Authentication → Authenticate. */
export const authenticationOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['authentication'] } },
		options: [
			{
				name: 'Authenticate',
				value: 'authenticate',
				description: "Prove a person's identity with Smart-ID",
				action: 'Authenticate a person',
			},
		],
		default: 'authenticate',
	},
];

export const authenticationFields: INodeProperties[] = [
	{
		displayName: 'Flow',
		name: 'flow',
		type: 'options',
		options: [
			{ name: 'Notification', value: 'notification', description: "Push to the person's Smart-ID app" },
			{
				name: 'Device Link',
				value: 'deviceLink',
				description: 'QR code or Web2App/App2App link the person opens; always returns at once',
			},
		],
		default: 'notification',
		description: 'How the login request reaches the person',
		displayOptions: { show },
	},
	{
		displayName: 'Device Link Type',
		name: 'deviceLinkType',
		type: 'options',
		options: [
			{ name: 'QR Code', value: 'QR', description: 'Shown on another screen and scanned with the phone' },
			{ name: 'Web2App', value: 'Web2App', description: 'Link opened in the phone browser' },
			{ name: 'App2App', value: 'App2App', description: 'Link opened from another app on the phone' },
		],
		default: 'QR',
		description: 'QR codes expire after about a second: re-make them with Session → Get Device Link while the page shows them',
		displayOptions: { show: { ...show, flow: ['deviceLink'] } },
	},
	{
		displayName: 'Callback URL',
		name: 'initialCallbackUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/smart-id/callback',
		description: 'HTTPS URL the app returns to after a same-device (Web2App/App2App) flow',
		displayOptions: { show: { ...show, flow: ['deviceLink'], deviceLinkType: ['Web2App', 'App2App'] } },
	},
	...signerFields({ ...show, flow: ['notification'] }),
	...signerFields({ ...show, flow: ['deviceLink'] }, true).map((p) =>
		// Same parameter names as the notification flow, shown only for device links (n8n keeps one value per name).
		({ ...p, name: p.name === 'identifyBy' ? 'deviceLinkIdentifyBy' : p.name, displayOptions: rename(p) }),
	),
	certificateLevelField(show, false),
	{
		displayName: 'Hash Algorithm',
		name: 'hashAlgorithm',
		type: 'options',
		options: hashAlgorithmOptions,
		default: 'SHA-512',
		description: 'Hash used for the authentication signature (ACSP_V2)',
		displayOptions: { show },
	},
	...interactionFields(show, 'Log in to n8n'),
	...completionFields({ ...show, flow: ['notification'] }),
	{
		displayName: 'Trigger Tag',
		name: 'tag',
		type: 'string',
		default: '',
		description: 'Optional label; a Smart-ID Trigger with the same tag emits the result',
		displayOptions: { show: { ...show, flow: ['deviceLink'] } },
	},
	{
		displayName: 'Correlation Data (JSON)',
		name: 'correlation',
		type: 'json',
		default: '{}',
		description: 'Any JSON handed back unchanged by the Smart-ID Trigger with the result',
		displayOptions: { show: { ...show, flow: ['deviceLink'] } },
	},
	{
		displayName: 'Put QR Code in Field',
		name: 'qrBinaryProperty',
		type: 'string',
		default: 'qr',
		description: 'Binary field that receives the QR code PNG (QR device links only)',
		displayOptions: { show: { ...show, flow: ['deviceLink'], deviceLinkType: ['QR'] } },
	},
];

function rename(p: INodeProperties): INodeProperties['displayOptions'] {
	const showFor = { ...(p.displayOptions?.show ?? {}) };
	if (showFor.identifyBy) {
		showFor.deviceLinkIdentifyBy = showFor.identifyBy;
		delete showFor.identifyBy;
	}
	return { show: showFor };
}
