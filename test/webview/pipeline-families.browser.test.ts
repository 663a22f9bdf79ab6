// The walk-through ("How GPT reads this") of the rotary families in the real panel bundle, in
// headless Chromium (WASM): the tiny Qwen3 fixture (q/k norms, 4 query heads on 2 key/value
// heads, tied embeddings) and the tiny Llama fixture (multi-query attention, llama3 rope scaling,
// its own lm_head, a BOS token), each in English and in Chinese. Every sentence that states what
// a number does is checked against the numbers on the page and against what this test computes
// from config.json, the weights' header and the engine in Node: the rotation's angle and the pair
// before and after it, the key/value head a query head reads (and the k and v it shows), the
// gate's counts, tied or separate unembedding. Token texts are not asserted: the panel's engine
// worker still names ids with r50k_base until it reads each model's tokenizer.json.
// Leaves screenshots in test-results/. Needs `npm run build` and Debian chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Browser, Page } from 'playwright-core';
import { LensEngine } from '../../src/engine/engine';
import { PipelineInspector } from '../../src/engine/inspect';
import type { Analysis } from '../../src/engine/types';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { loadTokenizerFromDir } from '../../src/node/load-tokenizer';
import type { InitMessage } from '../../src/protocol';
import { en } from '../../webview-ui/i18n/en';
import { zhCn } from '../../webview-ui/i18n/zh-cn';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot, testResultsDir } from '../harness/paths';
import { expectedInverseFrequency, fixtureDir, readFixtureFiles, readReference, type FixtureName } from '../unit/llama-family-fixtures';
import { decodeSafetensors } from '../unit/safetensors-writer';
import { explainMessage, modelUris, sendToPanel, writePanelPage } from './panel-page';

type Language = 'en' | 'zh-cn';
const BUNDLES = { en, 'zh-cn': zhCn } as const;
/** The walk-through follows the last token, in layer 2, query head 3 (key/value head 1 of 2 in the Qwen3 fixture). */
const PICK = { layer: 1, head: 3 };

/** What the test knows about a fixture without the panel's code: config.json, the weights' names, the engine in Node. */
interface Truth {
  name: FixtureName;
  /** The model folder the panel reads: the fixture's, or a variant of it. */
  dir: string;
  config: Record<string, unknown>;
  tensorNames: string[];
  text: string;
  ids: number[];
  engine: LensEngine;
  inspector: PipelineInspector;
  analysis: Analysis;
}

async function truthOf(name: FixtureName, dir = fixtureDir(name)): Promise<Truth> {
  const prompt = readReference(name).refs.find((r) => r.name === 'python')!;
  const checkpoint = await loadCheckpointFromDir(dir);
  const engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
  const { weights } = readFixtureFiles(name);
  return {
    name,
    dir,
    config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')),
    tensorNames: decodeSafetensors(weights).map((t) => t.name),
    text: prompt.text,
    ids: prompt.ids,
    engine,
    inspector: new PipelineInspector(checkpoint),
    analysis: await engine.analyze(prompt.ids, { attention: true, hidden: true }),
  };
}

/**
 * A copy of the fixture's folder in out/test/webview/ (which the test server serves) whose
 * config.json has `overrides`.
 */
function variantFolder(name: FixtureName, variant: string, overrides: Record<string, unknown>): string {
  const dir = path.join(repoRoot, 'out/test/webview', `${name}-${variant}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(fixtureDir(name), file), path.join(dir, file));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...readFixtureFiles(name).config, ...overrides }));
  return dir;
}

/** The init message for a model folder served by `server`, naming its tokenizer files as the host does. */
function fixtureInit(server: StaticServer, dir: string, language: Language): InitMessage {
  const folder = path.relative(repoRoot, dir);
  return {
    type: 'init', modelName: path.basename(dir),
    model: { ...modelUris(server, folder), tokenizerUri: server.url(`${folder}/tokenizer.json`), tokenizerConfigUri: server.url(`${folder}/tokenizer_config.json`) },
    wasmUri: server.url('dist/ort/ort-wasm-simd-threaded.asyncify.wasm'),
    engineUri: server.url('dist/webview-engine.js'),
    backend: 'wasm', settings: { topK: 5, temperature: 1, heatMapMode: 'rank' }, language,
  };
}

/** A panel page that explained the fixture's prompt, tokenized by the fixture's own tokenizer.json. */
async function openFixturePanel(browser: Browser, server: StaticServer, truth: Truth, language: Language): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  await page.goto(server.url(writePanelPage(server.origin, `pipeline-${path.basename(truth.dir)}-${language}.html`)));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
  await sendToPanel(page, fixtureInit(server, truth.dir, language));
  const tokenizer = await loadTokenizerFromDir(truth.dir, truth.engine.config);
  const tokens = tokenizer.tokenize(truth.text);
  assert.deepEqual(tokens.map((t) => t.id), truth.ids, 'the tokenizer gives the reference ids');
  await sendToPanel(page, await explainMessage(1, truth.text, { tokenizer, fileName: 'sample.py', contextTokens: 2048 }));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' || m.type === 'runFailed'), null, { timeout: 120_000 });
  assert.ok(await page.evaluate(() => window.__posted.some((m) => m.type === 'analysis')), 'the run failed');
  return page;
}

/** Waits until the steps on screen are those of the controls' current values. */
async function ready(page: Page, pick: { position: number; layer: number; head: number }): Promise<void> {
  const waiting = page.waitForFunction(
    // No named functions in here: tsx wraps them in __name(), which the page does not define.
    ([p, l, h]) => {
      const status = document.querySelector('.pipeline-status') as HTMLElement | null;
      const values = ['position', 'layer', 'head'].map((c) => (document.querySelector(`.pipeline [data-control="${c}"]`) as HTMLSelectElement | null)?.value);
      return !!status?.hidden && values.join() === [p, l, h].join() && !!document.querySelector('[data-step="6"]');
    },
    [pick.position, pick.layer, pick.head] as const,
    { timeout: 60_000 },
  );
  // On a time-out, say what the page shows instead (an error message, other controls).
  await waiting.catch(async (error: Error) => {
    const shown = await page.evaluate(() => {
      const status = document.querySelector('.pipeline-status') as HTMLElement | null;
      const controls = [...document.querySelectorAll('.pipeline [data-control]')].map((e) => `${e.getAttribute('data-control')} ${(e as HTMLInputElement).value}`);
      return [status?.hidden ? '(no message)' : status?.textContent, ...controls].join(' | ');
    });
    throw new Error(`${error.message}; the walk-through shows: ${shown}`);
  });
}

/** Picks the layer and head (the token stays), waiting for the steps after each change. */
async function choose(page: Page, pick: { position: number; layer: number; head: number }): Promise<void> {
  for (const control of ['layer', 'head'] as const) {
    if ((await page.inputValue(`.pipeline [data-control="${control}"]`)) !== String(pick[control])) {
      // By value: the layer picker's labels count from 1, so the label "1" is the value "0".
      await page.selectOption(`.pipeline [data-control="${control}"]`, { value: String(pick[control]) });
      await ready(page, { ...pick, head: control === 'layer' ? Number(await page.inputValue('.pipeline [data-control="head"]')) : pick.head });
    }
  }
  await ready(page, pick);
}

const stripValues = async (page: Page, name: string) => ((await page.locator(`.pipeline [data-name="${name}"]`).getAttribute('data-values')) ?? '').split(',').map(Number);
const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

/** The numbers of the rotation sentence, by meaning, in either language. */
const ROPE_SENTENCE: Record<Language, RegExp> = {
  en: /Pair (?<pair>\d+) of this query \(q\[\d+\], q\[(?<partner>\d+)\]\) at position (?<position>\d+): θ = (?<p>\d+) × (?<freq>[\d.e+-]+) = (?<angle>[\d.e+-]+) rad, so \((?<x1>[-\d.]+), (?<x2>[-\d.]+)\) becomes \((?<y1>[-\d.]+), (?<y2>[-\d.]+)\); its length, (?<length>[\d.]+), stays the same\. The slowest pair, (?<last>\d+), turns by (?<p2>\d+) × (?<slowFreq>[\d.e+-]+) = (?<slowAngle>[\d.e+-]+) rad\./,
  'zh-cn': /这个查询的第 (?<pair>\d+) 对（q\[\d+\] 和 q\[(?<partner>\d+)\]）在位置 (?<position>\d+)：θ = (?<p>\d+) × (?<freq>[\d.e+-]+) = (?<angle>[\d.e+-]+) 弧度，于是 \((?<x1>[-\d.]+), (?<x2>[-\d.]+)\) 变成 \((?<y1>[-\d.]+), (?<y2>[-\d.]+)\)；它的长度 (?<length>[\d.]+) 不变。转得最慢的第 (?<last>\d+) 对转过 (?<p2>\d+) × (?<slowFreq>[\d.e+-]+) = (?<slowAngle>[\d.e+-]+) 弧度。/,
};
const LLAMA3_SENTENCE: Record<Language, RegExp> = {
  en: /llama3 rope scaling divides inv_freq by (?<factor>\d+) for the slow pairs \(wavelengths over (?<longest>\d+) tokens\), keeps it for the fast ones \(under (?<shortest>\d+) tokens\) and blends between: that is why inv_freq\[(?<last>\d+)\] is (?<slowFreq>[\d.e+-]+)\./,
  'zh-cn': /llama3 旋转缩放 \(rope scaling\) 把慢的各对（波长超过 (?<longest>\d+) 个词元）的 inv_freq 除以 (?<factor>\d+)，快的各对（波长不到 (?<shortest>\d+) 个词元）保持不变，介于两者之间的平滑过渡：所以 inv_freq\[(?<last>\d+)\] 是 (?<slowFreq>[\d.e+-]+)。/,
};
const KV_SENTENCE: Record<Language, RegExp> = {
  en: /^Query head (?<head>\d+) reads key\/value head (?<kv>\d+)/,
  'zh-cn': /^第 (?<head>\d+) 个查询头读取第 (?<kv>\d+) 个键\/值头/,
};

describe('the walk-through of the rotary families in headless Chromium (WASM)', () => {
  let server: StaticServer;
  let browser: Browser;
  const truths = new Map<FixtureName, Truth>();

  before(async () => {
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist/webview.js')), 'run `npm run build` first');
    fs.mkdirSync(testResultsDir, { recursive: true });
    server = await serveStatic(repoRoot);
    browser = await launchChromium({ webgpu: false });
    for (const name of ['tiny-random-qwen3', 'tiny-random-llama'] as const) truths.set(name, await truthOf(name));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    for (const truth of truths.values()) await truth.engine.dispose();
  });

  for (const name of ['tiny-random-qwen3', 'tiny-random-llama'] as const) {
    for (const language of ['en', 'zh-cn'] as const) {
      test(`${name}, ${language}: each step says what this model does, and its sentences match the numbers shown`, async () => {
        const truth = truths.get(name)!;
        const bundle = BUNDLES[language];
        const { config, ids, analysis, inspector } = truth;
        const T = ids.length;
        const position = T - 1;
        const heads = config.num_attention_heads as number;
        const kvHeads = config.num_key_value_heads as number;
        const headDim = config.head_dim as number;
        const d = config.hidden_size as number;
        const page = await openFixturePanel(browser, server, truth, language);
        try {
          await page.locator('[data-tab="pipeline"]').click();
          await ready(page, { position, layer: 0, head: 0 });
          await choose(page, { position, ...PICK });

          // Step 1: the model's own tokenizer; the BOS token the Llama tokenizer puts first is said to stand for no text.
          assert.equal(await text(page, '[data-step="1"] .pipeline-body'), bundle['step1.bodyOwn'].replace('{cjk}', '3').replace('{emoji}', '4').replace('{heart}', '3'));
          const bos = config.bos_token_id as number;
          assert.equal(await page.locator('[data-name="bos"]').count(), ids[0] === bos ? 1 : 0);
          if (ids[0] === bos) assert.match(await text(page, '[data-name="bos"]'), new RegExp(`\\b${bos}\\b`));
          assert.equal(ids[0] === bos, name === 'tiny-random-llama', 'only the Llama tokenizer adds BOS');

          // Steps 3–4: the embedding row is the whole start of the residual stream; no position row.
          assert.match(await text(page, '[data-step="3"] .pipeline-body'), /embed_tokens/);
          assert.equal(await page.locator('[data-step="4"] [data-name="position"]').count(), 0, 'no position vector');
          assert.equal(await text(page, '[data-step="4"] h3'), bundle['step4.titleRotary']);
          const start = await stripValues(page, 'sum');
          assert.deepEqual(start, await stripValues(page, 'embedding'));
          const row = analysis.hidden!.subarray(position * d, (position + 1) * d);
          start.forEach((v, i) => assertNear(v, row[i]!, 1e-5 * Math.max(1, Math.abs(row[i]!)), `residual start [${i}]`));

          // Step 5: scores over √head_dim from config.json (not hidden / heads), the engine's attention row.
          assert.equal(await text(page, '.attention-table th:nth-child(2)'), bundle['step5.scores'].replace('{hs}', String(headDim)));
          const base = ((PICK.layer * heads + PICK.head) * T + position) * T;
          const weights = (await page.locator('[data-name="weight"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).map(Number);
          assert.equal(weights.length, T);
          weights.forEach((w, k) => assertNear(w, analysis.attention![base + k]!, 1e-4, `attention weight ${k}`));

          // Biases and q/k norms as the weights hold them.
          const biasSentence = await text(page, '[data-name="qkv-bias"]');
          const hasBias = truth.tensorNames.includes('model.layers.0.self_attn.q_proj.bias');
          assert.ok(biasSentence.startsWith(bundle[hasBias ? 'step5.biases' : 'step5.noBiases']), biasSentence);
          assert.equal(biasSentence.includes(bundle['step5.qkNorm']), truth.tensorNames.includes('model.layers.0.self_attn.q_norm.weight'));

          // The key/value head read: said, and seen in the k and v strips of the heads that share it.
          const kvOf = (h: number) => Math.floor(h / (heads / kvHeads));
          const kv = KV_SENTENCE[language].exec(await text(page, '[data-name="kv-head"]'));
          assert.ok(kv, await text(page, '[data-name="kv-head"]'));
          assert.deepEqual([Number(kv.groups!.head), Number(kv.groups!.kv)], [PICK.head, kvOf(PICK.head)]);
          const kvSentence = await text(page, '[data-name="kv-head"]');
          if (kvHeads === 1) assert.ok(kvSentence.includes(language === 'en' ? 'the only one' : '也是唯一的一个'), kvSentence);
          else assert.ok(kvSentence.includes(language === 'en' ? `share ${kvHeads} key/value heads` : `共用 ${kvHeads} 个键/值头`), kvSentence);
          const [k3, v3] = [await stripValues(page, 'key'), await stripValues(page, 'value')];
          for (const other of [PICK.head - 1, 0]) {
            await choose(page, { position, layer: PICK.layer, head: other });
            const same = kvOf(other) === kvOf(PICK.head);
            assert.equal(JSON.stringify(await stripValues(page, 'key')) === JSON.stringify(k3), same, `k of head ${other}`);
            assert.equal(JSON.stringify(await stripValues(page, 'value')) === JSON.stringify(v3), same, `v of head ${other}`);
          }
          await choose(page, { position, ...PICK });

          // The rotation: θ = position × inv_freq (written out here from config.json), the pair turned by θ, its length kept.
          const ropeText = await text(page, '[data-name="rope"]');
          const rope = ROPE_SENTENCE[language].exec(ropeText);
          assert.ok(rope, ropeText);
          const g = rope.groups!;
          const half = headDim / 2;
          assert.deepEqual([g.pair, g.partner, g.position, g.p, g.p2, g.last].map(Number), [0, half, position, position, position, half - 1]);
          const frequency = expectedInverseFrequency(config, headDim, 0);
          const slowFrequency = expectedInverseFrequency(config, headDim, half - 1);
          assertNear(Number(g.freq), frequency, 5e-4 * frequency, 'inv_freq[0]');
          assertNear(Number(g.angle), position * frequency, 5e-4, 'θ');
          assertNear(Number(g.slowFreq), slowFrequency, 5e-4 * slowFrequency, 'slowest inv_freq');
          assertNear(Number(g.slowAngle), position * slowFrequency, Math.max(5e-4 * position * slowFrequency, 5e-4), 'slowest θ');
          const ropeData = page.locator('[data-name="rope"]');
          assertNear(Number(await ropeData.getAttribute('data-angle')), position * frequency, 1e-12 * position, 'θ (full precision)');
          const [x1, x2] = ((await ropeData.getAttribute('data-before')) ?? '').split(',').map(Number);
          const [y1, y2] = ((await ropeData.getAttribute('data-after')) ?? '').split(',').map(Number);
          const theta = position * frequency;
          assertNear(x1! * Math.cos(theta) - x2! * Math.sin(theta), y1!, 1e-4 * Math.hypot(x1!, x2!), 'rotated first component');
          assertNear(x2! * Math.cos(theta) + x1! * Math.sin(theta), y2!, 1e-4 * Math.hypot(x1!, x2!), 'rotated second component');
          [[g.x1, x1], [g.x2, x2], [g.y1, y1], [g.y2, y2], [g.length, Math.hypot(x1!, x2!)], [g.length, Math.hypot(y1!, y2!)]].forEach(([shown, exact], i) =>
            assertNear(Number(shown), exact as number, 5e-4 + 1e-6, `shown value ${i}`));
          // Drawn: the arrow at this position points where the rotated pair points; every dot (one
          // per position up to this one) lies on the same circle, at its position's angle.
          const drawing = page.locator('.rope-svg');
          const after = await drawing.locator('.rope-vector.after').evaluate((l) => ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))));
          assertNear(Math.atan2(-(after[3]! - after[1]!), after[2]! - after[0]!), Math.atan2(y2!, y1!), 0.02, 'the drawn arrow’s angle');
          const dots = await drawing.locator('.rope-dot').evaluateAll((els) => els.map((e) => ['cx', 'cy', 'data-position'].map((a) => Number(e.getAttribute(a)))));
          assert.equal(dots.length, Math.min(position + 1, 32));
          assert.equal(dots.at(-1)![2], position);
          for (const [cx, cy, k] of dots) {
            assertNear(Math.hypot(cx! - 100, cy! - 100), 80, 0.15, `dot ${k}: same length`);
            const expected = Math.atan2(x2!, x1!) + k! * frequency;
            const shown = Math.atan2(-(cy! - 100), cx! - 100);
            assertNear(Math.atan2(Math.sin(shown - expected), Math.cos(shown - expected)), 0, 0.01, `dot ${k}: turned by ${k} × inv_freq`);
          }
          await page.locator('.rope-figure').screenshot({ path: path.join(testResultsDir, `rope-${name}-${language}.png`) });
          const query = await stripValues(page, 'query');
          assertNear(query[0]!, y1!, 1e-5 * Math.max(1, Math.abs(y1!)), 'q[0] in the strip is the rotated one');
          assertNear(query[half]!, y2!, 1e-5 * Math.max(1, Math.abs(y2!)), `q[${half}] in the strip is the rotated one`);
          const scaling = config.rope_scaling as Record<string, number | string> | null;
          const llama3 = LLAMA3_SENTENCE[language].exec(ropeText);
          assert.equal(!!llama3, scaling?.rope_type === 'llama3', ropeText);
          if (llama3) {
            const original = scaling!.original_max_position_embeddings as number;
            assert.deepEqual(
              [llama3.groups!.factor, llama3.groups!.longest, llama3.groups!.shortest, llama3.groups!.last].map(Number),
              [scaling!.factor, original / (scaling!.low_freq_factor as number), original / (scaling!.high_freq_factor as number), half - 1],
            );
            assert.ok(slowFrequency < 1 / (config.rope_theta as number) ** ((2 * (half - 1)) / headDim) / 2, 'the slowest pair is one the scaling slows');
            assertNear(Number(llama3.groups!.slowFreq), slowFrequency, 5e-4 * slowFrequency, 'inv_freq of the slowest pair in the scaling sentence');
          }

          // The gate: the counts and the length ratio the engine's block has at this token.
          const block = inspector.block({ hidden: analysis.hidden!, tokens: T }, PICK.layer, position);
          const mlp = page.locator('[data-name="mlp"]');
          const gate = block.gate!;
          assert.deepEqual(
            [await mlp.getAttribute('data-negative'), await mlp.getAttribute('data-closed'), await mlp.getAttribute('data-inner')].map(Number),
            [gate.negative, gate.closed, config.intermediate_size],
          );
          const mlpText = await text(page, '[data-name="mlp"]');
          const ratio = (gate.gatedNorm / gate.upNorm).toFixed(2);
          const counts = language === 'en'
            ? `Here ${gate.negative} of the ${config.intermediate_size} gate outputs silu(gate(x)) are negative`
            : `这里 ${config.intermediate_size} 个门控输出 silu(gate(x)) 中有 ${gate.negative} 个为负`;
          assert.ok(mlpText.includes(counts), mlpText);
          assert.ok(mlpText.includes(language === 'en' ? `${gate.closed} are under a tenth of the largest one` : `有 ${gate.closed} 个不到最大值的十分之一`), mlpText);
          assert.ok(mlpText.includes(language === 'en' ? `${ratio} times as long as up(x)` : `是 up(x) 的 ${ratio} 倍`), mlpText);
          const norms = (await page.locator('[data-name="norms"] .bar-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).map(Number);
          norms.forEach((n, l) => assertNear(n, Math.hypot(...analysis.hidden!.subarray((l * T + position) * d, (l * T + position + 1) * d)), 1e-3 * n, `residual length after layer ${l}`));

          // Step 6: the unembedding the weights really use.
          const separate = truth.tensorNames.includes('lm_head.weight') && config.tie_word_embeddings !== true;
          const body6 = await text(page, '[data-step="6"] .pipeline-body');
          assert.equal(body6, bundle[separate ? 'step6.bodySeparate' : 'step6.bodyTied'].replace('{vocab}', String(config.vocab_size)));
          assert.equal(body6.includes('lm_head'), separate);
          assert.equal(separate, name === 'tiny-random-llama');
          const shown = (await page.locator('[data-name="softmax"] .bar-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-value')))).map(Number);
          const { top } = await truth.engine.distributionAt(ids, position, { temperature: 1, topK: shown.length });
          shown.forEach((p, j) => assertNear(Math.log(p), top[j]![1], 2e-3, `log-probability ${j}`));

          // Where the parameters are: the table adds up to the weights file's own count (its header),
          // names this family's tensors, and has a gate and no position embedding.
          const header = (() => {
            const bytes = fs.readFileSync(path.join(truth.dir, 'model.safetensors'));
            const json = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape?: number[] }>;
            return Object.entries(json).filter(([tensor]) => tensor !== '__metadata__' && !(config.tie_word_embeddings === true && tensor.endsWith('lm_head.weight')));
          })();
          const inFile = header.reduce((sum, [, entry]) => sum + entry.shape!.reduce((a, b) => a * b, 1), 0);
          const census = page.locator('.pipeline-census');
          assert.equal(Number(await census.getAttribute('data-total')), inFile);
          const perKind = (await census.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-parameters')))));
          assert.equal(perKind.reduce((a, b) => a + b, 0), inFile);
          assert.equal(await census.locator('tr[data-kind="gate"] td').nth(1).textContent(), 'gate_proj');
          assert.equal(await census.locator('tr[data-kind="position"]').count(), 0, 'rotary: no position matrix');

          // The terms of this family explained as tooltips, in the page's language.
          const titles = new Map(await page.locator('.pipeline [data-term]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-term')!, e.getAttribute('title')!] as const)));
          for (const [term, key] of [['embedTokens', 'glossary.embedTokens'], ['rmsNorm', 'glossary.rmsNorm'], ['rope', 'glossary.rope'], ['gqa', 'glossary.gqa'], ['gate', 'glossary.gate'], ['unembeddingRows', 'glossary.unembeddingRows']] as const) {
            assert.equal(titles.get(term), bundle[key], `${language}: tooltip of ${term}`);
          }
          for (const gpt2Only of ['wte', 'wpe', 'layerNorm', 'unembedding']) assert.equal(titles.has(gpt2Only), false, `no GPT-2 term ${gpt2Only}`);
          await page.locator('.pipeline').screenshot({ path: path.join(testResultsDir, `pipeline-${name}-${language}.png`) });
        } finally {
          await page.close();
        }
      });
    }
  }

  test('tiny-random-qwen2 with a sliding window of 4 tokens in layer 2, en and zh-cn: the keys before it are said to be hidden and weigh 0, as in the engine', async () => {
    const truth = await truthOf('tiny-random-qwen2', variantFolder('tiny-random-qwen2', 'window', { use_sliding_window: true, sliding_window: 4, max_window_layers: 1 }));
    try {
      const T = truth.ids.length;
      const position = T - 1;
      const first = position - 3;
      const heads = truth.config.num_attention_heads as number;
      for (const language of ['en', 'zh-cn'] as const) {
        const bundle = BUNDLES[language];
        const page = await openFixturePanel(browser, server, truth, language);
        try {
          await page.locator('[data-tab="pipeline"]').click();
          await ready(page, { position, layer: 0, head: 0 });
          assert.equal(await page.locator('[data-name="window"]').count(), 0, 'layer 1 has no window');
          await choose(page, { position, layer: 1, head: 0 });
          const window = page.locator('[data-name="window"]');
          assert.equal(await window.getAttribute('data-window'), '4');
          assert.equal(await window.textContent(), bundle['step5.window'].replaceAll('{window}', '4').replace('{first}', String(first)));
          const base = ((1 * heads + 0) * T + position) * T;
          const rows = await page.locator('.attention-table tr[data-key]').evaluateAll((els) => els.map((e) => [e.querySelector('[data-name="score"]')!.textContent, Number(e.querySelector('[data-name="weight"]')!.getAttribute('data-value'))] as const));
          assert.equal(rows.length, T);
          rows.forEach(([score, weight], k) => {
            assert.equal(score === bundle['step5.outsideWindow'], k < first, `key ${k}: ${score}`);
            assertNear(weight, truth.analysis.attention![base + k]!, 1e-4, `weight of key ${k}`);
            if (k < first) assert.equal(weight, 0);
          });
          // Qwen2 puts biases on q, k and v: the weights hold them.
          assert.ok(truth.tensorNames.includes('model.layers.1.self_attn.q_proj.bias'));
          assert.ok((await text(page, '[data-name="qkv-bias"]')).startsWith(bundle['step5.biases']));
        } finally {
          await page.close();
        }
      }
    } finally {
      await truth.engine.dispose();
    }
  });
});
