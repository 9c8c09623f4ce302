import type { IDataObject, INodeExecutionData, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { answerPageRequest, HostedPage, hostedPageRuntime, StatusWatch, resourceHeaders, type PageReply, type PageResult } from '../../../lib/hosted-page';
import { configFromCredential } from '../../shared/config';
import { errorJson } from '../../shared/errors';
import { isSigningPage, operationKey, pageInfo, pageUrlOf, renewPageSignature, startPageSession, startPhoneSession, webhookParams } from './hosted-page';

/**
 * n8n's waiting webhooks of the Smart-ID node (like the Wait and Form nodes): GET serves the page and its
 * sub-resources, POST asks for a new code. Path '' so the page URL is exactly `$execution.resumeUrl`.
 */
export const hostedPageWebhooks: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', path: '', restartWebhook: true },
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true },
];

/** A page not asked about for this long is dropped (its runtime closed); the store keeps the session. */
const PAGE_IDLE_MS = 5 * 60_000;

/** Open pages of this process by execution id: each page hit skips the credential load and the store read. */
const pages = new Map<string, { page: HostedPage; lastUsed: number }>();
/** One status watch for every page of the process (one long poll per live session, whatever the tab count). */
const watch = new StatusWatch();

function sweep(now: number): void {
	for (const [id, entry] of pages) {
		if (now - entry.lastUsed > PAGE_IDLE_MS) {
			pages.delete(id);
			void entry.page.runtime.close();
		}
	}
}

async function pageFor(ctx: IWebhookFunctions, executionId: string): Promise<HostedPage> {
	const now = Date.now();
	sweep(now);
	const cached = pages.get(executionId);
	if (cached) {
		cached.lastUsed = now;
		return cached.page;
	}
	const params = webhookParams(ctx);
	const runtime = hostedPageRuntime(configFromCredential(await ctx.getCredentials('smartIdApi')), executionId);
	const pageUrl = pageUrlOf(ctx);
	// A login page starts a new authentication for "New code"; a signing page a new signature session over the
	// digest prepared when the node ran (the input binaries are not readable from a webhook, and re-preparing could
	// change the certificate), which also gives it Web2App on https.
	const key = operationKey(params);
	const login = key === 'authentication.authenticate';
	const signing = isSigningPage(key);
	const phone = login && ctx.getNodeParameter('offerSendToPhone', false) === true;
	const page = new HostedPage(
		runtime,
		pageInfo(params, runtime),
		watch,
		login ? () => startPageSession(params, runtime, pageUrl) : signing ? (old) => renewPageSignature(runtime, old, pageUrl) : undefined,
		phone ? (person) => startPhoneSession(params, runtime, person) : undefined,
		{ web2appByRenew: signing && pageUrl.startsWith('https://') },
	);
	const session = await page.session();
	if (session) Object.assign(page.info, pageInfo(params, runtime, session));
	pages.set(executionId, { page, lastUsed: now });
	return page;
}

/** The items the workflow resumes with: the validated result (binaries through n8n's helpers) or the error item. */
async function resumeItems(ctx: IWebhookFunctions, result: PageResult): Promise<INodeExecutionData[]> {
	const item: INodeExecutionData = { json: result.outcome.json as IDataObject, pairedItem: { item: 0 } };
	for (const file of result.outcome.files ?? []) {
		item.binary ??= {};
		item.binary[file.propertyName] = await ctx.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
	}
	return [item];
}

function send(ctx: IWebhookFunctions, reply: PageReply): void {
	const res = ctx.getResponseObject();
	res.status(reply.status);
	for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
	res.end(reply.body);
}

/**
 * Serve one hit on the page URL. Answers are written here (`noWebhookResponse`), so n8n resumes the execution only
 * when the page finished with this hit; then the workflow continues with the same output as "Wait for Completion"
 * (a refusal, time-out or failed check arrives as an error item `{ error, code, sessionId, ... }`).
 */
export async function hostedPageWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject();
	const executionId = this.getExecutionId() ?? '';
	let reply: PageReply;
	try {
		const page = await pageFor(this, executionId);
		reply = await answerPageRequest(page, { method: request.method, query: request.query as Record<string, unknown>, body: request.body as unknown });
	} catch (error) {
		const body = { ...errorJson(error), state: 'error' };
		send(this, { status: 500, headers: resourceHeaders('application/json; charset=utf-8'), body: JSON.stringify(body) });
		return { noWebhookResponse: true };
	}
	send(this, reply);
	if (!reply.result) return { noWebhookResponse: true };
	const entry = pages.get(executionId);
	pages.delete(executionId);
	if (entry) void entry.page.runtime.close();
	return { noWebhookResponse: true, workflowData: [await resumeItems(this, reply.result)] };
}
