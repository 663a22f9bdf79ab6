// Issue 13: the panel's model in the extension host's model worker. The real worker (bundled as
// scripts/build.mjs bundles it) loads the bundled model once, as the hover does; the panel's
// questions then go to that same loaded model through panelLoad / panelCall, and the answers are
// checked against transformers' reference (reference.json): log-probabilities within 2e-3,
// attention within 1e-4, one layer at a time. Bad calls come back as errors and leave the worker
// answering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bundleModelWorker } from './model-worker-bundle';
import { ModelWorkerClient } from '../../src/model-worker/client';
import type { Analysis, Distribution, WeightError } from '../../src/engine/types';

const root = path.join(__dirname, '..', '..');
const workerPath = path.join(root, 'test-results', 'host-panel-engine', 'model-worker.mjs');
const modelDir = path.join(root, 'media', 'models', 'tiny-gpt2-software');
const wasmDir = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
const reference = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'reference.json'), 'utf8')) as {
  refs: { name: string; ids: number[]; target_logprob: number[]; attn_layer0: number[][][]; attn_last: number[][][] }[];
};

const LOGPROB_TOLERANCE = 2e-3;
const ATTENTION_TOLERANCE = 1e-4;

let client: ModelWorkerClient;

before(async () => {
  await bundleModelWorker(workerPath);
  client = new ModelWorkerClient({ workerPath, modelDir: async () => modelDir, wasmDir });
});

after(() => client?.dispose());

/** Largest difference between a [H, T, T] map and the reference's [H][T][T]. */
function worstDifference(map: Float32Array, expected: number[][][]): number {
  const H = expected.length;
  const T = expected[0]!.length;
  assert.equal(map.length, H * T * T, 'one [T, T] map per head');
  let worst = 0;
  for (let h = 0; h < H; h++) for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) worst = Math.max(worst, Math.abs(map[(h * T + q) * T + k]! - expected[h]![q]![k]!));
  return worst;
}

describe("the panel's model in the host's worker (issue 13)", () => {
  test('describes the loaded model: its folder, config, threads and where the load went', { timeout: 120_000 }, async () => {
    const loaded = await client.panelLoad();
    assert.equal(loaded.modelDir, modelDir);
    assert.equal(loaded.config.nLayer, 6);
    assert.equal(loaded.backend.name, 'wasm');
    assert.ok(loaded.backend.threads! >= 1);
    assert.equal(loaded.tokenizer.name, 'r50k_base');
    assert.equal(loaded.tokenizer.chatTemplate, false);
    const { fetchMs, runtimeMs, graphsMs, sessionsMs } = loaded.timings;
    for (const [name, ms] of Object.entries({ fetchMs, runtimeMs, graphsMs, sessionsMs })) assert.ok(ms > 0, `${name} measured`);
    const parts = Object.values(loaded.timings).reduce((a, b) => a + b, 0);
    assert.ok(parts <= loaded.loadMs * 1.01 + 1, `the parts (${parts.toFixed(0)} ms) lie within the load (${loaded.loadMs.toFixed(0)} ms)`);
  });

  for (const ref of reference.refs) {
    test(`${ref.name}: scores, and attention one layer at a time, match transformers`, { timeout: 60_000 }, async () => {
      const answer = await client.panelCall('analyze', [ref.ids, { topK: 5, hidden: true }]);
      const analysis = answer.value as Analysis;
      assert.equal(analysis.attention, undefined, 'no attention unless asked');
      assert.ok(analysis.hidden instanceof Float32Array, 'the residual stream crosses as a Float32Array');
      ref.target_logprob.forEach((expected, t) => {
        const got = analysis.positions[t]!.target!.logprob;
        assert.ok(Math.abs(got - expected) <= LOGPROB_TOLERANCE, `position ${t}: ${got} vs ${expected}`);
      });
      // Every id the answer holds comes with its text.
      const texts = new Set(answer.tokens.map(([id]) => id));
      for (const id of [...analysis.ids, ...analysis.positions.flatMap((p) => p.top.map(([top]) => top))]) assert.ok(texts.has(id), `text of ${id}`);

      for (const [layer, expected] of [[0, ref.attn_layer0], [5, ref.attn_last]] as const) {
        const map = (await client.panelCall('attentionLayer', [ref.ids, layer])).value as Float32Array;
        const worst = worstDifference(map, expected);
        assert.ok(worst <= ATTENTION_TOLERANCE, `layer ${layer}: max attention difference ${worst}`);
      }
    });
  }

  test("one layer's attention equals that layer of a whole analysis", { timeout: 60_000 }, async () => {
    const ids = reference.refs[1]!.ids;
    const whole = (await client.panelCall('analyze', [ids, { topK: 1, attention: true }])).value as Analysis;
    const T = ids.length;
    const H = 6;
    for (let layer = 0; layer < 6; layer++) {
      const map = (await client.panelCall('attentionLayer', [ids, layer])).value as Float32Array;
      const slice = whole.attention!.subarray(layer * H * T * T, (layer + 1) * H * T * T);
      let worst = 0;
      map.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - slice[i]!))));
      assert.ok(worst <= 1e-6, `layer ${layer}: ${worst}`);
    }
  });

  test('a bad call is an error, and the worker keeps answering', { timeout: 60_000 }, async () => {
    await assert.rejects(client.panelCall('dispose', []), /unknown call "dispose"/);
    await assert.rejects(client.panelCall('attentionLayer', [[1, 2, 3], 6]), /layer 6 is out of range \(0\.\.5\)/);
    await assert.rejects(client.panelCall('analyze', [[1, 2, 1e9], {}]), /token id/);
    await assert.rejects(client.panelCall('chat', [[{ role: 'user', content: 'hi' }]]), /no chat template/);
    assert.equal((await client.panelCall('decode', [[15496, 995]])).value, 'Hello world');
    assert.equal(client.liveWorkers, 1);
  });

  test('8-bit weights: a call made while their error is measured is answered between its steps, not after them', { timeout: 120_000 }, async () => {
    const int8 = new ModelWorkerClient({ workerPath, modelDir: async () => modelDir, wasmDir, weights: () => 'int8' });
    try {
      assert.equal((await int8.panelLoad()).backend.weights?.precision, 'int8');
      const { ids } = reference.refs.find((r) => r.ids.length > 5)!;
      await int8.panelCall('analyze', [ids, { topK: 5 }]);
      const expected = (await int8.panelCall('distributionAt', [ids, 2, { temperature: 1, topK: 5 }])).value as Distribution;
      const finished: string[] = [];
      const measuring = int8.panelCall('weightError', [ids]).then((answer) => (finished.push('weightError'), answer.value as WeightError));
      const asked = int8.panelCall('distributionAt', [ids, 2, { temperature: 1, topK: 5 }]).then((answer) => (finished.push('distributionAt'), answer.value as Distribution));
      const [error, distribution] = await Promise.all([measuring, asked]);
      assert.deepEqual(finished, ['distributionAt', 'weightError']);
      assert.deepEqual(distribution, expected);
      assert.equal(error.positions, ids.length - 1);
      assert.ok(error.maxLogprobDiff > 0 && error.maxLogprobDiff < 0.25, String(error.maxLogprobDiff));
    } finally {
      int8.dispose();
    }
  });
});
