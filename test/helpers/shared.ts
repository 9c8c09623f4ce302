import * as fs from 'node:fs';
import * as path from 'node:path';

/** Root of the shared research folder (`../shared` beside the repo), overridable with SMARTID_SHARED_DIR. */
export const SHARED_DIR = process.env.SMARTID_SHARED_DIR ?? path.resolve(__dirname, '../../../shared');

/**
 * Path inside ../shared. A suite that needs the shared fixtures fails loudly when they are missing
 * instead of silently passing: CI always has ../shared beside the clone.
 */
export function sharedPath(...parts: string[]): string {
	const full = path.join(SHARED_DIR, ...parts);
	if (!fs.existsSync(full)) {
		throw new Error(
			`Shared fixture missing: ${full}. These tests need the project's ../shared folder ` +
				'(or SMARTID_SHARED_DIR pointing at it).',
		);
	}
	return full;
}

/** Read and parse a JSON file from ../shared. */
export function readSharedJson<T = unknown>(...parts: string[]): T {
	return JSON.parse(fs.readFileSync(sharedPath(...parts), 'utf8')) as T;
}
