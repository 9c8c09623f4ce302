import { createHash } from 'node:crypto';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../../lib/flows/authentication';
import { callbackUrlWithToken, newCallbackToken } from '../../../lib/flows/same-device-callback';
import type { HashAlgorithm } from '../../../lib/hash-algorithm';
import { hostedPageRuntime, type PageFile, type PageInfo, type PhoneTarget } from '../../../lib/hosted-page';
import type { DeviceLinkType } from '../../../lib/rp-api/types';
import { newPendingSession, readPendingSession, savePendingSession, type PendingSession, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { configFromCredential } from '../../shared/config';
import { errorJson, toNodeError } from '../../shared/errors';
import { identityTarget, interactions, str } from '../../shared/params';
import { addSignature } from './addSignature';
import { dataFilesOf } from './buildAsice';
import { signContainer } from './container-common';

/** Operations that offer the Hosted Page completion (each signing operation joins here when it gets a page). */
const HOSTED_PAGE_OPERATIONS = new Set(['authentication.authenticate', 'container.buildAsice', 'container.addSignature']);
/** Operations whose Completion field lists Hosted Page but which have no page yet: refused by name, never run as "wait". */
const NO_PAGE_YET = new Set(['signature.signHash', 'certificate.getSigningCertificate', 'pdf.signPdf']);

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
	return (HOSTED_PAGE_OPERATIONS.has(key) || NO_PAGE_YET.has(key)) && str(ctx as IExecuteFunctions, 'completion', 0, 'wait') === 'hostedPage';
}

/** "resource.operation" of the node. */
export function operationKey(ctx: ParamContext): string {
	const p = ctx as IExecuteFunctions;
	return `${str(p, 'resource', 0)}.${str(p, 'operation', 0)}`;
}

/** What the page shows about the request. */
export function pageInfo(ctx: ParamContext, runtime: SessionRuntime, session?: PendingSession): PageInfo {
	const signing = session?.kind === 'asiceSignature';
	const files = signing ? (session.container.summary.pageFiles as PageFile[] | undefined) : undefined;
	return {
		relyingPartyName: runtime.config.relyingParty.relyingPartyName,
		displayText: str(ctx as IExecuteFunctions, 'displayText', 0),
		action: signing ? 'sign' : 'authenticate',
		...(files ? { files } : {}),
	};
}

/** Parameters read through a view that answers some names itself (the page's fixed signing method and link type). */
function withParameters(ctx: IExecuteFunctions, fixed: Record<string, string>): IExecuteFunctions {
	return new Proxy(ctx, {
		get(target, prop, receiver) {
			if (prop === 'getNodeParameter') {
				return (name: string, i: number, fallback?: unknown, options?: object) =>
					name in fixed ? fixed[name] : (target.getNodeParameter as (...a: unknown[]) => unknown)(name, i, fallback, options);
			}
			return Reflect.get(target, prop, receiver) as unknown;
		},
	});
}

/**
 * Signing on a page: Build ASiC-E / Add Signature by device link (QR), prepared now with the signer's certificate
 * (Document Number: the certificate goes into the signature before the code is shown), stored in the page's
 * scope. The page lists the files with their sizes and a SHA-256 prefix.
 */
async function startSigningPage(ctx: IExecuteFunctions, runtime: SessionRuntime, key: string): Promise<PendingSession> {
	const view = withParameters(ctx, { signingMethod: 'deviceLink', deviceLinkType: 'QR' });
	let outcome: SessionOutcome;
	if (key === 'container.buildAsice') {
		const files = await dataFilesOf(ctx, [0], 0);
		const fileName = str(ctx, 'containerFileName', 0, 'signed.asice') || 'signed.asice';
		// dataFilesOf reads every file into memory (n8n binaries), so data is always there.
		const pageFiles: PageFile[] = files.map((f) => {
			const data = Buffer.from(f.data ?? '');
			return { name: f.name, size: data.length, hashPrefix: createHash('sha256').update(data).digest('hex').slice(0, 16) };
		});
		outcome = await signContainer(view, 0, runtime, { input: { files }, fileName, summary: { operation: 'buildAsice', dataFiles: files.map((f) => f.name), pageFiles } });
	} else {
		outcome = await addSignature.call(view, 0, runtime);
	}
	const session = await readPendingSession(runtime, String(outcome.json.sessionId));
	if (!session) throw new InvalidRequestError('The signing session was started but could not be read back from the session store');
	return session;
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

/** "Send to my phone": a notification authentication to the typed person, stored in the page's scope. */
export async function startPhoneSession(ctx: ParamContext, runtime: SessionRuntime, person: PhoneTarget): Promise<{ session: PendingSession; verificationCode: string }> {
	const p = ctx as IExecuteFunctions;
	const started = await startNotificationAuthentication(runtime.client, runtime.flowConfig, { semanticsIdentifier: `PNO${person.country}-${person.personalCode}` }, {
		interactions: interactions(p, 0, true),
		certificateLevel: str(p, 'certificateLevel', 0, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED',
		hashAlgorithm: str(p, 'hashAlgorithm', 0, 'SHA-512') as HashAlgorithm,
	});
	const session = newPendingSession(runtime, { sessionId: started.sessionID, kind: 'authentication', context: started.context });
	await savePendingSession(runtime, session);
	return { session, verificationCode: started.verificationCode };
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
export async function executeHostedPage(this: IExecuteFunctions, key: string): Promise<INodeExecutionData[][]> {
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
			if (NO_PAGE_YET.has(key)) {
				throw new InvalidRequestError(
					'Hosted Page is available for Authenticate, Build ASiC-E and Add Signature (not yet for Sign Hash, Get Signing Certificate or Sign PDF); for this operation choose Wait for Completion or Start and Continue',
				);
			}
			runtime.assertCanStoreSessions();
			const session = key === 'authentication.authenticate' ? await startPageSession(this, runtime, pageUrlOf(this)) : await startSigningPage(this, runtime, key);
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
