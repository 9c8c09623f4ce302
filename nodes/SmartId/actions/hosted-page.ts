import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkAuthentication } from '../../../lib/flows/authentication';
import { callbackUrlWithToken, newCallbackToken } from '../../../lib/flows/same-device-callback';
import type { HashAlgorithm } from '../../../lib/hash-algorithm';
import { hostedPageRuntime, type PageInfo } from '../../../lib/hosted-page';
import type { DeviceLinkType } from '../../../lib/rp-api/types';
import { newPendingSession, savePendingSession, type PendingSession, type SessionRuntime } from '../../../lib/sessions';
import { configFromCredential } from '../../shared/config';
import { errorJson, toNodeError } from '../../shared/errors';
import { identityTarget, interactions, str } from '../../shared/params';

/** Operations that offer the Hosted Page completion (each signing operation joins here when it gets a page). */
const HOSTED_PAGE_OPERATIONS = new Set(['authentication.authenticate']);

/** Default and limits of how long the page stays open (the execution waits this long at most). */
const PAGE_MINUTES = { default: 15, min: 1, max: 60 };

/** Node parameters as both n8n contexts give them: execute (per item) and webhook (no item index). */
export type ParamContext = Pick<IExecuteFunctions, 'getNodeParameter'>;

/** The webhook context seen through the execute-context parameter reader (item 0: a page serves one item). */
export function webhookParams(ctx: IWebhookFunctions): ParamContext {
	const read = (name: string, _item: number, fallback?: unknown) => ctx.getNodeParameter(name, fallback);
	return { getNodeParameter: read as ParamContext['getNodeParameter'] };
}

/** True when this operation runs with completion "Hosted Page". */
export function isHostedPage(ctx: ParamContext, key: string): boolean {
	return HOSTED_PAGE_OPERATIONS.has(key) && str(ctx as IExecuteFunctions, 'completion', 0, 'wait') === 'hostedPage';
}

/** What the page shows about the request. */
export function pageInfo(ctx: ParamContext, runtime: SessionRuntime): PageInfo {
	return { relyingPartyName: runtime.config.relyingParty.relyingPartyName, displayText: str(ctx as IExecuteFunctions, 'displayText', 0), action: 'authenticate' };
}

/**
 * Start a device-link session for the page and store it (sealed, in the page's scope). QR always; Web2App too when
 * n8n's page URL is https (Smart-ID returns only to https), with the page itself as the callback and a fresh
 * `value` token bound to this session.
 */
export async function startPageSession(ctx: ParamContext, runtime: SessionRuntime, pageUrl: string): Promise<PendingSession> {
	const p = ctx as IExecuteFunctions;
	const https = pageUrl.startsWith('https://');
	const deviceLinkTypes: DeviceLinkType[] = https ? ['QR', 'Web2App'] : ['QR'];
	const callback = new URL(pageUrl);
	callback.searchParams.set('hp', 'callback');
	const started = await startDeviceLinkAuthentication(runtime.client, runtime.flowConfig, identityTarget(p, 0, 'identifyBy'), {
		interactions: interactions(p, 0, true),
		certificateLevel: str(p, 'certificateLevel', 0, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED',
		hashAlgorithm: str(p, 'hashAlgorithm', 0, 'SHA-512') as HashAlgorithm,
		deviceLinkTypes,
		...(https ? { initialCallbackUrl: callbackUrlWithToken(callback.toString(), newCallbackToken()) } : {}),
	});
	const session = newPendingSession(runtime, { sessionId: started.sessionID, kind: 'authentication', context: started.context, secrets: started.deviceLink });
	await savePendingSession(runtime, session);
	return session;
}

/** n8n's waiting URL of this execution (`$execution.resumeUrl`, with its `signature` resume token). */
export function pageUrlOf(ctx: Pick<IExecuteFunctions, 'evaluateExpression'>): string {
	const url = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
		throw new InvalidRequestError('n8n gave no waiting URL for this execution ($execution.resumeUrl); Hosted Page needs n8n to run the workflow as a saved execution');
	}
	return url;
}

/**
 * Completion "Hosted Page", execute side: start the first session, store it, and put the execution to wait on
 * n8n's waiting webhook, where `hostedPageWebhook` serves the page. The item out is only a marker while waiting;
 * the execution resumes with the validated result (or an error item) when the person finishes.
 */
export async function executeHostedPage(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	try {
		if (items.length !== 1) {
			throw new InvalidRequestError(
				`Hosted Page serves one person per execution, but ${items.length} items came in: split them first (e.g. Loop Over Items) so each execution waits on its own page`,
			);
		}
		const executionId = this.getExecutionId();
		const runtime = hostedPageRuntime(configFromCredential(await this.getCredentials('smartIdApi', 0)), executionId);
		try {
			runtime.assertCanStoreSessions();
			const session = await startPageSession(this, runtime, pageUrlOf(this));
			const minutes = Math.min(PAGE_MINUTES.max, Math.max(PAGE_MINUTES.min, Number(this.getNodeParameter('pageMinutes', 0, PAGE_MINUTES.default)) || PAGE_MINUTES.default));
			const waitTill = new Date(Date.now() + minutes * 60_000);
			await this.putExecutionToWait(waitTill);
			const json: IDataObject = { state: 'WAITING_ON_PAGE', sessionId: session.sessionId, kind: session.kind, pageOpenUntil: waitTill.toISOString() };
			return [[{ json, pairedItem: { item: 0 } }]];
		} finally {
			await runtime.close();
		}
	} catch (error) {
		if (this.continueOnFail()) return [[{ json: errorJson(error), pairedItem: { item: 0 } }]];
		throw toNodeError(this.getNode(), error, 0);
	}
}
