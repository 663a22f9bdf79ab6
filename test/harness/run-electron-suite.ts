// `npm run test:electron`: the same extension suite as `npm run test:extension`, in desktop VS Code
// (Electron) through @vscode/test-electron, for machines that can download VS Code or have one
// (LLM_LENS_VSCODE_EXECUTABLE=/path/to/code skips the download). Offline machines use code-server.
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot, workspaceFixture } from './paths';

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH']);

/** The network error code behind a failed download, however deeply @vscode/test-electron wrapped it. */
function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as { code?: string; cause?: unknown; message?: string } | undefined; e; e = e.cause as typeof e) {
    if (e.code && OFFLINE_CODES.has(e.code)) return e.code;
    const inMessage = e.message?.match(/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/);
    if (inMessage) return inMessage[1];
  }
  return undefined;
}

async function main(): Promise<number> {
  const vscodeExecutablePath = process.env.LLM_LENS_VSCODE_EXECUTABLE;
  try {
    return await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out/test/extension/index.js'),
      // The display language the l10n test expects (English unless the run asks for another).
      launchArgs: [workspaceFixture, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--locale', process.env.LLM_LENS_TEST_LOCALE || 'en'],
      ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
    });
  } catch (error) {
    const code = networkErrorCode(error);
    if (code && !vscodeExecutablePath) {
      console.error(
        `test:electron could not download VS Code (${code}: no route to the VS Code update service from this machine).\n` +
          'Either point LLM_LENS_VSCODE_EXECUTABLE at an installed VS Code binary, or run the same suite offline in\n' +
          'code-server with `npm run test:extension`.',
      );
    } else {
      console.error('test:electron failed:', error instanceof Error ? error.message : error);
    }
    return 1;
  }
}

main().then((code) => { process.exitCode = code; });
