// The walk-through's recomputation (PipelineInspector) on the rotary families: for each tiny
// Qwen3 / Qwen2 / Llama fixture its numbers equal the engine's (every residual row, every
// attention row, the final distribution) and the float64 references'; the rotation it shows is a
// rotation by position × inv_freq, with inv_freq computed here from config.json (theta and the
// llama3 formula written out, not taken from rope.ts); grouped key/value heads, a sliding window,
// the SiLU gate's counts and the tied or separate unembedding are what the config and weights say.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { loadCheckpoint, type Checkpoint } from '../../src/engine/checkpoint';
import { LensEngine } from '../../src/engine/engine';
import { CLOSED_GATE, PipelineInspector, type ResidualStream } from '../../src/engine/inspect';
import type { Analysis } from '../../src/engine/types';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { buildPipeline } from '../../src/engine/pipeline-model';
import { expectedInverseFrequency, FIXTURES, fixtureDir, readFixtureFiles, readReference } from './llama-family-fixtures';
import { decodeSafetensors } from './safetensors-writer';

/** Hugging Face's float64 logits vs float32 ones: as engine-reference.test.ts compares them. */
const LOGIT_TOLERANCE = 2e-4;

/** |a − b| / |b| over the whole vector. */
function relativeDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let size = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    size += b[i] ** 2;
  }
  return Math.sqrt(diff / size);
}

const rmsNorm = (x: Float32Array, weight: Float32Array, eps: number) => {
  const rms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + eps);
  return Array.from(x, (v, i) => (v / rms) * weight[i]);
};

interface Loaded {
  checkpoint: Checkpoint;
  engine: LensEngine;
  inspector: PipelineInspector;
}

async function open(checkpoint: Checkpoint): Promise<Loaded> {
  return { checkpoint, engine: await LensEngine.create(checkpoint, { ort, backend: 'wasm' }), inspector: new PipelineInspector(checkpoint) };
}

for (const name of FIXTURES) {
  const reference = readReference(name);
  const prompt = reference.refs.find((r) => r.name === 'python')!;
  const ids = prompt.ids;
  const T = ids.length;
  const config = readFixtureFiles(name).config;

  describe(`PipelineInspector on ${name} against the engine and the float64 reference`, () => {
    let loaded: Loaded;
    let analysis: Analysis;
    let stream: ResidualStream;

    before(async () => {
      loaded = await open(await loadCheckpointFromDir(fixtureDir(name)));
      analysis = await loaded.engine.analyze(ids, { attention: true, hidden: true });
      stream = { hidden: analysis.hidden!, tokens: T };
    });
    after(() => loaded?.engine.dispose());

    test('the embedding step is the token row alone: no position row, and it is the residual before layer 1', () => {
      const { inspector } = loaded;
      for (const position of [0, 5, T - 1]) {
        const step = inspector.embedding(ids[position], position);
        assert.equal(step.position, null, 'a rotary model adds no position vector');
        assert.deepEqual(step.sum, step.token);
        assert.deepEqual(step.sum, inspector.residual(stream, 0, position), `position ${position}`);
      }
    });

    test('every block maps the engine’s residual row at layer l to its row at layer l + 1 within 1e-4 (relative), at every position', () => {
      const { inspector } = loaded;
      let worst = 0;
      for (let layer = 0; layer < inspector.config.nLayer; layer++) {
        for (let position = 0; position < T; position++) {
          const step = inspector.block(stream, layer, position);
          worst = Math.max(worst, relativeDistance(step.afterBlock, inspector.residual(stream, layer + 1, position)));
        }
      }
      assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
    });

    test('every head of every layer at every position: the attention row equals the engine’s within 1e-4, and the float64 reference’s', () => {
      const { inspector } = loaded;
      const { nLayer: L, nHead: H } = inspector.config;
      let worst = 0;
      let worstReference = 0;
      for (let layer = 0; layer < L; layer++) {
        for (let head = 0; head < H; head++) {
          for (let position = 0; position < T; position++) {
            const step = inspector.attentionHead(stream, layer, head, position);
            assert.equal(step.weights.length, position + 1, 'the causal mask leaves tokens 0..position');
            assert.equal(step.scale, Math.sqrt(config.head_dim as number));
            const base = ((layer * H + head) * T + position) * T;
            step.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - analysis.attention![base + k]))));
            const ref = layer === 0 ? prompt.attn_layer0 : layer === L - 1 ? prompt.attn_last : undefined;
            ref?.[head][position].slice(0, position + 1).forEach((w, k) => (worstReference = Math.max(worstReference, Math.abs(w - step.weights[k]))));
          }
        }
      }
      assert.ok(worst < 1e-4, `largest difference from the engine ${worst}`);
      assert.ok(worstReference < 1e-4, `largest difference from the float64 reference ${worstReference}`);
    });

    test('the final norm and unembedding give the engine’s distribution (log-probabilities within 2e-3) and the reference’s raw logits', async () => {
      const { inspector, engine } = loaded;
      const V = inspector.config.vocabSize;
      for (const position of [3, T - 1]) {
        const logits = inspector.logits(inspector.residual(stream, inspector.config.nLayer, position));
        let max = -Infinity;
        for (const z of logits) max = Math.max(max, z);
        let sum = 0;
        for (const z of logits) sum += Math.exp(z - max);
        const logZ = max + Math.log(sum);
        const { top } = await engine.distributionAt(ids, position, { temperature: 1, topK: V });
        assert.equal(top.length, V);
        const worst = top.reduce((w, [id, lp]) => Math.max(w, Math.abs(logits[id] - logZ - lp)), 0);
        assert.ok(worst < 2e-3, `position ${position}: largest log-probability difference ${worst}`);
        if (position === T - 1) {
          prompt.last_logits_first16.forEach((z, id) => assert.ok(Math.abs(logits[id] - z) <= LOGIT_TOLERANCE, `logit of ${id}: ${logits[id]} vs ${z}`));
        }
      }
    });

    test('the unembedding is tied exactly when config.json ties it and the weights hold no lm_head', () => {
      const names = decodeSafetensors(readFixtureFiles(name).weights).map((t) => t.name);
      const tied = config.tie_word_embeddings === true && !names.includes('lm_head.weight');
      assert.equal(loaded.inspector.tiedUnembedding, tied);
      assert.equal(tied, name !== 'tiny-random-llama', 'the fixtures cover both: Qwen ties, the Llama has its own lm_head');
    });

    test('the rotation: the angle of every pair is position × inv_freq from config.json, and turning back by −θ gives the unrotated query', () => {
      const { inspector } = loaded;
      const headDim = config.head_dim as number;
      const half = headDim / 2;
      for (let layer = 0; layer < inspector.config.nLayer; layer++) {
        for (let head = 0; head < inspector.config.nHead; head++) {
          for (const position of [0, 1, 7, T - 1]) {
            const step = inspector.attentionHead(stream, layer, head, position);
            const rotation = step.rotation!;
            assert.equal(rotation.angles.length, half);
            for (let i = 0; i < half; i++) {
              const frequency = expectedInverseFrequency(config, headDim, i);
              assert.ok(Math.abs(rotation.inverseFrequencies[i] - frequency) <= 1e-12 * frequency, `inv_freq[${i}]: ${rotation.inverseFrequencies[i]} vs ${frequency}`);
              assert.ok(Math.abs(rotation.angles[i] - position * frequency) <= 1e-12 * Math.max(1, position * frequency), `angle of pair ${i} at ${position}`);
              const [x, y] = [step.query[i], step.query[i + half]];
              const angle = -rotation.angles[i];
              const back = [x * Math.cos(angle) - y * Math.sin(angle), y * Math.cos(angle) + x * Math.sin(angle)];
              const before = [rotation.unrotatedQuery[i], rotation.unrotatedQuery[i + half]];
              const size = Math.max(1, Math.hypot(before[0], before[1]));
              assert.ok(Math.abs(back[0] - before[0]) < 1e-5 * size && Math.abs(back[1] - before[1]) < 1e-5 * size, `layer ${layer} head ${head} pair ${i} at ${position}: ${back} vs ${before}`);
            }
            if (position === 0) assert.deepEqual(step.query, rotation.unrotatedQuery, 'position 0 does not turn');
            else assert.notDeepEqual(step.query, rotation.unrotatedQuery);
          }
        }
      }
    });

    test('each query head reads key/value head ⌊h / (heads / kv heads)⌋; heads that share one see the same k and v', () => {
      const { inspector } = loaded;
      const heads = config.num_attention_heads as number;
      const kvHeads = config.num_key_value_heads as number;
      const position = T - 1;
      const steps = Array.from({ length: heads }, (_, h) => inspector.attentionHead(stream, 1, h, position));
      steps.forEach((step, h) => assert.equal(step.kvHead, Math.floor(h / (heads / kvHeads)), `head ${h}`));
      for (let a = 0; a < heads; a++) {
        for (let b = a + 1; b < heads; b++) {
          const same = steps[a].kvHead === steps[b].kvHead;
          assert.equal(steps[a].key.every((v, i) => v === steps[b].key[i]) && steps[a].value.every((v, i) => v === steps[b].value[i]), same, `heads ${a} and ${b}`);
        }
      }
    });

    test('the gate’s counts and lengths are those of silu(gate(x)) and up(x), recomputed here from the block’s tensors', () => {
      const { inspector, checkpoint } = loaded;
      const d = inspector.config.nEmbd;
      const inner = inspector.config.nInner;
      for (let layer = 0; layer < inspector.config.nLayer; layer++) {
        const step = inspector.block(stream, layer, T - 1);
        const x = rmsNorm(step.afterAttention, checkpoint.tensor(`model.layers.${layer}.post_attention_layernorm.weight`), config.rms_norm_eps as number);
        const row = (matrix: Float32Array, r: number) => x.reduce((s, v, c) => s + v * matrix[r * d + c], 0);
        const gateMatrix = checkpoint.tensor(`model.layers.${layer}.mlp.gate_proj.weight`);
        const upMatrix = checkpoint.tensor(`model.layers.${layer}.mlp.up_proj.weight`);
        const gate = Array.from({ length: inner }, (_, r) => row(gateMatrix, r)).map((z) => z / (1 + Math.exp(-z)));
        const up = Array.from({ length: inner }, (_, r) => row(upMatrix, r));
        const largest = Math.max(...gate.map(Math.abs));
        const g = step.gate!;
        assert.equal(g.negative, gate.filter((v) => v < 0).length);
        assert.equal(g.closed, gate.filter((v) => Math.abs(v) < CLOSED_GATE * largest).length);
        assert.ok(Math.abs(g.upNorm - Math.hypot(...up)) < 1e-4 * g.upNorm);
        assert.ok(Math.abs(g.gatedNorm - Math.hypot(...gate.map((v, i) => v * up[i]))) < 1e-4 * g.gatedNorm);
        assert.equal(step.mlpPositiveUnits, gate.filter((v, i) => v * up[i] > 0).length);
      }
    });

    test('buildPipeline shows pair 0 and the slowest pair of the picked query, the architecture as config.json says', async () => {
      const { inspector, engine } = loaded;
      const position = T - 1;
      const request = { ids, position, layer: 1, head: 3, temperature: 1, seed: 1 };
      const model = await buildPipeline(request, {
        inspector,
        stream,
        neighbours: (id) => engine.neighboursOfToken(id, 5),
        tokenText: (id) => `<${id}>`,
        tokenBytes: () => '',
      });
      const headDim = config.head_dim as number;
      const rotation = model.attention.rotation!;
      assert.equal(rotation.half, headDim / 2);
      assert.equal(rotation.angle, position * expectedInverseFrequency(config, headDim, 0));
      assert.ok(Math.abs(rotation.slowest.angle - position * expectedInverseFrequency(config, headDim, headDim / 2 - 1)) < 1e-15);
      const step = inspector.attentionHead(stream, 1, 3, position);
      assert.deepEqual(rotation.after, [step.query[0], step.query[headDim / 2]]);
      assert.deepEqual(rotation.before, [step.rotation!.unrotatedQuery[0], step.rotation!.unrotatedQuery[headDim / 2]]);
      assert.equal(model.embedding.position, null);
      assert.deepEqual(model.architecture, {
        positions: 'rope',
        norm: 'rms',
        heads: config.num_attention_heads,
        kvHeads: config.num_key_value_heads,
        qkvBias: name === 'tiny-random-qwen2',
        qkNorm: name === 'tiny-random-qwen3',
        ropeScaling: name === 'tiny-random-llama' ? { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 8192 } : null,
        bosTokenId: config.bos_token_id,
        unembedding: name === 'tiny-random-llama' ? 'separate' : 'tied',
      });
      assert.ok(model.block.gate && model.block.gate.negative > 0 && model.block.gate.closed > 0);
    });
  });
}

describe('PipelineInspector on config variants of the Qwen2 fixture', () => {
  const files = readFixtureFiles('tiny-random-qwen2');
  const ids = readReference('tiny-random-qwen2').refs.find((r) => r.name === 'python')!.ids;
  const T = ids.length;
  const variant = (overrides: Record<string, unknown>) =>
    loadCheckpoint({ name: 'variant', configJson: JSON.stringify({ ...files.config, ...overrides }), weights: files.weights });

  async function compareAttention(loaded: Loaded, check: (layer: number, position: number, step: ReturnType<PipelineInspector['attentionHead']>) => void) {
    const analysis = await loaded.engine.analyze(ids, { attention: true, hidden: true });
    const stream = { hidden: analysis.hidden!, tokens: T };
    const { nLayer: L, nHead: H } = loaded.inspector.config;
    let worst = 0;
    for (let layer = 0; layer < L; layer++) {
      for (let head = 0; head < H; head++) {
        for (let position = 0; position < T; position++) {
          const step = loaded.inspector.attentionHead(stream, layer, head, position);
          check(layer, position, step);
          const base = ((layer * H + head) * T + position) * T;
          step.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - analysis.attention![base + k]))));
        }
      }
    }
    assert.ok(worst < 1e-4, `largest attention difference ${worst}`);
  }

  test('a sliding window of 4 in layer 1: the keys before position − 3 get no score and weight 0, as in the engine', async () => {
    const loaded = await open(variant({ use_sliding_window: true, sliding_window: 4, max_window_layers: 1 }));
    try {
      let hidden = 0;
      await compareAttention(loaded, (layer, position, step) => {
        const first = layer === 1 ? Math.max(0, position - 3) : 0;
        assert.equal(step.window, layer === 1 ? 4 : null);
        assert.equal(step.firstVisible, first);
        step.scores.forEach((s, k) => assert.equal(Number.isFinite(s), k >= first, `layer ${layer} position ${position} key ${k}`));
        step.weights.slice(0, first).forEach((w) => assert.equal(w, 0));
        hidden += first;
      });
      assert.ok(hidden > 0, 'the prompt is longer than the window');
    } finally {
      await loaded.engine.dispose();
    }
  });

  test('linear rope scaling by 4: every angle is position × inv_freq / 4', async () => {
    const scaling = { rope_type: 'linear', factor: 4 };
    const loaded = await open(variant({ rope_scaling: scaling }));
    try {
      const headDim = files.config.head_dim as number;
      await compareAttention(loaded, (_layer, position, step) => {
        step.rotation!.angles.forEach((angle, i) => {
          const expected = (position * (1 / (files.config.rope_theta as number) ** ((2 * i) / headDim))) / 4;
          assert.ok(Math.abs(angle - expected) <= 1e-12 * Math.max(1, expected), `pair ${i} at ${position}: ${angle} vs ${expected}`);
        });
      });
    } finally {
      await loaded.engine.dispose();
    }
  });
});
