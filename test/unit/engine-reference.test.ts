// The engine, running the bundled model on WASM, reproduces Hugging Face transformers'
// outputs for the prompts in test/fixtures/reference.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { PipelineInspector } from '../../src/engine/inspect';
import type { Checkpoint } from '../../src/engine/checkpoint';
import type { Analysis } from '../../src/engine/types';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';

interface Reference {
  name: string;
  ids: number[];
  top5: [number, number][][];
  target_logprob: number[];
  last_logits_first16: number[];
  last_logits_stats: { mean: number; std: number; argmax: number };
  attn_layer0: number[][][];
  attn_last: number[][][];
  hidden_norms: number[][];
  hidden_first8: number[][][];
}
const fixture: { refs: Reference[]; neighbours: Record<string, [number, string, number][]> } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'reference.json'), 'utf8'),
);

const LOGPROB_TOLERANCE = 2e-3;
const ATTENTION_TOLERANCE = 1e-4;
const NORM_RELATIVE_TOLERANCE = 1e-3;
const COSINE_TOLERANCE = 1e-3;
/**
 * Hidden-state components: the fixture's rounding to 5 decimals, plus float32 rounding that
 * grows with the vector's size (4e-6 of its norm, about 32 float32 epsilons). Measured on WASM:
 * at most 1.8e-5 in the residual stream (norms up to 115) and 1.14e-4 after ln_f (norm 55), half
 * of this bound or less everywhere; an error of 1e-3 in any component fails.
 */
const HIDDEN_ROUNDING = 5e-6;
const HIDDEN_NORM_RELATIVE = 4e-6;
/**
 * Logits of magnitude up to about 12 in float32, against 5-decimal reference values: measured at
 * most 5.4e-5 for the engine's log-probability differences and 4.9e-5 for the walk-through's logits.
 */
const LOGIT_TOLERANCE = 2e-4;

/** ln_f in float64, to compare with Hugging Face's last hidden state (which is after ln_f). */
function finalLayerNorm(x: Float32Array, checkpoint: Checkpoint): Float64Array {
  const gamma = checkpoint.tensor('ln_f.weight');
  const beta = checkpoint.tensor('ln_f.bias');
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  const inv = 1 / Math.sqrt(variance + checkpoint.config.layerNormEpsilon);
  return Float64Array.from(x, (v, i) => (v - mean) * inv * gamma[i] + beta[i]);
}

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, b) => a + b * b, 0));

describe('engine vs Hugging Face reference (bundled model, WASM)', () => {
  let checkpoint: Checkpoint;
  let engine: LensEngine;
  const analyses = new Map<string, Analysis>();

  before(async () => {
    checkpoint = await loadCheckpointFromDir(defaultModelDir());
    engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
    for (const ref of fixture.refs) analyses.set(ref.name, await engine.analyze(ref.ids, { topK: 5, attention: true, hidden: true }));
  });
  after(() => engine?.dispose());

  test('the backend is single-threaded WASM', () => {
    assert.equal(engine.backend.name, 'wasm');
    assert.equal(engine.backend.threads, 1);
  });

  for (const ref of fixture.refs) {
    describe(`prompt "${ref.name}" (${ref.ids.length} tokens)`, () => {
      test('top-5 ids are identical and log-probabilities agree', () => {
        const a = analyses.get(ref.name)!;
        assert.deepEqual(a.ids, ref.ids);
        assert.equal(a.positions.length, ref.ids.length);
        a.positions.forEach((p, t) => {
          assert.deepEqual(p.top.map(([id]) => id), ref.top5[t].map(([id]) => id), `top-5 ids at position ${t}`);
          p.top.forEach(([, lp], j) => {
            assert.ok(Math.abs(lp - ref.top5[t][j][1]) <= LOGPROB_TOLERANCE, `logprob at ${t}/${j}: ${lp} vs ${ref.top5[t][j][1]}`);
          });
        });
      });

      test('target log-probabilities agree; ranks match the top-5 where the target is in it', () => {
        const a = analyses.get(ref.name)!;
        a.positions.forEach((p, t) => {
          if (t === ref.ids.length - 1) {
            assert.equal(p.target, null);
            return;
          }
          assert.equal(p.target!.id, ref.ids[t + 1]);
          assert.ok(Math.abs(p.target!.logprob - ref.target_logprob[t]) <= LOGPROB_TOLERANCE, `target at ${t}`);
          const inTop = ref.top5[t].findIndex(([id]) => id === ref.ids[t + 1]);
          if (inTop >= 0) assert.equal(p.target!.rank, inTop + 1, `rank at ${t}`);
          else assert.ok(p.target!.rank > 5, `rank at ${t} is ${p.target!.rank} but the target is not in the top 5`);
          assert.ok(p.entropy >= 0 && Number.isFinite(p.entropy), `entropy at ${t}`);
        });
      });

      test('the last position argmax matches the reference logits', () => {
        const a = analyses.get(ref.name)!;
        assert.equal(a.positions.at(-1)!.top[0][0], ref.last_logits_stats.argmax);
      });

      test('last-position logits of ids 0..15 agree: the engine\'s log-probabilities and the walk-through\'s logits', async () => {
        const T = ref.ids.length;
        const expected = ref.last_logits_first16;
        // The head graph returns log-probabilities, z - log Z: their differences are the logits'.
        const all = await engine.distributionAt(ref.ids, T - 1, { temperature: 1, topK: checkpoint.config.vocabSize });
        const logprob = new Map(all.top);
        let worst = 0;
        expected.forEach((z, id) => {
          worst = Math.max(worst, Math.abs(logprob.get(id)! - logprob.get(0)! - (z - expected[0])));
        });
        assert.ok(worst <= LOGIT_TOLERANCE, `log-probability differences vs logit differences: largest error ${worst}`);
        // The raw logits the walk-through shows: ln_f and the unembedding on the engine's last residual.
        const { nLayer: L, nEmbd: d } = checkpoint.config;
        const hidden = analyses.get(ref.name)!.hidden!;
        const logits = new PipelineInspector(checkpoint).logits(hidden.slice((L * T + T - 1) * d, (L * T + T) * d));
        expected.forEach((z, id) => assert.ok(Math.abs(logits[id] - z) <= LOGIT_TOLERANCE, `logit of ${id}: ${logits[id]} vs ${z}`));
        const mean = logits.reduce((a, z) => a + z, 0) / logits.length;
        const std = Math.sqrt(logits.reduce((a, z) => a + (z - mean) ** 2, 0) / logits.length);
        assert.ok(Math.abs(mean - ref.last_logits_stats.mean) <= LOGIT_TOLERANCE, `mean logit ${mean} vs ${ref.last_logits_stats.mean}`);
        assert.ok(Math.abs(std - ref.last_logits_stats.std) <= LOGIT_TOLERANCE, `logit std ${std} vs ${ref.last_logits_stats.std}`);
      });

      test('attention of the first and last layer agrees for every head, query and key', () => {
        const a = analyses.get(ref.name)!;
        const { nLayer: L, nHead: H } = checkpoint.config;
        const T = ref.ids.length;
        assert.equal(a.attention!.length, L * H * T * T);
        let worst = 0;
        for (const [layer, expected] of [[0, ref.attn_layer0], [L - 1, ref.attn_last]] as const) {
          for (let h = 0; h < H; h++) {
            for (let q = 0; q < T; q++) {
              for (let k = 0; k < T; k++) {
                worst = Math.max(worst, Math.abs(a.attention![((layer * H + h) * T + q) * T + k] - expected[h][q][k]));
              }
            }
          }
        }
        assert.ok(worst <= ATTENTION_TOLERANCE, `max attention difference ${worst}`);
      });

      test('hidden-state norms and first components agree (the last layer after ln_f)', () => {
        const a = analyses.get(ref.name)!;
        const { nLayer: L, nEmbd: d } = checkpoint.config;
        const T = ref.ids.length;
        assert.equal(a.hidden!.length, (L + 1) * T * d);
        for (let layer = 0; layer <= L; layer++) {
          for (let t = 0; t < T; t++) {
            const raw = a.hidden!.subarray((layer * T + t) * d, (layer * T + t + 1) * d);
            const vector = layer === L ? finalLayerNorm(raw, checkpoint) : raw;
            const expected = ref.hidden_norms[layer][t];
            assert.ok(Math.abs(norm(vector) - expected) <= NORM_RELATIVE_TOLERANCE * expected, `norm at layer ${layer}, position ${t}: ${norm(vector)} vs ${expected}`);
            const tolerance = HIDDEN_ROUNDING + HIDDEN_NORM_RELATIVE * expected;
            ref.hidden_first8[layer][t].forEach((v, i) => {
              assert.ok(Math.abs(vector[i] - v) <= tolerance, `component ${i} at layer ${layer}, position ${t}: ${vector[i]} vs ${v}`);
            });
          }
        }
      });
    });
  }

  test('embedding neighbours: identical ids (the token first) and cosines', async () => {
    for (const [text, expected] of Object.entries(fixture.neighbours)) {
      const id = expected[0][0];
      const found = await engine.neighboursOfToken(id, expected.length - 1);
      assert.deepEqual(found.map(([n]) => n), expected.map(([n]) => n), `neighbours of ${JSON.stringify(text)}`);
      assert.equal(found[0][1], text);
      found.forEach(([, , cos], i) => assert.ok(Math.abs(cos - expected[i][2]) <= COSINE_TOLERANCE, `cosine ${i} of ${JSON.stringify(text)}`));
    }
  });
});
