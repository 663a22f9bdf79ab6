// The packaged extension: a bare `npx @vscode/vsce package` (no flags but the output path: the
// defaults live in package.json's "vsce" key) builds a .vsix that holds the bundles, the wasm
// binaries and the model (and no node_modules, sources or tests); code-server installs it with
// --install-extension, and Explain Tokens works from it. Screenshot: test-results/vsix-explain.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tokenize } from '../../src/engine/tokenizer';
import { startCodeServer, type CodeServer } from '../harness/code-server';
import { repoRoot, workspaceFixture } from '../harness/paths';
import { openFile, openWorkbench, runCommand, screenshot, selectText, webviewFrame, type Workbench } from '../harness/workbench';

const VSIX = path.join(repoRoot, 'out/vsix/llm-lens.vsix');

/** Names and sizes of a zip's entries, from its central directory. */
function zipEntries(file: string): Map<string, number> {
  const zip = fs.readFileSync(file);
  const end = zip.lastIndexOf(Uint8Array.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, `${file} is not a zip file`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.set(zip.toString('utf8', at + 46, at + 46 + nameLength), size);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

let server: CodeServer;
let workbench: Workbench;

before(() => {
  fs.mkdirSync(path.dirname(VSIX), { recursive: true });
  fs.rmSync(VSIX, { force: true });
  // stdin closed: vsce must not stop to ask anything.
  execFileSync('npx', ['@vscode/vsce', 'package', '--out', VSIX], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
});

after(async () => {
  await workbench?.close();
  await server?.stop();
});

test('the .vsix holds the bundles, the wasm binaries and the model, and nothing else', () => {
  const entries = zipEntries(VSIX);
  const files = [...entries.keys()].filter((name) => name.startsWith('extension/'));
  const model = fs.statSync(path.join(repoRoot, 'media/models/tiny-gpt2-software/model.safetensors')).size;
  assert.equal(entries.get('extension/media/models/tiny-gpt2-software/model.safetensors'), model, 'the whole model');
  for (const needed of [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/webview.js',
    'extension/dist/webview-engine.js',
    'extension/dist/ort/ort-wasm-simd-threaded.asyncify.wasm',
    'extension/media/models/tiny-gpt2-software/config.json',
    'extension/media/lens.css',
  ]) {
    assert.ok(entries.has(needed), `${needed} is missing; the .vsix holds: ${files.join(', ')}`);
  }
  // Localized manifest strings travel with the manifest.
  for (const nls of fs.readdirSync(repoRoot).filter((name) => /^package\.nls(\.[\w-]+)?\.json$/.test(name))) {
    assert.ok(entries.has(`extension/${nls}`), `${nls} is missing`);
  }
  // The extension's page in VS Code is the user guide, not the repository's developer README.
  assert.equal(entries.get('extension/readme.md'), fs.statSync(path.join(repoRoot, 'docs/vsix-readme.md')).size, 'the user-facing readme');
  assert.ok(!entries.has('extension/README.md'), 'one readme');
  const unwanted = files.filter((name) => /^extension\/(node_modules|src|test|webview-ui|scripts|out|bench)\/|\.map$|\.ts$/.test(name));
  assert.deepEqual(unwanted, [], 'no dependencies, sources, tests or source maps');
});

test('installed into code-server with --install-extension, Explain Tokens works', { timeout: 300_000 }, async () => {
  server = await startCodeServer({ workspace: workspaceFixture, installVsix: VSIX });
  workbench = await openWorkbench(server);
  const { page } = workbench;
  await openFile(page, 'sample.md');
  await selectText(page, { line: 1, lines: 3 });
  const text = fs.readFileSync(path.join(workspaceFixture, 'sample.md'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n';
  await runCommand(page, 'LLM Lens: Explain Tokens');
  const panel = webviewFrame(page);
  await panel.locator('.chip').first().waitFor({ timeout: 60_000 });
  assert.deepEqual(await panel.locator('.chip').evaluateAll((chips) => chips.map((c) => Number(c.getAttribute('data-id')))), tokenize(text).map((t) => t.id));
  await panel.locator('.footer .backend[data-backend]').waitFor({ timeout: 120_000 });
  assert.equal(await panel.locator('.progress.failed').count(), 0, 'no error in the panel');
  assert.match((await panel.locator('[data-metric="perplexity"] .metric-value').textContent())!, /^\d+(\.\d\d)?$/);
  await screenshot(page, 'vsix-explain');
});
