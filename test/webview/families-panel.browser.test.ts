// The real panel bundle with today's open architectures (WASM, headless Chromium): the init
// names a tiny fixture's files (test/fixtures/models/: config.json, model.safetensors,
// tokenizer.json, tokenizer_config.json), the explain message carries the tokens of the model's
// own tokenizer, as the host sends them. Every id the panel shows has the text of that model's
// vocabulary, its numbers equal the engine's in Node for the same ids, and a tokenizer that adds
// BOS shows it as a chip of its own that is never scored.
// Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Browser, Page } from 'playwright-core';
import { LensEngine } from '../../src/engine/engine';
import { tokenEntry } from '../../src/engine/model-tokenizer';
import { openAiTokenizer } from '../../src/engine/tokenizer';
import type { Tokenizer } from '../../src/engine/tokenizer-interface';
import type { Analysis, TokenSpan } from '../../src/engine/types';
import { surprisalBits } from '../../src/heat-scale';
import { LIMITS, type AnalysisMessage, type WebviewMessage } from '../../src/protocol';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { loadTokenizerFromDir } from '../../src/node/load-tokenizer';
import { en } from '../../webview-ui/i18n/en';
import { zhCn } from '../../webview-ui/i18n/zh-cn';
import { formatBits, formatPercent } from '../../webview-ui/view/format';
import { displayToken, quotedToken } from '../../webview-ui/view/token-display';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot, testResultsDir } from '../harness/paths';
import { fixtureDir, readReference, SHARDS, writeShardedQwen2, type FixtureName } from '../unit/llama-family-fixtures';
import { explainMessage, modelInit, modelUris, modelWithTokenizerUris, sendToPanel, writePanelPage } from './panel-page';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import type { InitMessage } from '../../src/protocol';

/** Scores computed by the same WASM graphs in Node and in Chromium: equal up to float32 rounding. */
const SAME_ENGINE = 1e-4;

interface FixturePanel {
  page: Page;
  engine: LensEngine;
  tokenizer: Tokenizer;
  tokens: TokenSpan[];
  /** The engine's own analysis of the same ids, in Node. */
  analysis: Analysis;
  /** What the panel posted for run 1. */
  posted: AnalysisMessage;
  close(): Promise<void>;
}

/** A panel page that loaded `fixture` and explained `text`, tokenized by the fixture's tokenizer. */
async function openFixturePanel(browser: Browser, server: StaticServer, fixture: FixtureName, text: string, language: string): Promise<FixturePanel> {
  const checkpoint = await loadCheckpointFromDir(fixtureDir(fixture));
  const tokenizer = await loadTokenizerFromDir(fixtureDir(fixture), checkpoint.config);
  const engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
  const message = await explainMessage(1, text, { tokenizer, contextTokens: Math.min(checkpoint.config.nPositions, LIMITS.analysisTokens) });
  const analysis = await engine.analyze(message.tokens.map((t) => t.id), { topK: 5 });
  const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url(writePanelPage(server.origin, `${fixture}.html`)));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
  const started = Date.now();
  await sendToPanel(page, modelInit(server, fixture, modelWithTokenizerUris(server, `test/fixtures/models/${fixture}`), { language }));
  await sendToPanel(page, message);
  const handle = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'analysis' || m.type === 'runFailed'), null, { timeout: 120_000 });
  const posted = (await handle.jsonValue()) as WebviewMessage;
  assert.equal(posted.type, 'analysis', JSON.stringify(posted));
  const logged = await page.evaluate(() => window.__posted.filter((m) => m.type === 'log').map((m) => (m as { message: string }).message));
  console.log(`${fixture}: panel loaded and analysed ${message.tokens.length} tokens in ${Date.now() - started} ms; ${logged.find((m) => m.includes('ready')) ?? ''}`);
  return {
    page, engine, tokenizer, tokens: message.tokens, analysis, posted: posted as AnalysisMessage,
    async close() {
      assert.deepEqual(errors, [], 'uncaught page errors');
      assert.deepEqual(await page.evaluate(() => window.__violations), [], 'CSP violations');
      await page.close();
      await engine.dispose();
    },
  };
}

/** The title the panel gives a token's label: its exact text, quoted. */
const labelOf = (tokenizer: Tokenizer, id: number) => quotedToken(tokenEntry(tokenizer, id).text);

describe('the panel with today\'s open models (WASM)', () => {
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist/webview.js')), 'run `npm run build` first');
    fs.mkdirSync(testResultsDir, { recursive: true });
    server = await serveStatic(repoRoot);
    browser = await launchChromium({ webgpu: false });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('Qwen3 (tiny-random-qwen3) on Chinese text', () => {
    const text = readReference('tiny-random-qwen3').refs.find((r) => r.name === 'chinese')!.text;
    let panel: FixturePanel;
    before(async () => {
      panel = await openFixturePanel(browser, server, 'tiny-random-qwen3', text, 'en');
    });
    after(() => panel?.close());

    test('a chip per Qwen token; the scores equal the engine\'s in Node for the same ids', async () => {
      const { page, tokens, analysis, posted } = panel;
      const ids = tokens.map((t) => t.id);
      assert.deepEqual(ids, readReference('tiny-random-qwen3').refs.find((r) => r.name === 'chinese')!.ids, 'the host-side tokenizer gives the reference ids');
      assert.deepEqual(await page.locator('.chips .chip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id')))), ids);
      assert.equal(posted.scores.length, ids.length - 1);
      posted.scores.forEach((score, t) => {
        const expected = analysis.positions[t]!.target!;
        assert.equal(score.index, t + 1);
        assert.ok(Math.abs(score.logprob - expected.logprob) <= SAME_ENGINE, `token ${t + 1}: ${score.logprob} vs ${expected.logprob}`);
        assert.equal(score.rank, expected.rank, `rank of token ${t + 1}`);
      });
    });

    test('the summary: the model\'s own count beside GPT-2/GPT-4/GPT-4o, bits per character, and why per-token numbers mislead', async () => {
      const { page, tokens, tokenizer, analysis } = panel;
      const model = page.locator('.counts [data-encoding="model"]');
      assert.equal(await model.locator('.count-name').textContent(), 'this model');
      assert.equal(await model.locator('.count-value').textContent(), `${tokenizer.count(text)} tokens`);
      assert.match((await model.getAttribute('title'))!, /tiny-random-qwen3/);
      assert.deepEqual(await page.locator('.counts .count').evaluateAll((els) => els.map((e) => e.getAttribute('data-encoding'))), ['r50k_base', 'cl100k_base', 'o200k_base', 'model']);
      // Bits per character from the Node engine's numbers: every token but the first is scored.
      const bits = analysis.positions.slice(0, -1).reduce((sum, p) => sum + surprisalBits(p.target!.logprob), 0);
      const chars = tokens.at(-1)!.end - tokens[1]!.start;
      assert.equal(await page.locator('[data-metric="bits-per-char"] .metric-value').textContent(), formatBits(bits / chars));
      assert.equal(await page.locator('.summary-note').textContent(), en['summary.perTokenNote']);
      await page.locator('.summary').screenshot({ path: path.join(testResultsDir, 'families-qwen3-summary.png') });
    });

    test('the distribution after a chip: the engine\'s top ids, each with its Qwen text, the actual next token marked', async () => {
      const { page, tokens, tokenizer, engine } = panel;
      const position = 3;
      await page.locator(`.chips .chip[data-index="${position}"]`).click();
      await page.waitForFunction(() => !document.querySelector('.distribution')?.classList.contains('busy') && document.querySelectorAll('.distribution .bar-row').length > 0, null, { timeout: 60_000 });
      const rows = await page.locator('.distribution .bar-row').evaluateAll((els) => els.map((e) => ({
        id: Number(e.getAttribute('data-id')), label: e.querySelector('.token-label')!.getAttribute('title'), value: e.querySelector('.bar-value')!.textContent, actual: e.classList.contains('actual'),
      })));
      const expected = await engine.distributionAt(tokens.map((t) => t.id), position, { temperature: 1, topK: 5 });
      assert.deepEqual(rows.slice(0, 5).map((r) => r.id), expected.top.map(([id]) => id));
      rows.slice(0, 5).forEach((row, i) => assert.equal(row.value, formatPercent(Math.exp(expected.top[i]![1]))));
      for (const row of rows) assert.equal(row.label, labelOf(tokenizer, row.id), `text of id ${row.id}`);
      const actual = rows.filter((r) => r.actual);
      assert.deepEqual(actual.map((r) => r.id), [tokens[position + 1]!.id]);
      assert.equal(await page.locator('.distribution-heading .token-label').getAttribute('title'), quotedToken(tokens[position]!.text));
      // GPT-2's vocabulary would name these ids otherwise: the texts are Qwen's, not r50k_base's.
      assert.ok(rows.some((r) => r.label !== quotedToken(tokenEntry(openAiTokenizer('r50k_base'), r.id).text)), 'some id has another text in r50k_base');
    });

    test('logit lens: every cell shows its id\'s Qwen text; the legend names RMSNorm', async () => {
      const { page, tokenizer } = panel;
      await page.locator('[data-tab="logit-lens"]').click();
      await page.waitForSelector('.lens-cell', { timeout: 60_000 });
      const cells = await page.locator('.lens-cell').evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), text: e.querySelector('.lens-token')!.textContent })));
      assert.ok(cells.length > 0);
      for (const cell of cells) assert.equal(cell.text, displayToken(tokenEntry(tokenizer, cell.id).text), `cell of id ${cell.id}`);
      assert.match((await page.locator('.lens-legend').textContent())!, /through the model’s final RMSNorm and the unembedding/);
    });

    test('attention: the head picker and a sentence say which key/value head each query head reads', async () => {
      const { page } = panel;
      await page.locator('[data-tab="attention"]').click();
      assert.deepEqual(await page.locator('[data-control="head"] option').allTextContents(), ['0 (key/value head 0)', '1 (key/value head 0)', '2 (key/value head 1)', '3 (key/value head 1)', 'Average of heads']);
      await page.selectOption('[data-control="head"]', '2');
      assert.equal(await page.locator('.attn-kv').textContent(), 'Grouped-query attention: the 4 query heads share 2 key/value heads. Head 2 reads the keys and values of key/value head 1, which heads 2–3 share.');
    });

    test('embeddings: neighbours are named by the Qwen vocabulary', async () => {
      const { page, tokenizer } = panel;
      await page.locator('[data-tab="embeddings"]').click();
      await page.waitForSelector('.neighbour-row', { timeout: 30_000 });
      const rows = await page.locator('.neighbour-row').evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), text: e.querySelector('.token-text')!.textContent })));
      assert.equal(rows.length, 10);
      for (const row of rows) assert.equal(row.text, displayToken(tokenEntry(tokenizer, row.id).text));
    });

    test('generation_config.json: generation also stops at the end-of-sequence ids it lists', async () => {
      const { tokens, tokenizer, engine } = panel;
      const ids = tokens.map((t) => t.id);
      const first = (await engine.distributionAt(ids, ids.length - 1, { temperature: 1, topK: 1 })).top[0]![0];
      assert.ok(!engine.config.architecture.eosTokenIds.includes(first), 'precondition: config.json alone would not stop there');
      const dir = path.join(repoRoot, 'out/test/webview/generation-config');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [...engine.config.architecture.eosTokenIds, first] }));
      const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
      try {
        await page.goto(server.url(writePanelPage(server.origin, 'generation-config.html')));
        await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
        const model = { ...modelWithTokenizerUris(server, 'test/fixtures/models/tiny-random-qwen3'), generationConfigUri: server.url('out/test/webview/generation-config/generation_config.json') };
        await sendToPanel(page, modelInit(server, 'tiny-random-qwen3', model));
        await sendToPanel(page, await explainMessage(1, text, { tokenizer }));
        await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis'), null, { timeout: 120_000 });
        await page.locator('[data-tab="generate"]').click();
        await page.locator('.generate [data-control="greedy"]').setChecked(true);
        await page.fill('.generate [data-control="maxTokens"]', '3');
        await page.locator('[data-action="run"]').click();
        await page.waitForFunction(() => /Stopped/.test(document.querySelector('.generate-status')?.textContent ?? ''), null, { timeout: 60_000 });
        assert.deepEqual((await page.locator('.generate-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-chosen')))).map(Number), [first]);
        assert.match((await page.locator('.generate-status').textContent())!, /end-of-text token/);
      } finally {
        await page.close();
      }
    });

    test('generation: greedy steps as in Node, candidates and the generated text by the Qwen tokenizer; insert sends its decoding', async () => {
      const { page, tokens, tokenizer, engine } = panel;
      await page.locator('[data-tab="generate"]').click();
      await page.locator('.generate [data-control="greedy"]').setChecked(true);
      await page.fill('.generate [data-control="maxTokens"]', '3');
      await page.locator('[data-action="run"]').click();
      await page.waitForFunction(() => /Stopped/.test(document.querySelector('.generate-status')?.textContent ?? '') || !!document.querySelector('.generate-status.error'), null, { timeout: 60_000 });
      const chosen = (await page.locator('.generate-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-chosen')))).map(Number);
      const all = tokens.map((t) => t.id);
      for (let i = 0; i < 3; i++) all.push((await engine.distributionAt(all, all.length - 1, { temperature: 1, topK: 1 })).top[0]![0]);
      assert.deepEqual(chosen, all.slice(-3));
      const candidates = await page.locator('.generate-step .chip').evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), text: e.firstElementChild!.textContent })));
      for (const c of candidates) assert.equal(c.text, displayToken(tokenEntry(tokenizer, c.id).text));
      assert.equal(await page.locator('.generate-output .generated').textContent(), tokenizer.decode(chosen));
      assert.equal(await page.locator('.generate-output .muted').textContent(), tokenizer.decode(tokens.map((t) => t.id)));
      await page.locator('[data-action="insert"]').click();
      const inserted = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'insertText'), null, { timeout: 10_000 });
      assert.deepEqual(await inserted.jsonValue(), { type: 'insertText', runId: 1, text: tokenizer.decode(chosen) });
    });
    test('chat: the template writes the conversation, its tokens are what Rust’s tokenizers reads there, the first answer token is the engine’s', async () => {
      const { page, engine } = panel;
      await page.locator('[data-tab="chat"]').click();
      await page.locator('[data-control="user"]').fill('Why is the sky blue?');
      await page.locator('[data-action="read-chat"]').click();
      await page.locator('.chat-next .bar-row').first().waitFor({ timeout: 60_000 });
      const text = (await page.locator('.chat-text').textContent())!;
      assert.ok(text.includes('<|im_start|>system\nYou are a helpful assistant.<|im_end|>') && text.includes('Why is the sky blue?'), text);
      assert.ok(text.endsWith('<|im_start|>assistant\n'), 'the generation prompt ends the text');
      const ids = await page.locator('.chat-chip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
      const rust = RustTokenizer.fromString(fs.readFileSync(path.join(fixtureDir('tiny-random-qwen3'), 'tokenizer.json'), 'utf8'));
      assert.deepEqual(ids, (await rust.encode(text, null, { addSpecialTokens: false })).getIds());
      const sources = await page.locator('.chat-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-source')));
      const markers = await page.locator('.chat-chip.special').count();
      assert.equal(markers, 5, 'start and end of the system and user turns, and the assistant’s start');
      const userIds = await page.locator('.chat-chip[data-source="user"]').count();
      assert.match((await page.locator('.chat-counts').textContent())!, new RegExp(`^${ids.length} tokens: ${markers} marker tokens, \\d+ more of the template’s own text, \\d+ of the system prompt and ${userIds} of your message\\.$`));
      assert.ok(sources.includes('system') && sources.includes('user'));
      const shown = await page.locator('.chat-next .bar-row').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-id')), Number(e.getAttribute('data-value'))]));
      const { top } = await engine.distributionAt(ids, ids.length - 1, { temperature: 1, topK: 10 });
      assert.equal(shown[0]![0], top[0]![0], 'the most likely first token of the answer');
      shown.forEach(([, p], i) => assert.ok(Math.abs(Math.log(p!) - top[i]![1]) < 2e-3, `candidate ${i}`));
      await page.locator('.chat').screenshot({ path: path.join(testResultsDir, 'chat-qwen3.png') });
      await page.locator('[data-tab="tokens"]').click(); // as the tests after this one expect
    });

    test('a text longer than LIMITS.analysisTokens: the model (context 4,096) reads its last 1,024 tokens', async () => {
      const { page, tokenizer } = panel;
      const long = text.repeat(70);
      const run = await explainMessage(2, long, { tokenizer, contextTokens: LIMITS.analysisTokens });
      assert.ok(run.totalTokens > LIMITS.analysisTokens, `${run.totalTokens} tokens`);
      const started = Date.now();
      await sendToPanel(page, run);
      const handle = await page.waitForFunction(() => window.__posted.find((m) => (m.type === 'analysis' || m.type === 'runFailed') && m.runId === 2), null, { timeout: 120_000 });
      const posted = (await handle.jsonValue()) as AnalysisMessage;
      console.log(`${run.totalTokens} tokens: read the last ${posted.keptTokens} in ${Date.now() - started} ms`);
      assert.equal(posted.keptTokens, LIMITS.analysisTokens);
      assert.equal(posted.droppedTokens, run.totalTokens - LIMITS.analysisTokens);
      assert.equal(posted.scores[0]!.index, run.totalTokens - LIMITS.analysisTokens + 1);
      assert.equal(posted.scores.length, LIMITS.analysisTokens - 1);
    });
  });

  describe('Llama with a tokenizer that adds BOS (tiny-random-llama), in Chinese', () => {
    const reference = readReference('tiny-random-llama').refs.find((r) => r.name === 'english')!;
    let panel: FixturePanel;
    before(async () => {
      panel = await openFixturePanel(browser, server, 'tiny-random-llama', reference.text, 'zh-cn');
    });
    after(() => panel?.close());

    test('the BOS chip: its name, styled apart, unscored; the first token of the text is scored from it', async () => {
      const { page, tokens, posted } = panel;
      assert.deepEqual(tokens.map((t) => t.id), reference.ids, 'the host-side tokenizer gives the reference ids, BOS first');
      assert.equal(tokens[0]!.special, true);
      const bos = page.locator('.chips .chip[data-index="0"]');
      assert.equal(await bos.textContent(), '<｜begin▁of▁sentence｜>');
      assert.equal(await bos.evaluate((e) => e.classList.contains('special')), true);
      assert.equal(await page.locator('.chips .chip.special').count(), 1, 'only BOS is special');
      assert.equal(await bos.evaluate((e) => [...e.classList].some((c) => c.startsWith('heat-'))), false, 'BOS is not coloured by a score');
      assert.ok(!posted.scores.some((s) => s.index === 0), 'BOS is never scored');
      assert.equal(posted.scores[0]!.index, 1, 'the first token of the text is scored');
      posted.scores.forEach((score, t) => assert.ok(Math.abs(score.logprob - reference.target_logprob[t]!) <= 2e-3, `token ${t + 1}: ${score.logprob} vs reference ${reference.target_logprob[t]}`));
      await bos.hover();
      const tooltip = (await page.locator('#chip-tooltip').textContent())!;
      assert.ok(tooltip.includes(zhCn['tooltip.specialFirst']), tooltip);
      assert.ok(!tooltip.includes('UTF-8'), 'no bytes for a token that stands for no text');
      await page.locator('.tokens-tab').screenshot({ path: path.join(testResultsDir, 'families-llama-bos.png') });
    });

    test('chat, in Chinese: a DeepSeek-style template (BOS written by the template) read as Rust’s tokenizers reads it', async () => {
      const { page } = panel;
      await page.locator('[data-tab="chat"]').click();
      assert.equal(await page.locator('[data-tab="chat"]').textContent(), '对话');
      await page.locator('[data-control="user"]').fill('天空为什么是蓝色的？');
      await page.locator('[data-action="read-chat"]').click();
      await page.locator('.chat-next .bar-row').first().waitFor({ timeout: 60_000 });
      assert.equal(await page.locator('.chat h2').textContent(), '对话模型怎样读一段对话');
      const text = (await page.locator('.chat-text').textContent())!;
      assert.ok(text.startsWith('<｜begin▁of▁sentence｜>You are a helpful assistant.<｜User｜>天空为什么是蓝色的？<｜Assistant｜>'), text);
      const ids = await page.locator('.chat-chip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
      const rust = RustTokenizer.fromString(fs.readFileSync(path.join(fixtureDir('tiny-random-llama'), 'tokenizer.json'), 'utf8'));
      assert.deepEqual(ids, (await rust.encode(text, null, { addSpecialTokens: false })).getIds(), 'one BOS: the template’s, not a second from the tokenizer');
      await page.locator('.chat').screenshot({ path: path.join(testResultsDir, 'chat-llama-zh-cn.png') });
      assert.match((await page.locator('.chat-counts').textContent())!, /^共 \d+ 个词元：\d+ 个标记词元，\d+ 个来自模板本身的文字，\d+ 个来自系统提示，\d+ 个来自你的消息。$/);
      await page.locator('[data-tab="tokens"]').click(); // as the tests after this one expect
    });

    test('the summary counts BOS with the model\'s tokens; the note and labels are in Chinese', async () => {
      const { page } = panel;
      assert.equal(await page.locator('[data-metric="tokens"] .metric-value').textContent(), String(reference.ids.length));
      assert.equal(await page.locator('.counts [data-encoding="model"] .count-value').textContent(), `${reference.ids.length} 个词元`);
      assert.equal(await page.locator('.counts [data-encoding="model"] .count-name').textContent(), '本模型');
      assert.equal(await page.locator('.summary-note').textContent(), zhCn['summary.perTokenNote']);
      assert.equal(await page.locator('[data-metric="bits-per-char"] .metric-label').textContent(), '比特 / 字符');
    });

    test('a click on BOS shows what the model predicts for the first token, which is marked as the actual next', async () => {
      const { page, tokens } = panel;
      await page.locator('.chips .chip[data-index="0"]').click();
      await page.waitForFunction(() => !document.querySelector('.distribution')?.classList.contains('busy') && document.querySelectorAll('.distribution .bar-row').length > 0, null, { timeout: 60_000 });
      assert.deepEqual(await page.locator('.distribution .bar-row.actual').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id')))), [tokens[1]!.id]);
    });

    test('attention says the heads share one key/value head; the logit lens names RMSNorm, in Chinese', async () => {
      const { page } = panel;
      await page.locator('[data-tab="attention"]').click();
      await page.selectOption('[data-control="head"]', '1');
      assert.equal(await page.locator('.attn-kv').textContent(), '多查询注意力 (multi-query attention)：4 个查询头共用一个键/值头。头 1 读取键/值头 0 的键和值，头 0–3 共用这个键/值头。');
      await page.locator('[data-tab="logit-lens"]').click();
      await page.waitForSelector('.lens-legend', { timeout: 60_000 });
      assert.match((await page.locator('.lens-legend').textContent())!, /经过模型最后的RMSNorm（均方根归一化）和反嵌入/);
    });
  });

  describe('the files the init names', () => {
    const SHARDED = 'out/test/webview/qwen2-sharded';
    const QWEN2 = 'test/fixtures/models/tiny-random-qwen2';

    before(() => {
      // A hub-style sharded checkpoint: config.json, the index, two shards, the tokenizer's files.
      const folder = path.join(repoRoot, SHARDED);
      fs.mkdirSync(folder, { recursive: true });
      writeShardedQwen2(folder);
      for (const file of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(fixtureDir('tiny-random-qwen2'), file), path.join(folder, file));
    });

    /** What the panel says when it is given `model` and asked to explain some text. */
    async function runWith(model: InitMessage['model']): Promise<WebviewMessage> {
      const page = await browser.newPage();
      try {
        await page.goto(server.url(writePanelPage(server.origin, 'families-files.html')));
        await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
        await sendToPanel(page, modelInit(server, 'tiny-random-qwen2', model));
        const tokenizer = await loadTokenizerFromDir(fixtureDir('tiny-random-qwen2'), (await loadCheckpointFromDir(fixtureDir('tiny-random-qwen2'))).config);
        await sendToPanel(page, await explainMessage(1, readReference('tiny-random-qwen2').refs[0]!.text, { tokenizer }));
        const handle = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'analysis' || m.type === 'runFailed'), null, { timeout: 120_000 });
        return (await handle.jsonValue()) as WebviewMessage;
      } finally {
        await page.close();
      }
    }

    const shardedModel = (): InitMessage['model'] => ({
      configUri: server.url(`${SHARDED}/config.json`),
      shardIndexUri: server.url(`${SHARDED}/model.safetensors.index.json`),
      weights: SHARDS.map((name) => ({ name, uri: server.url(`${SHARDED}/${name}`) })),
      tokenizerUri: server.url(`${SHARDED}/tokenizer.json`),
      tokenizerConfigUri: server.url(`${SHARDED}/tokenizer_config.json`),
    });

    test('a sharded checkpoint: the index and both shards are read, and the model scores as the reference', async () => {
      const posted = await runWith(shardedModel());
      assert.equal(posted.type, 'analysis', JSON.stringify(posted));
      const reference = readReference('tiny-random-qwen2').refs[0]!;
      (posted as AnalysisMessage).scores.forEach((score, t) => assert.ok(Math.abs(score.logprob - reference.target_logprob[t]!) <= 2e-3, `token ${t + 1}`));
    });

    const failures: [string, () => InitMessage['model'], RegExp][] = [
      ['tokenizer.json cannot be fetched', () => ({ ...modelWithTokenizerUris(server, QWEN2), tokenizerUri: server.url(`${QWEN2}/missing/tokenizer.json`) }), /^could not fetch the model's tokenizer\.json: HTTP 404$/],
      ['tokenizer.json is not a tokenizer', () => ({ ...modelWithTokenizerUris(server, QWEN2), tokenizerUri: server.url(`${QWEN2}/config.json`) }), /^tokenizer\.json has no "model"$/],
      ['a Qwen2 model without tokenizer.json', () => modelUris(server, QWEN2), /^tokenizer\.json is missing: a qwen2 model reads text with its own tokenizer$/],
      ['the shard index is not one', () => ({ ...shardedModel(), shardIndexUri: server.url(`${SHARDED}/config.json`) }), /^model\.safetensors\.index\.json: has no weight_map object$/],
      ['the index names a shard the panel was not given', () => ({ ...shardedModel(), weights: shardedModel().weights.slice(0, 1) }), /^model\.safetensors\.index\.json names model-00002-of-00002\.safetensors, which is not among the model's files$/],
    ];
    for (const [what, model, message] of failures) {
      test(`${what}: the run fails with a message naming the file`, async () => {
        const posted = await runWith(model());
        assert.equal(posted.type, 'runFailed', JSON.stringify(posted));
        assert.match((posted as Extract<WebviewMessage, { type: 'runFailed' }>).message, message);
      });
    }
  });
});
