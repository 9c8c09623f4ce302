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
	...interactionFields(show, 'Log in to n8n', { param: 'flow', notification: ['notification'], deviceLink: ['deviceLink'] }),
	{
		// Rarely changed settings live here, as in n8n's own nodes; the action also reads a top-level hashAlgorithm
		// (where this setting was before) so older workflows keep their choice.
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Hash Algorithm',
				name: 'hashAlgorithm',
				type: 'options',
				options: hashAlgorithmOptions,
				default: 'SHA-512',
				description: "Hash the person's app uses when it signs the login challenge; the default suits almost every case",
			},
		],
	},
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
