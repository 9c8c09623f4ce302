import { SmartIdError } from '../errors';

/** Body of an RFC 9457 problem response (`application/problem+json`), as the RP API 3.2 returns them. */
export interface ProblemBody {
	type: string;
	title: string;
	status: number;
	detail: string;
	instance?: string;
}

const TITLES: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	409: 'Conflict',
	410: 'Gone',
	413: 'Content Too Large',
	415: 'Unsupported Media Type',
	471: 'No Suitable Account Of Requested Type Found',
	472: 'Person Should View Smart-ID App Or Portal',
	480: 'Client Too Old',
	500: 'Internal Server Error',
	503: 'Service Unavailable',
	580: 'System Under Maintenance',
};

/** An HTTP error answer of the simulator; the server turns it into a problem+json response. */
export class SimulatorProblem extends SmartIdError {
	readonly status: number;

	constructor(status: number, detail: string) {
		super(`SIMULATOR_HTTP_${status}`, detail, { status });
		this.status = status;
	}

	body(instance?: string): ProblemBody {
		return {
			type: 'about:blank',
			title: TITLES[this.status] ?? 'Error',
			status: this.status,
			detail: this.message,
			...(instance ? { instance } : {}),
		};
	}
}

/** Shorthand for a 400 naming the offending field. */
export function badRequest(detail: string): SimulatorProblem {
	return new SimulatorProblem(400, detail);
}
