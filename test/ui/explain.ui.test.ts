// A person selects code, runs "LLM Lens: Explain Tokens" from the command palette, reads the
// panel and clicks a token. The panel's numbers are checked against the same engine run here in
// Node on onnxruntime-web's WASM build. Screenshots: test-results/explain-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { FrameLocator, Page } from 'playwright-core';
import { loadCheckpoint } from '../../src/engine/checkpoint';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import { countTokens, loadEncoding, tokenize } from '../../src/engine/tokenizer';
import type { Distribution } from '../../src/engine/types';
import { parsePercent, percentResolution } from '../../webview-ui/view/format';
import { startCodeServer, type CodeServer } from '../harness/code-server';
import { repoRoot, workspaceFixture } from '../harness/paths';
import { openFile, openWorkbench, runCommand, screenshot, selectText, webviewFrame, type Workbench } from '../harness/workbench';

const MODEL_DIR = path.join(repoRoot, 'media/models/tiny-gpt2-software');
/** Lines 13–17 of sample.py: def fibonacci(n): … */
const FIRST_LINE = 13;
const LINE_COUNT = 5;

let server: CodeServer;
let workbench: Workbench;
let engine: LensEngine;

before(async () => {
  engine = await LensEngine.create(
    loadCheckpoint({
      name: 'tiny-gpt2-software',
      configJson: fs.readFileSync(path.join(MODEL_DIR, 'config.json'), 'utf8'),
      weights: new Uint8Array(fs.readFileSync(path.join(MODEL_DIR, 'model.safetensors'))),
    }),
    { ort: ort as unknown as OrtLike, backend: 'wasm' },
  );
  server = await startCodeServer({ workspace: workspaceFixture, extensionDevelopmentPath: repoRoot });
  workbench = await openWorkbench(server);
});

after(async () => {
  await workbench?.close();
  await server?.stop();
  await engine?.dispose();
});

/** What Shift+Down from the start of FIRST_LINE, LINE_COUNT times, selects. */
function selectedText(): string {
  const lines = fs.readFileSync(path.join(workspaceFixture, 'sample.py'), 'utf8').split('\n');
  return lines.slice(FIRST_LINE - 1, FIRST_LINE - 1 + LINE_COUNT).join('\n') + '\n';
}

interface ShownRow {
  id: number;
  value: string;
  actual: boolean;
}

async function shownDistribution(panel: FrameLocator): Promise<ShownRow[]> {
  return panel.locator('.distribution .bar-row').evaluateAll((rows) =>
    rows.map((row) => ({
      id: Number(row.getAttribute('data-id')),
      value: row.querySelector('.bar-value')!.textContent!,
      actual: row.classList.contains('actual'),
    })),
  );
}

async function waitForDistribution(panel: FrameLocator, temperature: string): Promise<void> {
  await panel.locator('.distribution-status', { hasText: `temperature ${temperature}` }).waitFor({ timeout: 60_000 });
  await panel.locator('.distribution:not(.busy) .bar-row').first().waitFor({ timeout: 60_000 });
}

function assertSameNumbers(shown: ShownRow[], expected: Distribution, actualId: number): void {
  const top = shown.slice(0, expected.top.length);
  assert.deepEqual(top.map((r) => r.id), expected.top.map(([id]) => id), 'the same tokens in the same order');
  top.forEach((row, i) => {
    const p = Math.exp(expected.top[i]![1]);
    // Equal to the display precision (3 significant digits), with room for float32 rounding.
    assert.ok(Math.abs(parsePercent(row.value) - p) <= percentResolution(p) + 1e-6, `row ${i + 1}: shown ${row.value}, engine ${(p * 100).toPrecision(4)}%`);
  });
  assert.deepEqual(shown.filter((r) => r.actual).map((r) => r.id), [actualId], 'the actual next token is marked once');
}

/** Decoration boxes in the editor: VS Code draws background decorations as overlay divs named after their type. */
async function decorationBoxes(page: Page): Promise<number> {
  return page.locator('.editor-instance .view-overlays .cdr[class*="TextEditorDecorationType"]').count();
}

test('Explain Tokens from the palette: chips, decorations, and a distribution equal to the engine', { timeout: 300_000 }, async () => {
  const { page } = workbench;
  await openFile(page, 'sample.py');
  await selectText(page, { line: FIRST_LINE, lines: LINE_COUNT });
  const text = selectedText();
  const tokens = tokenize(text);
  const ids = tokens.map((t) => t.id);

  await runCommand(page, 'LLM Lens: Explain Tokens');
  const panel = webviewFrame(page);

  // Tokens first (from the host's tokenizer), numbers when the model has read them.
  await panel.locator('.chip').first().waitFor({ timeout: 60_000 });
  assert.equal(await panel.locator('.chip').count(), tokens.length);
  assert.deepEqual(await panel.locator('.chip').evaluateAll((chips) => chips.map((c) => Number(c.getAttribute('data-id')))), ids);
  assert.equal(await panel.locator('[data-metric="tokens"] .metric-value').textContent(), String(tokens.length));
  assert.equal(await panel.locator('.source').textContent(), `Selection in sample.py, lines ${FIRST_LINE}–${FIRST_LINE + LINE_COUNT - 1}`);
  await loadEncoding('cl100k_base');
  await loadEncoding('o200k_base');
  for (const encoding of ['r50k_base', 'cl100k_base', 'o200k_base'] as const) {
    assert.equal(await panel.locator(`[data-encoding="${encoding}"] .count-value`).textContent(), `${countTokens(text, encoding)} tokens`);
  }
  await panel.locator('.footer .backend[data-backend]').waitFor({ timeout: 120_000 });
  // Headless Chromium has no hardware WebGPU adapter: the extension host's worker (the hover's
  // loaded model, threaded WASM) runs the panel's model, and the footer says so and why.
  const backend = panel.locator('.footer .backend');
  assert.equal(await backend.getAttribute('data-where'), 'host');
  assert.match((await backend.textContent())!, /^WASM in the extension host \(\d+ threads?\) — No hardware WebGPU adapter in this panel \(.+\), so the extension host's model worker runs the model on WASM with a thread per core but one \(\d+ here\)/);
  await panel.locator('.chip.heat-top10').first().waitFor({ timeout: 10_000 });
  const coloured = await panel.locator('.chip').evaluateAll((chips) => chips.filter((c) => [...c.classList].some((n) => n.startsWith('heat-'))).length);
  assert.equal(coloured, tokens.length - 1, 'every token but the first has a heat colour');
  assert.match((await panel.locator('[data-metric="perplexity"] .metric-value').textContent())!, /^\d+\.\d\d$/);

  // The editor paints boundaries and the heat map on the selection.
  // Click below the selection so that the selection highlight does not hide the decorations.
  await page.locator('.editor-instance .view-line').nth(FIRST_LINE + LINE_COUNT + 2).click();
  // One box per token at least (tokens across a line break take one per line).
  assert.ok((await decorationBoxes(page)) >= tokens.filter((t) => t.end > t.start).length, 'decoration boxes in the editor');
  await screenshot(page, 'explain-editor');

  // A chip click: the distribution after that token, as the engine computes it.
  const position = tokens.findIndex((t) => t.text === ' fib');
  assert.ok(position > 0, 'the selection has a " fib" token');
  await panel.locator(`.chip[data-index="${position}"]`).click();
  await waitForDistribution(panel, '1.00');
  assertSameNumbers(await shownDistribution(panel), await engine.distributionAt(ids, position, { temperature: 1, topK: 20 }), ids[position + 1]!);
  await panel.locator(`.chip[data-index="${position + 3}"]`).hover();
  await panel.locator('.tooltip:not([hidden])').waitFor({ timeout: 5_000 });
  assert.match((await panel.locator('.tooltip').textContent())!, /id \d+ · UTF-8 bytes [0-9a-f ]+p = [\d.]+% · rank \d+/);
  await screenshot(page, 'explain-panel');

  // The temperature slider recomputes exactly.
  await panel.locator('#temperature').evaluate((input: HTMLInputElement) => {
    input.value = '0.5';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitForDistribution(panel, '0.50');
  assertSameNumbers(await shownDistribution(panel), await engine.distributionAt(ids, position, { temperature: 0.5, topK: 20 }), ids[position + 1]!);
  await screenshot(page, 'explain-temperature');
});

function exactRow(page: Page, label: string) {
  return page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
}

/** Picks a colour theme by its label through "Preferences: Color Theme". */
async function useTheme(page: Page, label: string): Promise<void> {
  // Not runCommand(): it waits for the palette to close, and this command opens a second pick.
  const input = page.locator('.quick-input-widget input');
  // Keys typed while the panel has focus stay in the webview: give the editor focus first.
  await page.locator('.editor-instance .view-line').first().click();
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  await input.fill('>Preferences: Color Theme');
  // "Browse Color Themes in Marketplace" may be listed first: click the exact command.
  await exactRow(page, 'Preferences: Color Theme').click();
  await page.locator('.quick-input-widget input[aria-label^="Select Color Theme"]').waitFor({ timeout: 5_000 });
  await input.fill(label);
  await exactRow(page, label).click();
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}

test('the panel and the editor follow the colour theme (light, dark, high contrast)', { timeout: 120_000 }, async () => {
  const { page } = workbench;
  const panel = webviewFrame(page);
  const chipColour = () => panel.locator('.chip.heat-top10').first().evaluate((chip) => getComputedStyle(chip).backgroundColor);
  // package.json's defaults for llmLens.heat.top10Background, as the webview sees them.
  const expected: Array<[string, string, string]> = [
    ['Light Modern', 'rgba(45, 164, 78, 0.25)', 'explain-light'],
    ['Dark Modern', 'rgba(63, 185, 80, 0.3)', 'explain-dark'],
    ['Dark High Contrast', 'rgba(63, 185, 80, 0.5)', 'explain-high-contrast'],
  ];
  for (const [theme, colour, shot] of expected) {
    await useTheme(page, theme);
    // The webview receives the new theme's variables a moment later.
    for (let i = 0; i < 50 && (await chipColour()) !== colour; i++) await page.waitForTimeout(100);
    assert.equal(await chipColour(), colour, `${theme}: the heat colour comes from the theme`);
    await screenshot(page, shot);
  }
});
