// `npm run test:extension`: runs out/test/extension/index.js (built by scripts/build-tests.mjs) inside
// the extension host of a fresh code-server, with this repository as the development extension
// and test/fixtures/workspace open. Exit code: the suite's.
// Environment: LLM_LENS_SUITE_TIMEOUT_MS (default 540000,
// inside scripts/test.sh's 600 s limit for the stage), LLM_LENS_TEST_GREP (mocha --grep),
// LLM_LENS_TEST_LOCALE (VS Code's display language, default English; the suite sees it too).
import path from 'node:path';
import { runExtensionSuite } from './code-server';
import { repoRoot, workspaceFixture } from './paths';

const timeoutMs = Number(process.env.LLM_LENS_SUITE_TIMEOUT_MS ?? 540_000);
const locale = process.env.LLM_LENS_TEST_LOCALE || undefined;
const env: Record<string, string> = {};
if (process.env.LLM_LENS_TEST_GREP) env.LLM_LENS_TEST_GREP = process.env.LLM_LENS_TEST_GREP;
if (locale) env.LLM_LENS_TEST_LOCALE = locale;

runExtensionSuite({
  extensionDevelopmentPath: repoRoot,
  testsPath: path.join(repoRoot, 'out/test/extension/index.js'),
  workspace: workspaceFixture,
  timeoutMs,
  env,
  locale,
}).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    console.error('extension suite could not run:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
