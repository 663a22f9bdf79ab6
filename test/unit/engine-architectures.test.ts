// GPT-2 variants the bundled model does not use: the exact erf GELU (activation_function "gelu"),
// scores also divided by the layer number (scale_attn_by_inverse_layer_idx), unscaled scores
// (scale_attn_weights false) and a separate lm_head. Each runs on a tiny random checkpoint built
// here, and the engine's forward pass (log-probabilities, attention, residual stream, the hover
// path) is compared with a float64 forward pass written here in plain TypeScript, nanoGPT-style.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { loadCheckpoint } from '../../src/engine/checkpoint';
import { seededRandom } from '../../src/engine/sampling';
import type { Analysis, LastPrediction } from '../../src/engine/types';
import { safetensors, type TensorSpec } from './synthetic-safetensors';

const V = 40;
const POSITIONS = 12;
const D = 16;
const HEADS = 2;
const LAYERS = 3;
const INNER = 48;
const EPS = 1e-5;

/**
 * The float32 engine against float64 here, on activations of order 1-10. Measured on WASM: at
 * most 8.1e-6 (log-probabilities, 5.4e-6 on the hover path), 2.3e-6 (attention) and 2.7e-5
 * (residual components). Without its feature, each variant's log-probabilities move by more
 * than FEATURE_EFFECT times their tolerance (the smallest, the GELU's, by 3.8e-3).
 */
const LOGPROB_TOLERANCE = 2e-5;
const ATTENTION_TOLERANCE = 1e-5;
const HIDDEN_TOLERANCE = 1e-4;
const FEATURE_EFFECT = 100;

// ------------------------------------------------------------ the float64 reference

interface Architecture {
  activation: 'gelu_new' | 'gelu';
  scaleAttnWeights: boolean;
  scaleAttnByInverseLayerIdx: boolean;
  separateLmHead: boolean;
}

const DEFAULTS: Architecture = { activation: 'gelu_new', scaleAttnWeights: true, scaleAttnByInverseLayerIdx: false, separateLmHead: false };

type Weights = Map<string, Float64Array>;

/**
 * JavaScript has no Math.erf. This one: the Maclaurin series below 4, the asymptotic series of
 * erfc above; within 3.2e-11 of C's erf on [0, 6] (measured), far below float32's 6e-8. (The
 * inspector's Abramowitz-Stegun 7.1.26, good to 1.5e-7, is not reused: this is the reference.)
 */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 4) {
    let term = x;
    let sum = x;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum) || n < 3; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 40; n++) {
    const next = (term * -(2 * n - 1)) / (2 * a * a);
    if (Math.abs(next) >= Math.abs(term)) break;
    term = next;
    sum += term;
  }
  const erfc = (Math.exp(-a * a) / (a * Math.sqrt(Math.PI))) * sum;
  return Math.sign(x) * (1 - erfc);
}

function gelu(x: number, kind: Architecture['activation']): number {
  if (kind === 'gelu') return 0.5 * x * (1 + erf(x / Math.SQRT2));
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

function layerNorm(x: Float64Array, gamma: Float64Array, beta: Float64Array): Float64Array {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  const inv = 1 / Math.sqrt(variance + EPS);
  return x.map((v, i) => (v - mean) * inv * gamma[i] + beta[i]);
}

/** x [in] @ W [in, out] + b: GPT-2's Conv1D layout. */
function conv1d(x: Float64Array, W: Float64Array, b: Float64Array): Float64Array {
  const out = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < b.length; j++) out[j] += x[i] * W[i * b.length + j];
  return out;
}

interface Forward {
  /** [T][V] log-probabilities of the next token. */
  logprobs: Float64Array[];
  /** [L][H][T][T] attention probabilities. */
  attention: number[][][][];
  /** [L + 1][T] residual stream rows (the last before ln_f). */
  hidden: Float64Array[][];
}

function forward(w: Weights, arch: Architecture, ids: number[]): Forward {
  const T = ids.length;
  const hs = D / HEADS;
  const wte = w.get('wte.weight')!;
  const wpe = w.get('wpe.weight')!;
  let x = ids.map((id, t) => Float64Array.from({ length: D }, (_, c) => wte[id * D + c] + wpe[t * D + c]));
  const hidden = [x];
  const attention: number[][][][] = [];
  for (let l = 0; l < LAYERS; l++) {
    const p = (name: string) => w.get(`h.${l}.${name}`)!;
    const qkv = x.map((row) => conv1d(layerNorm(row, p('ln_1.weight'), p('ln_1.bias')), p('attn.c_attn.weight'), p('attn.c_attn.bias')));
    let scale = 1;
    if (arch.scaleAttnWeights) scale /= Math.sqrt(hs);
    if (arch.scaleAttnByInverseLayerIdx) scale /= l + 1;
    const merged = x.map(() => new Float64Array(D));
    const layerAttention: number[][][] = [];
    for (let h = 0; h < HEADS; h++) {
      const q = (t: number, i: number) => qkv[t][h * hs + i];
      const k = (t: number, i: number) => qkv[t][D + h * hs + i];
      const v = (t: number, i: number) => qkv[t][2 * D + h * hs + i];
      const rows: number[][] = [];
      for (let t = 0; t < T; t++) {
        const scores = Array.from({ length: T }, (_, s) => {
          if (s > t) return -Infinity; // causal mask
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += q(t, i) * k(s, i);
          return dot * scale;
        });
        const max = Math.max(...scores);
        const exps = scores.map((z) => Math.exp(z - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        const probs = exps.map((e) => e / sum);
        rows.push(probs);
        for (let i = 0; i < hs; i++) merged[t][h * hs + i] = probs.reduce((a, pr, s) => a + pr * v(s, i), 0);
      }
      layerAttention.push(rows);
    }
    attention.push(layerAttention);
    const afterAttention = x.map((row, t) => row.map((r, c) => r + conv1d(merged[t], p('attn.c_proj.weight'), p('attn.c_proj.bias'))[c]));
    x = afterAttention.map((row) => {
      const inner = conv1d(layerNorm(row, p('ln_2.weight'), p('ln_2.bias')), p('mlp.c_fc.weight'), p('mlp.c_fc.bias')).map((u) => gelu(u, arch.activation));
      const out = conv1d(inner, p('mlp.c_proj.weight'), p('mlp.c_proj.bias'));
      return row.map((r, c) => r + out[c]);
    });
    hidden.push(x);
  }
  const unembedding = arch.separateLmHead ? w.get('lm_head.weight')! : wte;
  const logprobs = x.map((row) => {
    const final = layerNorm(row, w.get('ln_f.weight')!, w.get('ln_f.bias')!);
    const logits = Float64Array.from({ length: V }, (_, id) => final.reduce((a, f, c) => a + f * unembedding[id * D + c], 0));
    const max = Math.max(...logits);
    const logZ = max + Math.log(logits.reduce((a, z) => a + Math.exp(z - max), 0));
    return logits.map((z) => z - logZ);
  });
  return { logprobs, attention, hidden };
}

// ------------------------------------------------------------ checkpoints

/** Normal(0, 1) by Box-Muller on the seeded uniform. */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Random weights, rounded to float32 so that the file holds them exactly. The scales give
 * attention that is far from uniform and MLP pre-activations of a few units, where the erf and
 * tanh forms of GELU differ most.
 */
function randomWeights(seed: number, separateLmHead: boolean): Weights {
  const normal = gaussian(seededRandom(seed));
  const make = (count: number, mean: number, std: number) => Float64Array.from({ length: count }, () => Math.fround(mean + std * normal()));
  const w: Weights = new Map([
    ['wte.weight', make(V * D, 0, 1)],
    ['wpe.weight', make(POSITIONS * D, 0, 0.5)],
    ['ln_f.weight', make(D, 1, 0.2)],
    ['ln_f.bias', make(D, 0, 0.1)],
  ]);
  for (let l = 0; l < LAYERS; l++) {
    const set = (name: string, count: number, mean: number, std: number) => w.set(`h.${l}.${name}`, make(count, mean, std));
    set('ln_1.weight', D, 1, 0.2);
    set('ln_1.bias', D, 0, 0.1);
    set('attn.c_attn.weight', D * 3 * D, 0, 0.4);
    set('attn.c_attn.bias', 3 * D, 0, 0.1);
    set('attn.c_proj.weight', D * D, 0, 0.3);
    set('attn.c_proj.bias', D, 0, 0.1);
    set('ln_2.weight', D, 1, 0.2);
    set('ln_2.bias', D, 0, 0.1);
    set('mlp.c_fc.weight', D * INNER, 0, 0.6);
    set('mlp.c_fc.bias', INNER, 0, 0.3);
    set('mlp.c_proj.weight', INNER * D, 0, 0.8);
    set('mlp.c_proj.bias', D, 0, 0.1);
  }
  if (separateLmHead) w.set('lm_head.weight', make(V * D, 0, 1));
  return w;
}

const SHAPES: Record<string, number[]> = {
  'wte.weight': [V, D],
  'lm_head.weight': [V, D],
  'wpe.weight': [POSITIONS, D],
  'attn.c_attn.weight': [D, 3 * D],
  'attn.c_proj.weight': [D, D],
  'mlp.c_fc.weight': [D, INNER],
  'mlp.c_proj.weight': [INNER, D],
};

function checkpointFile(w: Weights): Uint8Array {
  const tensors: Record<string, TensorSpec> = {};
  for (const [name, values] of w) {
    const shape = SHAPES[name] ?? SHAPES[name.replace(/^h\.\d+\./, '')] ?? [values.length];
    tensors[name] = { dtype: 'F32', shape, values: Array.from(values) };
  }
  return safetensors(tensors);
}

function configJson(arch: Architecture): string {
  return JSON.stringify({
    model_type: 'gpt2',
    vocab_size: V,
    n_positions: POSITIONS,
    n_embd: D,
    n_layer: LAYERS,
    n_head: HEADS,
    n_inner: INNER,
    layer_norm_epsilon: EPS,
    activation_function: arch.activation,
    scale_attn_weights: arch.scaleAttnWeights,
    scale_attn_by_inverse_layer_idx: arch.scaleAttnByInverseLayerIdx,
  });
}

// ------------------------------------------------------------ comparisons

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

/** The engine's log-probabilities of every id at every position (analyze with top-k = V). */
function engineLogprobs(analysis: Analysis): Float64Array[] {
  return analysis.positions.map((p) => {
    const row = new Float64Array(V).fill(Number.NaN);
    for (const [id, lp] of p.top) row[id] = lp;
    return row;
  });
}

const flatAttention = (attention: number[][][][]) => attention.flat(3);
const flatHidden = (hidden: Float64Array[][]) => hidden.flatMap((layer) => layer.flatMap((row) => Array.from(row)));

interface Differences {
  logprob: number;
  attention: number;
  hidden: number;
}

function differences(analysis: Analysis, expected: Forward): Differences {
  const logprobs = engineLogprobs(analysis);
  return {
    logprob: Math.max(...expected.logprobs.map((row, t) => maxDifference(logprobs[t], row))),
    attention: maxDifference(analysis.attention!, flatAttention(expected.attention)),
    hidden: maxDifference(analysis.hidden!, flatHidden(expected.hidden)),
  };
}

// ------------------------------------------------------------ the tests

test('the reference erf matches C\'s erf (Python\'s math.erf) to 1e-10', () => {
  const table: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [2.5, 0.999593047982555],
    [3, 0.9999779095030014],
    [3.9, 0.9999999652077514],
    [4, 0.9999999845827421],
    [5, 0.9999999999984626],
  ];
  for (const [x, value] of table) {
    assert.ok(Math.abs(erf(x) - value) < 1e-10, `erf(${x}) = ${erf(x)}, not ${value}`);
    assert.ok(Math.abs(erf(-x) + value) < 1e-10, `erf(${-x})`);
  }
});

const VARIANTS: { name: string; arch: Architecture; without: Partial<Architecture>; seed: number }[] = [
  { name: 'the exact GELU (activation_function "gelu")', arch: { ...DEFAULTS, activation: 'gelu' }, without: { activation: 'gelu_new' }, seed: 11 },
  {
    name: 'scores divided by the layer number (scale_attn_by_inverse_layer_idx)',
    arch: { ...DEFAULTS, scaleAttnByInverseLayerIdx: true },
    without: { scaleAttnByInverseLayerIdx: false },
    seed: 12,
  },
  { name: 'unscaled scores (scale_attn_weights false)', arch: { ...DEFAULTS, scaleAttnWeights: false }, without: { scaleAttnWeights: true }, seed: 13 },
  { name: 'a separate lm_head', arch: { ...DEFAULTS, separateLmHead: true }, without: { separateLmHead: false }, seed: 14 },
];

for (const variant of VARIANTS) {
  describe(`tiny random GPT-2 with ${variant.name}`, () => {
    const weights = randomWeights(variant.seed, variant.arch.separateLmHead);
    const ids = Array.from({ length: POSITIONS }, (_, t) => (t * 17 + variant.seed * 5) % V);
    const expected = forward(weights, variant.arch, ids);
    let engine: LensEngine;
    let analysis: Analysis;
    let last: LastPrediction;

    before(async () => {
      const checkpoint = loadCheckpoint({ name: 'tiny-random', configJson: configJson(variant.arch), weights: checkpointFile(weights) });
      assert.equal(checkpoint.tiedUnembedding, !variant.arch.separateLmHead);
      engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm', tokenText: (id) => `<${id}>` });
      // The hover path first: after analyze, the engine would answer it from the cached full run.
      last = await engine.predictLast(ids, { topK: V });
      analysis = await engine.analyze(ids, { topK: V, attention: true, hidden: true });
    });
    after(() => engine?.dispose());

    test('log-probabilities, attention and the residual stream equal the float64 forward pass', () => {
      const found = differences(analysis, expected);
      assert.ok(found.logprob <= LOGPROB_TOLERANCE, `log-probabilities differ by up to ${found.logprob}`);
      assert.ok(found.attention <= ATTENTION_TOLERANCE, `attention differs by up to ${found.attention}`);
      assert.ok(found.hidden <= HIDDEN_TOLERANCE, `the residual stream differs by up to ${found.hidden}`);
    });

    test('the feature matters: the forward pass without it is far from the engine', () => {
      const found = differences(analysis, forward(weights, { ...variant.arch, ...variant.without }, ids));
      // Every feature shows in the log-probabilities (a separate lm_head only there).
      assert.ok(found.logprob > FEATURE_EFFECT * LOGPROB_TOLERANCE, `log-probabilities without the feature differ by only ${found.logprob}`);
    });

    test('the hover path (the last-rows trunk) gives the same numbers', () => {
      const T = ids.length;
      const next = new Map(last.next.top);
      expected.logprobs[T - 1].forEach((lp, id) => assert.ok(Math.abs(next.get(id)! - lp) <= LOGPROB_TOLERANCE, `next ${id}: ${next.get(id)} vs ${lp}`));
      const target = expected.logprobs[T - 2][ids[T - 1]];
      assert.ok(Math.abs(last.lastToken!.logprob - target) <= LOGPROB_TOLERANCE, `last token: ${last.lastToken!.logprob} vs ${target}`);
      assert.equal(last.lastToken!.rank, 1 + Array.from(expected.logprobs[T - 2]).filter((lp) => lp > target).length);
    });
  });
}
