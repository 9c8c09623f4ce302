import { randomBytes, randomUUID } from 'node:crypto';
import type { FlowType, SessionStatus } from '../rp-api/types';
import type { SimulatorAccount } from './accounts';
import type { RelyingParty } from './relying-parties';
import type { Channel, SessionKind, SessionRequest } from './request-rules';

/** One session the simulator runs, with everything the app and the status endpoint need. */
export interface SimSession {
	id: string;
	kind: SessionKind;
	channel: Channel;
	request: SessionRequest;
	rp: RelyingParty;
	/** Target account for identified sessions; set on completion for anonymous ones. */
	account?: SimulatorAccount;
	/** How the session was addressed: a person (etsi), a document, or nobody (anonymous). */
	target: { type: 'etsi'; semanticsIdentifier: string } | { type: 'document'; documentNumber: string } | { type: 'anonymous' };
	sessionToken?: string;
	sessionSecret?: string;
	deviceLinkBase?: string;
	createdAt: number;
	state: 'RUNNING' | 'COMPLETE';
	status: SessionStatus;
	flowType?: FlowType;
	/** Verifier the app hands to a same-device callback (auth only). */
	userChallengeVerifier?: string;
	completedAt?: number;
	timers: NodeJS.Timeout[];
	waiters: Set<() => void>;
}

/** Options of the store: how long sessions wait for the user and how long results stay readable. */
export interface SessionStoreOptions {
	/** A RUNNING session ends with TIMEOUT after this long (ms). */
	sessionTimeoutMs: number;
	/** A COMPLETE session stays readable this long (ms); afterwards the status endpoint answers 404. */
	sessionRetentionMs: number;
}

/** In-memory sessions with long-poll waiters, user timeout and expiry. */
export class SessionStore {
	private readonly sessions = new Map<string, SimSession>();
	private readonly byToken = new Map<string, string>();

	constructor(private readonly options: SessionStoreOptions) {}

	create(fields: Pick<SimSession, 'kind' | 'channel' | 'request' | 'rp' | 'target' | 'account'>, deviceLinkBase?: string): SimSession {
		const session: SimSession = {
			...fields,
			id: randomUUID(),
			createdAt: Date.now(),
			state: 'RUNNING',
			status: { state: 'RUNNING' },
			timers: [],
			waiters: new Set(),
		};
		if (fields.channel === 'device-link') {
			// SK's tokens are 24 URL-safe characters, secrets 24 Base64 characters (18 bytes).
			session.sessionToken = randomBytes(18).toString('base64url');
			session.sessionSecret = randomBytes(18).toString('base64');
			session.deviceLinkBase = deviceLinkBase;
			this.byToken.set(session.sessionToken, session.id);
		}
		this.sessions.set(session.id, session);
		const timeout = setTimeout(() => this.complete(session, { state: 'COMPLETE', result: { endResult: 'TIMEOUT' } }), this.options.sessionTimeoutMs);
		timeout.unref();
		session.timers.push(timeout);
		return session;
	}

	get(id: string): SimSession | undefined {
		return this.sessions.get(id);
	}

	byDeviceLinkToken(token: string): SimSession | undefined {
		const id = this.byToken.get(token);
		return id ? this.sessions.get(id) : undefined;
	}

	all(): SimSession[] {
		return [...this.sessions.values()];
	}

	/** Run `fn` after `delayMs` unless the session has ended by then. */
	schedule(session: SimSession, delayMs: number, fn: () => void): void {
		const timer = setTimeout(() => {
			if (session.state === 'RUNNING') fn();
		}, delayMs);
		timer.unref();
		session.timers.push(timer);
	}

	/** End a session once; later calls are ignored (the first result wins, as on the real service). */
	complete(session: SimSession, status: SessionStatus, flowType?: FlowType): boolean {
		if (session.state !== 'RUNNING') return false;
		session.state = 'COMPLETE';
		session.status = status;
		session.flowType = flowType;
		session.completedAt = Date.now();
		for (const timer of session.timers) clearTimeout(timer);
		session.timers = [];
		const expiry = setTimeout(() => this.remove(session), this.options.sessionRetentionMs);
		expiry.unref();
		session.timers.push(expiry);
		for (const wake of session.waiters) wake();
		session.waiters.clear();
		return true;
	}

	/** Resolve when the session completes or after `timeoutMs`, whichever is first (long poll, spec §3). */
	wait(session: SimSession, timeoutMs: number): Promise<void> {
		if (session.state !== 'RUNNING') return Promise.resolve();
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				session.waiters.delete(done);
				resolve();
			};
			const timer = setTimeout(done, timeoutMs);
			session.waiters.add(done);
		});
	}

	remove(session: SimSession): void {
		for (const timer of session.timers) clearTimeout(timer);
		for (const wake of session.waiters) wake();
		this.sessions.delete(session.id);
		if (session.sessionToken) this.byToken.delete(session.sessionToken);
	}

	/** Drop everything (simulator stop / control reset). */
	clear(): void {
		for (const session of [...this.sessions.values()]) this.remove(session);
	}
}
