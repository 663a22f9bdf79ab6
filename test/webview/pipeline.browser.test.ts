// The "How GPT reads this" (Pipeline) and Generate tabs of the real panel bundle in headless
// Chromium (WASM): every step shows the numbers the engine computes for the same text here in
// Node; greedy generation in the page reproduces the engine's greedy continuation; a seeded
// sampling run repeats; bad input (temperature 0 or above 2, a token outside the context window,
// generating past the context) gets a defined behaviour and says so. Leaves screenshots of both
// languages in test-results/. Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { LensEngine } from '../../src/engine/engine';
import { GenerationSession } from '../../webview-ui/view/generate-session';
import { tokenize } from '../../src/engine/tokenizer';
import type { Analysis } from '../../src/engine/types';
import { explainMessage, openExplainedPanel, sendToPanel } from './panel-page';
import { openReferencePanel, type ReferencePanel } from './reference-panel';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot, testResultsDir } from '../harness/paths';

const TEXT = 'Returns the number of elements in the list.';
/** Longer than the model's 512-token context. */
const LONG_TEXT = Array.from({ length: 60 }, (_, i) => `Item ${i} returns the number of elements in the list.`).join('\n');
/** The token the walk-through follows: “ list”, with layer 2, head 3. */
const PICK = { layer: 2, head: 3 };

/** A panel page in `language`, initialised and explaining TEXT; resolves once the analysis is posted. */
function openPanel(browser: Browser, server: StaticServer, language: string): Promise<Page> {
  return openExplainedPanel(browser, server, { pageName: 'pipeline.html', text: TEXT, language, contextTokens: 2048 });
}

/** Waits until the walk-through has been recomputed for the current controls. */
async function walkThroughReady(page: Page, position: number, temperature?: number): Promise<void> {
  await page.waitForFunction(
    ([p, t]) => {
      const status = document.querySelector('.pipeline-status') as HTMLElement | null;
      const select = document.querySelector('[data-control="position"]') as HTMLSelectElement | null;
      const slider = document.querySelector('.pipeline [data-control="temperature"]') as HTMLInputElement | null;
      return !!status?.hidden && select?.value === String(p) && (t === null || Number(slider?.value) === t);
    },
    [position, temperature ?? null] as const,
    { timeout: 60_000 },
  );
}

const numbers = async (page: Page, selector: string, attribute = 'data-value') =>
  (await page.locator(selector).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attribute)).map(Number);

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values shown, ${expected.length} expected`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tolerance, `${what}[${i}]: ${a} vs ${expected[i]}`));
}

/** The engine's greedy continuation: the argmax at the last position, the window sliding past the context. */
async function greedyInNode(engine: LensEngine, prompt: number[], count: number): Promise<number[]> {
  const all = [...prompt];
  for (let i = 0; i < count; i++) {
    const window = all.slice(Math.max(0, all.length - engine.config.nPositions));
    const { top } = await engine.distributionAt(window, window.length - 1, { temperature: 1, topK: 1 });
    all.push(top[0]![0]);
  }
  return all.slice(prompt.length);
}

async function generated(page: Page): Promise<number[]> {
  return numbers(page, '.generate-step', 'data-chosen');
}

async function runGeneration(page: Page, settings: { greedy: boolean; temperature?: string; seed?: string; maxTokens: string }): Promise<void> {
  await page.locator('[data-action="reset"]').click();
  await page.locator('.generate [data-control="greedy"]').setChecked(settings.greedy);
  if (settings.temperature !== undefined) await page.fill('.generate [data-control="temperature"]', settings.temperature);
  if (settings.seed !== undefined) await page.fill('.generate [data-control="seed"]', settings.seed);
  await page.fill('.generate [data-control="maxTokens"]', settings.maxTokens);
  await page.locator('[data-action="run"]').click();
  // Finished: stopped at the limit or <|endoftext|>, or refused with an error.
  await page.waitForFunction(() => {
    const status = document.querySelector('.generate-status');
    return !!status && (status.classList.contains('error') || /Stopped|停止/.test(status.textContent ?? ''));
  }, null, { timeout: 60_000 });
}

describe('Pipeline and Generate tabs in headless Chromium (WASM)', () => {
  let fixture: ReferencePanel;
  let page: Page;
  let engine: LensEngine;
  let analysis: Analysis;
  const ids = tokenize(TEXT).map((t) => t.id);
  const T = ids.length;
  const position = tokenize(TEXT).findIndex((t) => t.text === ' list');

  before(async () => {
    assert.ok(position > 0, 'the text contains “ list”');
    fixture = await openReferencePanel(TEXT, (browser, server) => openPanel(browser, server, 'en'));
    ({ page, engine, analysis } = fixture);
  });

  after(async () => {
    await fixture?.close();
  });

  test('every step of the walk-through shows the engine’s numbers for “ list”', async () => {
    await page.locator('[data-tab="pipeline"]').click();
    await walkThroughReady(page, T - 1);
    await page.selectOption('[data-control="position"]', String(position));
    await walkThroughReady(page, position);
    await page.selectOption('[data-control="layer"]', String(PICK.layer));
    await page.selectOption('[data-control="head"]', String(PICK.head));
    await page.waitForFunction((l) => document.querySelector('[data-step="5"] h3')?.textContent?.includes(String(l)), PICK.layer);
    await walkThroughReady(page, position);

    // 1 and 2: the picked token is highlighted among all the tokens; its id.
    assert.equal(await page.locator('[data-step="1"] .chip').count(), T);
    assert.match((await page.locator('[data-step="1"] .chip.selected').textContent())!, /^.list$/);
    assert.equal(Number(await page.locator('[data-name="id"]').getAttribute('data-value')), ids[position]);

    // 3: the embedding row's nearest neighbours and their cosines.
    const neighbours = (await engine.neighboursOfToken(ids[position]!, 5)).slice(1);
    assert.deepEqual(await numbers(page, '[data-step="3"] .neighbours li', 'data-id'), neighbours.map(([id]) => id));
    assertClose(await numbers(page, '[data-step="3"] .neighbours li'), neighbours.map(([, , cos]) => cos), 6e-5, 'neighbour cosines');

    // 4: token + position embedding is the residual stream before the first layer.
    const d = engine.config.nEmbd;
    const row = (layer: number) => Array.from(analysis.hidden!.subarray((layer * T + position) * d, (layer * T + position + 1) * d));
    const sum = (await page.locator('[data-name="sum"]').getAttribute('data-values'))!.split(',').map(Number);
    assertClose(sum, row(0), 1e-3, 'embedding + position');

    // 5: the chosen head's attention weights over the tokens up to “ list”, and the norms per layer.
    const base = ((PICK.layer * engine.config.nHead + PICK.head) * T + position) * T;
    const expected = Array.from(analysis.attention!.subarray(base, base + position + 1));
    assertClose(await numbers(page, '[data-name="weight"]'), expected, 1e-4, 'attention weights');
    assert.equal(expected.reduce((s, w) => s + w, 0).toFixed(4), '1.0000');
    const norms = Array.from({ length: engine.config.nLayer + 1 }, (_, l) => Math.hypot(...row(l)));
    assertClose(await numbers(page, '[data-name="norms"] .bar-row'), norms, 2e-2, 'residual norms');

    // 6: the softmax's probabilities at T = 1, then at T = 0.5 from the slider.
    for (const temperature of [1, 0.5]) {
      if (temperature !== 1) {
        await page.locator('.pipeline [data-control="temperature"]').fill(String(temperature));
        await walkThroughReady(page, position, temperature);
      }
      const { top } = await engine.distributionAt(ids, position, { temperature, topK: 10 });
      const shown = await numbers(page, '[data-name="softmax"] .bar-row');
      assertClose(shown, top.map(([, lp]) => Math.exp(lp)), 1e-4, `softmax at T=${temperature}`);
      const sample = Number(await page.locator('.pipeline-sample').getAttribute('data-id'));
      assert.ok(top.some(([id]) => id === sample), 'the sample is one of the shown tokens');
    }
    await page.locator('.pipeline [data-control="temperature"]').fill('1');
    await walkThroughReady(page, position, 1);
    await page.locator('.pipeline').screenshot({ path: path.join(testResultsDir, 'pipeline-en.png') });
  });

  test('greedy generation (temperature 0) reproduces the engine’s greedy continuation and says it is greedy', async () => {
    await page.locator('[data-tab="generate"]').click();
    await runGeneration(page, { greedy: false, temperature: '0', maxTokens: '8' });
    assert.deepEqual(await generated(page), await greedyInNode(engine, ids, 8));
    assert.match((await page.locator('.generate-status').textContent())!, /greedy/i);
    assert.match((await page.locator('.generate-status').textContent())!, /length limit of 8/);
    // The greedy box is the same as temperature 0.
    await runGeneration(page, { greedy: true, temperature: '1', maxTokens: '8' });
    assert.deepEqual(await generated(page), await greedyInNode(engine, ids, 8));
  });

  test('a seeded sampling run repeats, and equals the same session run in Node', async () => {
    await runGeneration(page, { greedy: false, temperature: '1.2', seed: '7', maxTokens: '10' });
    const first = await generated(page);
    assert.equal(first.length, 10);
    await page.locator('.generate-output').scrollIntoViewIfNeeded();
    await page.locator('.generate').screenshot({ path: path.join(testResultsDir, 'generate.png') });
    await runGeneration(page, { greedy: false, temperature: '1.2', seed: '7', maxTokens: '10' });
    assert.deepEqual(await generated(page), first);
    const session = new GenerationSession(engine, ids, { temperature: 1.2, topK: 40, topP: 0.95, seed: 7 }, 10);
    while (await session.step());
    assert.deepEqual(session.generated, first);
  });

  test('a temperature above 2 is refused with a clear message', async () => {
    await runGeneration(page, { greedy: false, temperature: '2.5', maxTokens: '4' });
    const status = page.locator('.generate-status');
    assert.match((await status.textContent())!, /temperature 2\.5 is above 2/);
    assert.equal(await status.evaluate((e) => e.classList.contains('error')), true);
    assert.equal(await page.locator('.generate-step').count(), 0, 'nothing generated');
  });

  test('past the context: a chip outside the window is refused by the walk-through, generation slides the window and says so', async () => {
    const long = LONG_TEXT;
    const longIds = tokenize(long).map((t) => t.id);
    const context = engine.config.nPositions;
    assert.ok(longIds.length > context + 5, `the long text (${longIds.length} tokens) is longer than the context`);
    await sendToPanel(page, await explainMessage(2, long, { contextTokens: 2048 }));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 2), null, { timeout: 120_000 });

    await page.locator('[data-tab="tokens"]').click();
    await page.locator('.chips .chip[data-index="0"]').click();
    await page.locator('[data-tab="pipeline"]').click();
    const first = longIds.length - context;
    const refusal = `Token 0 is outside the model’s context window (${first}..${longIds.length - 1}): the model never read it. Pick a token in the window.`;
    // The steps of the last token come from the engine worker; the refusal stays above them once they are drawn.
    await page.waitForFunction((text) => !!document.querySelector('[data-step="6"]') && document.querySelector('.pipeline-status')?.textContent === text, refusal, { timeout: 60_000 });
    const status = page.locator('.pipeline-status');
    assert.equal(await status.textContent(), refusal);
    assert.equal(await status.evaluate((e) => e.classList.contains('error')), true);
    // The steps still show a token the model read: the last one.
    assert.equal(await page.inputValue('.pipeline [data-control="position"]'), String(context - 1));
    assert.match((await page.locator('.pipeline [data-control="position"] option:checked').textContent())!, new RegExp(`^${longIds.length - 1}: `));

    // A chip inside the window is accepted and the message goes.
    await page.locator('[data-tab="tokens"]').click();
    await page.locator(`.chips .chip[data-index="${first + 3}"]`).click();
    await page.locator('[data-tab="pipeline"]').click();
    await walkThroughReady(page, 3);

    await page.locator('[data-tab="generate"]').click();
    await runGeneration(page, { greedy: true, maxTokens: '3' });
    assert.deepEqual(await generated(page), await greedyInNode(engine, longIds.slice(-context), 3));
    assert.match((await page.locator('.generate-status').textContent())!, new RegExp(`longer than the context \\(${context} tokens\\): the model sees only the last ${context}`));
  });
});

describe('Pipeline tab in Simplified Chinese', () => {
  let browser: Browser;
  let server: StaticServer;

  before(async () => {
    server = await serveStatic(repoRoot);
    browser = await launchChromium({ webgpu: false });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('init with language zh-cn shows the tabs and the walk-through in Chinese, technical terms in English beside them', async () => {
    const page = await openPanel(browser, server, 'zh-cn');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-cn');
    await page.locator('[data-tab="pipeline"]').click();
    await walkThroughReady(page, tokenize(TEXT).length - 1);
    assert.equal(await page.locator('[data-tab="pipeline"]').textContent(), '数据流');
    const step5 = (await page.locator('[data-step="5"]').textContent())!;
    assert.match(step5, /注意力/);
    assert.match(step5, /attention/);
    await page.locator('.pipeline').screenshot({ path: path.join(testResultsDir, 'pipeline-zh-cn.png') });
  });

  test('zh-cn: the Tokens tab (summary, tooltip, distribution) and the Attention tab are in Chinese', async () => {
    const page = await openPanel(browser, server, 'zh-cn');
    const texts = (selector: string) => page.locator(selector).allTextContents();
    assert.deepEqual(await texts('.tab'), ['词元', '注意力', '嵌入', '逻辑透镜', '数据流', '生成']);
    assert.deepEqual(await texts('.metric .metric-label'), ['词元数', '字符 / 词元', '平均意外度', '困惑度']);
    assert.match((await page.locator('[data-metric="perplexity"]').getAttribute('title'))!, /困惑度 \(perplexity\)/);
    assert.match((await texts('.legend-title'))[0]!, /排名/);
    assert.equal(await page.locator('.counts-label').textContent(), '同一段文字在其他分词器下');
    assert.match((await page.locator('.footer').textContent())!, /模型 tiny-gpt2-software/);

    await page.locator('.chip[data-index="3"]').hover();
    assert.match((await page.locator('#chip-tooltip').textContent())!, /第 4 个词元（共 \d+ 个）[\s\S]*排名[\s\S]*比特/);
    await page.locator('.chip[data-index="3"]').click();
    await page.waitForFunction(() => !document.querySelector('.distribution')?.classList.contains('busy') && document.querySelectorAll('.distribution .bar-row').length > 0, null, { timeout: 60_000 });
    assert.match((await page.locator('.tokens-tab .distribution-heading').textContent())!, /之后的下一个词元（第 4 个词元）$/);
    assert.deepEqual(await texts('.tokens-tab .distribution .stat-label'), ['熵', '最可能的猜测', '实际的下一个']);
    assert.match((await page.locator('.tokens-tab .distribution-status').textContent())!, /^在温度 1\.00 下对全部 [\d,]+ 个词元做 softmax/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(testResultsDir, 'panel-zh-cn.png'), fullPage: true });

    await page.locator('[data-tab="attention"]').click();
    await page.locator('.attention-view .lens-controls').waitFor({ timeout: 10_000 });
    assert.deepEqual(await texts('.attention-view .lens-mode'), ['热力图', '头视图', '模型视图']);
    assert.deepEqual(await texts('.attention-view .lens-controls .control-label'), ['层 ', '注意力头 ']);
    assert.equal(await page.locator('[data-control="head"] option[value="average"]').textContent(), '各头平均');
    assert.match((await page.locator('.attn-readout').textContent())!, /^把指针移到格子上/);
    assert.match((await page.locator('.attn-top-title').textContent())!, /最关注的词元：$/);
    await page.locator('.lens-mode[data-mode="modelview"]').click();
    assert.equal(await page.locator('.modelview-axis').first().textContent(), '头 0');
    await page.close();
  });
});
