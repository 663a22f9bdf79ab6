// Where the tests find the repository, the test host installed by scripts/setup-test-host.sh,
// the browser, and where they leave screenshots.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder scripts/setup-test-host.sh installs code-server into (same override variable). */
export const testHostDir = process.env.LLM_LENS_TEST_HOST ?? path.join(repoRoot, '.vscode-test-host');

export const codeServerBinary = process.env.LLM_LENS_CODE_SERVER ?? path.join(testHostDir, 'cs/node_modules/.bin/code-server');

/** Debian's chromium; playwright's own browser downloads are unreachable here and never used. */
export const chromiumExecutable = process.env.LLM_LENS_CHROMIUM ?? '/usr/bin/chromium';

export const testResultsDir = path.join(repoRoot, 'test-results');

/** The sample workspace every extension and UI test opens. */
export const workspaceFixture = path.join(repoRoot, 'test/fixtures/workspace');
