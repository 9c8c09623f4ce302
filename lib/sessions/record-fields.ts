import { isStrictBase64 } from '../encoding';
import { SmartIdError } from '../errors';

/**
 * A stored pending-session record failed the strict parser. `details.field` names the first field that is wrong
 * (e.g. `context.rpChallenge`), so the trigger's error item tells the operator exactly what was refused.
 */
export class PendingSessionInvalidError extends SmartIdError {
	constructor(field: string, problem: string) {
		super(
			'SMARTID_SESSION_RECORD_INVALID',
			`Pending-session record field ${field} ${problem}: the record was not written by this package for this credential (damaged, planted or from an older version), so it is not used. Start the session again.`,
			{ field },
		);
	}
}

type Json = Record<string, unknown>;

/**
 * Reads one JSON object of a record: every access names its field path, every problem throws
 * {@link PendingSessionInvalidError}, and unknown keys are refused (`done()`).
 */
export class RecordReader {
	private readonly seen = new Set<string>();

	private constructor(
		private readonly o: Json,
		readonly path: string,
	) {}

	/** Open `value` (the whole record when `path` is empty) as an object. */
	static of(value: unknown, path: string): RecordReader {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PendingSessionInvalidError(path || 'record', 'is not an object');
		return new RecordReader(value as Json, path);
	}

	name(key: string): string {
		return this.path ? `${this.path}.${key}` : key;
	}

	fail(key: string, problem: string): never {
		throw new PendingSessionInvalidError(this.name(key), problem);
	}

	has(key: string): boolean {
		return Object.prototype.hasOwnProperty.call(this.o, key) && this.o[key] !== undefined;
	}

	/** The raw value (marks the key as known). */
	raw(key: string, required = true): unknown {
		this.seen.add(key);
		if (required && !this.has(key)) this.fail(key, 'is missing');
		return this.o[key];
	}

	child(key: string): RecordReader {
		return RecordReader.of(this.raw(key), this.name(key));
	}

	optChild(key: string): RecordReader | undefined {
		return this.has(key) ? this.child(key) : (this.seen.add(key), undefined);
	}

	text(key: string, options: { max: number; min?: number; pattern?: RegExp; what?: string }): string {
		const v = this.raw(key);
		if (typeof v !== 'string') this.fail(key, 'is not text');
		if (v.length < (options.min ?? 1)) this.fail(key, 'is empty');
		if (v.length > options.max) this.fail(key, `is longer than ${options.max} characters`);
		if (v.includes('\0')) this.fail(key, 'contains a NUL character');
		if (options.pattern && !options.pattern.test(v)) this.fail(key, `is not ${options.what ?? 'in the expected form'}`);
		return v;
	}

	optText(key: string, options: { max: number; min?: number; pattern?: RegExp; what?: string }): string | undefined {
		return this.has(key) ? this.text(key, options) : (this.seen.add(key), undefined);
	}

	base64(key: string, options: { maxChars: number; bytes?: number; minBytes?: number }): string {
		const v = this.text(key, { max: options.maxChars });
		if (!isStrictBase64(v)) this.fail(key, 'is not valid Base64');
		const length = Buffer.byteLength(v, 'base64');
		if (options.bytes !== undefined && length !== options.bytes) this.fail(key, `is not ${options.bytes} bytes long`);
		if (options.minBytes !== undefined && length < options.minBytes) this.fail(key, `is shorter than ${options.minBytes} bytes`);
		return v;
	}

	oneOf<T extends string>(key: string, allowed: readonly T[]): T {
		const v = this.raw(key);
		if (!allowed.includes(v as T)) this.fail(key, `is not one of ${allowed.join(', ')}`);
		return v as T;
	}

	optOneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
		return this.has(key) ? this.oneOf(key, allowed) : (this.seen.add(key), undefined);
	}

	/** A list whose items are read by `item` with their own paths. */
	list<T>(key: string, item: (value: unknown, path: string) => T, options: { min?: number; max: number }): T[] {
		const v = this.raw(key);
		if (!Array.isArray(v)) this.fail(key, 'is not a list');
		if (v.length < (options.min ?? 0)) this.fail(key, 'is empty');
		if (v.length > options.max) this.fail(key, `has more than ${options.max} items`);
		return v.map((x, i) => item(x, `${this.name(key)}[${i}]`));
	}

	whole(key: string, max: number): number {
		const v = this.raw(key);
		if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) this.fail(key, `is not a whole number from 0 to ${max}`);
		return v;
	}

	flag(key: string): boolean | undefined {
		const v = this.raw(key, false);
		if (v !== undefined && typeof v !== 'boolean') this.fail(key, 'is not true or false');
		return v as boolean | undefined;
	}

	/** ISO-8601 date-time as `toISOString` writes it; returns epoch ms. */
	time(key: string): number {
		const v = this.text(key, { max: 30, pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, what: 'an ISO-8601 UTC time' });
		const ms = Date.parse(v);
		if (Number.isNaN(ms)) this.fail(key, 'is not a real date and time');
		return ms;
	}

	/** Plain JSON (no functions, no cycles), at most `maxChars` when serialised. */
	json(key: string, maxChars: number): unknown {
		const v = this.raw(key, false);
		if (v === undefined) return undefined;
		let text: string | undefined;
		try {
			text = JSON.stringify(v);
		} catch {
			this.fail(key, 'is not plain JSON');
		}
		if (text === undefined) this.fail(key, 'is not plain JSON');
		if (text.length > maxChars) this.fail(key, `is longer than ${maxChars} characters as JSON`);
		return v;
	}

	/** Refuse every key that no reader asked for. */
	done(): void {
		for (const key of Object.keys(this.o)) {
			if (!this.seen.has(key) && this.o[key] !== undefined) this.fail(key, 'is not a field of this record kind');
		}
	}
}
