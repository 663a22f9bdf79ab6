// LensEngine's focused paths agree with the full analysis, temperature behaves as a softmax
// temperature, and bad input gives clear errors (bundled model, WASM in Node).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import type { Analysis } from '../../src/engine/types';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { assertSamePrediction, close } from './prediction-asserts';

const fixture: { refs: { name: string; ids: number[] }[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'reference.json'), 'utf8'),
);
const fib = fixture.refs.find((r) => r.name === 'fib')!.ids;
const fox = fixture.refs.find((r) => r.name === 'fox')!.ids;

describe('LensEngine focused paths and inputs (bundled model, WASM)', () => {
  let engine: LensEngine;
  let analysis: Analysis;
  const V = 50257;

  before(async () => {
    engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' });
    analysis = await engine.analyze(fib, { topK: 50, hidden: true });
  });
  after(() => engine?.dispose());

  test('analyze returns only what was asked for, with timings', () => {
    assert.equal(analysis.attention, undefined);
    assert.ok(analysis.hidden instanceof Float32Array);
    assert.equal(analysis.truncated, undefined);
    assert.equal(analysis.model, 'tiny-gpt2-software');
    // Wall-clock figures: a unit test can check only that they are there and are durations.
    const { totalMs, trunkMs, headMs } = analysis.timings;
    assert.ok([totalMs, trunkMs, headMs].every((ms) => Number.isFinite(ms) && ms >= 0), JSON.stringify(analysis.timings));
  });

  test('top log-probabilities are sorted, sum to at most 1, and bound the entropy', () => {
    for (const [t, p] of analysis.positions.entries()) {
      const probs = p.top.map(([, lp]) => Math.exp(lp));
      p.top.slice(1).forEach(([, lp], j) => assert.ok(lp <= p.top[j][1], `sorted at ${t}`));
      const mass = probs.reduce((a, b) => a + b, 0);
      assert.ok(mass <= 1 + 1e-5, `mass ${mass} at ${t}`);
      // The top tokens' share of the entropy is a lower bound; the rest can add at most r log((V - k) / r).
      // float32 log-probabilities near 0 carry ~2e-5 absolute error, so the rest's mass r gets that slack.
      const partial = probs.reduce((a, q) => a - (q > 0 ? q * Math.log(q) : 0), 0);
      const rest = Math.max(0, 1 - mass) + 5e-5;
      const upper = partial + rest * Math.log((V - probs.length) / rest);
      assert.ok(p.entropy >= partial - 1e-4 && p.entropy <= upper + 1e-4, `entropy ${p.entropy} at ${t} outside [${partial}, ${upper}]`);
    }
  });

  test('distributionAt at temperature 1 equals the analysis at that position', async () => {
    for (const position of [0, 7, fib.length - 1]) {
      const d = await engine.distributionAt(fib, position, { temperature: 1, topK: 50 });
      assert.equal(d.position, position);
      assertSamePrediction(d, analysis.positions[position], `position ${position}`);
      const expectedTarget = analysis.positions[position].target;
      if (expectedTarget === null) assert.equal(d.target, null);
      else {
        assert.equal(d.target!.id, expectedTarget.id);
        assert.equal(d.target!.rank, expectedTarget.rank);
        close(d.target!.logprob, expectedTarget.logprob, 1e-5, 'target');
      }
    }
  });

  test('temperature 0.5 divides log-probability differences by 0.5 and sharpens the distribution', async () => {
    const position = 12;
    const base = analysis.positions[position];
    const hot = await engine.distributionAt(fib, position, { temperature: 0.5, topK: 10 });
    const mass = hot.top.reduce((a, [, lp]) => a + Math.exp(lp), 0);
    assert.ok(mass <= 1 + 1e-5);
    hot.top.slice(1).forEach(([, lp], j) => assert.ok(lp <= hot.top[j][1]));
    // Ordering is unchanged by a temperature, so the top ids are the same tokens.
    assert.deepEqual(hot.top.map(([id]) => id), base.top.slice(0, 10).map(([id]) => id));
    const [first, firstLp] = hot.top[0];
    const baseFirstLp = base.top.find(([id]) => id === first)![1];
    for (const [id, lp] of hot.top.slice(1)) {
      const baseLp = base.top.find(([other]) => other === id)![1];
      close(lp - firstLp, (baseLp - baseFirstLp) / 0.5, 2e-4, `difference for ${id}`);
    }
    assert.ok(hot.entropy < base.entropy, 'a lower temperature lowers the entropy');
    assert.equal(hot.temperature, 0.5);
  });

  test('predictLast equals the analysis at the last two positions', async () => {
    const last = await engine.predictLast(fib, { topK: 50 });
    const T = fib.length;
    const expectedLast = analysis.positions[T - 2].target!;
    assert.equal(last.lastToken!.id, fib[T - 1]);
    assert.equal(last.lastToken!.rank, expectedLast.rank);
    close(last.lastToken!.logprob, expectedLast.logprob, 1e-5, 'last token logprob');
    assertSamePrediction(last.next, analysis.positions[T - 1], 'next');
    assert.equal(last.next.position, T - 1);
    assert.equal(last.next.target, null);
  });

  test('predictLast at another temperature: the last token keeps the model’s own (temperature 1) score, the next distribution is at that temperature', async () => {
    const T = fib.length;
    for (const temperature of [0.5, 1.7]) {
      const last = await engine.predictLast(fib, { topK: 50, temperature });
      const own = analysis.positions[T - 2].target!;
      assert.equal(last.lastToken!.id, fib[T - 1]);
      assert.equal(last.lastToken!.rank, own.rank);
      close(last.lastToken!.logprob, own.logprob, 1e-5, `last token logprob at T=${temperature}`);
      const hot = await engine.distributionAt(fib, T - 1, { temperature, topK: 50 });
      assert.deepEqual(last.next.top.map(([id]) => id), hot.top.map(([id]) => id));
      last.next.top.forEach(([, lp], i) => close(lp, hot.top[i][1], 1e-5, `next logprob ${i} at T=${temperature}`));
      close(last.next.entropy, hot.entropy, 1e-5, `entropy at T=${temperature}`);
      assert.equal(last.next.temperature, temperature);
    }
  });

  test('predictLast on a prefix of the analysed text equals the analysis there; one token has no score', async () => {
    const prefix = await engine.predictLast(fib.slice(0, 20), { topK: 50 });
    assertSamePrediction(prefix.next, analysis.positions[19], 'prefix');
    const single = await engine.predictLast([fib[0]], { topK: 5 });
    assert.equal(single.lastToken, null);
    assert.deepEqual(single.next.top.map(([id]) => id), analysis.positions[0].top.slice(0, 5).map(([id]) => id));
  });

  test('the hover-path trunk (last rows only) agrees with the full trunk on texts not analysed before', async () => {
    const text = [...fox, ...fib.slice(0, 15)];
    const T = text.length;
    const hover = await engine.predictLast(text, { topK: 20 });
    const middle = await engine.distributionAt(text, 6, { temperature: 1, topK: 20 });
    const single = await engine.predictLast([fox[3]], { topK: 20 });
    const full = await engine.analyze(text, { topK: 20 });
    // Different row counts in the last block's matrix products may round differently.
    assertSamePrediction(hover.next, full.positions[T - 1], 'next after the text', 1e-4);
    close(hover.lastToken!.logprob, full.positions[T - 2].target!.logprob, 1e-4, 'last token');
    assert.equal(hover.lastToken!.rank, full.positions[T - 2].target!.rank);
    assertSamePrediction(middle, full.positions[6], 'position 6', 1e-4);
    assert.equal(middle.target!.id, text[7]);
    close(middle.target!.logprob, full.positions[6].target!.logprob, 1e-4, 'target at 6');
    assertSamePrediction(single.next, (await engine.analyze([fox[3]], { topK: 20 })).positions[0], 'one token', 1e-4);
  });

  test('logit lens at the last layer equals the analysis; other layers give valid, different readings', async () => {
    const L = engine.config.nLayer;
    const cells = [
      { layer: L, position: 3 },
      { layer: L, position: fib.length - 1 },
      { layer: 0, position: 3 },
      { layer: 2, position: 3 },
    ];
    const lens = await engine.logitLens(fib, cells, 50);
    assert.deepEqual(lens.map((c) => [c.layer, c.position]), cells.map((c) => [c.layer, c.position]));
    assertSamePrediction({ top: lens[0].top, entropy: analysis.positions[3].entropy }, analysis.positions[3], 'lens at L, 3');
    assertSamePrediction({ top: lens[1].top, entropy: analysis.positions.at(-1)!.entropy }, analysis.positions.at(-1)!, 'lens at L, last');
    for (const cell of lens.slice(2)) {
      assert.equal(cell.top.length, 50);
      cell.top.forEach(([id, lp]) => assert.ok(id >= 0 && id < V && lp <= 0));
    }
    assert.notDeepEqual(lens[2].top.map(([id]) => id), lens[0].top.map(([id]) => id));
    assert.deepEqual(await engine.logitLens(fib, []), []);
  });

  test('neighboursOfVector of a token embedding finds that token first, with cosine 1', async () => {
    const id = fox[1];
    const byToken = await engine.neighboursOfToken(id, 5);
    assert.equal(byToken.length, 6);
    assert.equal(byToken[0][0], id);
    const row = (await loadCheckpointFromDir(defaultModelDir())).embeddingRow(id);
    const byVector = await engine.neighboursOfVector(Array.from(row, (v) => v * 3), 6);
    assert.deepEqual(byVector.map(([n]) => n), byToken.map(([n]) => n));
    close(byVector[0][2], 1, 1e-5, 'self cosine');
  });

  test('concurrent calls are serialised and give the same answers as sequential ones', async () => {
    const [a, b, c, d] = await Promise.all([
      engine.predictLast(fox, { topK: 5 }),
      engine.analyze(fib.slice(0, 30), { topK: 5 }),
      engine.distributionAt(fox, 4, { temperature: 1, topK: 5 }),
      engine.predictLast(fib, { topK: 5 }),
    ]);
    assert.deepEqual((await engine.predictLast(fox, { topK: 5 })).next.top, a.next.top);
    assert.deepEqual((await engine.analyze(fib.slice(0, 30), { topK: 5 })).positions, b.positions);
    assert.deepEqual((await engine.distributionAt(fox, 4, { temperature: 1, topK: 5 })).top, c.top);
    assert.deepEqual(d.next.top, analysis.positions.at(-1)!.top.slice(0, 5));
  });

  test('a text longer than the context keeps its last nPositions tokens and says so', async () => {
    const n = engine.config.nPositions;
    const long = Array.from({ length: n + 88 }, (_, i) => fib[i % fib.length]);
    const truncated = await engine.analyze(long, { topK: 3 });
    assert.deepEqual(truncated.truncated, { totalTokens: n + 88, droppedTokens: 88, keptTokens: n });
    assert.deepEqual(truncated.ids, long.slice(88));
    assert.equal(truncated.positions.length, n);
    const direct = await engine.analyze(long.slice(88), { topK: 3 });
    assert.deepEqual(truncated.positions, direct.positions);
    assert.equal(direct.truncated, undefined);
  });

  test('bad input gives clear errors, not crashes', async () => {
    await assert.rejects(engine.analyze([]), /nothing to analyse: the text has no tokens/);
    await assert.rejects(engine.analyze([1, V]), /token id at index 1 is 50257, outside the vocabulary \(0\.\.50256\)/);
    await assert.rejects(engine.analyze([-1]), /outside the vocabulary/);
    await assert.rejects(engine.analyze([1.5]), /outside the vocabulary/);
    await assert.rejects(engine.analyze('hello' as unknown as number[]), /ids must be a list of token ids/);
    await assert.rejects(engine.distributionAt(fox, fox.length, { temperature: 1 }), /position 10 is out of range \(0\.\.9\)/);
    await assert.rejects(engine.distributionAt(fox, 0, { temperature: 0 }), /temperature must be a finite number > 0/);
    await assert.rejects(engine.distributionAt(fox, 0, { temperature: Number.NaN }), /temperature/);
    await assert.rejects(engine.predictLast(fox, { temperature: -1 }), /temperature/);
    await assert.rejects(engine.logitLens(fox, [{ layer: 7, position: 0 }]), /layer 7 is out of range \(0\.\.6\)/);
    await assert.rejects(engine.neighboursOfToken(V), /outside the vocabulary/);
    await assert.rejects(engine.neighboursOfVector(new Float32Array(3)), /must have 192 components, got 3/);
    // topK is clamped, not rejected
    assert.equal((await engine.distributionAt(fox, 0, { temperature: 1, topK: 0 })).top.length, 1);
    assert.equal((await engine.distributionAt(fox, 0, { temperature: 1, topK: 1e9 })).top.length, V);
    // the engine still works after all that
    assert.deepEqual((await engine.predictLast(fib, { topK: 5 })).next.top, analysis.positions.at(-1)!.top.slice(0, 5));
  });

  test('prepare creates the sessions up front and reports progress; a disposed engine refuses further work', async () => {
    const stages: string[] = [];
    const other = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), {
      ort,
      backend: 'wasm',
      onProgress: (stage) => stages.push(stage),
    });
    assert.equal(stages.length, 0, "nothing is created before use");
    await other.prepare(['hover']);
    // One session per block and one for the vocabulary, the largest table first.
    const created = stages.filter((s) => s.startsWith('created the'));
    assert.deepEqual(created, ['vocab', ...Array.from({ length: other.config.nLayer }, (_, l) => `block.${l}`)].map((n) => `created the ${n} session`));
    const count = stages.length;
    await other.predictLast(fox, { topK: 3 });
    await other.analyze(fox, { attention: true });
    await other.neighboursOfToken(fox[0]);
    assert.equal(stages.length, count, 'the hover, analysis and neighbours paths run the same sessions');
    await other.dispose();
    await assert.rejects(other.predictLast(fox), /the engine has been disposed/);
  });
});
