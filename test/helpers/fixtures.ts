import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Test data kept in the repository (`test/fixtures/`, each folder with a SOURCES.md), so a fresh clone with nothing
 * beside it runs every suite (docs/DECISIONS.md 7).
 */
export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');

/** The bundled SK trust material (`lib/pki/anchors/{demo,live}/*.pem`), product data that tests also read. */
export const ANCHORS_DIR = path.resolve(__dirname, '../../lib/pki/anchors');

function existing(full: string, what: string): string {
	if (!fs.existsSync(full)) {
		throw new Error(`${what} missing: ${full}. It belongs to the repository: restore it with git (git checkout -- ${path.relative(path.resolve(__dirname, '../..'), full)}).`);
	}
	return full;
}

/** Path of a file or folder under test/fixtures; throws (never skips) when it is missing. */
export function fixturePath(...parts: string[]): string {
	return existing(path.join(FIXTURES_DIR, ...parts), 'Test fixture');
}

/** Read and parse a JSON file under test/fixtures. */
export function readFixtureJson<T = unknown>(...parts: string[]): T {
	return JSON.parse(fs.readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** Path of a bundled certificate, e.g. `anchorPath('demo', 'TEST_of_ESTEID2018.pem')`; throws when it is missing. */
export function anchorPath(...parts: string[]): string {
	return existing(path.join(ANCHORS_DIR, ...parts), 'Bundled certificate');
}
