// `npm run demo`: opens VS Code with LLM Lens loaded from this folder, on the sample workspace.
// Desktop `code` when it is installed; otherwise the offline test VS Code (code-server), found
// by the same rule as the tests (test/harness/paths.ts: LLM_LENS_CODE_SERVER, LLM_LENS_TEST_HOST,
// else .vscode-test-host), at a localhost URL printed here. Runs until Ctrl+C. Any failure to
// start is one line on stderr and exit status 1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, resolveTestHost, workspaceFixture } from '../test/harness/paths';

const sample = path.join(workspaceFixture, 'sample.py');
const port = Number(process.env.PORT || 8123);
/** Settings and extensions of the demo window, kept between runs. */
const state = process.env.LLM_LENS_DEMO_STATE || path.join(repoRoot, '.vscode-test-host/demo');

class DemoError extends Error {}

const hasCommand = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** The code-server launcher, installed by scripts/setup-test-host.sh when the default or LLM_LENS_TEST_HOST location lacks it. */
function findCodeServer(): string {
  const host = resolveTestHost();
  if (fs.existsSync(host.codeServer)) return host.codeServer;
  if (host.source === 'LLM_LENS_CODE_SERVER') {
    throw new DemoError(`code-server not found at ${host.codeServer} (set by LLM_LENS_CODE_SERVER); unset it to install the test VS Code, or point it at a code-server launcher`);
  }
  console.log(`No desktop VS Code found: installing the offline test VS Code (code-server) into ${host.dir} ...`);
  const setup = spawnSync('bash', [path.join(repoRoot, 'scripts/setup-test-host.sh')], { stdio: 'inherit' });
  if (setup.status !== 0 || !fs.existsSync(host.codeServer)) {
    throw new DemoError(`code-server is not installed in ${host.dir} and scripts/setup-test-host.sh could not install it (exit ${setup.status ?? setup.signal}); see its output above`);
  }
  return host.codeServer;
}

function writeDefaultSettings(): void {
  for (const d of ['ud/User', 'ext', 'xdg']) fs.mkdirSync(path.join(state, d), { recursive: true });
  const settingsFile = path.join(state, 'ud/User/settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.writeFileSync(settingsFile, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'workbench.tips.enabled': false }, null, 2));
  }
}

async function main(): Promise<void> {
  if (hasCommand('code') && !process.env.LLM_LENS_DEMO_WEB) {
    console.log('Opening desktop VS Code with LLM Lens from', repoRoot);
    const r = spawnSync('code', ['--extensionDevelopmentPath', repoRoot, workspaceFixture, sample], { stdio: 'inherit' });
    if (r.error) throw new DemoError(`could not start desktop VS Code: ${r.error.message}`);
    process.exit(r.status ?? 0);
  }
  const codeServer = findCodeServer();
  writeDefaultSettings();
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(state, 'xdg'), XDG_DATA_HOME: path.join(state, 'xdg') };
  const server = spawn(codeServer, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', path.join(state, 'ud'), '--extensions-dir', path.join(state, 'ext')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // Until the server answers, its output is held back: a failure to start is our one line, which
  // quotes its last one (without code-server's timestamp and level).
  let started = false;
  let lastError = '';
  server.stderr!.on('data', (chunk: Buffer) => {
    if (started) process.stderr.write(chunk.toString());
    const last = chunk.toString().trim().split('\n').at(-1);
    if (last) lastError = last.replace(/^\[[^\]]*\]\s*(error|warn|info)?\s*/, '');
  });
  const failed = new Promise<never>((_, reject) => {
    server.once('error', (error) => reject(new DemoError(`could not start code-server (${codeServer}): ${error.message}`)));
    server.once('exit', (code, signal) => reject(new DemoError(`code-server exited (${code ?? signal})${lastError ? `: ${lastError}` : ''}`)));
  });
  failed.catch(() => undefined); // observed below; a rejection before then must not be "unhandled"
  let url: string;
  try {
    await waitUntilServing(failed);
    started = true;
    url = await workbenchUrl();
  } catch (error) {
    server.kill('SIGTERM');
    throw error;
  }
  const stop = () => {
    server.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\nLLM Lens is running in VS Code (code-server). Open this URL in a browser:\n\n  ${url}\n`);
  console.log('Select some text and run "LLM Lens: Explain Tokens" (Ctrl+Alt+E), or hover any word. Ctrl+C stops the server.');
  await failed;
}

const base = `http://127.0.0.1:${port}`;

async function waitUntilServing(failed: Promise<never>): Promise<void> {
  const ready = (async () => {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not up yet
      }
      if (i > 300) throw new DemoError(`code-server did not answer on ${base} within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await Promise.race([ready, failed]);
}

async function workbenchUrl(): Promise<string> {
  // The extension is loaded from this folder as a development extension through the workbench
  // URL's payload, which needs the remote authority the server hands out.
  const html = await (await fetch(`${base}/?folder=${encodeURIComponent(workspaceFixture)}`)).text();
  const meta = html.match(/id="vscode-workbench-web-configuration" data-settings="([^"]*)"/);
  if (!meta) throw new DemoError(`${base} did not serve a VS Code workbench`);
  const config = JSON.parse(meta[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  const payload = [['extensionDevelopmentPath', `vscode-remote://${config.remoteAuthority}${repoRoot}`], ['openFile', `vscode-remote://${config.remoteAuthority}${sample}`]];
  return `${base}/?folder=${encodeURIComponent(workspaceFixture)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

main().catch((error: unknown) => {
  console.error(`llm-lens demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
