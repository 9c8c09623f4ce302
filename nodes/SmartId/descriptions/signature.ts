import type { INodeProperties } from 'n8n-workflow';

import {
	certificateLevelField,
	completionFields,
	deviceLinkFields,
	hashAlgorithmOptions,
	interactionFields,
	signerFields,
	signingMethodField,
} from './common';

const show = { resource: ['signature'], operation: ['signHash'] };

/** Signature → Sign Hash. */
export const signatureOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['signature'] } },
		options: [
			{
				name: 'Sign Hash',
				value: 'signHash',
				description: 'Have a person sign a hash with their Smart-ID signing key',
				action: 'Sign a hash',
			},
		],
		default: 'signHash',
	},
];

export const signatureFields: INodeProperties[] = [
	{
		displayName: 'Hash Source',
		name: 'hashSource',
		type: 'options',
		options: [
			{ name: 'Hex Value', value: 'hex', description: 'A digest already computed, as hexadecimal' },
			{ name: 'Base64 Value', value: 'base64', description: 'A digest already computed, as Base64' },
			{ name: 'Hash of a Binary Field', value: 'binary', description: 'The node hashes a file with the chosen algorithm' },
		],
		default: 'hex',
		description: 'Where the digest to sign comes from',
		displayOptions: { show },
	},
	{
		displayName: 'Hash',
		name: 'hash',
		type: 'string',
		default: '',
		required: true,
		description: 'The digest to sign, already computed with the chosen hash algorithm',
		displayOptions: { show: { ...show, hashSource: ['hex', 'base64'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Binary field whose content is hashed and signed',
		displayOptions: { show: { ...show, hashSource: ['binary'] } },
	},
	{
		displayName: 'Hash Algorithm',
		name: 'hashAlgorithm',
		type: 'options',
		options: hashAlgorithmOptions,
		default: 'SHA-512',
		description: 'Must be the algorithm the hash was made with (its length is checked)',
		displayOptions: { show },
	},
	...signerFields(show),
	certificateLevelField(show, true),
	signingMethodField(show, false),
	...interactionFields(show, 'Sign the document', { param: 'signingMethod', notification: ['notification'], deviceLink: ['deviceLink'] }),
	...completionFields({ ...show, signingMethod: ['notification'] }),
	...deviceLinkFields({ ...show, signingMethod: ['deviceLink'] }),
];
