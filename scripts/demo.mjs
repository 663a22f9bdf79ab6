// `npm run demo`: opens VS Code with LLM Lens loaded from this folder, on the sample workspace.
// Desktop `code` when it is installed; otherwise the offline test VS Code (code-server) at a
// localhost URL printed here. Runs until Ctrl+C.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = path.join(root, 'test/fixtures/workspace');
const sample = path.join(workspace, 'sample.py');
const port = Number(process.env.PORT || 8123);

const hasCommand = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (hasCommand('code') && !process.env.LLM_LENS_DEMO_WEB) {
  console.log('Opening desktop VS Code with LLM Lens from', root);
  const r = spawnSync('code', ['--extensionDevelopmentPath', root, workspace, sample], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

const codeServer = path.join(root, '.vscode-test-host/cs/node_modules/.bin/code-server');
if (!fs.existsSync(codeServer)) {
  console.log('No desktop VS Code found: installing the offline test VS Code (code-server) ...');
  const r = spawnSync('bash', [path.join(root, 'scripts/setup-test-host.sh')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const state = path.join(root, '.vscode-test-host/demo');
for (const d of ['ud/User', 'ext', 'xdg']) fs.mkdirSync(path.join(state, d), { recursive: true });
const settingsFile = path.join(state, 'ud/User/settings.json');
if (!fs.existsSync(settingsFile)) {
  fs.writeFileSync(settingsFile, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'workbench.tips.enabled': false }, null, 2));
}
const env = { ...process.env, XDG_CONFIG_HOME: path.join(state, 'xdg'), XDG_DATA_HOME: path.join(state, 'xdg') };
const server = spawn(codeServer, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--user-data-dir', path.join(state, 'ud'), '--extensions-dir', path.join(state, 'ext')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => { server.kill('SIGTERM'); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => { console.error(`code-server exited (${code})`); process.exit(code ?? 1); });

const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
  if (i > 300) { console.error('code-server did not start'); stop(); }
  await new Promise((r) => setTimeout(r, 100));
}
// The extension is loaded from this folder as a development extension through the workbench
// URL's payload, which needs the remote authority the server hands out.
const html = await (await fetch(`${base}/?folder=${encodeURIComponent(workspace)}`)).text();
const config = JSON.parse(html.match(/id="vscode-workbench-web-configuration" data-settings="([^"]*)"/)[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
const payload = [['extensionDevelopmentPath', `vscode-remote://${config.remoteAuthority}${root}`], ['openFile', `vscode-remote://${config.remoteAuthority}${sample}`]];
console.log(`\nLLM Lens is running in VS Code (code-server). Open this URL in a browser:\n\n  ${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}\n`);
console.log('Select some text and run "LLM Lens: Explain Tokens" (Ctrl+Alt+E), or hover any word. Ctrl+C stops the server.');
