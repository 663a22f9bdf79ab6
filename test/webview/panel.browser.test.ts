// The real panel bundle (dist/webview.js + media/lens.css) in headless Chromium under the
// product's CSP, driven with the host's messages; a stand-in for acquireVsCodeApi records what
// the panel sends back. Runs the model on WASM and on WebGPU (SwiftShader, the only adapter
// headless Chromium has here) and checks its numbers against Hugging Face's (reference.json).
// Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AnalysisMessage, WebviewMessage } from '../../src/protocol';
import { formatPercent, parsePercent, percentResolution } from '../../webview-ui/view/format';
import { bundledModelInit, explainMessage, modelUris, sendToPanel, writePanelPage } from './panel-page';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot, testResultsDir } from '../harness/paths';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';

interface Reference {
  refs: { name: string; text: string; ids: number[]; top5: [number, number][][]; target_logprob: number[] }[];
}
const reference: Reference = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/reference.json'), 'utf8'));

async function waitForPosted<T extends WebviewMessage['type']>(page: Page, type: T, runId?: number, timeout = 120_000): Promise<Extract<WebviewMessage, { type: T }>> {
  // A run that fails ends the wait at once, with the panel's reason.
  const handle = await page.waitForFunction(
    ([t, id]) =>
      window.__posted.find(
        (m) => (m.type === t || (m.type === 'runFailed' && t !== 'runFailed')) && (id === null || (m as { runId?: number }).runId === id),
      ),
    [type, runId ?? null] as const,
    { timeout, polling: 100 },
  );
  const message = (await handle.jsonValue()) as WebviewMessage;
  if (message.type !== type) throw new Error(`expected ${type} for run ${runId}, got ${JSON.stringify(message)}`);
  return message as Extract<WebviewMessage, { type: T }>;
}

for (const backend of ['wasm', 'webgpu'] as const) {
  describe(`Explain Tokens panel in headless Chromium (${backend})`, () => {
    let browser: Browser;
    let server: StaticServer;
    let page: Page;
    const consoleErrors: string[] = [];

    before(async () => {
      assert.ok(fs.existsSync(path.join(repoRoot, 'dist/webview.js')), 'run `npm run build` first');
      server = await serveStatic(repoRoot);
      const pagePath = writePanelPage(server.origin, 'panel.html');
      browser = await launchChromium({ webgpu: backend === 'webgpu' });
      page = await browser.newPage({ viewport: { width: 900, height: 900 } });
      // Failed loads are checked by URL below (the console line does not say which).
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text()); });
      page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) consoleErrors.push(`HTTP ${r.status()} ${r.url()}`); });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      await page.goto(server.url(pagePath));
      await waitForPosted(page, 'ready', undefined, 30_000);
      await sendToPanel(page, bundledModelInit(server, { backend }));
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test('tokens appear at once, the model scores them as Hugging Face does, the summary adds up', async () => {
      const ref = reference.refs[0]!;
      const run = await explainMessage(1, ref.text, { fileName: 'sample.py' });
      assert.deepEqual(run.tokens.map((t) => t.id), ref.ids, 'the host tokenizer gives the reference ids');
      await sendToPanel(page, run);
      const chips = page.locator('.chip');
      await page.waitForFunction((n) => document.querySelectorAll('.chip').length === n, ref.ids.length, { timeout: 10_000 });
      assert.deepEqual(await chips.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id')))), ref.ids);

      const analysis: AnalysisMessage = await waitForPosted(page, 'analysis', 1);
      assert.equal(analysis.backend.name, backend);
      assert.equal(analysis.scores.length, ref.ids.length - 1);
      analysis.scores.forEach((score, t) => {
        assert.equal(score.index, t + 1);
        assert.equal(score.start, run.tokens[t + 1]!.start);
        assert.ok(Math.abs(score.logprob - ref.target_logprob[t]!) < 2e-3, `token ${t + 1}: ${score.logprob} vs ${ref.target_logprob[t]}`);
      });
      assert.equal(await page.locator('[data-metric="tokens"] .metric-value').textContent(), String(ref.ids.length));
      const heat = await chips.evaluateAll((els) => els.filter((e) => [...e.classList].some((c) => c.startsWith('heat-'))).length);
      assert.equal(heat, ref.ids.length - 1, 'every scored chip is coloured');
      const footer = await page.locator('.footer').textContent();
      assert.match(footer!, backend === 'webgpu' ? /WebGPU/ : /WASM/);
      // The load's parts (issue 13's panel_cold_ready split): each measured, and together within the load.
      const load = page.locator('.footer .load');
      const parts = await load.evaluate((e) => Object.fromEntries(['load', 'fetch', 'tokenizer', 'runtime', 'graphs', 'sessions', 'first-run'].map((k) => [k, Number(e.getAttribute(`data-${k}-ms`))])));
      for (const [part, ms] of Object.entries(parts)) assert.ok(Number.isFinite(ms) && ms >= 0, `${part}: ${ms}`);
      assert.ok(parts.runtime! > 0 && parts.sessions! > 0 && parts.graphs! > 0, JSON.stringify(parts));
      const sum = parts.fetch! + parts.tokenizer! + parts.runtime! + parts.graphs! + parts.sessions! + parts['first-run']!;
      assert.ok(sum <= parts.load! + 2 && sum >= 0.5 * parts.load!, JSON.stringify(parts));
      assert.match((await load.getAttribute('title'))!, /^fetch .+ · tokenizer .+ · runtime start .+ · weights and graphs .+ · sessions .+ · first run .+$/);
    });

    // In code-server a webview is a same-origin iframe on the workbench's own thread: a model run
    // on the page froze all of VS Code for seconds (CI: "Extension host is unresponsive").
    test('the model runs in the panel\'s engine worker, never on the page\'s thread', async () => {
      assert.equal(page.workers().filter((w) => w.url().startsWith('blob:')).length, 1, 'one engine worker, started from a blob: URL');
      const pageScript = await (await fetch(server.url('dist/webview.js'))).text();
      assert.doesNotMatch(pageScript, /InferenceSession/, 'the page bundle carries no onnxruntime');
      const workerScript = await (await fetch(server.url('dist/webview-engine.js'))).text();
      assert.match(workerScript, /InferenceSession/);
    });

    test('a chip click shows the top-k distribution with the reference numbers and the actual next token', async () => {
      const ref = reference.refs[0]!;
      const position = 2;
      await page.locator(`.chip[data-index="${position}"]`).click();
      const rows = page.locator('.distribution .bar-row');
      await page.waitForFunction(() => !document.querySelector('.distribution')?.classList.contains('busy') && document.querySelectorAll('.distribution .bar-row').length > 0, null, { timeout: 60_000 });
      const shown = await rows.evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), value: e.querySelector('.bar-value')!.textContent!, actual: e.classList.contains('actual') })));
      const expected = ref.top5[position]!;
      assert.deepEqual(shown.slice(0, 5).map((r) => r.id), expected.map(([id]) => id));
      shown.slice(0, 5).forEach((row, i) => {
        const p = Math.exp(expected[i]![1]);
        assert.ok(Math.abs(parsePercent(row.value) - p) <= percentResolution(p) + 2e-4, `${row.value} vs ${formatPercent(p)}`);
      });
      const actualRows = shown.filter((r) => r.actual);
      assert.equal(actualRows.length, 1);
      assert.equal(actualRows[0]!.id, ref.ids[position + 1]);
      assert.ok(await page.locator(`.chip[data-index="${position + 1}"].actual-next`).count());
      fs.mkdirSync(testResultsDir, { recursive: true });
      await page.screenshot({ path: path.join(testResultsDir, `webview-panel-${backend}.png`), fullPage: true });
    });

    test('the temperature slider recomputes: low temperature sharpens, high flattens', async () => {
      const topValue = async () => parsePercent((await page.locator('.distribution .bar-row .bar-value').first().textContent())!);
      const atOne = await topValue();
      const setTemperature = async (t: number) => {
        await page.locator('#temperature').evaluate((input: HTMLInputElement, value) => {
          input.value = String(value);
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }, t);
        await page.waitForFunction((v) => document.querySelector('.distribution-status')?.textContent?.includes(`temperature ${v}`), t.toFixed(2), { timeout: 60_000 });
      };
      await setTemperature(0.3);
      assert.ok((await topValue()) > atOne, 'sharper at 0.3');
      await setTemperature(2);
      assert.ok((await topValue()) < atOne, 'flatter at 2');
      await setTemperature(1);
      assert.equal(await topValue(), atOne, 'back to the same numbers at 1');
    });

    test('emoji-only and CRLF text: byte chips, every character accounted for, a finished analysis', async () => {
      const emoji = await explainMessage(2, '🦜🦜 🎉', { fileName: 'sample.py' });
      await sendToPanel(page, emoji);
      const analysis = await waitForPosted(page, 'analysis', 2);
      assert.equal(analysis.scores.length, emoji.tokens.length - 1);
      const bytes = await page.locator('.chip.partial .glyph-bytes').allTextContents();
      assert.ok(bytes.length >= 4, 'split emoji show their bytes');
      assert.ok(bytes.every((b) => /^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(b)));

      const crlf = await explainMessage(3, 'line one\r\nline two\r\n', { fileName: 'sample.py' });
      await sendToPanel(page, crlf);
      await waitForPosted(page, 'analysis', 3);
      assert.ok((await page.locator('.chip .glyph-return').count()) >= 2, 'carriage returns are visible');
      assert.equal(await page.locator('.progress').isVisible(), false, 'no spinner left');
    });

    test('Chinese text: each character shows above the byte-fragment tokens that hold its bytes', async () => {
      const run = await explainMessage(30, '他告诉我 a test', { fileName: 'notes.md' });
      await sendToPanel(page, run);
      await waitForPosted(page, 'analysis', 30);
      const group = page.locator('.char-group');
      assert.equal(await group.count(), 1, 'one run of fragments');
      assert.deepEqual(await group.locator('.char-cap').allTextContents(), ['他', '告', '诉', '我']);
      // 告 is e5 91 8a: the chips it names hold exactly those bytes, and they sit under it.
      const gao = group.locator('.char-cap', { hasText: '告' });
      const indexes = (await gao.getAttribute('data-tokens'))!.split(',').map(Number);
      assert.equal(indexes.length, 2);
      const hex = await Promise.all(indexes.map((i) => group.locator(`.chip[data-index="${i}"] .glyph-bytes`).textContent()));
      assert.equal(hex.join(' '), 'e5 91 8a');
      assert.match((await gao.getAttribute('title'))!, /UTF-8 bytes e5 91 8a, in tokens \d+, \d+/);
      const [cap, chips] = [(await gao.boundingBox())!, await Promise.all(indexes.map(async (i) => (await group.locator(`.chip[data-index="${i}"]`).boundingBox())!))];
      assert.ok(cap.y + cap.height <= chips[0]!.y + 1, 'the character is above its chips');
      assert.ok(cap.x + cap.width > chips[0]!.x && cap.x < chips.at(-1)!.x + chips.at(-1)!.width, 'and over them');
      // Every token is still one chip, in order; the ones outside the run are plain chips.
      assert.equal(await page.locator('.chip').count(), run.tokens.length);
      assert.equal(await page.locator('.char-group .chip').count(), run.tokens.filter((t) => t.partial).length);
      await page.locator('.chips').screenshot({ path: path.join(testResultsDir, `chinese-chips-${backend}.png`) });
    });

    // Truncation does not depend on the backend, and 512 tokens through SwiftShader's software
    // WebGPU take minutes: this one runs on WASM only.
    if (backend === 'wasm') test('a long text: the model reads its last 512 tokens and the panel says so', async () => {
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(60);
      const run = await explainMessage(4, text, { fileName: 'sample.py' });
      assert.ok(run.totalTokens > 512);
      await sendToPanel(page, run);
      const analysis = await waitForPosted(page, 'analysis', 4);
      assert.equal(analysis.keptTokens, 512);
      assert.equal(analysis.droppedTokens, run.totalTokens - 512);
      assert.equal(analysis.scores.length, 511);
      assert.equal(analysis.scores[0]!.index, run.totalTokens - 512 + 1);
      assert.match((await page.locator('.notes').textContent())!, /reads at most 512 tokens at a time: the last 512 get every view/);
    });

    if (backend === 'wasm') test('a long text: the tokens before the model’s last window are scored in overlapping windows, each with half a context before it, and sent to the editor', async () => {
      const text = Array.from({ length: 180 }, (_, i) => `Line ${i} returns the number of elements.`).join('\n');
      const run = await explainMessage(40, text, { fileName: 'sample.py' });
      const keptFrom = run.totalTokens - 512;
      assert.ok(keptFrom > 768, `${run.totalTokens} tokens: at least three windows before the last`);
      await sendToPanel(page, run);
      await waitForPosted(page, 'analysis', 40);
      const handle = await page.waitForFunction(
        (total) => {
          const batches = window.__posted.filter((m) => m.type === 'scores' && m.runId === 40) as { done: number; total: number }[];
          return batches.at(-1)?.done === total ? batches : undefined;
        },
        keptFrom,
        { timeout: 120_000 },
      );
      const batches = (await handle.jsonValue()) as unknown as { scores: { index: number; start: number; end: number; logprob: number; rank: number }[]; done: number; total: number }[];
      const indexes = batches.flatMap((b) => b.scores.map((s) => s.index));
      assert.deepEqual(indexes, Array.from({ length: keptFrom }, (_, i) => i + 1), 'tokens 1 to the last window’s first, once each, in order');
      batches.flatMap((b) => b.scores).forEach((s) => {
        assert.equal(s.start, run.tokens[s.index]!.start);
        assert.equal(s.end, run.tokens[s.index]!.end);
      });
      // The model in Node, on the windows the spec names: the first reads the text from its
      // start; each later one starts half a context (256 tokens) before the first token it scores.
      const ids = run.tokens.map((t) => t.id);
      const engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' });
      try {
        for (const batch of batches) {
          const first = batch.scores[0]!.index;
          const start = first === 1 ? 0 : first - 256;
          assert.ok(batch.scores.at(-1)!.index - start < 512, 'a window is at most the context');
          const expected = await engine.analyze(ids.slice(start, batch.scores.at(-1)!.index + 1), { topK: 1 });
          for (const s of batch.scores) {
            const target = expected.positions[s.index - start - 1]!.target!;
            assert.ok(Math.abs(s.logprob - target.logprob) < 1e-4, `token ${s.index}: ${s.logprob} vs ${target.logprob}`);
            assert.equal(s.rank, target.rank, `token ${s.index}: rank`);
          }
        }
      } finally {
        await engine.dispose();
      }
      // Every chip now has a colour from the model but the text's first token.
      assert.equal(await page.locator('.chip.tone-even, .chip.tone-odd').count(), 1);
      assert.equal(await page.locator('.progress').isVisible(), false, 'no progress left once every window is in');
    });

    if (backend === 'wasm') test('a long text: Stop ends the earlier windows and says how far they got', async () => {
      const text = Array.from({ length: 260 }, (_, i) => `Row ${i} holds the value of the counter.`).join('\n');
      const run = await explainMessage(41, text, { fileName: 'sample.py' });
      await sendToPanel(page, run);
      await waitForPosted(page, 'analysis', 41);
      await page.locator('.progress-action').click();
      await page.waitForFunction(() => document.querySelector('.progress.noted') !== null, null, { timeout: 60_000 });
      const batches = await page.evaluate(() => window.__posted.filter((m) => m.type === 'scores' && m.runId === 41).length);
      const total = run.totalTokens - 512;
      assert.ok(batches <= 1, `${batches} windows ran after Stop`);
      assert.match((await page.locator('.progress-label').textContent())!, new RegExp(`^Stopped: [\\d,]+ of the ${total.toLocaleString('en-US')} tokens before the model’s last window are scored`));
    });

    // Simulates a lost GPU: from now on every WebGPU submission throws.
    if (backend === 'webgpu') test('WebGPU failing mid-run: the panel runs the text on WASM and says why', async () => {
      // The model runs in the panel's engine worker (a blob: URL): the GPU is lost there.
      const engineWorkers = page.workers().filter((w) => w.url().startsWith('blob:'));
      assert.equal(engineWorkers.length, 1, 'the panel runs its model in one worker');
      await engineWorkers[0]!.evaluate(() => {
        // No WebGPU types in this project's TypeScript lib: reach the class through globalThis.
        const queue = (globalThis as unknown as { GPUQueue: { prototype: { submit: () => void } } }).GPUQueue;
        queue.prototype.submit = () => {
          throw new Error('GPU device lost (simulated)');
        };
      });
      const run = await explainMessage(5, 'import numpy as np', { fileName: 'sample.py' });
      await sendToPanel(page, run);
      const analysis = await waitForPosted(page, 'analysis', 5);
      assert.equal(analysis.backend.name, 'wasm');
      assert.match(analysis.backend.reason, /^WebGPU failed \(.*\); switched to WASM\.$/);
      assert.equal(analysis.scores.length, run.tokens.length - 1);
      assert.match((await page.locator('.footer').textContent())!, /WASM.*WebGPU could not run the model \(GPU device lost/);
      const logged = await page.evaluate(() => window.__posted.filter((m) => m.type === 'log').map((m) => (m as { message: string }).message));
      assert.ok(logged.some((m) => /WebGPU failed/.test(m)), 'the host log hears of it');
    });

    test('no CSP violation and no page error', () => {
      return page.evaluate(() => window.__violations).then((violations) => {
        assert.deepEqual(violations, []);
        // onnxruntime's native warnings (e.g. "[W:onnxruntime:...] Some nodes were not assigned to the
        // preferred execution providers") reach the console through stderr: not errors.
        assert.deepEqual(consoleErrors.filter((e) => !/\[W:onnxruntime:/.test(e)), []);
      });
    });
  });
}

describe('Explain Tokens panel: a model that cannot load', () => {
  test('a missing model is a clear message in the panel and a runFailed to the host, not a spinner', async () => {
    const server = await serveStatic(repoRoot);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url(writePanelPage(server.origin, 'panel.html')));
      await waitForPosted(page, 'ready', undefined, 30_000);
      await sendToPanel(page, {
        type: 'init', modelName: 'missing', model: modelUris(server, 'media/models/missing'), wasmUri: server.url('dist/ort/ort-wasm-simd-threaded.asyncify.wasm'), engineUri: server.url('dist/webview-engine.js'),
        backend: 'wasm', settings: { topK: 5, temperature: 1, heatMapMode: 'rank' },
      });
      await sendToPanel(page, await explainMessage(7, 'hello world', { fileName: 'sample.py' }));
      const failed = await waitForPosted(page, 'runFailed', 7, 30_000);
      assert.match(failed.message, /config\.json: HTTP 404/);
      assert.match((await page.locator('.progress.failed').textContent())!, /The model could not run: could not fetch the model's config\.json: HTTP 404/);
      assert.equal(await page.locator('.chip').count(), 2, 'the tokens are still shown');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('Explain Tokens panel: 8-bit weights (llmLens.weights "int8")', () => {
  for (const backend of ['wasm', 'webgpu'] as const) {
    test(`${backend}: the panel runs 8-bit weights, and its footer gives their measured error against float32, as the engine in Node measures it`, async () => {
      const server = await serveStatic(repoRoot);
      const browser = await launchChromium({ webgpu: backend === 'webgpu' });
      const checkpoint = await loadCheckpointFromDir(defaultModelDir());
      const int8 = await LensEngine.create(checkpoint, { ort, backend: 'wasm', weights: 'int8' });
      try {
        const page = await browser.newPage();
        await page.goto(server.url(writePanelPage(server.origin, `panel-int8-${backend}.html`)));
        await waitForPosted(page, 'ready', undefined, 30_000);
        await sendToPanel(page, { ...bundledModelInit(server, { backend }), weights: 'int8' });
        const { text, ids } = reference.refs[0]!;
        await sendToPanel(page, await explainMessage(1, text, { fileName: 'sample.py' }));
        const analysis = await waitForPosted(page, 'analysis', 1);
        // MatMulNBits runs on onnxruntime-web's WebGPU too (no fallback to WASM).
        assert.equal(analysis.backend.name, backend, analysis.backend.reason);
        assert.equal(analysis.backend.weights?.precision, 'int8');
        assert.equal(analysis.backend.weights?.why, 'requested');
        const expected = await int8.analyze(ids);
        for (const score of analysis.scores) {
          const target = expected.positions[score.index - 1]!.target!;
          assert.ok(Math.abs(score.logprob - target.logprob) < 2e-3, `token ${score.index}: ${score.logprob} vs ${target.logprob}`);
        }
        const footer = page.locator('.footer .weights[data-max-logprob-diff]');
        await footer.waitFor({ timeout: 120_000 });
        const measured = await int8.weightError(ids);
        assert.ok(Math.abs(Number(await footer.getAttribute('data-max-logprob-diff')) - measured.maxLogprobDiff) < 2e-3);
        const shown = (await footer.textContent())!;
        assert.match(shown, new RegExp(`^8-bit weights — vs float32 on this text: \\|Δ log p\\| ≤ [\\d.e-]+ \\(mean [\\d.e-]+\\), same top-1 at \\d+ of ${measured.positions} positions$`), shown);
        assert.match((await footer.locator('strong').getAttribute('title'))!, /^llmLens\.weights asks for 8-bit weights: 0\.01 GB instead of 0\.05 GB in float32/);
        // The same text again: the footer shows the same measurement without running float32 again.
        const measurements = () => page.evaluate(() => window.__posted.filter((m) => m.type === 'log' && m.message.startsWith('8-bit weights vs float32')).length);
        assert.equal(await measurements(), 1);
        await sendToPanel(page, await explainMessage(2, text, { fileName: 'sample.py' }));
        await waitForPosted(page, 'analysis', 2);
        await footer.waitFor({ timeout: 60_000 });
        assert.equal(await footer.textContent(), shown);
        assert.equal(await measurements(), 1);
      } finally {
        await int8.dispose();
        checkpoint.close();
        await browser.close();
        await server.close();
      }
    });
  }
});
