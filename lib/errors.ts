/**
 * Base of every error the engine throws on purpose. `code` is stable (tests, node output and users'
 * workflows branch on it); `message` says what was wrong and what to do, in words an ops person can act on.
 * Nothing secret (sessionSecret, private keys) may ever be put into a message or `details`.
 */
export class SmartIdError extends Error {
	/** Stable machine-readable code, e.g. `SMARTID_USER_REFUSED`. */
	readonly code: string;
	/** Extra non-secret facts (HTTP status, session id, field name, ...). */
	readonly details: Record<string, unknown>;

	constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
		this.details = details;
	}
}

/** A request parameter was refused before anything was sent. */
export class InvalidRequestError extends SmartIdError {
	constructor(message: string, details: Record<string, unknown> = {}) {
		super('SMARTID_INVALID_REQUEST', message, details);
	}
}

/**
 * A response (session status, certificate, signature, OCSP, timestamp) failed a validation rule and must not be
 * trusted. `rule` names the rule (e.g. `signature.hashAlgorithm.matchesRequest`) so a test can break exactly one.
 */
export class ValidationError extends SmartIdError {
	readonly rule: string;
	constructor(rule: string, message: string, details: Record<string, unknown> = {}) {
		super('SMARTID_VALIDATION_FAILED', message, { ...details, rule });
		this.rule = rule;
	}
}
