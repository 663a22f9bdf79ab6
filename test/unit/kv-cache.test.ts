// The key/value cache: generation and hovers that extend, shorten or branch off the last text the
// step trunk read run the model only on the new tokens, and give the numbers a full recompute
// gives (within 1e-4 on log-probabilities), for learned positions (GPT-2), rotary ones with
// llama3 scaling and one key/value head (Llama), per-head q/k norms (Qwen3) and a sliding window
// (Mistral layout).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { Checkpoint } from '../../src/engine/checkpoint';
import { LensEngine } from '../../src/engine/engine';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { fixtureDir, readFixtureFiles, readReference } from './llama-family-fixtures';
import { assertSamePrediction, close } from './prediction-asserts';

const TOLERANCE = 1e-4;

/** A 40-token text of the Llama fixture's prompts (ids valid in every fixture's vocabulary but GPT-2's). */
function longIds(vocab: number): number[] {
  const prompts = readReference('tiny-random-llama').refs;
  return prompts.flatMap((p) => p.ids).slice(0, 40).map((id) => id % vocab);
}

/** A Mistral-layout model (llama weights) whose attention sees only the last 4 keys. */
function slidingMistral(): Checkpoint {
  const { config, weights } = readFixtureFiles('tiny-random-llama');
  return Checkpoint.load({ name: 'sliding-mistral', configJson: JSON.stringify({ ...config, model_type: 'mistral', sliding_window: 4, rope_scaling: null }), weights });
}

const models: [string, () => Promise<Checkpoint>][] = [
  ['GPT-2 (learned positions)', () => loadCheckpointFromDir(defaultModelDir())],
  ['Llama (rotary, llama3 scaling, one key/value head)', () => loadCheckpointFromDir(fixtureDir('tiny-random-llama'))],
  ['Qwen3 (q/k norms, grouped heads)', () => loadCheckpointFromDir(fixtureDir('tiny-random-qwen3'))],
  ['Mistral layout (sliding window of 4)', async () => slidingMistral()],
];

for (const [name, load] of models) {
  describe(`key/value cache: ${name}`, () => {
    let cached: LensEngine;
    let fresh: LensEngine;
    let ids: number[];

    before(async () => {
      const checkpoint = await load();
      cached = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
      fresh = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
      ids = longIds(checkpoint.config.vocabSize);
    });
    after(async () => {
      await cached?.dispose();
      await fresh?.dispose();
    });

    test('generation: each step reads one new token and equals a full recompute', async () => {
      const full = await fresh.analyze(ids, { topK: 20 });
      await cached.distributionAt(ids.slice(0, 10), 9, { temperature: 1, topK: 20 });
      for (let n = 11; n <= ids.length; n++) {
        const before = cached.trunkTokensRead;
        const step = await cached.distributionAt(ids.slice(0, n), n - 1, { temperature: 1, topK: 20 });
        assert.equal(cached.trunkTokensRead - before, 1, `step ${n}: tokens read`);
        assertSamePrediction(step, full.positions[n - 1]!, `step ${n}`, TOLERANCE);
      }
    });

    test('a hover: a shorter text, then one that branches off, read only what they do not share', async () => {
      const full = await fresh.analyze(ids, { topK: 20 });
      await cached.predictLast(ids, { topK: 20 });
      // Earlier in the same text: its start is cached; the last two rows are read again.
      let before = cached.trunkTokensRead;
      const earlier = await cached.predictLast(ids.slice(0, 25), { topK: 20 });
      assert.equal(cached.trunkTokensRead - before, 2);
      assertSamePrediction(earlier.next, full.positions[24]!, 'earlier: next', TOLERANCE);
      close(earlier.lastToken!.logprob, full.positions[23]!.target!.logprob, TOLERANCE, 'earlier: the hovered token');
      assert.equal(earlier.lastToken!.rank, full.positions[23]!.target!.rank);

      // A text that agrees for 30 tokens and then differs.
      const branch = [...ids.slice(0, 30), ...ids.slice(3, 8)];
      const branchFull = await fresh.analyze(branch, { topK: 20 });
      before = cached.trunkTokensRead;
      const branched = await cached.predictLast(branch, { topK: 20 });
      assert.equal(cached.trunkTokensRead - before, branch.length - 30, 'the shorter text did not replace the 40 it is the start of');
      assertSamePrediction(branched.next, branchFull.positions[branch.length - 1]!, 'branch: next', TOLERANCE);
    });

    test('hovers going back and forth between two context starts keep both starts cached', async () => {
      // Two contexts that share no first token, as hovers on either side of a grid point give.
      const a = ids.slice(1, 31);
      const b = ids.slice(10, 40);
      assert.notEqual(a[0], b[0]);
      const [fullA, fullB] = [await fresh.analyze(a, { topK: 20 }), await fresh.analyze(b, { topK: 20 })];
      await cached.predictLast(a.slice(0, 20), { topK: 20 });
      await cached.predictLast(b.slice(0, 20), { topK: 20 });
      for (const [text, full, name] of [[a, fullA, 'a'], [b, fullB, 'b']] as const) {
        const before = cached.trunkTokensRead;
        const later = await cached.predictLast(text.slice(0, 26), { topK: 20 });
        assert.equal(cached.trunkTokensRead - before, 6, `${name}: only the 6 tokens after the 20 read before`);
        assertSamePrediction(later.next, full.positions[25]!, `${name}: next`, TOLERANCE);
      }
    });
  });
}
