import type { EndResult } from '../rp-api/types';
import type { AccountBehaviour, SimulatorAccount } from './accounts';
import { parseFaultRule } from './faults';
import { statusOf, type CertStatus } from './ocsp-responder';
import type { CertificatePurpose } from './pki';
import { badRequest, SimulatorProblem } from './problem';
import type { SimulatorCore } from './core';

const END_RESULTS: EndResult[] = [
	'OK',
	'USER_REFUSED',
	'USER_REFUSED_INTERACTION',
	'USER_REFUSED_CERT_CHOICE',
	'TIMEOUT',
	'DOCUMENT_UNUSABLE',
	'ACCOUNT_UNUSABLE',
	'WRONG_VC',
	'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP',
	'PROTOCOL_FAILURE',
	'EXPECTED_LINKED_SESSION',
	'SERVER_ERROR',
];

/** What `/control/...` answers: a status and a JSON body. */
interface ControlReply {
	status: number;
	contentType: string;
	body: Buffer;
}

function ok(value: unknown, status = 200): ControlReply {
	return { status, contentType: 'application/json;charset=UTF-8', body: Buffer.from(JSON.stringify(value)) };
}

function object(body: unknown): Record<string, unknown> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Body must be a JSON object');
	return body as Record<string, unknown>;
}

function accountOrThrow(core: SimulatorCore, documentNumber: unknown): SimulatorAccount {
	const account = typeof documentNumber === 'string' ? core.accounts.byDocumentNumber(documentNumber) : undefined;
	if (!account) throw new SimulatorProblem(404, 'Unknown documentNumber');
	return account;
}

function describeAccount(account: SimulatorAccount) {
	return {
		documentNumber: account.documentNumber,
		semanticsIdentifier: account.semanticsIdentifier,
		givenName: account.givenName,
		surname: account.surname,
		certificateLevel: account.certificateLevel,
		dateOfBirth: account.dateOfBirth,
		listedFor: account.listedFor,
		behaviour: account.behaviour,
		note: account.note,
	};
}

function parseBehaviour(body: unknown): AccountBehaviour {
	const input = object(body);
	if (!END_RESULTS.includes(input.endResult as EndResult)) throw badRequest(`endResult must be one of ${END_RESULTS.join(', ')}`);
	if (input.interaction !== undefined && typeof input.interaction !== 'string') throw badRequest('interaction must be a string');
	if (input.legacyPkcs1 !== undefined && typeof input.legacyPkcs1 !== 'boolean') throw badRequest('legacyPkcs1 must be a boolean');
	const delay = input.delayMs;
	if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 600_000)) {
		throw badRequest('delayMs must be an integer between 0 and 600000');
	}
	return {
		endResult: input.endResult as EndResult,
		interaction: input.interaction as string | undefined,
		legacyPkcs1: input.legacyPkcs1 as boolean | undefined,
		delayMs: delay as number | undefined,
	};
}

async function certificates(core: SimulatorCore, account: SimulatorAccount) {
	const result: Record<string, unknown> = {};
	for (const purpose of ['auth', 'sign'] as CertificatePurpose[]) {
		const { cert } = await core.pki.credentials(account, purpose, core.ocspUrl);
		const issuer = core.pki.entity(account.issuer);
		result[purpose] = {
			serialNumber: cert.serialNumber.toLowerCase(),
			pem: cert.toString(),
			issuerPem: issuer.pem,
			ocspStatus: statusOf(core.pki, core.statuses, issuer, cert.serialNumber),
		};
	}
	return result;
}

async function setStatus(core: SimulatorCore, body: unknown, forced?: CertStatus): Promise<ControlReply> {
	const input = object(body);
	const status = (forced ?? input.status) as CertStatus;
	if (!['good', 'revoked', 'unknown'].includes(status)) throw badRequest('status must be good, revoked or unknown');
	const reason = input.reason;
	if (reason !== undefined && (typeof reason !== 'number' || !Number.isInteger(reason) || reason < 0 || reason > 10)) {
		throw badRequest('reason must be a CRLReason code 0..10');
	}
	let revocationTime: Date | undefined;
	if (input.revocationTime !== undefined) {
		revocationTime = new Date(String(input.revocationTime));
		if (Number.isNaN(revocationTime.getTime())) throw badRequest('revocationTime must be an ISO 8601 date-time');
	}
	const serials: string[] = [];
	if (typeof input.serialNumber === 'string') {
		if (!/^[0-9a-fA-F]+$/.test(input.serialNumber)) throw badRequest('serialNumber must be hex');
		serials.push(input.serialNumber);
	} else {
		const account = accountOrThrow(core, input.documentNumber);
		const purpose = input.purpose ?? 'both';
		if (!['auth', 'sign', 'both'].includes(purpose as string)) throw badRequest('purpose must be auth, sign or both');
		for (const p of (purpose === 'both' ? ['auth', 'sign'] : [purpose]) as CertificatePurpose[]) {
			serials.push((await core.pki.credentials(account, p, core.ocspUrl)).cert.serialNumber);
		}
	}
	for (const serial of serials) {
		core.statuses.set(serial, { status, revocationTime: status === 'revoked' ? (revocationTime ?? new Date()) : undefined, reason: reason as number | undefined });
	}
	return ok({ serialNumbers: serials.map((s) => s.toLowerCase()), status });
}

/**
 * The control API (JSON, loopback only like the rest): accounts and their behaviour, certificate status for the
 * OCSP responder, fault injection, sessions, reset.
 */
export async function handleControl(core: SimulatorCore, method: string, path: string, body: unknown): Promise<ControlReply> {
	let parts: string[];
	try {
		parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
	} catch {
		throw badRequest('Path is not valid percent-encoding');
	}
	const [area, id, sub] = parts;
	if (area === 'accounts' && method === 'GET' && !id) return ok(core.accounts.all().map(describeAccount));
	if (area === 'accounts' && id && !sub && method === 'GET') return ok(describeAccount(accountOrThrow(core, id)));
	if (area === 'accounts' && id && sub === 'certificates' && method === 'GET') {
		return ok(await certificates(core, accountOrThrow(core, id)));
	}
	if (area === 'accounts' && id && sub === 'behaviour') {
		const account = accountOrThrow(core, id);
		if (method === 'PUT' || method === 'POST') {
			core.accounts.setBehaviour(account.documentNumber, parseBehaviour(body));
			return ok(describeAccount(account));
		}
		if (method === 'DELETE') {
			core.accounts.resetBehaviour(account.documentNumber);
			return ok(describeAccount(account));
		}
	}
	if (area === 'certificates' && id === 'status' && method === 'POST') return setStatus(core, body);
	if (area === 'certificates' && id === 'revoke' && method === 'POST') return setStatus(core, body, 'revoked');
	if (area === 'faults') {
		if (method === 'GET' && !id) return ok(core.faults.list());
		if (method === 'POST' && !id) return ok(core.faults.add(parseFaultRule(body)), 201);
		if (method === 'DELETE' && !id) {
			core.faults.clear();
			return ok({ cleared: true });
		}
		if (method === 'DELETE' && id) {
			if (!core.faults.remove(id)) throw new SimulatorProblem(404, 'No such fault rule');
			return ok({ removed: id });
		}
	}
	if (area === 'sessions' && method === 'GET') {
		return ok(
			core.sessions.all().map((s) => ({
				sessionID: s.id,
				kind: s.kind,
				channel: s.channel,
				state: s.state,
				endResult: s.status.result?.endResult,
				documentNumber: s.account?.documentNumber,
			})),
		);
	}
	if (area === 'reset' && method === 'POST') {
		core.sessions.clear();
		core.faults.clear();
		core.statuses.clear();
		core.accounts.resetBehaviour();
		core.idempotency.clear();
		core.pendingLinks.clear();
		return ok({ reset: true });
	}
	throw new SimulatorProblem(404, 'No such control endpoint');
}
