// A person hovers a word in the editor and reads the model's next-token distribution.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCodeServer, type CodeServer } from '../harness/code-server';
import { openFile, openWorkbench, hover, screenshot, type Workbench } from '../harness/workbench';
import { repoRoot, workspaceFixture } from '../harness/paths';

let server: CodeServer;
let workbench: Workbench;

before(async () => {
  server = await startCodeServer({ workspace: workspaceFixture, extensionDevelopmentPath: repoRoot });
  workbench = await openWorkbench(server);
});
after(async () => {
  await workbench?.close();
  await server?.stop();
});

test('hovering a word shows the next-token distribution in .monaco-hover', { timeout: 180_000 }, async () => {
  const { page } = workbench;
  await openFile(page, 'sample.py');
  // The first hover may arrive while the model worker is still warming up: wait for the table.
  const text = await hover(page, { text: 'fibonacci(n - 1)' }, { hasText: /Next token/, timeoutMs: 120_000 });
  assert.match(text, /LLM Lens/);
  assert.match(text, /token \S+ · id \d+/);
  assert.match(text, /Given what precedes it: p = [\d.]+% · rank \d+ · surprisal [\d.]+ bits/);
  assert.match(text, /Next token \(temperature 1, entropy \d+\.\d\d bits\)/);
  const percentages = [...text.matchAll(/(\d+\.\d+)%/g)].map((m) => Number(m[1]));
  assert.ok(percentages.length >= 10, `expected a top-10 table, got: ${text}`);
  const table = percentages.slice(1, 11);
  assert.deepEqual([...table].sort((a, b) => b - a), table, 'probabilities are listed from the most likely down');
  assert.match(text, /Nearest embeddings:/);
  assert.match(text, /Open in the LLM Lens panel/);
  await screenshot(page, 'hover');
});
