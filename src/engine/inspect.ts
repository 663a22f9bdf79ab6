// PipelineInspector: recomputes, in plain TypeScript, the intermediate numbers of one token's
// trip through the model (embedding, one attention head, the MLP, the unembedding) from the
// checkpoint's weights and the engine's residual stream. The engine's ONNX graphs do not expose
// q, k, v or the MLP's activations; these are small (one row, one block) so redoing them here
// is cheap and lets the walk-through show numbers that are provably the model's own. Every
// family's block is followed as ModelConfig.architecture describes it: LayerNorm or RMSNorm,
// learned positions or rotary ones, grouped key/value heads, per-head q/k norms, a sliding
// window, a GELU or a SiLU-gated MLP.
import type { Checkpoint } from './checkpoint';
import type { BlockWeights, LinearWeights, NormWeights } from './families/family';
import { inverseFrequencies } from './rope';
import type { ModelConfig } from './types';

/** The residual stream as analyze({hidden: true}) returns it: flat [layers + 1, T, d]. */
export interface ResidualStream {
  hidden: Float32Array;
  /** Tokens in the analysed context (T). */
  tokens: number;
}

export interface EmbeddingStep {
  /** Row `id` of the input embedding (wte, embed_tokens). */
  token: Float32Array;
  /** Row `position` of wpe; null where positions enter inside attention instead (rotary families). */
  position: Float32Array | null;
  /** token + position: the residual stream before the first block (the token row alone for rotary families). */
  sum: Float32Array;
}

/** Rotary families: how this token's query was turned by its position. */
export interface RotationStep {
  /** The query before the rotation (after q_norm where the model has one); `query` is after it. */
  unrotatedQuery: Float32Array;
  /**
   * inv_freq[i] of pair i: components i and i + headDim / 2 turn together (rotate_half), by
   * position × inv_freq[i], with the config's rope scaling applied.
   */
  inverseFrequencies: number[];
  /** position × inv_freq[i] in radians, for each pair i. */
  angles: number[];
}

export interface AttentionHeadStep {
  layer: number;
  head: number;
  /** The key/value head this query head reads (grouped-query attention); `head` when every query head has its own. */
  kvHead: number;
  /** This token's query, key and value for the head (head size each); q and k after the rotation in rotary families. */
  query: Float32Array;
  key: Float32Array;
  value: Float32Array;
  /**
   * Scaled scores q·k/scale against tokens 0..position (the causal mask hides the rest);
   * -Infinity for keys a sliding window hides (those before `firstVisible`).
   */
  scores: number[];
  /** softmax(scores): the attention weights (0 outside the window). */
  weights: number[];
  /** Σ weights[j] · value_j: the head's output for this token. */
  output: Float32Array;
  /** What the scores are divided by (√head size, times layer+1 where the config asks). */
  scale: number;
  /** The sliding window's size where this layer has one, else null. */
  window: number | null;
  /** The first key the query sees: 0, or position − window + 1 in a sliding-window layer. */
  firstVisible: number;
  /** Rotary families only. */
  rotation?: RotationStep;
}

/** SiLU-gated MLPs: what the gate did to up(x) for this token. */
export interface GateStep {
  /** Inner units whose gate output silu(gate(x)) is negative (silu never goes below −0.279). */
  negative: number;
  /** Inner units whose gate output is smaller in size than CLOSED_GATE × the largest gate output. */
  closed: number;
  /** |up(x)| and |silu(gate(x)) ⊙ up(x)|: how much of up(x)'s length the gate let through. */
  upNorm: number;
  gatedNorm: number;
}

/** A gate output this much smaller than the largest one passes almost nothing of its unit. */
export const CLOSED_GATE = 0.1;

export interface BlockStep {
  layer: number;
  /** The attention sub-layer's contribution (all heads, after the output projection). */
  attention: Float32Array;
  /** Residual after attention: input + attention. */
  afterAttention: Float32Array;
  /** The MLP's contribution: down(gelu(up(x))) or down(silu(gate(x)) ⊙ up(x)). */
  mlp: Float32Array;
  /**
   * How many of the MLP's inner units (the vector the down projection reads) are positive. GELU
   * has no "off" state (it is slightly negative below 0, not zero), so this counts positive
   * outputs, not "active" units.
   */
  mlpPositiveUnits: number;
  /** Gated MLPs only. */
  gate?: GateStep;
  /** Residual after the block: afterAttention + mlp (what hidden[layer + 1] holds). */
  afterBlock: Float32Array;
}

export interface SoftmaxEntry {
  id: number;
  logit: number;
  probability: number;
}

export class PipelineInspector {
  readonly config: ModelConfig;
  private readonly blocks = new Map<number, BlockWeights>();
  private unembedding?: Float32Array;
  private finalNorm?: NormWeights;
  /** Rotary families: inv_freq of each pair, from the engine's own rope.ts (scaling included). */
  private readonly frequencies?: Float64Array;

  constructor(private readonly checkpoint: Checkpoint) {
    this.config = checkpoint.config;
    const { positions, headDim } = this.config.architecture;
    if (positions.kind === 'rope') this.frequencies = inverseFrequencies(positions, headDim);
  }

  get headSize(): number {
    return this.config.architecture.headDim;
  }

  /** True when the unembedding is the input embedding itself; false for a separate lm_head. */
  get tiedUnembedding(): boolean {
    return this.checkpoint.tiedUnembedding;
  }

  /** Steps 3 and 4: the token's embedding row, the position's row (learned positions only) and their sum. */
  embedding(id: number, position: number): EmbeddingStep {
    checkRange('token id', id, this.config.vocabSize);
    checkRange('position', position, this.config.nPositions);
    const d = this.config.nEmbd;
    const token = this.checkpoint.embeddingRow(id);
    if (this.config.architecture.positions.kind === 'rope') return { token, position: null, sum: token.slice() };
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
    const kvHead = this.config.architecture.kvHeadOf[head];
    const window = this.windowOf(layer);
    const firstVisible = window === null ? 0 : Math.max(0, position - window + 1);
    const keys = new Map<number, Float32Array>();
    const values = new Map<number, Float32Array>();
    for (let t = firstVisible; t <= position; t++) {
      const x = this.normalise(residualRow(stream, layer, t, d), w.attentionNorm);
      keys.set(t, this.rotated(this.headNorm(project(x, w.key, kvHead * hs, hs), w.keyNorm), t));
      values.set(t, project(x, w.value, kvHead * hs, hs));
    }
    const x = this.normalise(residualRow(stream, layer, position, d), w.attentionNorm);
    const unrotatedQuery = this.headNorm(project(x, w.query, head * hs, hs), w.queryNorm);
    const query = this.rotated(unrotatedQuery, position);
    const scale = this.attentionScale(layer);
    const scores = Array.from({ length: position + 1 }, (_, j) => (j < firstVisible ? -Infinity : dot(query, keys.get(j)!) / scale));
    const weights = softmax(scores);
    const output = new Float32Array(hs);
    values.forEach((value, j) => value.forEach((v, i) => (output[i] += weights[j] * v)));
    const step: AttentionHeadStep = { layer, head, kvHead, query, key: keys.get(position)!, value: values.get(position)!, scores, weights, output, scale, window, firstVisible };
    if (this.frequencies) {
      const inverse = Array.from(this.frequencies);
      step.rotation = { unrotatedQuery, inverseFrequencies: inverse, angles: inverse.map((f) => position * f) };
    }
    return step;
  }

  /** Step 5b: the whole block (all heads, then the MLP) for the token at `position`. */
  block(stream: ResidualStream, layer: number, position: number): BlockStep {
    this.checkCell(stream, layer, position);
    const w = this.weightsOf(layer);
    const { nEmbd: d, nHead: H } = this.config;
    const concatenated = new Float32Array(H * this.headSize);
    for (let h = 0; h < H; h++) concatenated.set(this.attentionHead(stream, layer, h, position).output, h * this.headSize);
    const attention = project(concatenated, w.output, 0, d);
    const afterAttention = add(residualRow(stream, layer, position, d), attention);
    const normed = this.normalise(afterAttention, w.mlpNorm);
    const { inner, gate } = this.innerUnits(normed, w);
    let positive = 0;
    for (const v of inner) if (v > 0) positive++;
    const mlp = project(inner, w.down, 0, d);
    return { layer, attention, afterAttention, mlp, mlpPositiveUnits: positive, ...(gate ? { gate } : {}), afterBlock: add(afterAttention, mlp) };
  }

  /** Step 6: the final norm and the unembedding of the final residual row: one logit per vocabulary entry. */
  logits(finalResidual: Float32Array): Float32Array {
    const d = this.config.nEmbd;
    if (finalResidual.length !== d) throw new Error(`logits: the residual row must have ${d} components, got ${finalResidual.length}`);
    this.finalNorm ??= this.checkpoint.finalNorm();
    const x = this.normalise(finalResidual, this.finalNorm);
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

  /** The vector the down projection reads: gelu(up(x)), or silu(gate(x)) ⊙ up(x) with what the gate did. */
  private innerUnits(x: Float32Array, w: BlockWeights): { inner: Float32Array; gate?: GateStep } {
    const variant = this.config.architecture.mlp;
    const up = project(x, w.up, 0, w.up.outputs);
    if (variant.kind === 'gelu') {
      const gelu = variant.activation === 'gelu_tanh' ? geluTanh : geluErf;
      return { inner: up.map(gelu) };
    }
    const gated = project(x, w.gate!, 0, w.gate!.outputs).map(silu);
    let largest = 0;
    for (const g of gated) largest = Math.max(largest, Math.abs(g));
    let negative = 0;
    let closed = 0;
    for (const g of gated) {
      if (g < 0) negative++;
      if (Math.abs(g) < CLOSED_GATE * largest) closed++;
    }
    const inner = up.map((u, i) => gated[i] * u);
    return { inner, gate: { negative, closed, upNorm: norm(up), gatedNorm: norm(inner) } };
  }

  private normalise(x: Float32Array, weights: NormWeights): Float32Array {
    const eps = this.config.layerNormEpsilon;
    return this.config.architecture.norm === 'layer' ? layerNorm(x, weights.weight, weights.bias!, eps) : rmsNorm(x, weights.weight, eps);
  }

  /** Qwen3's per-head q_norm / k_norm (RMSNorm over one head); the vector unchanged where the model has none. */
  private headNorm(x: Float32Array, weight: Float32Array | undefined): Float32Array {
    return weight ? rmsNorm(x, weight, this.config.layerNormEpsilon) : x;
  }

  /** Rotary families: x turned by `position` (rotate_half: pair i is components i and i + half). */
  private rotated(x: Float32Array, position: number): Float32Array {
    if (!this.frequencies) return x;
    const half = x.length / 2;
    const out = new Float32Array(x.length);
    for (let i = 0; i < half; i++) {
      const angle = position * this.frequencies[i];
      const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
      out[i] = x[i] * cos - x[i + half] * sin;
      out[i + half] = x[i + half] * cos + x[i] * sin;
    }
    return out;
  }

  /** The sliding window of `layer`, or null where the query sees every earlier key. */
  private windowOf(layer: number): number | null {
    const window = this.config.architecture.attention.slidingWindow;
    return window && window.layers.includes(layer) ? window.size : null;
  }

  private attentionScale(layer: number): number {
    const { scaleBySqrtHeadDim, scaleByInverseLayer } = this.config.architecture.attention;
    return (scaleBySqrtHeadDim ? Math.sqrt(this.headSize) : 1) * (scaleByInverseLayer ? layer + 1 : 1);
  }

  private weightsOf(layer: number): BlockWeights {
    checkRange('layer', layer, this.config.nLayer);
    let weights = this.blocks.get(layer);
    if (!weights) {
      weights = this.checkpoint.block(layer);
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

/** Outputs [from, from + width) of x @ W + b, W in either of LinearWeights' layouts. */
function project(x: Float32Array, linear: LinearWeights, from: number, width: number): Float32Array {
  const { weight: W, bias: b, inputs, outputs } = linear;
  const out = new Float32Array(width);
  if (b) for (let j = 0; j < width; j++) out[j] = b[from + j];
  if (linear.layout === 'outputsByInputs') {
    for (let j = 0; j < width; j++) {
      const row = (from + j) * inputs;
      let sum = 0;
      for (let i = 0; i < inputs; i++) sum += x[i] * W[row + i];
      out[j] += sum;
    }
    return out;
  }
  for (let i = 0; i < inputs; i++) {
    const xi = x[i];
    const row = i * outputs + from;
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

/** x / sqrt(mean(x²) + eps) · gamma: no mean subtracted, no bias (Llama's RMSNorm). */
function rmsNorm(x: Float32Array, gamma: Float32Array, eps: number): Float32Array {
  let meanSquare = 0;
  for (const v of x) meanSquare += v * v;
  meanSquare /= x.length;
  const inv = 1 / Math.sqrt(meanSquare + eps);
  return Float32Array.from(x, (v, i) => v * inv * gamma[i]);
}

/** softmax over scores; -Infinity (a hidden key) gets weight 0. */
export function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** silu(z) = z · sigmoid(z), the gate's activation in Llama-family MLPs. */
function silu(z: number): number {
  return z / (1 + Math.exp(-z));
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
