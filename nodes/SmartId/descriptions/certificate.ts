import type { INodeProperties } from 'n8n-workflow';

import { certificateLevelField, completionFields, signerFields } from './common';

const show = { resource: ['certificate'], operation: ['getSigningCertificate'] };

/** Certificate → Get Signing Certificate. */
export const certificateOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['certificate'] } },
		options: [
			{
				name: 'Get Signing Certificate',
				value: 'getSigningCertificate',
				description: "Get and validate a person's qualified signing certificate",
				action: 'Get a signing certificate',
			},
		],
		default: 'getSigningCertificate',
	},
];

export const certificateFields: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'certificateSource',
		type: 'options',
		options: [
			{
				name: 'By Document Number',
				value: 'documentNumber',
				description: 'Direct query, no action needed from the person',
			},
			{
				name: 'Certificate Choice',
				value: 'certificateChoice',
				description: 'The person confirms which certificate to use in the app (notification)',
			},
		],
		default: 'documentNumber',
		displayOptions: { show },
	},
	{
		displayName: 'Document Number',
		name: 'documentNumber',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'PNOEE-40504040001-MOCK-Q',
		displayOptions: { show: { ...show, certificateSource: ['documentNumber'] } },
	},
	...signerFields({ ...show, certificateSource: ['certificateChoice'] }),
	certificateLevelField(show, true),
	...completionFields({ ...show, certificateSource: ['certificateChoice'] }),
];
