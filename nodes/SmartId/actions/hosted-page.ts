import { createHash } from 'node:crypto';

import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../../lib/flows/authentication';
import { callbackUrlWithToken, newCallbackToken } from '../../../lib/flows/same-device-callback';
import type { HashAlgorithm } from '../../../lib/hash-algorithm';
import { hostedPageRuntime, isPageSignature, renewSignatureSession, type PageFile, type PageInfo, type PageLinkRequest, type PhoneTarget } from '../../../lib/hosted-page';
import {
	newPendingSession,
	readPendingSession,
	savePendingSession,
	type PendingPdfSignature,
	type PendingSession,
	type SessionOutcome,
	type SessionRuntime,
} from '../../../lib/sessions';
import { configFromCredential } from '../../shared/config';
import { errorJson, toNodeError } from '../../shared/errors';
import { identityTarget, interactions, str } from '../../shared/params';
import { addSignature } from './addSignature';
import { dataFilesOf } from './buildAsice';
import { signContainer } from './container-common';
import { signHash } from './signHash';
import { signPdf } from './signPdf';

/** Operations that offer the Hosted Page completion (each signing operation joins here when it gets a page). */
const HOSTED_PAGE_OPERATIONS = new Set(['authentication.authenticate', 'container.buildAsice', 'container.addSignature', 'signature.signHash', 'pdf.signPdf']);
/** The signing operations among them: their page renews its signature session over the same digest ("New code"). */
const SIGNING_PAGES = new Set(['container.buildAsice', 'container.addSignature', 'signature.signHash', 'pdf.signPdf']);
/**
 * Operations whose Completion field lists Hosted Page but which have no page: refused by name, never run as "wait".
 * Get Signing Certificate signs nothing and is not in issue 13's list; its certificate choice stays with the trigger.
 */
const NO_PAGE = new Set(['certificate.getSigningCertificate']);
/** How many hex characters of a digest the page shows (64 bits: enough to compare by eye, as the file rows do). */
const HASH_PREFIX_CHARS = 16;

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
	return (HOSTED_PAGE_OPERATIONS.has(key) || NO_PAGE.has(key)) && str(ctx as IExecuteFunctions, 'completion', 0, 'wait') === 'hostedPage';
}

/** "resource.operation" of the node. */
export function operationKey(ctx: ParamContext): string {
	const p = ctx as IExecuteFunctions;
	return `${str(p, 'resource', 0)}.${str(p, 'operation', 0)}`;
}

/** Whether this operation's page renews its signature session ("New code", Web2App) instead of a login. */
export function isSigningPage(key: string): boolean {
	return SIGNING_PAGES.has(key);
}

/** What the page shows about the request: for a signature, the files (name, size, SHA-256 prefix) or the hash. */
export function pageInfo(ctx: ParamContext, runtime: SessionRuntime, session?: PendingSession): PageInfo {
	const summary = session?.kind === 'asiceSignature' ? session.container.summary : session?.kind === 'pdfSignature' ? session.pdf.summary : undefined;
	const files = summary?.pageFiles as PageFile[] | undefined;
	const signing = session !== undefined && session.kind !== 'authentication';
	return {
		relyingPartyName: runtime.config.relyingParty.relyingPartyName,
		displayText: str(ctx as IExecuteFunctions, 'displayText', 0),
		action: signing ? 'sign' : 'authenticate',
		...(files ? { files } : {}),
		...(session?.kind === 'signature'
			? { digest: { algorithm: session.context.hashAlgorithm, hexPrefix: Buffer.from(session.context.digest, 'base64').toString('hex').slice(0, HASH_PREFIX_CHARS) } }
			: {}),
		...(summary && ctx.getNodeParameter('offerDownload', 0, false) === true ? { offerDownload: true } : {}),
	};
}

/**
 * Name, size and SHA-256 prefix of an input binary, hashed as a stream when n8n keeps it outside memory (filesystem
 * or S3 mode), so a large PDF is not held a second time for the page.
 */
async function streamedPageFile(ctx: IExecuteFunctions, meta: IBinaryData, property: string, name: string): Promise<PageFile> {
	if (!meta.id) return pageFileOf(name, await ctx.helpers.getBinaryDataBuffer(0, property));
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of await ctx.helpers.getBinaryStream(meta.id)) {
		const bytes = chunk as Buffer;
		size += bytes.length;
		hash.update(bytes);
	}
	return { name, size, hashPrefix: hash.digest('hex').slice(0, HASH_PREFIX_CHARS) };
}

/** Name, size and SHA-256 prefix of one file as the page lists it. */
function pageFileOf(name: string, data: Buffer): PageFile {
	return { name, size: data.length, hashPrefix: createHash('sha256').update(data).digest('hex').slice(0, HASH_PREFIX_CHARS) };
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
 * Signing on a page: Build ASiC-E / Add Signature / Sign PDF by device link (QR), prepared now with the signer's
 * certificate (Document Number: the certificate goes into the signature before the code is shown), Sign Hash for
 * the person named (document number or personal code: a bare hash embeds no certificate); stored in the page's
 * scope. Each operation's own code starts it, so the rules and messages are theirs. The page lists the files with
 * their sizes and a SHA-256 prefix, or the hash algorithm and a prefix of the hash.
 */
async function startSigningPage(ctx: IExecuteFunctions, runtime: SessionRuntime, key: string): Promise<PendingSession> {
	const view = withParameters(ctx, { signingMethod: 'deviceLink', deviceLinkType: 'QR' });
	let outcome: SessionOutcome;
	if (key === 'container.buildAsice') {
		const files = await dataFilesOf(ctx, [0], 0);
		const fileName = str(ctx, 'containerFileName', 0, 'signed.asice') || 'signed.asice';
		// dataFilesOf reads every file into memory (n8n binaries), so data is always there.
		const pageFiles = files.map((f) => pageFileOf(f.name, Buffer.from(f.data ?? '')));
		outcome = await signContainer(view, 0, runtime, { input: { files }, fileName, summary: { operation: 'buildAsice', dataFiles: files.map((f) => f.name), pageFiles } });
	} else if (key === 'signature.signHash') {
		outcome = await signHash.call(view, 0, runtime);
	} else if (key === 'pdf.signPdf') {
		outcome = await signPdf.call(view, 0, runtime);
	} else {
		outcome = await addSignature.call(view, 0, runtime);
	}
	const session = await readPendingSession(runtime, String(outcome.json.sessionId));
	if (!session) throw new InvalidRequestError('The signing session was started but could not be read back from the session store');
	if (session.kind === 'pdfSignature') return withPdfPageFile(ctx, runtime, session);
	return session;
}

/**
 * The PDF's name, size and SHA-256 prefix for the page, kept in the record's summary (the page strips it from the
 * result, see pageOutcome). Read here, after Sign PDF prepared it, so Sign PDF itself stays as it is.
 */
async function withPdfPageFile(ctx: IExecuteFunctions, runtime: SessionRuntime, session: PendingPdfSignature): Promise<PendingSession> {
	const property = str(ctx, 'pdfPropertyName', 0, 'data') || 'data';
	const meta = ctx.helpers.assertBinaryData(0, property);
	const pageFiles = [await streamedPageFile(ctx, meta, property, meta.fileName ?? session.pdf.fileName)];
	const withFiles: PendingPdfSignature = { ...session, pdf: { ...session.pdf, summary: { ...session.pdf.summary, pageFiles } } };
	await savePendingSession(runtime, withFiles);
	return withFiles;
}

/**
 * Which links a page session offers: QR always; Web2App too when n8n's page URL is https (Smart-ID returns only to
 * https), with the page itself as the callback and a fresh `value` token bound to that session.
 */
export function pageLinkRequest(pageUrl: string): PageLinkRequest {
	if (!pageUrl.startsWith('https://')) return { deviceLinkTypes: ['QR'] };
	const callback = new URL(pageUrl);
	callback.searchParams.set('hp', 'callback');
	return { deviceLinkTypes: ['QR', 'Web2App'], initialCallbackUrl: callbackUrlWithToken(callback.toString(), newCallbackToken()) };
}

/** "New code" / first Web2App link of a signing page: a new session over the stored digest (see lib renew.ts). */
export async function renewPageSignature(runtime: SessionRuntime, old: PendingSession | undefined, pageUrl: string): Promise<PendingSession> {
	if (!old || !isPageSignature(old)) throw new InvalidRequestError('This page has no signing session to make a new code for (it finished or expired)');
	return renewSignatureSession(runtime, old, pageLinkRequest(pageUrl));
}

/**
 * Start a device-link session for the page and store it (sealed, in the page's scope). QR always; Web2App too when
 * n8n's page URL is https (Smart-ID returns only to https), with the page itself as the callback and a fresh
 * `value` token bound to this session.
 */
export async function startPageSession(ctx: ParamContext, runtime: SessionRuntime, pageUrl: string): Promise<PendingSession> {
	const p = ctx as IExecuteFunctions;
	const started = await startDeviceLinkAuthentication(runtime.client, runtime.flowConfig, identityTarget(p, 0, 'identifyBy'), {
		interactions: interactions(p, 0, true),
		certificateLevel: str(p, 'certificateLevel', 0, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED',
		hashAlgorithm: str(p, 'hashAlgorithm', 0, 'SHA-512') as HashAlgorithm,
		...pageLinkRequest(pageUrl),
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
			if (NO_PAGE.has(key)) {
				throw new InvalidRequestError(
					'Hosted Page is for Authenticate, Sign Hash, Build ASiC-E, Add Signature and Sign PDF; Get Signing Certificate has no page: choose Wait for Completion or Start and Continue',
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
