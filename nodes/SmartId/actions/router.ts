import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { SessionRuntime, type SessionOutcome } from '../../../lib/sessions';
import { configFromCredential } from '../../shared/config';
import { errorJson, toNodeError } from '../../shared/errors';
import { addSignature } from './addSignature';
import { authenticate } from './authenticate';
import { buildAsice } from './buildAsice';
import { completeCallback } from './completeCallback';
import { extendSignatures } from './extendSignatures';
import { getDeviceLink } from './getDeviceLink';
import { getSigningCertificate } from './getSigningCertificate';
import { getStatus } from './getStatus';
import { executeHostedPage, isHostedPage } from './hosted-page';
import { signHash } from './signHash';
import { signPdf } from './signPdf';
import { verifyContainer } from './verifyContainer';

type ItemAction = (this: IExecuteFunctions, i: number, runtime: SessionRuntime) => Promise<SessionOutcome>;

const ITEM_ACTIONS: Record<string, ItemAction> = {
	'authentication.authenticate': authenticate,
	'certificate.getSigningCertificate': getSigningCertificate,
	'signature.signHash': signHash,
	'container.addSignature': addSignature,
	'pdf.signPdf': signPdf,
	'session.getStatus': getStatus,
	'session.getDeviceLink': getDeviceLink,
	'session.completeCallback': completeCallback,
};

/** Operations that need no Smart-ID credential: their trust comes from the node's parameters (issue 17). */
const CREDENTIAL_FREE_ACTIONS: Record<string, (this: IExecuteFunctions, i: number) => Promise<SessionOutcome>> = {
	'container.verifyContainer': verifyContainer,
	'container.extendSignatures': extendSignatures,
};

/** Turn an outcome into an n8n item: binaries stored through n8n's helpers, paired to its input item(s). */
async function toItem(ctx: IExecuteFunctions, outcome: SessionOutcome, paired: number[]): Promise<INodeExecutionData> {
	const item: INodeExecutionData = {
		json: outcome.json as IDataObject,
		pairedItem: paired.length === 1 ? { item: paired[0] } : paired.map((item) => ({ item })),
	};
	if (outcome.files?.length) {
		item.binary = {};
		for (const file of outcome.files) {
			item.binary[file.propertyName] = await ctx.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
		}
	}
	return item;
}

/** True when the item's operation stores a pending session ("Start and Continue" or any device link). */
function storesSession(ctx: IExecuteFunctions, key: string, i: number): boolean {
	if (key.startsWith('session.') || key in CREDENTIAL_FREE_ACTIONS) return false;
	const value = (name: string, fallback: string) => String(ctx.getNodeParameter(name, i, fallback) ?? '');
	return value('completion', 'wait') === 'start' || value('flow', '') === 'deviceLink' || value('signingMethod', '').startsWith('deviceLink');
}

/** The session an error belongs to: from the engine error, or the Session ID parameter of a session operation. */
function sessionIdOf(ctx: IExecuteFunctions, error: unknown, resource: string, i: number): string | undefined {
	const details = (error as { details?: { sessionID?: unknown; sessionId?: unknown } })?.details;
	const fromError = details?.sessionID ?? details?.sessionId;
	if (typeof fromError === 'string' && fromError) return fromError;
	if (resource !== 'session') return undefined;
	const parameter = ctx.getNodeParameter('sessionId', i, '') as unknown;
	return typeof parameter === 'string' && parameter.trim() ? parameter.trim() : undefined;
}

/**
 * Run the selected operation for every item (or once over all items for "Build ASiC-E / All Items"). Errors:
 * continue-on-fail gives an item `{ error, code, sessionId }` paired to the failing input; otherwise a
 * NodeApiError / NodeOperationError carrying the item index.
 */
export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const key = `${resource}.${operation}`;
	if (isHostedPage(this, key)) return executeHostedPage.call(this, key);
	const out: INodeExecutionData[] = [];
	let runtime: SessionRuntime | undefined;
	const runtimeFor = async (i: number) => {
		try {
			runtime ??= new SessionRuntime(configFromCredential(await this.getCredentials('smartIdApi', i)));
		} catch (error) {
			throw toNodeError(this.getNode(), error, i);
		}
		return runtime;
	};
	const groups: number[][] =
		key === 'container.buildAsice' && this.getNodeParameter('filesFrom', 0, 'eachItem') === 'allItems'
			? [items.map((_, i) => i)]
			: items.map((_, i) => [i]);
	try {
		for (const group of groups) {
			const i = group[0];
			try {
				const free = CREDENTIAL_FREE_ACTIONS[key];
				if (free) {
					out.push(await toItem(this, await free.call(this, i), group));
					continue;
				}
				const rt = await runtimeFor(i);
				// Refuse before Smart-ID is asked (and a phone rings) when the session could not be stored safely.
				if (storesSession(this, key, i)) rt.assertCanStoreSessions();
				let outcome: SessionOutcome;
				if (key === 'container.buildAsice') {
					outcome = await buildAsice.call(this, group, rt);
				} else {
					const action = ITEM_ACTIONS[key];
					if (!action) {
						throw new InvalidRequestError(`The operation "${operation}" of resource "${resource}" is not supported: pick one from the Operation list`);
					}
					outcome = await action.call(this, i, rt);
				}
				out.push(await toItem(this, outcome, group));
			} catch (error) {
				const id = sessionIdOf(this, error, resource, i);
				if (this.continueOnFail()) {
					out.push({ json: errorJson(error, id), pairedItem: group.map((item) => ({ item })) });
					continue;
				}
				throw toNodeError(this.getNode(), error, i, id);
			}
		}
	} finally {
		await runtime?.close();
	}
	return [out];
}
