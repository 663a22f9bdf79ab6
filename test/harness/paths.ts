// Where the tests (and `npm run demo`) find the repository, the test host installed by
// scripts/setup-test-host.sh, the browser, and where they leave screenshots.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestHost {
  /** Folder scripts/setup-test-host.sh installs code-server into. */
  dir: string;
  /** The code-server launcher. */
  codeServer: string;
  /** Where that path came from, for messages: the variable that set it, or "default". */
  source: 'LLM_LENS_CODE_SERVER' | 'LLM_LENS_TEST_HOST' | 'default';
}

/**
 * The one rule for finding code-server, shared with scripts/setup-test-host.sh (which installs
 * into $LLM_LENS_TEST_HOST, else <repo>/.vscode-test-host): CI sets LLM_LENS_TEST_HOST to keep
 * the install outside the clone, and LLM_LENS_CODE_SERVER names a launcher directly.
 */
export function resolveTestHost(env: NodeJS.ProcessEnv = process.env, root = repoRoot): TestHost {
  const dir = env.LLM_LENS_TEST_HOST || path.join(root, '.vscode-test-host');
  if (env.LLM_LENS_CODE_SERVER) return { dir, codeServer: env.LLM_LENS_CODE_SERVER, source: 'LLM_LENS_CODE_SERVER' };
  return { dir, codeServer: path.join(dir, 'cs/node_modules/.bin/code-server'), source: env.LLM_LENS_TEST_HOST ? 'LLM_LENS_TEST_HOST' : 'default' };
}

const testHost = resolveTestHost();
export const testHostDir = testHost.dir;
export const codeServerBinary = testHost.codeServer;

/** Debian's chromium; playwright's own browser downloads are unreachable here and never used. */
export const chromiumExecutable = process.env.LLM_LENS_CHROMIUM ?? '/usr/bin/chromium';

export const testResultsDir = path.join(repoRoot, 'test-results');

/** The sample workspace every extension and UI test opens. */
export const workspaceFixture = path.join(repoRoot, 'test/fixtures/workspace');
