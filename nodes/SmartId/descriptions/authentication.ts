import type { INodeProperties } from 'n8n-workflow';

import { certificateLevelField, completionFields, deviceLinkFields, hashAlgorithmOptions, interactionFields, signerFields } from './common';

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
	...deviceLinkFields({ ...show, flow: ['deviceLink'] }),
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
];

function rename(p: INodeProperties): INodeProperties['displayOptions'] {
	const showFor = { ...(p.displayOptions?.show ?? {}) };
	if (showFor.identifyBy) {
		showFor.deviceLinkIdentifyBy = showFor.identifyBy;
		delete showFor.identifyBy;
	}
	return { show: showFor };
}
