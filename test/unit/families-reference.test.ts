// The engine on WASM reproduces the float64 references of the three tiny random checkpoints of
// today's open architectures (Qwen3 bf16, Qwen2 f32, Llama f16; see
// test/fixtures/models/README-llama-family.md), every prompt, every position.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import type { Checkpoint } from '../../src/engine/checkpoint';
import type { Analysis } from '../../src/engine/types';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { FIXTURES, fixtureDir, readReference } from './llama-family-fixtures';
import { checkAttention, checkHiddenNorms, checkNeighbours, checkPredictions, hiddenNorms, LOGPROB_TOLERANCE, NEAR_TIE } from './llama-family-checks';

/** What each fixture exercises (README-llama-family.md), as the engine must have understood it. */
const EXPECTED_ARCHITECTURE = {
  'tiny-random-qwen3': { family: 'qwen3', headDim: 32, kvHeadOf: [0, 0, 1, 1], qkNorm: true, qkvBias: false, tied: true, scaling: null },
  'tiny-random-qwen2': { family: 'qwen2', headDim: 16, kvHeadOf: [0, 0, 1, 1], qkNorm: false, qkvBias: true, tied: true, scaling: null },
  'tiny-random-llama': { family: 'llama', headDim: 16, kvHeadOf: [0, 0, 0, 0], qkNorm: false, qkvBias: false, tied: false, scaling: 'llama3' },
} as const;

/** Float64 RMSNorm and unembedding of one residual row, written here from the README's description (not the engine's graph). */
function logitsFromResidual(row: Float32Array, normWeight: Float32Array, eps: number, unembedding: Float32Array, ids: number[]): number[] {
  const d = row.length;
  const meanSquare = row.reduce((a, v) => a + v * v, 0) / d;
  const normed = Array.from(row, (v, i) => (v / Math.sqrt(meanSquare + eps)) * normWeight[i]);
  return ids.map((id) => normed.reduce((a, v, i) => a + v * unembedding[id * d + i], 0));
}

const centred = (values: number[]) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.map((v) => v - mean);
};

for (const name of FIXTURES) {
  const reference = readReference(name);

  describe(`${name} vs its float64 reference (WASM)`, () => {
    let checkpoint: Checkpoint;
    let engine: LensEngine;
    const analyses = new Map<string, Analysis>();
    /** Largest differences seen, reported with the results. */
    const worst = { logprob: 0, target: 0, entropy: 0, attention: 0, normRelative: 0, logit: 0, logitCentred: 0, cosine: 0, rankShift: 0 };
    const track = (key: keyof typeof worst, value: number) => (worst[key] = Math.max(worst[key], value));

    before(async () => {
      checkpoint = await loadCheckpointFromDir(fixtureDir(name));
      engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
      for (const ref of reference.refs) analyses.set(ref.name, await engine.analyze(ref.ids, { topK: 6, attention: true, hidden: true }));
    });
    after(async () => {
      console.log(`${name} max differences: ${JSON.stringify(worst)}`);
      await engine?.dispose();
    });

    test('the architecture is read as the checkpoint is built', () => {
      const a = checkpoint.config.architecture;
      const expected = EXPECTED_ARCHITECTURE[name];
      assert.equal(a.family, expected.family);
      assert.equal(a.headDim, expected.headDim);
      assert.deepEqual(a.kvHeadOf, expected.kvHeadOf);
      assert.equal(a.attention.qkNorm, expected.qkNorm);
      assert.equal(a.attention.qkvBias, expected.qkvBias);
      assert.equal(checkpoint.tiedUnembedding, expected.tied);
      assert.equal(a.positions.kind === 'rope' ? (a.positions.scaling?.type ?? null) : 'learned', expected.scaling);
      assert.equal(a.norm, 'rms');
      assert.deepEqual(a.mlp, { kind: 'gated', activation: 'silu', bias: false });
    });

    for (const ref of reference.refs) {
      const T = ref.ids.length;
      describe(`prompt "${ref.name}" (${T} tokens)`, () => {
        test('top-5 ids are identical except across near-ties; top-6 log-probabilities, targets and entropies agree', () => {
          const a = analyses.get(ref.name)!;
          assert.deepEqual(a.ids, ref.ids);
          checkPredictions(ref, a.positions, ref.name, track);
        });

        test('ranks agree except across near-ties', async () => {
          const a = analyses.get(ref.name)!;
          for (const [t, p] of a.positions.entries()) {
            if (t === T - 1) continue;
            const shift = Math.abs(p.target!.rank - ref.target_rank[t]);
            if (shift === 0) continue;
            // Ranks deep in a 150k vocabulary sit among many near-equal tokens: the rank may move only
            // across tokens whose log-probability is within the tie tolerance of the target's.
            const full = await engine.distributionAt(ref.ids, t, { temperature: 1, topK: checkpoint.config.vocabSize });
            const ties = full.top.filter(([id, lp]) => id !== p.target!.id && Math.abs(lp - p.target!.logprob) < NEAR_TIE).length;
            track('rankShift', shift);
            assert.ok(shift <= ties, `rank at ${t}: ${p.target!.rank} vs ${ref.target_rank[t]}, with ${ties} tokens within ${NEAR_TIE}`);
          }
        });

        test('attention of the first and last layer agrees for every query head', () => {
          const a = analyses.get(ref.name)!;
          const { nLayer: L, nHead: H } = checkpoint.config;
          assert.equal(a.attention!.length, L * H * T * T);
          checkAttention(ref, L, H, (layer, h, q, k) => a.attention![((layer * H + h) * T + q) * T + k]!, ref.name, track);
        });

        test('residual-stream norms agree at every layer and position', () => {
          const a = analyses.get(ref.name)!;
          const { nLayer: L, nEmbd: d } = checkpoint.config;
          assert.equal(a.hidden!.length, (L + 1) * T * d);
          checkHiddenNorms(ref, hiddenNorms(a.hidden!, T, d), ref.name, track);
        });

        test('raw logits of the last position (ids 0..15) agree, through the head and recomputed from the residual', async () => {
          const ids = Array.from({ length: 16 }, (_, i) => i);
          const expected = ref.last_logits_first16;
          // Through the engine's head: log-probabilities are logits minus log Z, so their centred
          // values are the centred logits.
          const full = await engine.distributionAt(ref.ids, T - 1, { temperature: 1, topK: checkpoint.config.vocabSize });
          const byId = new Map(full.top);
          centred(ids.map((id) => byId.get(id)!)).forEach((v, i) => {
            const diff = Math.abs(v - centred(expected)[i]);
            track('logitCentred', diff);
            assert.ok(diff <= LOGPROB_TOLERANCE, `centred logit ${i}: ${v} vs ${centred(expected)[i]}`);
          });
          // Absolute values: the engine's last residual row through a float64 RMSNorm and unembedding written above.
          const { nLayer: L, nEmbd: d } = checkpoint.config;
          const hidden = analyses.get(ref.name)!.hidden!;
          const row = hidden.subarray((L * T + T - 1) * d, (L * T + T) * d);
          const unembedding = checkpoint.tensor(reference.config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
          const logits = logitsFromResidual(row, checkpoint.tensor('model.norm.weight'), reference.config.rms_norm_eps as number, unembedding, ids);
          logits.forEach((v, i) => {
            track('logit', Math.abs(v - expected[i]));
            assert.ok(Math.abs(v - expected[i]) <= LOGPROB_TOLERANCE, `logit ${i}: ${v} vs ${expected[i]}`);
          });
        });
      });
    }

    test('embedding neighbours: identical ids (the token first) and cosines', async () => {
      for (const [id, expected] of Object.entries(reference.neighbours)) {
        checkNeighbours(expected, await engine.neighboursOfToken(Number(id), expected.length - 1), `neighbours of ${id}`, track);
      }
    });
  });
}

