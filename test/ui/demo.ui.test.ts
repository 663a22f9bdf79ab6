// `npm run demo` as a new user runs it: it finds code-server where setup-test-host.sh put it
// (LLM_LENS_TEST_HOST, as .ci/run sets it), serves the workbench with LLM Lens loaded, and stops
// on Ctrl+C; when it cannot start, it says why in one line.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../harness/code-server';
import { codeServerBinary, repoRoot } from '../harness/paths';

const children: ChildProcess[] = [];
const states: string[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of states) fs.rmSync(dir, { recursive: true, force: true });
});

function runDemo(env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-demo-'));
  states.push(state);
  const base: Record<string, string | undefined> = { ...process.env, LLM_LENS_DEMO_WEB: '1', LLM_LENS_DEMO_STATE: state };
  delete base.LLM_LENS_CODE_SERVER;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: repoRoot, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk; });
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk; });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(what: string, condition: () => boolean, exit: Promise<unknown>, output: () => string): Promise<void> {
  let exited = false;
  void exit.then(() => { exited = true; });
  while (!condition()) {
    assert.ok(!exited, `the demo exited before ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('starts code-server from LLM_LENS_TEST_HOST, serves the workbench with LLM Lens, and stops on SIGTERM', { timeout: 120_000 }, async () => {
  const hostDir = path.resolve(path.dirname(codeServerBinary), '../../..');
  assert.ok(fs.existsSync(path.join(hostDir, 'cs/node_modules/.bin/code-server')), `precondition: code-server is installed under ${hostDir}`);
  const port = await freePort();
  const demo = runDemo({ LLM_LENS_TEST_HOST: hostDir, PORT: String(port) });
  await waitFor('printing its URL', () => /Open this URL/.test(demo.stdout()), demo.exit, () => demo.stdout() + demo.stderr());
  const url = demo.stdout().match(/http:\/\/127\.0\.0\.1:\d+\/\S+/)?.[0] ?? '';
  assert.ok(url.startsWith(`http://127.0.0.1:${port}/?folder=`), demo.stdout());
  const payload = JSON.parse(decodeURIComponent(new URL(url).searchParams.get('payload')!)) as string[][];
  assert.equal(payload[0][0], 'extensionDevelopmentPath');
  assert.ok(payload[0][1].endsWith(repoRoot), 'LLM Lens is loaded from this folder');
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /vscode-workbench-web-configuration/);
  demo.child.kill('SIGTERM');
  assert.equal(await demo.exit, 0);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the server stopped with the demo');
});

test('a code-server that is not where LLM_LENS_CODE_SERVER says: one line, exit 1', { timeout: 60_000 }, async () => {
  const missing = path.join(os.tmpdir(), 'no-such-folder', 'code-server');
  const demo = runDemo({ LLM_LENS_CODE_SERVER: missing });
  assert.equal(await demo.exit, 1);
  const lines = demo.stderr().trim().split('\n');
  assert.deepEqual(lines, [`llm-lens demo: code-server not found at ${missing} (set by LLM_LENS_CODE_SERVER); unset it to install the test VS Code, or point it at a code-server launcher`]);
});

test('a port already taken: one line naming the failure, exit 1', { timeout: 120_000 }, async () => {
  const hostDir = path.resolve(path.dirname(codeServerBinary), '../../..');
  const net = await import('node:net');
  const blocker = net.createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    const demo = runDemo({ LLM_LENS_TEST_HOST: hostDir, PORT: String(port) });
    assert.equal(await demo.exit, 1);
    const lines = demo.stderr().trim().split('\n');
    assert.equal(lines.length, 1, demo.stderr());
    assert.match(lines[0], /^llm-lens demo: code-server exited \(1\): listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+$/);
  } finally {
    blocker.close();
  }
});
