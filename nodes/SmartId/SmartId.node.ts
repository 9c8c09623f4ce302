import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { hostedPageWebhook, hostedPageWebhooks } from './actions/hosted-page-webhook';
import { route } from './actions/router';
import { smartIdProperties } from './descriptions';
import { credentialTestMethods } from '../shared/credential-test';
import { SMART_ID_DESCRIPTION } from '../shared/description';
import { operationSubtitle } from './subtitle';

/**
 * Smart-ID (SK ID Solutions): authenticate, get signing certificates, sign hashes, build / extend / verify ASiC-E
 * containers, read session status. Usable as an AI tool for the JSON operations; binaries (QR codes, containers)
 * do not cross the tool boundary, so container operations are for normal workflows.
 */
export class SmartId implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Smart-ID',
		name: 'smartId',
		icon: { light: 'file:../../icons/smartId.svg', dark: 'file:../../icons/smartId.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(smartIdProperties),
		description: SMART_ID_DESCRIPTION,
		defaults: { name: 'Smart-ID' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Verifying and extending take their trust from the node (SK, EU lists, PEMs): no Smart-ID account needed.
		credentials: [{ name: 'smartIdApi', required: true, testedBy: 'smartIdApiTest', displayOptions: { hide: { operation: ['verifyContainer', 'extendSignatures'] } } }],
		properties: smartIdProperties,
		// Completion "Hosted Page": the execution waits on n8n's waiting URL, where webhook() serves the page.
		webhooks: hostedPageWebhooks,
	};

	methods = credentialTestMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return hostedPageWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return route.call(this);
	}
}
