import type { INodeProperties } from 'n8n-workflow';

import { authenticationFields, authenticationOperations } from './authentication';
import { certificateFields, certificateOperations } from './certificate';
import { containerFields, containerOperations } from './container';
import { pdfFields, pdfOperations } from './pdf';
import { sessionFields, sessionOperations } from './session';
import { signatureFields, signatureOperations } from './signature';

/** Every parameter of the Smart-ID node: resource selector, then each resource's operations and fields. */
export const smartIdProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Authentication', value: 'authentication' },
			{ name: 'Certificate', value: 'certificate' },
			{ name: 'Container', value: 'container' },
			{ name: 'PDF', value: 'pdf' },
			{ name: 'Session', value: 'session' },
			{ name: 'Signature', value: 'signature' },
		],
		default: 'authentication',
	},
	...authenticationOperations,
	...authenticationFields,
	...certificateOperations,
	...certificateFields,
	...signatureOperations,
	...signatureFields,
	...containerOperations,
	...containerFields,
	...pdfOperations,
	...pdfFields,
	...sessionOperations,
	...sessionFields,
];
