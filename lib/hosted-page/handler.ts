import { SmartIdError } from '../errors';
import { createDeviceLink, deviceLinkQrPng } from '../flows/device-link';
import { verifySameDeviceCallback } from '../flows/same-device-callback';
import {
	completeSameDeviceCallback,
	completeSession,
	errorOutcome,
	readPendingSession,
	type PendingSession,
	type SessionOutcome,
	type SessionRuntime,
} from '../sessions';
import { bufferForDownload, pageDownloadOf } from './download';
import { newNonce, pageHeaders, resourceHeaders } from './headers';
import { renderPage, type PageDigest, type PageFile } from './page';
import type { StatusWatch } from './status-watch';
import { stateForErrorCode, wordsFor, type PageState } from './words';

/** How long the page's finishing request reserves the record (other hits and processes leave it alone). */
const FINISH_LEASE_MS = 60_000;
/** The pointer to the current session is re-read from the store at most this often (QR hits come every second). */
const CURRENT_TTL_MS = 2_000;
/** Pixels per QR module: shown 1:1 (no resampling blur), about 4 cm for a typical link on a desktop screen. */
const QR_MODULE_PX = 5;
/** At most one "Send to my phone" push per page in this long. */
const NOTIFY_INTERVAL_MS = 30_000;
/** Countries Smart-ID issues personal codes for, and the shape of a code the page accepts. */
const PHONE_COUNTRIES = new Set(['EE', 'LV', 'LT', 'BE']);
const PERSONAL_CODE = /^[0-9][0-9-]{4,19}$/;

/** Whom "Send to my phone" notifies: what the person typed, checked. */
export interface PhoneTarget {
	country: string;
	personalCode: string;
}

/** SK's UX guidance: offer a new code after about a minute of showing one. */
export const NEW_CODE_AFTER_SECONDS = 60;

/** What the page states about the request, fixed for its lifetime (from the node's parameters and credential). */
export interface PageInfo {
	relyingPartyName: string;
	displayText: string;
	action: 'authenticate' | 'sign';
	files?: PageFile[];
	/** Sign Hash: the hash algorithm and the first hex characters of the digest being signed. */
	digest?: PageDigest;
	/** Hand the signed container or PDF to the open tab when done (node option "Offer Download on Page"). */
	offerDownload?: boolean;
}

/** How the page may make links beyond its current session. */
export interface PageOptions {
	/**
	 * The page can give a Web2App link by starting a new session over the same request (a signing page whose first
	 * session offers QR only, with n8n on https): "Open Smart-ID" renews first.
	 */
	web2appByRenew?: boolean;
}

/** A finished page: its final state and the outcome the workflow resumes with. */
export interface PageResult {
	state: Exclude<PageState, 'waiting' | 'gone'>;
	outcome: SessionOutcome;
	/** True when the outcome is an error item (refused, timed out, failed a check). */
	failed: boolean;
}

/**
 * One hosted page: the scoped runtime, what it shows, how to start a fresh session for "New code", and the
 * per-process memory of its current session. The n8n adapter keeps one per waiting execution.
 */
export class HostedPage {
	private current?: { session?: PendingSession; at: number };
	private finished?: PageResult;

	constructor(
		readonly runtime: SessionRuntime,
		readonly info: PageInfo,
		private readonly watch: StatusWatch,
		private readonly startNew?: (old: PendingSession | undefined) => Promise<PendingSession>,
		private readonly notify?: (person: PhoneTarget) => Promise<{ session: PendingSession; verificationCode: string }>,
		private readonly options: PageOptions = {},
	) {}

	private lastNotifyAt = 0;

	/** Whether this page offers "Send to my phone" (a notification to a personal code the person types). */
	get canNotify(): boolean {
		return this.notify !== undefined;
	}

	/**
	 * "Send to my phone": a notification to the typed personal code replaces the code on screen; the page shows the
	 * verification code to compare. At most one push per page every 30 s (whoever holds the URL could otherwise
	 * make phones ring at will).
	 */
	async sendToPhone(person: PhoneTarget, now = Date.now()): Promise<{ verificationCode: string } | { refused: string }> {
		if (this.finished || !this.notify) return { refused: 'This page does not send notifications' };
		if (now - this.lastNotifyAt < NOTIFY_INTERVAL_MS) return { refused: 'A notification was sent a moment ago: wait half a minute before sending another' };
		this.lastNotifyAt = now;
		const old = await this.session(0);
		const { session, verificationCode } = await this.notify(person);
		if (old) {
			this.watch.forget(old.sessionId);
			await this.runtime.store.remove(old.sessionId).catch(() => false);
		}
		this.current = { session, at: Date.now() };
		return { verificationCode };
	}

	/** The page's live session (newest record of its scope), re-read from the store at most every 2 s. */
	async session(now = Date.now()): Promise<PendingSession | undefined> {
		if (this.current && now - this.current.at < CURRENT_TTL_MS) return this.current.session;
		const records = await this.runtime.store.list({ credentialKey: this.runtime.config.credentialKey });
		const newest = records.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
		const session = newest ? await readPendingSession(this.runtime, newest.sessionId) : undefined;
		this.current = { session, at: now };
		return session;
	}

	/**
	 * Where the session stands: `waiting`, `gone` (no session: finished elsewhere or never started), or final with
	 * the outcome to resume with. A COMPLETE answer is validated here (exactly once: the record is leased, then removed).
	 */
	async check(): Promise<{ state: 'waiting' | 'gone' } | PageResult> {
		if (this.finished) return this.finished;
		const session = await this.session();
		if (!session) return { state: 'gone' };
		const { status } = this.watch.peek(this.runtime.client, session.sessionId);
		if (status?.state !== 'COMPLETE') return { state: 'waiting' };
		// A same-device answer is finished only by its callback, which carries what the checks need (spec §4.5).
		const flow = status.signature?.flowType;
		if (status.result?.endResult === 'OK' && (flow === 'Web2App' || flow === 'App2App')) return { state: 'waiting' };
		const lease = await this.runtime.store.claim(session.sessionId, FINISH_LEASE_MS);
		if (!lease) return { state: 'waiting' };
		let result: PageResult;
		try {
			const outcome = await bufferForDownload(pageOutcome(session, await completeSession(session, status, this.runtime)), this.info.offerDownload);
			result = { state: 'success', outcome, failed: false };
		} catch (error) {
			result = failedResult(session, error);
		}
		await this.runtime.store.remove(session.sessionId, lease);
		return this.finish(session, result);
	}

	/** A Web2App return: check the callback (spec §4.5) before anything is trusted, then complete with it. */
	async callback(query: Record<string, string>): Promise<PageResult | { state: 'rejected'; reason: string }> {
		if (this.finished) return this.finished;
		const session = await this.session(0);
		if (!session?.secrets) return { state: 'rejected', reason: 'no live session' };
		const token = session.secrets.initialCallbackUrl ? new URL(session.secrets.initialCallbackUrl).searchParams.get('value') : null;
		try {
			verifySameDeviceCallback(query, { token: token ?? '', sessionSecret: session.secrets.sessionSecret, sessionType: session.secrets.sessionType });
		} catch (error) {
			return { state: 'rejected', reason: error instanceof SmartIdError ? error.code : 'SMARTID_CALLBACK_MISMATCH' };
		}
		let result: PageResult;
		try {
			const outcome = await bufferForDownload(pageOutcome(session, await completeSameDeviceCallback(this.runtime, session.sessionId, query)), this.info.offerDownload);
			result = { state: 'success', outcome, failed: false };
		} catch (error) {
			if (error instanceof SmartIdError && error.code === 'SMARTID_SESSION_BUSY') {
				const other = await this.check();
				return 'outcome' in other ? other : { state: 'rejected', reason: 'busy' };
			}
			result = failedResult(session, error);
			await this.runtime.store.remove(session.sessionId).catch(() => false);
		}
		return this.finish(session, result);
	}

	/** Whether this page can start a fresh session ("New code"). */
	get canRenew(): boolean {
		return this.startNew !== undefined;
	}

	/** Whether the live session can make links of this type (Web2App needs n8n on https), or the page can renew into one. */
	offers(type: 'QR' | 'Web2App'): boolean {
		if (this.current?.session?.secrets?.deviceLinkTypes.includes(type)) return true;
		return type === 'Web2App' && this.options.web2appByRenew === true && this.canRenew && this.current?.session !== undefined;
	}

	/** Whether a Web2App link needs a new session first (the live one offers QR only). */
	get renewsForWeb2App(): boolean {
		return this.options.web2appByRenew === true && this.canRenew;
	}

	/**
	 * "New code": start a fresh session (the old one is forgotten), when the page may. A login page starts a new
	 * authentication; a signing page a new signature session over the same prepared digest (see renew.ts).
	 */
	async renew(): Promise<PendingSession | undefined> {
		if (this.finished || !this.startNew) return undefined;
		const old = await this.session(0);
		// An answer already in for the live session is finished, never thrown away for a new code.
		if (old && this.watch.peek(this.runtime.client, old.sessionId).status?.state === 'COMPLETE') return old;
		const fresh = await this.startNew(old);
		if (old) {
			this.watch.forget(old.sessionId);
			await this.runtime.store.remove(old.sessionId).catch(() => false);
		}
		this.current = { session: fresh, at: Date.now() };
		return fresh;
	}

	private finish(session: PendingSession, result: PageResult): PageResult {
		this.watch.forget(session.sessionId);
		this.current = { session: undefined, at: Date.now() };
		this.finished = result;
		return result;
	}
}

/**
 * The outcome as "Wait for Completion" gives it: without the page's own file list (kept in the record's summary for
 * the page only), and for Sign Hash with the digest that was signed (Wait for Completion adds it too).
 */
export function pageOutcome(session: PendingSession, outcome: SessionOutcome): SessionOutcome {
	const json = { ...outcome.json };
	delete json.pageFiles;
	if (session.kind === 'signature') json.digest = session.context.digest;
	return { ...outcome, json };
}

function failedResult(session: PendingSession, error: unknown): PageResult {
	const outcome = errorOutcome(session, error);
	return { state: stateForErrorCode(String(outcome.json.code)), outcome, failed: true };
}

/** One page request, as the adapter hands it over: method, query, and the query string that addresses the page. */
export interface PageRequest {
	method: string;
	query: Record<string, unknown>;
	/** Parsed form body of a POST (n8n parses `application/x-www-form-urlencoded`). */
	body?: unknown;
}

/** What to answer, and when the page finished with this request, the result to resume the workflow with. */
export interface PageReply {
	status: number;
	headers: Record<string, string>;
	body: string | Buffer;
	result?: PageResult;
}

/** Query parameters a page request may carry (everything else is refused). */
const SUB_RESOURCES = new Set(['', 'status', 'qr', 'open', 'callback', 'new', 'notify']);
/** Sub-resources answered only to POST (they start something). */
const POST_ONLY = new Set(['new', 'notify']);

function first(value: unknown): string {
	if (Array.isArray(value)) return first(value[0]);
	return typeof value === 'string' ? value : '';
}

function json(status: number, body: unknown, result?: PageResult): PageReply {
	return { status, headers: resourceHeaders('application/json; charset=utf-8'), body: JSON.stringify(body), result };
}

function stateJson(state: PageState): Record<string, unknown> {
	return { state, ...wordsFor(state) };
}

function html(page: HostedPage, state: PageState, base: string, status = 200, result?: PageResult): PageReply {
	const nonce = newNonce();
	const download = pageDownloadOf(result, page.info.offerDownload);
	return {
		status,
		headers: pageHeaders(nonce),
		body: renderPage({
			...page.info,
			state,
			base,
			nonce,
			qr: page.offers('QR'),
			web2app: page.offers('Web2App'),
			notify: page.canNotify,
			newCodeAfterSeconds: page.canRenew ? NEW_CODE_AFTER_SECONDS : 0,
			...(download ? { download } : {}),
		}),
		result,
	};
}

/**
 * Answer one request to the page URL. `hp` selects what: the page (empty), `status` (JSON), `qr` (PNG of a link
 * made now), `open` (redirect to a Web2App link made now), `callback` (the app's return), `new` (POST: new code).
 * Links and images are made here, so the page never holds `sessionSecret`. `signature` is n8n's resume token
 * (already checked by n8n); it is carried into the page's own links.
 */
export async function answerPageRequest(page: HostedPage, request: PageRequest): Promise<PageReply> {
	const hp = first(request.query.hp);
	const signature = first(request.query.signature);
	const base = `?signature=${encodeURIComponent(signature)}`;
	if (!SUB_RESOURCES.has(hp)) return json(400, { error: `Unknown page resource "${hp.slice(0, 20)}"`, code: 'SMARTID_HOSTED_PAGE_BAD_REQUEST' });
	if (POST_ONLY.has(hp) !== (request.method === 'POST')) {
		return json(405, { error: POST_ONLY.has(hp) ? `"${hp}" is asked for with POST` : 'Only GET is answered here', code: 'SMARTID_HOSTED_PAGE_BAD_REQUEST' });
	}
	if (hp === 'notify') {
		if (!page.canNotify) return json(404, { error: 'This page does not send notifications', code: 'SMARTID_HOSTED_PAGE_BAD_REQUEST' });
		const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
		const country = first(form.country).toUpperCase();
		const personalCode = first(form.personalCode).trim();
		if (!PHONE_COUNTRIES.has(country) || !PERSONAL_CODE.test(personalCode)) {
			return json(400, { error: 'Choose the country and type the personal code (digits only)', code: 'SMARTID_HOSTED_PAGE_BAD_REQUEST' });
		}
		const sent = await page.sendToPhone({ country, personalCode });
		if ('refused' in sent) return json(429, { error: sent.refused, code: 'SMARTID_HOSTED_PAGE_BUSY' });
		return json(200, { ...stateJson('waiting'), verificationCode: sent.verificationCode });
	}
	if (hp === 'qr' || hp === 'open') {
		let session = await page.session();
		const type = hp === 'qr' ? 'QR' : 'Web2App';
		// A signing page's first session offers QR only: "Open Smart-ID" moves the page to a new session over the same
		// digest that also offers Web2App (with this page as its callback).
		if (type === 'Web2App' && session?.secrets && !session.secrets.deviceLinkTypes.includes('Web2App') && page.renewsForWeb2App) session = await page.renew();
		if (!session?.secrets || !session.secrets.deviceLinkTypes.includes(type)) {
			return json(410, { ...stateJson('gone'), code: 'SMARTID_HOSTED_PAGE_GONE' });
		}
		const link = createDeviceLink(session.secrets, { deviceLinkType: type });
		if (type === 'QR') return { status: 200, headers: resourceHeaders('image/png'), body: deviceLinkQrPng(link, { modulePx: QR_MODULE_PX }) };
		return { status: 302, headers: { ...resourceHeaders('text/plain; charset=utf-8'), Location: link }, body: 'Opening Smart-ID' };
	}
	if (hp === 'new') {
		const fresh = await page.renew();
		return json(200, stateJson(fresh ? 'waiting' : 'gone'));
	}
	if (hp === 'callback') {
		const query: Record<string, string> = {};
		for (const [key, value] of Object.entries(request.query)) query[key] = first(value);
		const outcome = await page.callback(query);
		if (outcome.state === 'rejected') return { ...html(page, 'error', base, 400), result: undefined };
		return html(page, outcome.state, base, 200, outcome);
	}
	const state = await page.check();
	if (hp === 'status') {
		const body = stateJson(state.state);
		// With `qr=1` a waiting page gets its next QR image in the same answer (one n8n hit a second, not two).
		if (state.state === 'waiting' && first(request.query.qr) === '1') {
			const session = await page.session();
			if (session?.secrets?.deviceLinkTypes.includes('QR')) {
				const png = deviceLinkQrPng(createDeviceLink(session.secrets, { deviceLinkType: 'QR' }), { modulePx: QR_MODULE_PX });
				body.qr = `data:image/png;base64,${png.toString('base64')}`;
			}
		}
		const download = 'outcome' in state ? pageDownloadOf(state, page.info.offerDownload) : undefined;
		if (download) body.download = download;
		return json(200, body, 'outcome' in state ? state : undefined);
	}
	return html(page, state.state, base, 200, 'outcome' in state ? state : undefined);
}
