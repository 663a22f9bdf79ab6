// PipelineInspector recomputes the walk-through's numbers from the weights; they must equal the
// engine's own (attention within 1e-4, the next residual within 1e-3, the final softmax).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { PipelineInspector, softmaxAll, softmaxTop, cosine, type ResidualStream } from '../../src/engine/inspect';
import type { Analysis } from '../../src/engine/types';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';

const fixture: { refs: { name: string; ids: number[]; hidden_norms: number[][] }[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'reference.json'), 'utf8'),
);
const fib = fixture.refs.find((r) => r.name === 'fib')!;

describe('PipelineInspector (bundled model) against the engine', () => {
  let engine: LensEngine;
  let inspector: PipelineInspector;
  let analysis: Analysis;
  let stream: ResidualStream;
  const T = fib.ids.length;
  const position = Math.min(7, T - 1);

  before(async () => {
    const checkpoint = await loadCheckpointFromDir(defaultModelDir());
    engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
    inspector = new PipelineInspector(checkpoint);
    analysis = await engine.analyze(fib.ids, { attention: true, hidden: true });
    stream = { hidden: analysis.hidden!, tokens: T };
  });
  after(() => engine?.dispose());

  test('embedding + position equals the residual stream before the first block', () => {
    const step = inspector.embedding(fib.ids[position], position);
    const row = inspector.residual(stream, 0, position);
    step.sum.forEach((v, i) => assert.ok(Math.abs(v - row[i]) < 1e-5, `component ${i}: ${v} vs ${row[i]}`));
    assert.ok(Math.abs(cosine(step.token, step.token) - 1) < 1e-6);
  });

  test('every head of every layer: softmax(q·k/√d) equals the engine attention within 1e-4', () => {
    const { nLayer: L, nHead: H } = inspector.config;
    let worst = 0;
    for (let layer = 0; layer < L; layer++) {
      for (let head = 0; head < H; head++) {
        const step = inspector.attentionHead(stream, layer, head, position);
        assert.equal(step.weights.length, position + 1, 'the causal mask leaves only tokens 0..position');
        assert.equal(step.scale, Math.sqrt(32));
        const base = ((layer * H + head) * T + position) * T;
        step.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - analysis.attention![base + k]))));
        for (let k = position + 1; k < T; k++) assert.ok(analysis.attention![base + k] < 1e-6, 'engine masks the future');
        assert.ok(Math.abs(step.weights.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      }
    }
    assert.ok(worst < 1e-4, `largest attention difference ${worst}`);
  });

  test('each block (attention + MLP) maps hidden[l] to hidden[l+1] within 1e-3', () => {
    for (let layer = 0; layer < inspector.config.nLayer; layer++) {
      const step = inspector.block(stream, layer, position);
      const next = inspector.residual(stream, layer + 1, position);
      const worst = Math.max(...Array.from(step.afterBlock, (v, i) => Math.abs(v - next[i])));
      assert.ok(worst < 1e-3, `layer ${layer}: largest difference ${worst}`);
      assert.ok(Number.isInteger(step.mlpPositiveUnits) && step.mlpPositiveUnits > 0 && step.mlpPositiveUnits < inspector.config.nInner);
    }
  });

  test('residual norms match the Hugging Face reference (embedding and blocks before the last)', () => {
    const norms = inspector.residualNorms(stream, position);
    assert.equal(norms.length, inspector.config.nLayer + 1);
    // hidden_norms' last entry is after ln_f (as Hugging Face reports it); compare the others.
    for (let l = 0; l < norms.length - 1; l++) assert.ok(Math.abs(norms[l] - fib.hidden_norms[l][position]) < 2e-3 * Math.max(1, norms[l]), `layer ${l}`);
  });

  for (const temperature of [1, 0.5, 1.7]) {
    test(`logits → softmax at temperature ${temperature} equals distributionAt`, async () => {
      const logits = inspector.logits(inspector.residual(stream, inspector.config.nLayer, position));
      const mine = softmaxTop(logits, temperature, 5);
      const engines = await engine.distributionAt(fib.ids, position, { temperature, topK: 5 });
      assert.deepEqual(mine.map((e) => e.id), engines.top.map(([id]) => id));
      mine.forEach((e, j) => assert.ok(Math.abs(e.probability - Math.exp(engines.top[j][1])) < 1e-4, `p ${j}: ${e.probability}`));
    });
  }

  test('softmaxAll is the whole distribution, most likely first, and starts as softmaxTop does', () => {
    const logits = inspector.logits(inspector.residual(stream, inspector.config.nLayer, position));
    const all = softmaxAll(logits, 2);
    assert.equal(all.length, inspector.config.vocabSize);
    assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'every id once');
    assert.ok(Math.abs(all.reduce((s, e) => s + e.probability, 0) - 1) < 1e-9);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].probability >= all[i].probability, `sorted at ${i}`);
    assert.deepEqual(all.slice(0, 10), softmaxTop(logits, 2, 10));
    assert.throws(() => softmaxAll(logits, 0), /temperature must be a finite number > 0/);
  });

  test('bad input: a position outside the context, a bad layer or head, a zero temperature', () => {
    assert.throws(() => inspector.attentionHead(stream, 0, 0, T), /position 8|position \d+ is out of range/);
    assert.throws(() => inspector.attentionHead(stream, 6, 0, 0), /layer 6 is out of range \(0\.\.5\)/);
    assert.throws(() => inspector.attentionHead(stream, 0, 6, 0), /head 6 is out of range/);
    assert.throws(() => inspector.embedding(1, 512), /position 512 is out of range \(0\.\.511\)/);
    assert.throws(() => inspector.embedding(50257, 0), /token id 50257 is out of range/);
    assert.throws(() => inspector.block({ hidden: new Float32Array(3), tokens: 1 }, 0, 0), /residual stream must be/);
    assert.throws(() => softmaxTop(new Float32Array(4), 0, 2), /temperature must be a finite number > 0/);
  });
});
