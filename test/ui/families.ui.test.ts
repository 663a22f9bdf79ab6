// A person points llmLens.modelPath at a Qwen3 checkpoint (the tiny random fixture: real Qwen3
// tokenizer, q/k norms, grouped heads, rotary positions), selects Chinese text, runs Explain Tokens
// from the palette and reads the panel: one chip per Qwen token, and the walk-through of the last
// token tells Qwen3's story (no position vector, RMSNorm, the rotation of a query pair, the key/value
// head) with the model's numbers, checked against the fixture's float64 reference.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer, type CodeServer } from '../harness/code-server';
import { repoRoot } from '../harness/paths';
import { openFile, openWorkbench, runCommand, screenshot, selectText, webviewFrame, type Workbench } from '../harness/workbench';

const QWEN3 = path.join(repoRoot, 'test/fixtures/models/tiny-random-qwen3');
const reference = JSON.parse(fs.readFileSync(path.join(QWEN3, 'reference.json'), 'utf8')) as {
  refs: { name: string; text: string; ids: number[]; top6: [number, number][][] }[];
};
const chinese = reference.refs.find((r) => r.name === 'chinese')!;
const config = JSON.parse(fs.readFileSync(path.join(QWEN3, 'config.json'), 'utf8')) as { num_attention_heads: number; num_key_value_heads: number };

let workspace: string;
let server: CodeServer;
let workbench: Workbench;

before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-qwen3-ui-'));
  fs.writeFileSync(path.join(workspace, 'chinese.txt'), chinese.text);
  server = await startCodeServer({ workspace, extensionDevelopmentPath: repoRoot, settings: { 'llmLens.modelPath': QWEN3 } });
  workbench = await openWorkbench(server);
});

after(async () => {
  await workbench?.close();
  await server?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

test('Explain Tokens on Chinese text with a Qwen3 model, then its walk-through', { timeout: 300_000 }, async () => {
  const { page } = workbench;
  await openFile(page, 'chinese.txt');
  await selectText(page, { all: true });
  await runCommand(page, 'LLM Lens: Explain Tokens', 120_000);
  const panel = webviewFrame(page);
  await panel.locator('.chip').first().waitFor({ timeout: 120_000 });
  assert.deepEqual(await panel.locator('.chip').evaluateAll((chips) => chips.map((c) => Number(c.getAttribute('data-id')))), chinese.ids, 'one chip per Qwen token');
  await panel.locator('.footer .backend[data-backend]').waitFor({ timeout: 180_000 });

  await panel.locator('[data-tab="pipeline"]').click();
  const step6 = panel.locator('[data-step="6"]');
  await step6.waitFor({ timeout: 120_000 });
  // The last token's next-token distribution at temperature 1: the reference's top six, to display precision.
  const last = chinese.ids.length - 1;
  const shown = await step6.locator('[data-name="softmax"] .bar-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-value'))));
  chinese.top6[last]!.slice(0, 3).forEach(([, logprob], j) => {
    assert.ok(Math.abs(Math.log(shown[j]!) - logprob) <= 2e-3, `row ${j + 1}: p = ${shown[j]} where the reference has ${Math.exp(logprob)}`);
  });
  // Positions enter by rotating q and k: the first pair (inv_freq 1) turns by the position itself.
  const rope = panel.locator('[data-name="rope"]');
  assert.equal(await rope.getAttribute('data-position'), String(last));
  assert.ok(Math.abs(Number(await rope.getAttribute('data-angle')) - last) < 1e-6, 'θ = position × 1 for pair 0');
  const before = (await rope.getAttribute('data-before'))!.split(',').map(Number);
  const after = (await rope.getAttribute('data-after'))!.split(',').map(Number);
  assert.ok(Math.abs(Math.hypot(...before) - Math.hypot(...after)) < 1e-4, 'a rotation keeps the pair\'s length');
  // Head 0 reads key/value head 0 of the 2 that the 4 query heads share.
  assert.equal(await panel.locator('[data-name="kv-head"]').getAttribute('data-kv'), '0');
  assert.equal(config.num_attention_heads / config.num_key_value_heads, 2);
  assert.match((await panel.locator('[data-name="norm"]').textContent())!, /RMSNorm/);
  // Sessions the walk-through creates on first use are not a model load: no progress line is left.
  assert.equal(await panel.locator('.progress').isVisible(), false, 'no progress line left');
  await screenshot(page, 'qwen3-pipeline');
});
