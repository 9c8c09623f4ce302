import type { INodeProperties } from 'n8n-workflow';

const show = { resource: ['session'], operation: ['getStatus'] };

/** Session → Get Session Status. */
export const sessionOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Ask Smart-ID for the state of a session',
				action: 'Get session status',
			},
		],
		default: 'getStatus',
	},
];

export const sessionFields: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show },
	},
	{
		displayName: 'Validate With Stored Request',
		name: 'validateStored',
		type: 'boolean',
		default: true,
		description:
			'Whether to validate a completed session against the pending record in the session store (when there is one) and output the identity or signature. The record stays for the Smart-ID Trigger.',
		displayOptions: { show },
	},
];
