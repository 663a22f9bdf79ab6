// The "How GPT reads this" (Pipeline) and Generate tabs of the real panel bundle in headless
// Chromium (WASM): every step shows the numbers the engine computes for the same text here in
// Node; greedy generation in the page reproduces the engine's greedy continuation; a seeded
// sampling run repeats; bad input (temperature 0 or above 2, a token outside the context window,
// generating past the context) gets a defined behaviour and says so. Leaves screenshots of both
// languages in test-results/. Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { LensEngine } from '../../src/engine/engine';
import { GenerationSession } from '../../webview-ui/view/generate-session';
import { tokenize } from '../../src/engine/tokenizer';
import type { Analysis } from '../../src/engine/types';
import { seededRandom } from '../../src/engine/sampling';
import { en } from '../../webview-ui/i18n/en';
import { zhCn } from '../../webview-ui/i18n/zh-cn';
import { explainMessage, openExplainedPanel, sendToPanel } from './panel-page';
import { openReferencePanel, type ReferencePanel } from './reference-panel';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { formatPercent } from '../../webview-ui/view/format';
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

/** What the residual stream's length does from layer to layer, computed here from norms (not by the panel's code). */
function lengthFacts(norms: number[]): { grows: number[]; shrinks: number[]; longest: number } {
  const layers = norms.map((_, l) => l).slice(1);
  return {
    grows: layers.filter((l) => norms[l]! > norms[l - 1]!),
    shrinks: layers.filter((l) => norms[l]! < norms[l - 1]!),
    longest: norms.indexOf(Math.max(...norms)),
  };
}

/** The layers as the step 5 sentence names them, e.g. "layers 1–4 and 6" / "第 1–4、6 层". */
function layersIn(list: number[], language: 'en' | 'zh-cn'): string {
  const runs: string[] = [];
  for (const l of list) {
    const last = runs.at(-1)?.split('–');
    if (last && Number(last.at(-1)) === l - 1) runs[runs.length - 1] = `${last[0]}–${l}`;
    else runs.push(String(l));
  }
  if (language === 'zh-cn') return `第 ${runs.join('、')} 层`;
  const joined = runs.length === 1 ? runs[0] : `${runs.slice(0, -1).join(', ')} and ${runs.at(-1)}`;
  return `${list.length === 1 ? 'layer' : 'layers'} ${joined}`;
}

/** Checks step 5's sentence about the residual stream's length against norms computed from the engine's hidden states. */
function assertLengthSentence(sentence: string, norms: number[], token: string, language: 'en' | 'zh-cn'): void {
  const { grows, shrinks, longest } = lengthFacts(norms);
  assert.ok(shrinks.length > 0, 'the fixture token’s length shrinks after some layer (a rule “it grows” would be false)');
  const values = /[:：] ?([\d.]+(?: → [\d.]+)+)[.。]/.exec(sentence);
  assert.ok(values, `no values in ${sentence}`);
  assertClose(values[1]!.split(' → ').map(Number), norms, 1e-2, 'lengths in the sentence');
  const rest = sentence.replace(values[1]!, '…');
  const expected = language === 'en'
    ? `The residual stream’s length for “${token}” after the embedding and after each layer: …. It grows after ${layersIn(grows, 'en')}. It shrinks after ${layersIn(shrinks, 'en')}. It is longest ${longest === 0 ? 'after the embedding' : `after layer ${longest}`}.`
    : `“${token}”在嵌入之后和每一层之后的残差流长度：…。经过${layersIn(grows, 'zh-cn')}之后变长。经过${layersIn(shrinks, 'zh-cn')}之后变短。${longest === 0 ? '嵌入之后' : `第 ${longest} 层之后`}最长。`;
  assert.equal(rest, expected);
}

/** The term explanations every tab shows as tooltips, in the page's language. */
async function termTitles(page: Page): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  const collect = async () => {
    for (const [term, title] of await page.locator('[data-term]').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => [e.getAttribute('data-term')!, e.getAttribute('title') ?? '']))) {
      if (!found.has(term!)) found.set(term!, new Set());
      found.get(term!)!.add(title!);
    }
  };
  for (const tab of ['tokens', 'attention', 'embeddings', 'logit-lens', 'pipeline', 'generate']) {
    await page.locator(`[data-tab="${tab}"]`).click();
    if (tab === 'attention') await page.locator('.lens-mode').first().waitFor();
    if (tab === 'embeddings') await page.locator('.pca-title').waitFor({ timeout: 30_000 });
    if (tab === 'logit-lens') await page.locator('.lens-legend').waitFor({ timeout: 60_000 });
    if (tab === 'pipeline') await page.locator('[data-step="6"]').waitFor({ timeout: 60_000 });
    await collect();
  }
  return found;
}

/** Each term the panel must explain, and the bundle key of its explanation. */
const TERMS: Record<string, keyof typeof en> = {
  wte: 'glossary.wte', wpe: 'glossary.wpe', layerNorm: 'glossary.layerNorm', unembedding: 'glossary.unembedding',
  topK: 'glossary.topK', topP: 'glossary.topP', seed: 'glossary.seed', headView: 'glossary.headView', modelView: 'glossary.modelView',
  gltr: 'glossary.gltr', pca: 'glossary.pca', r50k: 'summary.r50kHelp', cl100k: 'summary.cl100kHelp', o200k: 'summary.o200kHelp',
};

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
    // By value: the labels are numbered from 1, so the label "2" is another layer.
    await page.selectOption('[data-control="layer"]', { value: String(PICK.layer) });
    await page.selectOption('[data-control="head"]', String(PICK.head));
    // Layers are numbered from 1 in every tab: index 2 is “Layer 3”.
    await page.waitForFunction((l) => document.querySelector('[data-step="5"] h3')?.textContent?.includes(`Layer ${l + 1}:`), PICK.layer);
    await walkThroughReady(page, position);
    assert.deepEqual(await page.locator('.pipeline [data-control="layer"] option').allTextContents(), ['1', '2', '3', '4', '5', '6']);

    // 1 and 2: the picked token is highlighted among all the tokens; its id.
    assert.equal(await page.locator('[data-step="1"] .chip').count(), T);
    assert.equal(await page.locator('[data-name="token-count"]').textContent(), `This text is ${T} tokens. The picked token is “·list”, bytes 206c697374.`);
    const utf8 = (c: string) => Buffer.byteLength(c, 'utf8');
    assert.match((await page.locator('[data-step="1"] .pipeline-body').textContent())!, new RegExp(`中 takes ${utf8('中')} bytes, 😀 ${utf8('😀')} and ❤ ${utf8('❤')};`));
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
    const headSize = engine.config.nEmbd / engine.config.nHead;
    assert.equal(await page.locator('.attention-table th').nth(1).textContent(), `score q·k/√d_head = q·k/√${headSize}`);
    assert.match((await page.locator('[data-step="5"] .pipeline-body').textContent())!, new RegExp(`q·k/√d_head = q·k/√${headSize}\\.`));
    const mlp = page.locator('[data-name="mlp"]');
    const [positive, inner] = [Number(await mlp.getAttribute('data-positive')), Number(await mlp.getAttribute('data-inner'))];
    assert.equal(inner, engine.config.nInner);
    assert.ok(positive > 0 && positive < inner);
    assert.match((await mlp.textContent())!, new RegExp(`here ${positive} of the ${inner} units have a positive output \\(${formatPercent(positive / inner).replace('.', '\\.')}\\)`));
    const norms = Array.from({ length: engine.config.nLayer + 1 }, (_, l) => Math.hypot(...row(l)));
    assertClose(await numbers(page, '[data-name="norms"] .bar-row'), norms, 2e-2, 'residual norms');
    assert.deepEqual(await page.locator('[data-name="norms"] .token-label').allTextContents(), ['embedding', ...norms.slice(1).map((_, l) => `after layer ${l + 1}`)]);
    assertLengthSentence((await page.locator('[data-name="norms-sentence"]').textContent())!, norms, '·list', 'en');

    // 6: the softmax's probabilities at T = 1, then at T = 0.5 from the slider.
    for (const temperature of [1, 0.5]) {
      if (temperature !== 1) {
        await page.locator('.pipeline [data-control="temperature"]').fill(String(temperature));
        await walkThroughReady(page, position, temperature);
      }
      const { top } = await engine.distributionAt(ids, position, { temperature, topK: 10 });
      const shown = await numbers(page, '[data-name="softmax"] .bar-row');
      assertClose(shown, top.map(([, lp]) => Math.exp(lp)), 1e-4, `softmax at T=${temperature}`);
    }
    await page.locator('.pipeline [data-control="temperature"]').fill('1');
    await walkThroughReady(page, position, 1);
    await page.locator('.pipeline').screenshot({ path: path.join(testResultsDir, 'pipeline-en.png') });
  });

  test('where the parameters are: the table adds up to the weights file, and a kind opens the step where it acts', async () => {
    await page.locator('[data-tab="pipeline"]').click();
    const census = page.locator('.pipeline-census');
    await census.waitFor({ timeout: 60_000 });
    const bytes = fs.readFileSync(path.join(repoRoot, 'media/models/tiny-gpt2-software/model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape?: number[] }>;
    const inFile = Object.entries(header).filter(([name]) => name !== '__metadata__').reduce((sum, [, e]) => sum + e.shape!.reduce((a, b) => a * b, 1), 0);
    assert.equal(Number(await census.getAttribute('data-total')), inFile);
    assert.match((await census.locator('h3').textContent())!, new RegExp(`^Where the parameters are: tiny-gpt2-software, ${inFile.toLocaleString('en-US')} in all$`));
    // Q, K and V are thirds of GPT-2's fused c_attn; the unembedding is wte itself.
    assert.equal(await census.locator('tr[data-kind="query"] td').nth(2).textContent(), '192 × 192 (× 6)');
    assert.equal(await census.locator('tr[data-kind="unembedding"] td').nth(3).textContent(), '0 (the embedding’s)');
    assert.equal(await census.locator('tr[data-kind="embedding"] td').nth(3).textContent(), (50257 * 192).toLocaleString('en-US'));
    assert.ok((await census.locator('.census-gpt3').textContent())!.includes(`that is 27,938 matrices: their “about 28,000”. This model counted the same way: ${6 * (3 * 6 + 3) + 2} matrices, ${inFile.toLocaleString('en-US')} parameters; GPT-3 is about`));
    await census.locator('tr[data-kind="unembedding"] .census-kind').click();
    await page.waitForFunction(() => document.querySelector('[data-step="6"]')?.classList.contains('flash'), null, { timeout: 5000 });
    await census.screenshot({ path: path.join(testResultsDir, 'census.png') });
  });

  test('step 6 draws its sample from the exact distribution over the whole vocabulary, not from the tokens listed', async () => {
    const vocab = engine.config.vocabSize;
    /** The seed-1 draw by inverse CDF over the exact distribution, most likely first, as the engine computes it here. */
    const exactDraw = async (at: number, temperature: number) => {
      const { top } = await engine.distributionAt(ids, at, { temperature, topK: vocab });
      assert.equal(top.length, vocab);
      const u = seededRandom(1)();
      let below = 0;
      for (let rank = 0; rank < top.length; rank++) {
        const p = Math.exp(top[rank]![1]);
        if (u < below + p) return { id: top[rank]![0], rank, margin: Math.min(u - below, below + p - u), u, top };
        below += p;
      }
      throw new Error('u is beyond the cumulative mass');
    };
    const sampleShown = async () => Number(await page.locator('.pipeline-sample').getAttribute('data-id'));

    await page.locator('[data-tab="pipeline"]').click();
    await page.locator('[data-step="6"]').waitFor({ timeout: 60_000 });
    // “ of” at T = 1: the draw lies at rank 66, far from its interval's ends, so it must be that token.
    const of = tokenize(TEXT).findIndex((t) => t.text === ' of');
    await page.selectOption('[data-control="position"]', String(of));
    await walkThroughReady(page, of, 1);
    const draw = await exactDraw(of, 1);
    assert.ok(draw.rank >= 10, `the fixture’s draw (rank ${draw.rank}) lies beyond the 10 tokens listed, which renormalising them could never reach`);
    assert.ok(draw.margin > 1e-4, `u is ${draw.margin} from the drawn token’s interval ends: float differences cannot move it`);
    assert.equal(await sampleShown(), draw.id);
    assert.match((await page.locator('.pipeline-sample').textContent())!, new RegExp(`^A sample drawn from this whole distribution \\(all ${vocab} tokens at temperature 1\\.00, seed 1\\): “`));

    // “ list” at T = 2: the listed 10 hold about 14% of the mass; the sample is the token whose
    // interval of the exact cumulative distribution holds u (within float error of the engine's).
    await page.selectOption('[data-control="position"]', String(position));
    await walkThroughReady(page, position);
    await page.locator('.pipeline [data-control="temperature"]').fill('2');
    await walkThroughReady(page, position, 2);
    const hot = await exactDraw(position, 2);
    const picked = await sampleShown();
    const rank = hot.top.findIndex(([id]) => id === picked);
    const before = hot.top.slice(0, rank).reduce((sum, [, lp]) => sum + Math.exp(lp), 0);
    assert.ok(rank >= 10, `sample ${picked} has rank ${rank}: at T = 2 the draw must reach beyond the 10 tokens listed`);
    assert.ok(before - 1e-4 <= hot.u && hot.u < before + Math.exp(hot.top[rank]![1]) + 1e-4, `sample ${picked} covers [${before}, …), u = ${hot.u}`);
    const listedMass = hot.top.slice(0, 10).reduce((sum, [, lp]) => sum + Math.exp(lp), 0);
    assert.match((await page.locator('[data-step="6"] .hint').textContent())!, new RegExp(`^The 10 tokens listed hold ${formatPercent(listedMass).replace('.', '\\.')} of the probability`));
    await page.locator('.pipeline [data-control="temperature"]').fill('1');
    await walkThroughReady(page, position, 1);
  });

  test('zh-cn: the sentences about numbers say what the numbers for “ list” show, in Chinese', async () => {
    const zh = await openPanel(fixture.browser, fixture.server, 'zh-cn');
    try {
      await zh.locator('[data-tab="pipeline"]').click();
      await walkThroughReady(zh, T - 1);
      await zh.selectOption('[data-control="position"]', String(position));
      await walkThroughReady(zh, position);
      const d = engine.config.nEmbd;
      const norms = Array.from({ length: engine.config.nLayer + 1 }, (_, l) => Math.hypot(...analysis.hidden!.subarray((l * T + position) * d, (l * T + position + 1) * d)));
      assertLengthSentence((await zh.locator('[data-name="norms-sentence"]').textContent())!, norms, '·list', 'zh-cn');
      const mlp = zh.locator('[data-name="mlp"]');
      const [positive, inner] = [Number(await mlp.getAttribute('data-positive')), Number(await mlp.getAttribute('data-inner'))];
      // A count of units, then the share as a percentage: never "17% 个".
      assert.ok((await mlp.textContent())!.includes(`这里 ${inner} 个单元中有 ${positive} 个输出为正（占 ${formatPercent(positive / inner)}）`), (await mlp.textContent())!);
      assert.doesNotMatch((await mlp.textContent())!, /%\s*个/);
      assert.equal(await zh.locator('.attention-table th').nth(1).textContent(), `得分 q·k/√d_head = q·k/√${d / engine.config.nHead}`);
      assert.equal(await zh.locator('[data-name="token-count"]').textContent(), `这段文字共 ${T} 个词元。选中的词元是“·list”，字节为 206c697374。`);
      assert.match((await zh.locator('.pipeline-sample').textContent())!, /^从这个完整分布（全部 \d+ 个词元，温度 1\.00，随机种子 1）中采样得到：/);
      assert.equal(await zh.locator('[data-tab="logit-lens"]').textContent(), '逐层预测 (logit lens)');
      // Generation's refusals are in Chinese too.
      await zh.locator('[data-tab="generate"]').click();
      await runGeneration(zh, { greedy: false, temperature: '2.5', maxTokens: '4' });
      assert.equal(await zh.locator('.generate-status').textContent(), '请检查设置：温度 2.5 超过了 2：分布会几乎完全平坦；请用 0（贪心）到 2');
      await runGeneration(zh, { greedy: false, temperature: '1', maxTokens: '900' });
      assert.equal(await zh.locator('.generate-status').textContent(), '请检查设置：长度上限须是 1 到 512 之间的整数，现在是 900');
      // How a step chose its token, in Chinese.
      await runGeneration(zh, { greedy: false, temperature: '1.2', seed: '7', maxTokens: '2' });
      await zh.locator('.sampling-figure').waitFor({ timeout: 30_000 });
      assert.match((await zh.locator('.sampling-figure h3').textContent())!, /^第 2 步是怎么选出“.+”的$/);
      assert.match((await zh.locator('.sampling-cuts').textContent())!, /^候选是整个词表中在温度 1\.20 下最可能的 200 个词元。top-k = 40 保留最可能的 40 个；/);
      assert.match((await zh.locator('.sampling-figure .hint').textContent())!, /^这里的温度最高到 2，和 OpenAI API 一样：这是约定，不是数学限制。/);
      await zh.locator('.sampling-figure').screenshot({ path: path.join(testResultsDir, 'sampling-zh-cn.png') });
      await zh.locator('[data-tab="pipeline"]').click();
      await zh.locator('.pipeline-census').waitFor({ timeout: 60_000 });
      assert.match((await zh.locator('.pipeline-census h3').textContent())!, /^参数都在哪里：tiny-gpt2-software，共 12,417,216 个$/);
      await zh.locator('.pipeline-census').screenshot({ path: path.join(testResultsDir, 'census-zh-cn.png') });
    } finally {
      await zh.close();
    }
  });

  test('every technical term shown has its explanation as a tooltip, in English and in Chinese', async () => {
    const zh = await openPanel(fixture.browser, fixture.server, 'zh-cn');
    try {
      for (const [language, shown, bundle] of [['en', page, en], ['zh-cn', zh, zhCn]] as const) {
        const titles = await termTitles(shown);
        for (const [term, key] of Object.entries(TERMS)) {
          assert.ok(titles.has(term), `${language}: no “${term}” on any tab`);
          assert.deepEqual([...titles.get(term)!], [bundle[key]], `${language}: the tooltip of “${term}”`);
        }
        assert.notEqual(zhCn[TERMS.wte!], en[TERMS.wte!]);
      }
    } finally {
      await zh.close();
    }
    await page.locator('[data-tab="pipeline"]').click();
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
    // The figure under the steps: greedy draws no number.
    assert.match((await page.locator('.sampling-figure p').first().textContent())!, /^Temperature 0 is greedy decoding: the most likely token, “.+” \([\d.]+% at temperature 1\), every time\. No random number is drawn/);
    assert.equal(await page.locator('.sampling-u').count(), 0);
    assert.equal(await page.locator('.sampling-stretch').count(), 1, 'one stretch: the whole bar');
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

    // How the last step chose: the same random number as the session in Node, inside the chosen
    // token's stretch of the kept candidates' cumulative distribution; the cuts' counts are Node's.
    const figure = page.locator('.sampling-figure');
    assert.equal(await figure.getAttribute('data-for-step'), '9');
    const check = async (n: number) => {
      const step = session.steps[n]!;
      const kept = step.candidates.filter((c) => c.kept > 0);
      assert.ok(step.u !== null && kept.length > 1, `step ${n + 1} sampled`);
      const u = Number(await figure.locator('.sampling-u').getAttribute('data-u'));
      assert.ok(Math.abs(u - step.u!) < 1e-6, `u ${u} vs ${step.u}`);
      const chosen = figure.locator('.sampling-stretch.chosen');
      assert.equal(await chosen.getAttribute('data-id'), String(step.chosen));
      const [from, to] = [Number(await chosen.getAttribute('data-from')), Number(await chosen.getAttribute('data-to'))];
      assert.ok(from <= u + 1e-6 && u < to + 1e-6, `${from} ≤ ${u} < ${to}`);
      assert.equal(await figure.locator('.sampling-stretch').count(), kept.length);
      const mass = kept.reduce((s, c) => s + c.probability, 0);
      const cuts = (await figure.locator('.sampling-cuts').textContent())!;
      const topKOnly = kept.length === Math.min(40, step.candidates.length) && mass < 0.95;
      assert.ok(cuts.includes(topKOnly ? `top-p = 95.0% cuts nothing more here, since those ${kept.length} tokens hold only ${(mass * 100).toFixed(1)}%` : `: ${kept.length} tokens holding ${(mass * 100).toFixed(1)}%`), cuts);
      assert.match((await figure.locator('.sampling-landed').textContent())!, new RegExp(`^The seeded random number u = ${step.u!.toFixed(3)} \\(seed 7\\) lands in`));
      // The pick, redone here from the engine's exact distribution at T = 1.2: top-40, then the
      // smallest set reaching 95%, renormalised, and the inverse CDF at the figure's u.
      const context = [...ids, ...session.generated.slice(0, n)];
      const { top } = await engine.distributionAt(context, context.length - 1, { temperature: 1.2, topK: 200 });
      const probabilities = top.slice(0, 40).map(([id, lp]) => [id, Math.exp(lp)] as const);
      let keep = probabilities.length;
      for (let i = 0, mass = 0; i < probabilities.length; i++) {
        mass += probabilities[i]![1];
        if (mass >= 0.95) { keep = i + 1; break; }
      }
      const kept2 = probabilities.slice(0, keep);
      const total = kept2.reduce((s, [, p]) => s + p, 0);
      let cumulative = 0;
      const redone = kept2.find(([, p]) => (cumulative += p / total) > u)?.[0] ?? kept2.at(-1)![0];
      assert.equal(redone, step.chosen, `step ${n + 1}: the draw redone from the exact distribution`);
    };
    await check(9);
    await figure.screenshot({ path: path.join(testResultsDir, 'sampling.png') });
    // A step's label shows that step instead.
    const sampled = session.steps.findIndex((s) => s.u !== null && s.candidates.filter((c) => c.kept > 0).length > 1);
    await page.locator(`.generate-step[data-step="${sampled}"] [data-action="explain-step"]`).click();
    assert.equal(await figure.getAttribute('data-for-step'), String(sampled));
    await check(sampled);
    assert.match((await figure.locator('.hint').textContent())!, /up to 2, as in the OpenAI API: a convention, not mathematics/);
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
    // The whole text's count, as the summary gives it, and how many of them the model read.
    assert.equal(await page.locator('[data-metric="tokens"] .metric-value').textContent(), longIds.length.toLocaleString('en-US'));
    assert.match((await page.locator('[data-name="token-count"]').textContent())!, new RegExp(`^This text is ${longIds.length} tokens\\. .* The model read the last ${context} of them;`));

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
    assert.deepEqual(await texts('.tab'), ['词元', '注意力', '嵌入', '逐层预测 (logit lens)', '向量', '数据流', '生成', '对话']);
    assert.deepEqual(await texts('.metric .metric-label'), ['词元数', '字符 / 词元', '平均意外度', '比特 / 字符', '困惑度']);
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
    assert.equal(await page.locator('.mask-view h2').textContent(), '谁能看到谁：GPT 的因果掩码 (causal mask) 与 BERT 的全注意力');
    await page.locator('.mask-view').screenshot({ path: path.join(testResultsDir, 'attention-mask-zh-cn.png') });
    assert.match((await page.locator('.mask-live').textContent())!, /^这个模型和 GPT 一样是因果解码器 \(causal decoder\)。在这次运行的全部 36 张注意力图（6 层 × 6 个头）里，任何词元给后面词元的最大权重是 0：谁也看不到右边。/);

    await page.locator('[data-tab="vectors"]').click();
    await page.locator('.vectors-example').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.vectors-one-hot h2').textContent()!.then((h) => h!.startsWith('独热 (one-hot) 与稠密 (dense)：')), true);
    assert.match((await page.locator('.vectors-one-hot p').textContent())!, /个数：第 \d+ 位是 1，其余全是 0。用它乘以嵌入矩阵 wte（50,257 × 192 = 9,649,344 个参数）/);
    assert.match((await page.locator('.angle-figure[data-kind="context"] figcaption').textContent())!, /^它们第 1 层之后的残差流 \(residual stream\) 向量：余弦 -?\d\.\d{3}，夹角 \d+\.\d°。$/);
    assert.equal(await page.locator('.vectors-example th').nth(1).textContent(), '金融（finance）');
    assert.equal(await page.locator('.vectors-passages h2').textContent(), '从词到段落');
    await page.locator('.vectors-view').screenshot({ path: path.join(testResultsDir, 'vectors-zh-cn.png') });
    assert.match((await page.locator('.vectors-passages p').first().textContent())!, /^一段文字也可以是一个向量：这里取它各词元在最后一层（第 6 层）之后的向量的平均。/);
    assert.match((await page.locator('.example-check').textContent())!, /但说 V3 与 V2 是 7\.5°。按文章自己的词频算，是 12\.4°（余弦 0\.977）；要得到 7\.5°，余弦得是 0\.991。/);

    // Chinese text in the Tokens tab: each character above its byte fragments, explained in Chinese.
    await sendToPanel(page, await explainMessage(20, '他告诉我 a test'));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 20), null, { timeout: 60_000 });
    await page.locator('[data-tab="tokens"]').click();
    assert.match((await page.locator('.char-cap', { hasText: '告' }).getAttribute('title'))!, /^“告”：UTF-8 字节 e5 91 8a，分在第 \d+, \d+ 个词元里（从 1 数起）。/);
    await page.locator('.chips').screenshot({ path: path.join(testResultsDir, 'chinese-chips-zh-cn.png') });
    await page.close();
  });
});
