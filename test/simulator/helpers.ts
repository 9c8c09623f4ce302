import * as os from 'node:os';
import * as path from 'node:path';

/**
 * One warm state dir shared by every simulator test file (and kept between runs): RSA key generation is the slow
 * part, the state dir's locks make sharing it between parallel jest workers safe.
 */
export const TEST_STATE_DIR = process.env.SMARTID_SIMULATOR_TEST_STATE ?? path.join(os.tmpdir(), 'smart-id-simulator-test-state');
