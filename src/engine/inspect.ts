// PipelineInspector: recomputes, in plain TypeScript, the intermediate numbers of one token's
// trip through the model (embedding, one attention head, the MLP, the unembedding) from the
// checkpoint's weights and the engine's residual stream. The engine's ONNX graphs do not expose
// q, k, v or the MLP's activations; these are small (one row, one block) so redoing them here
// is cheap and lets the walk-through show numbers that are provably the model's own.
import type { Checkpoint } from './checkpoint';
import { blockTensorNames } from './families/gpt2';
import type { ModelConfig } from './types';

/** The residual stream as analyze({hidden: true}) returns it: flat [layers + 1, T, d]. */
export interface ResidualStream {
  hidden: Float32Array;
  /** Tokens in the analysed context (T). */
  tokens: number;
}

export interface EmbeddingStep {
  /** Row `id` of wte. */
  token: Float32Array;
  /** Row `position` of wpe. */
  position: Float32Array;
  /** token + position: the residual stream before the first block. */
  sum: Float32Array;
}

export interface AttentionHeadStep {
  layer: number;
  head: number;
  /** This token's query, key and value for the head (head size each). */
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  /** Scaled scores q·k/√d against tokens 0..position (the causal mask hides the rest). */
  scores: number[];
  /** softmax(scores): the attention weights. */
  weights: number[];
  /** Σ weights[j] · value_j: the head's output for this token. */
  output: Float32Array;
  /** What the scores are divided by (√head size, times layer+1 where the config asks). */
  scale: number;
}

export interface BlockStep {
  layer: number;
  /** The attention sub-layer's contribution (all heads, after c_proj). */
  attention: Float32Array;
  /** Residual after attention: input + attention. */
  afterAttention: Float32Array;
  /** The MLP's contribution (c_fc, GELU, c_proj). */
  mlp: Float32Array;
  /**
   * How many of the MLP's inner units have a positive GELU output. GELU has no "off" state (it is
   * slightly negative below 0, not zero), so this counts positive outputs, not "active" units.
   */
  mlpPositiveUnits: number;
  /** Residual after the block: afterAttention + mlp (what hidden[layer + 1] holds). */
  afterBlock: Float32Array;
}

export interface SoftmaxEntry {
  id: number;
  logit: number;
  probability: number;
}

/** Per-layer weights, converted from the checkpoint once per inspector. */
interface BlockWeights {
  ln1Weight: Float32Array;
  ln1Bias: Float32Array;
  attnWeight: Float32Array;
  attnBias: Float32Array;
  attnProjWeight: Float32Array;
  attnProjBias: Float32Array;
  ln2Weight: Float32Array;
  ln2Bias: Float32Array;
  fcWeight: Float32Array;
  fcBias: Float32Array;
  mlpProjWeight: Float32Array;
  mlpProjBias: Float32Array;
}

export class PipelineInspector {
  readonly config: ModelConfig;
  private readonly blocks = new Map<number, BlockWeights>();
  private unembedding?: Float32Array;

  /** The walk-through follows GPT-2's block (LayerNorm, learned positions, c_attn, GELU); other families are refused. */
  constructor(private readonly checkpoint: Checkpoint) {
    this.config = checkpoint.config;
    const family = checkpoint.config.architecture.family;
    if (family !== 'gpt2') {
      throw new Error(`the pipeline walk-through supports GPT-2-family models only; ${checkpoint.name} is a ${family} model`);
    }
  }

  get headSize(): number {
    return this.config.nEmbd / this.config.nHead;
  }

  /** Steps 3 and 4: the token's embedding row, the position's row and their sum. */
  embedding(id: number, position: number): EmbeddingStep {
    checkRange('token id', id, this.config.vocabSize);
    checkRange('position', position, this.config.nPositions);
    const d = this.config.nEmbd;
    const token = this.checkpoint.embeddingRow(id);
    const positionRow = this.checkpoint.tensor('wpe.weight').slice(position * d, (position + 1) * d);
    return { token, position: positionRow, sum: add(token, positionRow) };
  }

  /** Step 5a: one head of one layer, for the token at `position`, from the block's input residual. */
  attentionHead(stream: ResidualStream, layer: number, head: number, position: number): AttentionHeadStep {
    this.checkCell(stream, layer, position);
    checkRange('head', head, this.config.nHead);
    const w = this.weightsOf(layer);
    const hs = this.headSize;
    const d = this.config.nEmbd;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    let query: Float32Array = new Float32Array(hs);
    for (let t = 0; t <= position; t++) {
      const x = layerNorm(residualRow(stream, layer, t, d), w.ln1Weight, w.ln1Bias, this.config.layerNormEpsilon);
      // c_attn's output columns are [q (d) | k (d) | v (d)], each split into heads of hs columns.
      keys.push(project(x, w.attnWeight, w.attnBias, 3 * d, d + head * hs, hs));
      values.push(project(x, w.attnWeight, w.attnBias, 3 * d, 2 * d + head * hs, hs));
      if (t === position) query = project(x, w.attnWeight, w.attnBias, 3 * d, head * hs, hs);
    }
    const scale = this.attentionScale(layer);
    const scores = keys.map((k) => dot(query, k) / scale);
    const weights = softmax(scores);
    const output = new Float32Array(hs);
    weights.forEach((p, j) => values[j].forEach((v, i) => (output[i] += p * v)));
    return { layer, head, query, key: keys[position], value: values[position], scores, weights, output, scale };
  }

  /** Step 5b: the whole block (all heads, then the MLP) for the token at `position`. */
  block(stream: ResidualStream, layer: number, position: number): BlockStep {
    this.checkCell(stream, layer, position);
    const w = this.weightsOf(layer);
    const { nEmbd: d, nHead: H } = this.config;
    const heads = Array.from({ length: H }, (_, h) => this.attentionHead(stream, layer, h, position).output);
    const concatenated = new Float32Array(d);
    heads.forEach((out, h) => concatenated.set(out, h * this.headSize));
    const attention = project(concatenated, w.attnProjWeight, w.attnProjBias, d, 0, d);
    const afterAttention = add(residualRow(stream, layer, position, d), attention);
    const normed = layerNorm(afterAttention, w.ln2Weight, w.ln2Bias, this.config.layerNormEpsilon);
    const inner = project(normed, w.fcWeight, w.fcBias, this.config.nInner, 0, this.config.nInner);
    const variant = this.config.architecture.mlp;
    const gelu = variant.kind === 'gelu' && variant.activation === 'gelu_tanh' ? geluTanh : geluErf;
    let positive = 0;
    for (let i = 0; i < inner.length; i++) {
      inner[i] = gelu(inner[i]);
      if (inner[i] > 0) positive++;
    }
    const mlp = project(inner, w.mlpProjWeight, w.mlpProjBias, d, 0, d);
    return { layer, attention, afterAttention, mlp, mlpPositiveUnits: positive, afterBlock: add(afterAttention, mlp) };
  }

  /** Step 6: ln_f and the unembedding of the final residual row: one logit per vocabulary entry. */
  logits(finalResidual: Float32Array): Float32Array {
    const d = this.config.nEmbd;
    if (finalResidual.length !== d) throw new Error(`logits: the residual row must have ${d} components, got ${finalResidual.length}`);
    const x = layerNorm(finalResidual, this.checkpoint.tensor('ln_f.weight'), this.checkpoint.tensor('ln_f.bias'), this.config.layerNormEpsilon);
    this.unembedding ??= this.checkpoint.unembedding();
    const V = this.config.vocabSize;
    const out = new Float32Array(V);
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[i] * this.unembedding[v * d + i];
      out[v] = s;
    }
    return out;
  }

  /** L2 norm of the residual stream at `position` after the embedding (0) and after each block. */
  residualNorms(stream: ResidualStream, position: number): number[] {
    this.checkCell(stream, 0, position);
    const d = this.config.nEmbd;
    return Array.from({ length: this.config.nLayer + 1 }, (_, l) => norm(residualRow(stream, l, position, d)));
  }

  /** The residual row at (layer, position); layer 0 is the embedding, nLayer the last block's output. */
  residual(stream: ResidualStream, layer: number, position: number): Float32Array {
    checkRange('layer', layer, this.config.nLayer + 1);
    checkRange('position', position, stream.tokens);
    return residualRow(stream, layer, position, this.config.nEmbd).slice();
  }

  private attentionScale(layer: number): number {
    const { scaleBySqrtHeadDim, scaleByInverseLayer } = this.config.architecture.attention;
    return (scaleBySqrtHeadDim ? Math.sqrt(this.headSize) : 1) * (scaleByInverseLayer ? layer + 1 : 1);
  }

  private weightsOf(layer: number): BlockWeights {
    checkRange('layer', layer, this.config.nLayer);
    let weights = this.blocks.get(layer);
    if (!weights) {
      const names = blockTensorNames(layer);
      weights = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, this.checkpoint.tensor(name)])) as unknown as BlockWeights;
      this.blocks.set(layer, weights);
    }
    return weights;
  }

  private checkCell(stream: ResidualStream, layer: number, position: number) {
    const { nLayer: L, nEmbd: d } = this.config;
    if (!stream || !(stream.hidden instanceof Float32Array) || stream.hidden.length !== (L + 1) * stream.tokens * d) {
      throw new Error(`the residual stream must be [${L + 1}, T, ${d}] as analyze({hidden: true}) returns it`);
    }
    checkRange('layer', layer, L);
    checkRange('position', position, stream.tokens);
  }
}

/** softmax(logits / temperature), the `k` most likely entries, sorted. Temperature must be > 0. */
export function softmaxTop(logits: Float32Array, temperature: number, k: number): SoftmaxEntry[] {
  const probability = softmaxOf(logits, temperature);
  return topIndices(logits, k).map((id) => ({ id, logit: logits[id], probability: probability(id) }));
}

/**
 * softmax(logits / temperature) over every entry, most likely first (equal logits by id): the
 * exact distribution, for sampling from all of it rather than from a shown few.
 */
export function softmaxAll(logits: Float32Array, temperature: number): SoftmaxEntry[] {
  const probability = softmaxOf(logits, temperature);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  return order.map((id) => ({ id, logit: logits[id], probability: probability(id) }));
}

/** The probability of entry `id` under softmax(logits / temperature). */
function softmaxOf(logits: Float32Array, temperature: number): (id: number) => number {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  let max = -Infinity;
  for (const z of logits) if (z > max) max = z;
  let sum = 0;
  for (const z of logits) sum += Math.exp((z - max) / temperature);
  return (id) => Math.exp((logits[id] - max) / temperature) / sum;
}

// ------------------------------------------------------------ arithmetic (pure)

function residualRow(stream: ResidualStream, layer: number, t: number, d: number): Float32Array {
  const start = (layer * stream.tokens + t) * d;
  return stream.hidden.subarray(start, start + d);
}

/** Columns [from, from + width) of x @ W + b, where W is [x.length, columns] (Conv1D layout). */
function project(x: Float32Array, W: Float32Array, b: Float32Array, columns: number, from: number, width: number): Float32Array {
  const out = new Float32Array(width);
  for (let j = 0; j < width; j++) out[j] = b[from + j];
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const row = i * columns + from;
    for (let j = 0; j < width; j++) out[j] += xi * W[row + j];
  }
  return out;
}

function layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number): Float32Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= x.length;
  const inv = 1 / Math.sqrt(variance + eps);
  return Float32Array.from(x, (v, i) => (v - mean) * inv * gamma[i] + beta[i]);
}

export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** Abramowitz & Stegun 7.1.26 (error below 1.5e-7): enough for a display and float32 agreement. */
function erf(x: number): number {
  const sign = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign * (1 - poly * Math.exp(-a * a));
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  return Float32Array.from(a, (v, i) => v + b[i]);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine of the angle between a and b (0 when either is the zero vector). */
export function cosine(a: Float32Array, b: Float32Array): number {
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : dot(a, b) / n;
}

/** Indices of the k largest values, largest first (k is clamped to [1, length]). */
function topIndices(values: Float32Array, k: number): number[] {
  const count = Math.min(values.length, Math.max(1, Math.floor(k)));
  const chosen: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (chosen.length === count && values[i] <= values[chosen[count - 1]]) continue;
    let at = chosen.length === count ? count - 1 : chosen.length;
    chosen[at] = i;
    while (at > 0 && values[chosen[at]] > values[chosen[at - 1]]) {
      [chosen[at], chosen[at - 1]] = [chosen[at - 1], chosen[at]];
      at--;
    }
  }
  return chosen;
}

function checkRange(what: string, value: unknown, length: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= length) {
    throw new Error(`${what} ${JSON.stringify(value)} is out of range (0..${length - 1})`);
  }
}
