// The Attention, Embeddings, Logit lens and Vectors tabs of the real panel bundle in headless Chromium
// (WASM): each view renders for a fixed text and the numbers it shows equal the engine's for
// the same text, run here in Node. Leaves screenshots in test-results/.
// Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { LensEngine } from '../../src/engine/engine';
import { tokenize } from '../../src/engine/tokenizer';
import type { Analysis } from '../../src/engine/types';
import type { HostMessage, WebviewMessage } from '../../src/protocol';
import { formatPercent } from '../../webview-ui/view/format';
import { explainMessage, openExplainedPanel, sendToPanel } from './panel-page';
import { openReferencePanel, type ReferencePanel } from './reference-panel';
import { repoRoot, testResultsDir } from '../harness/paths';
import { decodeSafetensors } from '../unit/safetensors-writer';

const TEXT = 'Returns the number of elements in the list.';
/** The eigenvectors of a symmetric matrix for its two largest eigenvalues (cyclic Jacobi rotations). */
function topEigenvectors(matrix: number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [a[k]![p]!, a[k]![q]!];
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [a[p]![k]!, a[q]![k]!];
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [v[k]![p]!, v[k]![q]!];
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = a.map((row, i) => [row[i]!, i] as const).sort((x, y) => y[0] - x[0]);
  return order.slice(0, 2).map(([, i]) => v.map((row) => row[i]!));
}

/** Rows of the bundled model's wte, from the fp16 file itself, in float64. */
function wteRows(ids: number[]): Float64Array[] {
  const bytes = new Uint8Array(fs.readFileSync(path.join(repoRoot, 'media/models/tiny-gpt2-software/model.safetensors')));
  const wte = decodeSafetensors(bytes).find((tensor) => tensor.name === 'wte.weight')!;
  assert.equal(wte.dtype, 'F16');
  const d = wte.shape[1]!;
  const halves = new DataView(wte.data.buffer, wte.data.byteOffset, wte.data.byteLength);
  const half = (bits: number) => {
    const exponent = (bits >> 10) & 0x1f;
    const value = exponent === 0 ? (bits & 0x3ff) * 2 ** -24 : (1 + (bits & 0x3ff) / 1024) * 2 ** (exponent - 15);
    return bits & 0x8000 ? -value : value;
  };
  return ids.map((id) => Float64Array.from({ length: d }, (_, k) => half(halves.getUint16((id * d + k) * 2, true))));
}

const reference: { neighbours: Record<string, [number, string, number][]> } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/reference.json'), 'utf8'));

describe('Attention, Embeddings and Logit lens tabs in headless Chromium (WASM)', () => {
  let fixture: ReferencePanel;
  let page: Page;
  let engine: LensEngine;
  let analysis: Analysis;
  const ids = tokenize(TEXT).map((t) => t.id);
  const T = ids.length;
  const send = (m: HostMessage) => sendToPanel(page, m);
  const shot = (name: string, selector: string) => page.locator(selector).screenshot({ path: path.join(testResultsDir, name) });

  before(async () => {
    fixture = await openReferencePanel(TEXT, (browser, server) => openExplainedPanel(browser, server, { pageName: 'lens.html', text: TEXT }));
    ({ page, engine, analysis } = fixture);
  });

  after(async () => {
    await fixture?.close();
  });

  test('the tab strip is an ARIA tablist that arrow keys move through', async () => {
    const tabs = await page.locator('[role="tab"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')));
    assert.deepEqual(tabs.slice(0, 4), ['tokens', 'attention', 'embeddings', 'logit-lens']);
    await page.locator('[data-tab="tokens"]').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('[data-tab="attention"]').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#tabpanel-tokens').isHidden(), true);
  });

  test('heat map: the weight under the pointer equals the engine’s; a row click posts that token’s weights', async () => {
    await page.locator('[data-tab="attention"]').click();
    // Layers are computed when a view shows them: opening the tab computed the first one only.
    await page.locator('.attn-canvas').waitFor({ timeout: 30_000 });
    const live = page.locator('.mask-live');
    assert.equal(await live.getAttribute('data-layers'), '1');
    assert.match((await live.textContent())!, /over the 6 attention maps computed so far \(1 of its 6 layers × 6 heads; a layer is computed when a view shows it\)/);
    // By value (the layer index): the labels are numbered from 1, so the label "2" is index 1.
    await page.selectOption('[data-control="layer"]', { value: '2' });
    await page.selectOption('[data-control="head"]', '3');
    await page.locator('.attn-canvas').waitFor({ timeout: 30_000 });
    assert.equal(await live.getAttribute('data-layers'), '2', 'the layer shown is computed, and only it');
    const [q, k] = [6, 2];
    const box = (await page.locator('.attn-canvas').boundingBox())!;
    await page.mouse.move(box.x + ((k + 0.5) / T) * box.width, box.y + ((q + 0.5) / T) * box.height);
    const readout = page.locator('.attn-readout');
    assert.equal(await readout.getAttribute('data-q'), String(q));
    assert.equal(await readout.getAttribute('data-k'), String(k));
    const expected = analysis.attention![((2 * 6 + 3) * T + q) * T + k]!;
    assert.ok(Math.abs(Number(await readout.getAttribute('data-value')) - expected) < 1e-4 + 5e-5, `${await readout.textContent()} vs ${expected}`);
    assert.equal(await page.locator('.attn-row-label').count(), T, 'token labels on the rows');
    assert.equal(await page.locator('.attn-col-label').count(), T, 'token labels on the columns');
    await shot('attention-heatmap.png', '.attention-view');

    await page.locator(`.attn-row-label[data-q="${q}"]`).click();
    const posted = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'attention'), null, { timeout: 5000 });
    const message = (await posted.jsonValue()) as Extract<WebviewMessage, { type: 'attention' }>;
    assert.equal(message.index, q);
    assert.equal(message.layer, 2);
    assert.equal(message.head, 3);
    assert.equal(message.weights.length, q + 1);
    message.weights.forEach((w, key) => assert.ok(Math.abs(w - analysis.attention![((2 * 6 + 3) * T + q) * T + key]!) < 1e-4));
    assert.equal(await page.locator('.attn-top-list li').count(), 5);
  });

  test('average of heads, head view and model view render; a thumbnail opens its head in the heat map', async () => {
    await page.selectOption('[data-control="head"]', 'average');
    await page.locator('.attn-row-label[data-q="4"]').click();
    const avg = (await page.evaluate(() => window.__posted.filter((m) => m.type === 'attention').at(-1))) as Extract<WebviewMessage, { type: 'attention' }>;
    assert.equal(avg.head, 'average');
    const mean = (key: number) => [0, 1, 2, 3, 4, 5].reduce((s, h) => s + analysis.attention![((2 * 6 + h) * T + 4) * T + key]!, 0) / 6;
    avg.weights.forEach((w, key) => assert.ok(Math.abs(w - mean(key)) < 1e-4));

    await page.locator('[data-mode="headview"]').click();
    assert.equal(await page.locator('.headview-token.left').count(), T);
    assert.ok((await page.locator('.headview-lines line').count()) > T);
    await page.locator('.headview-token.left[data-index="5"]').hover();
    const visible = await page.locator('.headview-lines line:not(.dimmed)').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-q')))]);
    assert.deepEqual(visible, ['5'], 'hovering a token shows only its lines');
    await page.mouse.move(0, 0);
    assert.equal(await page.locator('.headview-lines line.dimmed').count(), 0, 'leaving the token shows every line again');
    await shot('attention-headview.png', '.attention-view');

    await page.locator('[data-mode="modelview"]').click();
    await page.locator('.modelview-thumb').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.modelview-thumb').count(), 36);
    // Layers are numbered from 1 here as in every tab (the Embeddings and Logit lens tabs call the embedding 0).
    assert.deepEqual(await page.locator('[data-control="layer"] option').allTextContents(), ['1', '2', '3', '4', '5', '6']);
    assert.equal(await page.locator('.modelview-thumb[data-layer="0"][data-head="2"]').getAttribute('title'), 'Open layer 1, head 2');
    await shot('attention-modelview.png', '.attention-view');
    await page.locator('.modelview-thumb[data-layer="1"][data-head="4"]').click();
    assert.equal(await page.locator('[data-mode="heatmap"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.inputValue('[data-control="layer"]'), '1');
    assert.equal(await page.inputValue('[data-control="head"]'), '4');
  });

  test('attention: GPT’s causal triangle beside BERT’s full square on the text’s tokens, and the live maps give no weight to a later token', async () => {
    await page.locator('[data-tab="attention"]').click();
    const n = Math.min(12, T);
    const causal = page.locator('.mask-figure[data-kind="causal"]');
    const full = page.locator('.mask-figure[data-kind="full"]');
    assert.equal(await causal.locator('rect.allowed').count(), (n * (n + 1)) / 2);
    assert.equal(await causal.locator('rect.masked').count(), (n * (n - 1)) / 2);
    assert.equal(await full.locator('rect.allowed').count(), n * n);
    // The figures under the grids are the engine's attention, checked here in Node.
    let [maxFuture, maxRowError] = [0, 0];
    const maps = engine.config.nLayer * engine.config.nHead;
    for (let m = 0; m < maps; m++) {
      for (let q = 0; q < T; q++) {
        let sum = 0;
        for (let k = 0; k < T; k++) {
          const w = analysis.attention![(m * T + q) * T + k]!;
          sum += w;
          if (k > q) maxFuture = Math.max(maxFuture, w);
        }
        maxRowError = Math.max(maxRowError, Math.abs(sum - 1));
      }
    }
    const live = page.locator('.mask-live');
    assert.equal(Number(await live.getAttribute('data-max-future')), maxFuture);
    assert.equal(maxFuture, 0, 'a GPT cannot look right');
    assert.ok(Number(await live.getAttribute('data-max-row-error')) < 1e-5);
    assert.ok(Math.abs(Number(await live.getAttribute('data-max-row-error')) - maxRowError) < 1e-6);
    assert.match((await live.textContent())!, /over all 36 attention maps \(6 layers × 6 heads\), the largest weight any token gives a later token is 0: none can look right/);
    await shot('attention-mask.png', '.mask-view');
  });

  test('embeddings: the neighbours of “ list” equal the engine’s and reference.json’s; contextual rows per layer; PCA dots per token', async () => {
    await page.locator('[data-tab="embeddings"]').click();
    const index = ids.indexOf(reference.neighbours[' list']![0]![0]);
    assert.ok(index > 0, 'the text contains “ list”');
    await page.selectOption('[data-control="token"]', String(index));
    await page.waitForSelector('.neighbour-row', { timeout: 30_000 });
    await page.waitForSelector('.contextual-table', { timeout: 30_000 });
    const shown = await page.locator('.neighbour-row').evaluateAll((rows) => rows.map((r) => [Number(r.getAttribute('data-id')), Number(r.querySelector('.neighbour-cos')!.textContent)]));
    const expected = reference.neighbours[' list']!.slice(1);
    assert.deepEqual(shown.map(([id]) => id), expected.map(([id]) => id));
    shown.forEach(([, cos], i) => assert.ok(Math.abs(cos! - expected[i]![2]) < 1e-3, `${cos} vs ${expected[i]![2]}`));
    const fromEngine = await engine.neighboursOfToken(ids[index]!, 10);
    shown.forEach(([, cos], i) => assert.ok(Math.abs(cos! - fromEngine[i + 1]![2]) < 6e-5));
    assert.equal(await page.locator('.contextual-table tr').count(), 7, 'embedding and after each of 6 layers');
    await shot('neighbours.png', '.embedding-tables');

    assert.equal(await page.locator('.pca-point').count(), T);
    await page.selectOption('[data-control="pca-layer"]', '6');
    assert.match((await page.locator('.pca-title').textContent())!, /after layer 6/);
    await page.locator('.pca-point[data-index="3"] circle').hover();
    assert.equal(await page.locator('.chip.pointed').getAttribute('data-index'), '3', 'hovering a dot highlights its token');
    await shot('pca.png', '.pca');
  });

  test('logit lens: a cell shows the engine’s top token and probability; layers × positions', async () => {
    await page.locator('[data-tab="logit-lens"]').click();
    await page.waitForSelector('.lens-cell', { timeout: 60_000 });
    assert.equal(await page.locator('.lens-cell').count(), 7 * T);
    const [layer, position] = [3, 5];
    const [cell] = await engine.logitLens(ids, [{ layer, position }], 1);
    const shown = page.locator(`.lens-cell[data-layer="${layer}"][data-position="${position}"]`);
    assert.equal(await shown.getAttribute('data-id'), String(cell!.top[0]![0]));
    assert.equal(await shown.locator('.lens-prob').textContent(), formatPercent(Math.exp(cell!.top[0]![1])));
    // The last layer's top-1 is the model's prediction: the final analysis agrees.
    const final = await page.locator(`.lens-cell[data-layer="6"][data-position="${position}"]`).getAttribute('data-id');
    assert.equal(final, String(analysis.positions[position]!.top[0]![0]));
    assert.equal(await page.locator('.lens-cell.settled').count(), T, 'one outlined cell per position');
    await shot('logit-lens.png', '.logit-lens-view');
  });

  test('logit lens: the outlined cell is the layer from which the top token is the final prediction in every later layer, as the legend says', async () => {
    await page.locator('[data-tab="logit-lens"]').click();
    await page.waitForSelector('.lens-cell', { timeout: 60_000 });
    const L = engine.config.nLayer;
    const cells = Array.from({ length: (L + 1) * T }, (_, i) => ({ layer: Math.floor(i / T), position: i % T }));
    const lens = await engine.logitLens(ids, cells, 1);
    const topAt = (layer: number, position: number) => lens[layer * T + position]!.top[0]![0];
    let discriminates = false;
    for (let position = 0; position < T; position++) {
      const final = topAt(L, position);
      let settled = L;
      while (settled > 0 && topAt(settled - 1, position) === final) settled--;
      let first = 0;
      while (topAt(first, position) !== final) first++;
      if (first !== settled) discriminates = true;
      const outlined = await page.locator(`.lens-cell.settled[data-position="${position}"]`).getAttribute('data-layer');
      assert.equal(Number(outlined), settled, `position ${position}: outlined layer ${outlined}, expected ${settled} (first appearance ${first})`);
    }
    // The text has a position whose final prediction appears early, drops out and comes back:
    // there the first appearance and the settled layer differ, and only the latter is outlined.
    assert.ok(discriminates, 'the fixture has a position where the final prediction drops out after first appearing');
    assert.match((await page.locator('.lens-legend').textContent())!, /Outlined: the layer from which on the top prediction is the final one in that layer and every later layer\./);
  });

  test('vectors: one word in two contexts, the angle between two tokens, one-hot against dense, the worked example', async () => {
    await page.locator('[data-tab="vectors"]').click();
    const L = engine.config.nLayer;
    const d = engine.config.nEmbd;
    const row = (layer: number, t: number) => analysis.hidden!.subarray((layer * T + t) * d, (layer * T + t + 1) * d);
    const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let [ab, aa, bb] = [0, 0, 0];
      for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i]! * b[i]!, aa + a[i]! * a[i]!, bb + b[i]! * b[i]!];
      return ab / Math.sqrt(aa * bb);
    };
    // “ the” occurs twice (positions 1 and 6): the tab starts on it.
    const [i, j] = [1, 6];
    assert.equal(ids[i], ids[j]);
    const context = page.locator('.angle-figure[data-kind="context"]');
    await context.waitFor({ timeout: 30_000 });
    assert.equal(await page.inputValue('[data-control="vector-a"]'), String(i));
    assert.equal(await page.inputValue('[data-control="vector-b"]'), String(j));
    assert.match((await page.locator('.vectors-angle h2').textContent())!, /^One word, two contexts: “.the” at positions 1 and 6$/);
    assert.equal(await page.locator('.angle-figure[data-kind="input"]').getAttribute('data-degrees'), '0.000');
    // The cosine at every depth equals the one computed here from the engine's residual stream.
    const shown = await page.locator('.per-layer-cosine td').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-cos'))));
    const expected = Array.from({ length: L + 1 }, (_, l) => cosine(row(l, i), row(l, j)));
    assert.equal(shown.length, L + 1);
    shown.forEach((c, l) => assert.ok(Math.abs(c - expected[l]!) < 1e-4, `layer ${l}: ${c} vs ${expected[l]}`));
    assert.ok(Math.abs(Number(await context.getAttribute('data-cos')) - expected[1]!) < 1e-4, 'the drawn angle is at layer 1');
    // The sentence under the table names the layer where the two are least alike, and why layer 0 differs (positions).
    const lowest = expected.indexOf(Math.min(...expected));
    const trend = (await page.locator('.vectors-angle > p.muted').textContent())!;
    assert.ok(expected[0]! < 1, 'GPT-2 adds a position row: the two differ at the embedding');
    assert.match(trend, /position rows \(wpe\)/);
    assert.ok(trend.includes(`least alike ${lowest === 0 ? 'at the embedding (layer 0)' : `after layer ${lowest}`} (cosine ${expected[lowest]!.toFixed(3)})`), trend);
    await page.selectOption('[data-control="vector-layer"]', '4');
    await page.locator('.angle-figure[data-kind="context"][data-layer="4"]').waitFor({ timeout: 30_000 });
    assert.ok(Math.abs(Number(await context.getAttribute('data-cos')) - expected[4]!) < 1e-4, 'the layer picker moves the drawn angle');
    await shot('vectors-two-contexts.png', '.vectors-view');

    // Two different tokens: their input embeddings' angle against float64 arithmetic on the raw
    // fp16 rows of the model file (read here, not through the engine).
    const [a, b] = [ids.indexOf(tokenize(' number')[0]!.id), ids.indexOf(tokenize(' list')[0]!.id)];
    await page.selectOption('[data-control="vector-a"]', String(a));
    await page.selectOption('[data-control="vector-b"]', String(b));
    await page.waitForFunction(() => document.querySelector('.vectors-angle h2')?.textContent?.startsWith('The angle between'), null, { timeout: 30_000 });
    const wte = wteRows([ids[a]!, ids[b]!]);
    const inputCos = cosine(wte[0]!, wte[1]!);
    const input = page.locator('.angle-figure[data-kind="input"]');
    assert.ok(Math.abs(Number(await input.getAttribute('data-cos')) - inputCos) < 1e-6, `${await input.getAttribute('data-cos')} vs ${inputCos}`);
    const degrees = (Math.acos(inputCos) * 180) / Math.PI;
    assert.ok((await input.locator('figcaption').textContent())!.includes(`cosine ${inputCos.toFixed(3)}, an angle of ${degrees.toFixed(1)}°`));
    assert.equal(await input.locator('.angle-label').textContent(), `${degrees.toFixed(1)}°`);

    // One-hot against dense: the 1 sits at the token's id; the matrix's size is the model's.
    assert.equal(await page.locator('.one-hot-cell.hot').getAttribute('data-id'), String(ids[a]));
    assert.equal(await page.locator('.one-hot-cell').count(), 9);
    assert.match((await page.locator('.vectors-one-hot p').textContent())!, /50,257 × 192 = 9,649,344 parameters\) picks row \d+: a dense vector of 192 numbers/);
    const cells = await page.locator('.dense-strip rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    cells.forEach((v, k) => assert.ok(Math.abs(v - wte[0]![k]!) < 1e-4, `component ${k}`));

    // The worked example: 82.4° and 12.4°, and the article's 7.5° named as not following from its counts.
    assert.equal(await page.locator('.vectors-example li[data-pair="V1"]').getAttribute('data-degrees'), '82.42');
    assert.equal(await page.locator('.vectors-example li[data-pair="V3"]').getAttribute('data-degrees'), '12.37');
    assert.match((await page.locator('.example-check').textContent())!, /7\.5° for V3 and V2\. Their own counts give 12\.4° \(cosine 0\.977\); 7\.5° would need a cosine of 0\.991/);
    await shot('vectors-angle.png', '.vectors-view');

    // Passages: a one-line text is taken as its two halves; the cosine of their mean last-layer vectors.
    const passages = page.locator('.vectors-passages');
    const half = Math.floor(T / 2);
    assert.equal(await passages.getAttribute('data-a'), `0-${half}`);
    assert.equal(await passages.getAttribute('data-b'), `${half}-${T}`);
    const mean = (layer: number, from: number, to: number) => Array.from({ length: d }, (_, i) => {
      let sum = 0;
      for (let t = from; t < to; t++) sum += row(layer, t)[i]!;
      return sum / (to - from);
    });
    const passageCos = cosine(mean(L, 0, half), mean(L, half, T));
    assert.ok(Math.abs(Number(await passages.getAttribute('data-cos')) - passageCos) < 1e-4, `${await passages.getAttribute('data-cos')} vs ${passageCos}`);
    assert.ok((await passages.locator('p').first().textContent())!.includes(`cosine ${passageCos.toFixed(3)}`));
    assert.match((await passages.locator('p.muted').textContent())!, /not to place similar passages close together/);

    // Counting against learning: the words' co-occurrence counts, counted here on their own.
    const counting = page.locator('.vectors-counting');
    const textWords = tokenize(TEXT).map((t) => t.text.trim().toLowerCase()).filter((w) => /^\p{L}+$/u.test(w));
    const distinct = [...new Set(textWords)];
    assert.equal(Number(await counting.getAttribute('data-words')), distinct.length);
    const table = await counting.locator('.text-counts tr[data-word]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-word'), [...r.querySelectorAll('td')].map((c) => Number(c.textContent))] as const));
    assert.deepEqual(table.map(([w]) => w), distinct);
    table.forEach(([w, cells]) => cells.forEach((n, j) => {
      let expected = 0;
      textWords.forEach((x, at) => {
        if (x !== w) return;
        for (const k of [at - 1, at + 1]) if (textWords[k] === distinct[j]) expected++;
      });
      assert.equal(n, expected, `${w} × ${distinct[j]}`);
    }));
    assert.equal(await counting.locator('.pca-scatter').nth(0).locator('.word-point').count(), distinct.length);
    // The 2-D SVD against a decomposition done here: Jacobi on CᵀC, coordinates C·v (up to each axis' sign).
    const C = table.map(([, cells]) => cells);
    const [v1, v2] = topEigenvectors(C[0]!.map((_, i) => C[0]!.map((__, j) => C.reduce((s, row) => s + row[i]! * row[j]!, 0))));
    const expectedPoints = C.map((row) => [v1!, v2!].map((v) => row.reduce((s, c, k) => s + c * v[k]!, 0)));
    const shownPoints = JSON.parse((await counting.locator('.pca-scatter').nth(0).getAttribute('data-points'))!) as [number, number][];
    for (const axis of [0, 1]) {
      const sign = Math.sign(shownPoints.reduce((s, p, i) => s + p[axis]! * expectedPoints[i]![axis]!, 0)) || 1;
      shownPoints.forEach((p, i) => assert.ok(Math.abs(p[axis]! - sign * expectedPoints[i]![axis]!) < 2e-3, `word ${distinct[i]}, axis ${axis}: ${p[axis]} vs ${sign * expectedPoints[i]![axis]!}`));
    }
    assert.equal(await counting.locator('.pca-scatter').nth(1).locator('.word-point').count(), distinct.length);
    assert.equal(await counting.locator('.classic-counts tr[data-word="well"] td').nth(['all', 'that', 'glitters', 'is', 'not', 'gold', 'well', 'ends'].indexOf('ends')).textContent(), '1');
    assert.match((await counting.locator('.hint').textContent())!, /CBOW trains them to predict a word from the words around it, skip-gram to predict the words around from the word/);
    await shot('vectors-counting.png', '.vectors-counting');
  });

  test('vectors, bad input: a word of several tokens is combined and says how, a word not in the text, the same token twice, too few words to count', async () => {
    const text = 'The tokenizer splits antidisestablishmentarianism, and the model reads antidisestablishmentarianism again.';
    const tokens = tokenize(text);
    await send(await explainMessage(10, text));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 10), null, { timeout: 60_000 });
    await page.locator('[data-tab="vectors"]').click();
    await page.locator('.vectors-angle').waitFor({ timeout: 30_000 });
    // A word of two tokens: the mean of their embedding rows, against B's row, from the weights file.
    await page.locator('[data-control="word-a"]').fill('tokenizer');
    await page.locator('[data-control="word-a"]').press('Enter');
    const notice = page.locator('.vectors-notice');
    await page.waitForFunction(() => document.querySelector('.vectors-notice')?.textContent?.includes('is 2 tokens'), null, { timeout: 30_000 });
    assert.equal(await notice.textContent(), '“tokenizer” is 2 tokens here (“·token” + “izer”): its input embedding below is the mean of their rows, and its contextual vector is its last token’s, the one that has read the whole word.');
    const b = Number(await page.inputValue('[data-control="vector-b"]'));
    const [token, izer, other] = wteRows([tokens[1]!.id, tokens[2]!.id, tokens[b]!.id]);
    const mean = token!.map((v, i) => (v + izer![i]!) / 2);
    let [ab, aa, bb] = [0, 0, 0];
    for (let i = 0; i < mean.length; i++) [ab, aa, bb] = [ab + mean[i]! * other![i]!, aa + mean[i]! ** 2, bb + other![i]! ** 2];
    await page.waitForFunction(() => document.querySelector('.vectors-angle h2')?.textContent?.includes('tokenizer'), null, { timeout: 30_000 });
    assert.ok(Math.abs(Number(await page.locator('.angle-figure[data-kind="input"]').getAttribute('data-cos')) - ab / Math.sqrt(aa * bb)) < 1e-6);
    assert.equal(await page.inputValue('[data-control="vector-a"]'), '2', 'the contextual vector is the word’s last token’s');

    await page.locator('[data-control="word-b"]').fill('elephant');
    await page.locator('[data-control="word-b"]').press('Enter');
    await page.waitForFunction(() => document.querySelector('.vectors-notice')?.textContent?.includes('elephant'), null, { timeout: 10_000 });
    assert.equal(await notice.textContent(), '“elephant” is not in the text: pick one of its tokens from the list, or type a word the text contains.');
    assert.equal(await notice.evaluate((e) => e.classList.contains('error-text')), true);

    await page.selectOption('[data-control="vector-a"]', '5');
    await page.selectOption('[data-control="vector-b"]', '5');
    await page.locator('.vectors-same').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.vectors-same').textContent(), 'A and B are the same token (position 5): a vector is at 0° to itself. Pick another token, or the same word at another position to see its two contexts.');
    assert.equal(await page.locator('.vectors-angle').count(), 0);

    await send(await explainMessage(11, 'Hi 42 42'));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 11), null, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('.vectors-counting')?.getAttribute('data-words') === '1', null, { timeout: 30_000 });
    assert.equal(await page.locator('.vectors-counting > p.muted').textContent(), 'Counting needs at least three different words; this text has 1.');

    // Reachable from a token: a chip picked in the Tokens tab (as the hover's link and Explain at the cursor pick one) is token A.
    await page.locator('[data-tab="tokens"]').click();
    await page.locator('.chips .chip[data-index="2"]').click();
    await page.locator('[data-tab="vectors"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-control="vector-a"]') as HTMLSelectElement | null)?.value === '2', null, { timeout: 30_000 });
    assert.match((await page.locator('.vectors-one-hot h2').textContent())!, /^One-hot against dense: “·42”$/);
  });

  test('chat: the bundled base model has no chat template, and the tab says what has one', async () => {
    await page.locator('[data-tab="chat"]').click();
    const status = page.locator('.chat-status[data-state="no-template"]');
    await status.waitFor({ timeout: 30_000 });
    assert.match((await status.textContent())!, /^tiny-gpt2-software has no chat template: it is a base model, trained only to continue text\./);
    assert.equal(await page.locator('[data-action="read-chat"]').count(), 0);
  });

  test('a one-token text says there is no attention to show', async () => {
    await send(await explainMessage(2, 'Hello'));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 2), null, { timeout: 60_000 });
    await page.locator('[data-tab="attention"]').click();
    assert.match((await page.locator('.attn-one-token').textContent())!, /no attention to show/);
  });

  test('a text longer than the context: each view says which tokens it shows', async () => {
    const long = Array.from({ length: 70 }, (_, i) => `Line ${i} returns the number of elements.`).join('\n');
    const total = tokenize(long).length;
    assert.ok(total > 512, `${total} tokens`);
    await send(await explainMessage(3, long));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' && m.runId === 3), null, { timeout: 120_000 });
    // The model read the last 512; the logit lens table shows fewer columns still, and says so.
    for (const [tab, shown] of [['attention', 512], ['embeddings', 512], ['logit-lens', 64]] as const) {
      await page.locator(`[data-tab="${tab}"]`).click();
      const expected = `Showing the last ${shown} of ${total} tokens (tokens ${total - shown + 1}–${total}).`;
      // A view's note comes with its numbers, which the engine worker computes after the click.
      const note = `#tabpanel-${tab} .lens-note:not([hidden])`;
      await page.waitForFunction(([selector, text]) => [...document.querySelectorAll(selector)].some((n) => n.textContent!.includes(text)), [note, expected] as const, { timeout: 60_000 })
        .catch(async () => assert.fail(`${tab}: ${JSON.stringify(await page.locator(note).allTextContents())}`));
    }
  });
});
