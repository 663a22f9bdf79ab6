// A checkpoint of any supported family as three ONNX graphs, built from its weights. Batch size
// is 1, so every activation is 2-D [T, d] (or [heads, T, ...] inside attention). No [T x vocab]
// tensor ever leaves a graph: the head reduces logits to top-k, target scores and entropy in place.
//
//   trunk       embeddings [T, d] (+ rotary tables) -> residual stream (and attention probabilities)
//   head        hidden rows [P, d] -> final norm -> logits / temperature -> top-k, target score, rank, entropy
//   neighbours  vectors [N, d]     -> cosine against every input-embedding row -> top-k
//
// The families differ only in a few pieces, chosen by config.architecture: the norm (LayerNorm
// or RMSNorm), how positions enter (learned rows added before the trunk, or rotary tables fed
// to it), the attention variant (biases, per-head norms, grouped key/value heads, a sliding
// window) and the MLP (GELU, or SiLU-gated).
import type { Checkpoint } from './checkpoint';
import type { BlockWeights, LinearWeights, NormWeights } from './families/family';
import { transpose } from './families/family';
import type { ModelConfig } from './types';
import { GraphBuilder, tensorProto, float } from './onnx-graph';

/**
 * The two trunk graphs. Each is a separate session holding its own copy of the weights, so
 * there are only two: `full` serves every whole-text question (callers fetch only the outputs
 * they need), `step` the hover and generation.
 */
export type TrunkVariant =
  /**
   * A key/value cache step: the new rows' embeddings [N, d] after P rows whose keys and values
   * come in (`past_key.{layer}`, `past_value.{layer}` [kvHeads, P, headDim], keys already
   * normed and rotated); out come the keys and values of all P + N rows (`present_*`) and
   * `last_rows` [min(N, LAST_ROWS), d], the residual after the last block for the last new rows
   * only (the last block skips the other rows' queries and MLP). P may be 0.
   */
  | 'step'
  /**
   * `hidden` [L+1, T, d], the residual after the embedding and after every block, and the
   * softmax probabilities `attention.{layer}` [H, T, T] (one per query head).
   */
  | 'full';

export const TRUNK_INPUTS = {
  /**
   * The embedding rows of the ids (plus learned position rows), computed by the caller
   * (Checkpoint.embed): a Gather in the graph would put a copy of the [V, d] embedding into
   * every trunk session.
   */
  embeddings: 'embeddings',
  /** Rotary families only: cos and sin of position * frequency, [T, headDim / 2] (see rope.ts). */
  ropeCos: 'rope_cos',
  ropeSin: 'rope_sin',
  /** `step` only: the cached keys and values of the rows before the new ones. */
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
} as const;
/** Rows the `step` variant returns: the hover path needs the last token's score and the next distribution. */
export const LAST_ROWS = 2;
export const TRUNK_OUTPUTS = {
  last: 'last_rows',
  /** `step` only: the keys and values of every row so far, [kvHeads, P + N, headDim]. */
  presentKey: (layer: number) => `present_key.${layer}`,
  presentValue: (layer: number) => `present_value.${layer}`,
  hidden: 'hidden',
  /** One [H, T, T] output per layer: the caller joins them, which is cheaper than a Concat in the graph. */
  attention: (layer: number) => `attention.${layer}`,
} as const;
export const HEAD_INPUTS = { hidden: 'hidden', targets: 'targets', temperature: 'temperature', k: 'k' } as const;
export const HEAD_OUTPUTS = {
  topIds: 'top_ids',
  topLogprobs: 'top_logprobs',
  targetLogprob: 'target_logprob',
  targetRank: 'target_rank',
  entropy: 'entropy',
} as const;
export const NEIGHBOUR_INPUTS = { vectors: 'vectors', k: 'k' } as const;
export const NEIGHBOUR_OUTPUTS = { ids: 'ids', cosines: 'cosines' } as const;

/** Added to the scores of hidden positions: exp(-1e9 - max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

// ---------------------------------------------------------------- shared parts

/**
 * LayerNorm (with its bias), or RMSNorm: x / sqrt(mean(x^2) + eps) * weight. Opset 17 has no
 * RMSNormalization; onnxruntime fuses this Pow-ReduceMean-Add-Sqrt-Div-Mul chain into one kernel.
 */
function norm(g: GraphBuilder, x: string, config: ModelConfig, name: string, weights: NormWeights): string {
  const n = weights.weight.length;
  const gamma = g.initializer(`${name}.weight`, 'float32', [n], weights.weight);
  const eps = config.layerNormEpsilon;
  if (config.architecture.norm === 'layer') {
    const beta = g.initializer(`${name}.bias`, 'float32', [n], weights.bias ?? new Float32Array(n));
    return g.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: float(eps) });
  }
  const meanSquare = g.op('ReduceMean', [g.op('Pow', [x, g.scalar('two', 2)])], { axes: [-1], keepdims: 1 });
  const rms = g.op('Sqrt', [g.op('Add', [meanSquare, g.scalar('norm_epsilon', eps)])]);
  return g.op('Mul', [g.op('Div', [x, rms]), gamma]);
}

/** y = x @ W (+ b), with W [in, out]; `factor` scales W and b (for folding a constant into them). */
function linear(g: GraphBuilder, x: string, name: string, w: LinearWeights, factor = 1): string {
  const scaled = (values: Float32Array) => (factor === 1 ? values : values.map((v) => v * factor));
  const product = g.op('MatMul', [x, g.initializer(`${name}.weight`, 'float32', [w.inputs, w.outputs], scaled(w.weight))]);
  return w.bias ? g.op('Add', [product, g.initializer(`${name}.bias`, 'float32', [w.outputs], scaled(w.bias))]) : product;
}

/** The last `count` rows of a [T, ...] tensor (all rows when T < count). */
function lastRows(g: GraphBuilder, x: string, count: number): string {
  return g.op('Slice', [x, g.int64s(`last_${count}`, [-count]), g.int64s('to_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis0', [0])]);
}

// ---------------------------------------------------------------- trunk

/**
 * float [T, T]: 0 where the query may see the key, else -1e9, added to the scores. A query sees
 * keys not after it and, with a sliding window of `window`, only the `window` latest of those
 * (key > query - window, as Hugging Face's sliding mask). Hugging Face fills masked scores with
 * float32's minimum instead; both make exp() exactly 0, so the probabilities are bit-identical,
 * and an Add is cheaper than Where.
 */
function attentionMask(g: GraphBuilder, length: string, window?: number): string {
  const square = g.op('Concat', [length, length], { axis: 0 });
  const ones = g.op('ConstantOfShape', [square], { value: tensorProto('one', 'float32', [1], Float32Array.of(1)) });
  let hidden = g.op('Trilu', [ones, g.initializer(`future_offset_${window ?? 'all'}`, 'int64', [], BigInt64Array.of(1n))], { upper: 1 });
  if (window !== undefined) {
    // Lower triangle from diagonal -window: the keys at least `window` positions back.
    const tooFar = g.op('Trilu', [ones, g.initializer(`window_offset_${window}`, 'int64', [], BigInt64Array.of(BigInt(-window)))], { upper: 0 });
    hidden = g.op('Add', [hidden, tooFar]);
  }
  return g.op('Mul', [hidden, g.scalar('masked_score', MASKED_SCORE)]);
}

/** What the scores are divided by, folded into the query weights (or the query norm's weight). */
function queryScale(config: ModelConfig, layer: number): number {
  const { headDim, attention } = config.architecture;
  return (attention.scaleBySqrtHeadDim ? 1 / Math.sqrt(headDim) : 1) * (attention.scaleByInverseLayer ? 1 / (layer + 1) : 1);
}

/**
 * Rotary embedding in the rotate_half convention: each head's first half x1 and second half x2
 * become x1 cos - x2 sin and x2 cos + x1 sin. x is [heads, rows, headDim]; cos and sin are
 * [rows, headDim / 2].
 */
function rotate(g: GraphBuilder, x: string, cos: string, sin: string, headDim: number): string {
  const half = headDim / 2;
  const [x1, x2] = g.opMulti('Split', [x, g.int64s('rotary_halves', [half, half])], 2, { axis: -1 });
  const first = g.op('Sub', [g.op('Mul', [x1, cos]), g.op('Mul', [x2, sin])]);
  const second = g.op('Add', [g.op('Mul', [x2, cos]), g.op('Mul', [x1, sin])]);
  return g.op('Concat', [first, second], { axis: -1 });
}

interface Rotary {
  cos: string;
  sin: string;
}

/** A `step` graph's cached keys [kvHeads, P, headDim] (normed and rotated) and values of one layer. */
interface PastKeyValues {
  key: string;
  value: string;
}

/**
 * Causal self-attention; returns the block's attention output and the [H, Q, T] probabilities.
 * Queries are all T rows, or only the last `queryRows` (keys and values always cover all rows).
 * With grouped key/value heads, the query heads that share one are stacked along the rows
 * ([kv, perKv * Q, hd]) so that one MatMul serves them without copying keys or values.
 */
function attention(
  g: GraphBuilder,
  config: ModelConfig,
  w: BlockWeights,
  x: string,
  layer: number,
  mask: string,
  rotary?: Rotary,
  queryRows?: number,
  past?: PastKeyValues,
) {
  const { nHead: H, architecture: a } = config;
  const { headDim: hd, kvHeads: KV } = a;

  // Scaling q by 1/sqrt(hd) before q.k^T is the same as scaling the scores after, at no cost.
  // Per-head norms would undo a scale before them, so it goes into the query norm's weight.
  const scale = queryScale(config, layer);
  const q = linear(g, queryRows ? lastRows(g, x, queryRows) : x, 'q', w.query, a.attention.qkNorm ? 1 : scale);
  const k = linear(g, x, 'k', w.key);
  const v = linear(g, x, 'v', w.value);

  const split = (t: string, heads: number, name: string) => g.op('Reshape', [t, g.int64s(`${name}_heads_shape`, [-1, heads, hd])]); // [rows, heads, hd]
  const headNorm = (t: string, name: string, weight: Float32Array | undefined, factor: number) =>
    weight ? norm(g, t, config, name, { weight: factor === 1 ? weight : weight.map((v) => v * factor) }) : t;
  const rowsOf = (table: string) => (queryRows ? lastRows(g, table, queryRows) : table);

  let qHeads = g.op('Transpose', [headNorm(split(q, H, 'q'), 'q_norm', w.queryNorm, scale)], { perm: [1, 0, 2] }); // [H, Q, hd]
  const kRows = headNorm(split(k, KV, 'kv'), 'k_norm', w.keyNorm, 1); // [T, KV, hd]
  let kHeadsT: string;
  let kHeads: string | undefined; // [KV, T, hd], where a step needs it
  if (rotary) {
    qHeads = rotate(g, qHeads, rowsOf(rotary.cos), rowsOf(rotary.sin), hd);
    kHeads = rotate(g, g.op('Transpose', [kRows], { perm: [1, 0, 2] }), rotary.cos, rotary.sin, hd);
  } else if (past) {
    kHeads = g.op('Transpose', [kRows], { perm: [1, 0, 2] });
  }
  let vHeads = g.op('Transpose', [split(v, KV, 'kv')], { perm: [1, 0, 2] }); // [KV, T, hd]
  if (past) {
    // The cached rows come first: keys and values of all P + N rows, which the caller keeps.
    kHeads = g.op('Concat', [past.key, kHeads!], { axis: 1 });
    vHeads = g.op('Concat', [past.value, vHeads], { axis: 1 });
  }
  if (kHeads) kHeadsT = g.op('Transpose', [kHeads], { perm: [0, 2, 1] }); // [KV, hd, T]
  else kHeadsT = g.op('Transpose', [kRows], { perm: [1, 2, 0] }); // [KV, hd, T]

  // [H, rows, last] <-> [KV, perKv * rows, last]; a Reshape, since query head h reads kv head h / perKv.
  const regroup = (t: string, leading: number) => (KV === H ? t : g.op('Reshape', [t, g.int64s(`regroup_${leading}`, [leading, -1, 0])]));
  const scores = regroup(g.op('MatMul', [regroup(qHeads, KV), kHeadsT]), H); // [H, Q, T]
  const masked = g.op('Add', [scores, queryRows ? lastRows(g, mask, queryRows) : mask]);
  const probs = g.op('Softmax', [masked], { axis: -1 });
  const mixed = regroup(g.op('MatMul', [regroup(probs, KV), vHeads]), H); // [H, Q, hd]
  const merged = g.op('Reshape', [g.op('Transpose', [mixed], { perm: [1, 0, 2] }), g.int64s('merged_shape', [-1, H * hd])]);
  return { out: linear(g, merged, 'o', w.output), probs, key: kHeads, value: vHeads };
}

/** GELU: the tanh approximation (gelu_new) or the exact erf form (gelu). */
function gelu(g: GraphBuilder, x: string, kind: 'gelu_tanh' | 'gelu_erf'): string {
  const half = g.op('Mul', [x, g.scalar('half', 0.5)]);
  let inner: string;
  if (kind === 'gelu_tanh') {
    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), as Hugging Face's NewGELUActivation.
    const cube = g.op('Pow', [x, g.scalar('three', 3)]);
    const poly = g.op('Add', [x, g.op('Mul', [cube, g.scalar('c', 0.044715)])]);
    inner = g.op('Tanh', [g.op('Mul', [poly, g.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))])]);
  } else {
    inner = g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]);
  }
  return g.op('Mul', [half, g.op('Add', [inner, g.scalar('one', 1)])]);
}

/** down(gelu(up(x))), or down(silu(gate(x)) * up(x)) with silu(z) = z * sigmoid(z). */
function mlp(g: GraphBuilder, config: ModelConfig, w: BlockWeights, x: string): string {
  const variant = config.architecture.mlp;
  if (variant.kind === 'gelu') return linear(g, gelu(g, linear(g, x, 'up', w.up), variant.activation), 'down', w.down);
  const gate = linear(g, x, 'gate', w.gate!);
  const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
  return linear(g, g.op('Mul', [silu, linear(g, x, 'up', w.up)]), 'down', w.down);
}

/**
 * One pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(.)); for all rows, or only
 * the last `outputRows` (which still attend to every earlier row).
 */
function block(g: GraphBuilder, ckpt: Checkpoint, x: string, layer: number, mask: string, rotary?: Rotary, outputRows?: number, past?: PastKeyValues) {
  const { config } = ckpt;
  const w = ckpt.block(layer);
  const attn = g.scoped('attn', () => attention(g, config, w, norm(g, x, config, 'attention_norm', w.attentionNorm), layer, mask, rotary, outputRows, past));
  const afterAttn = g.op('Add', [outputRows ? lastRows(g, x, outputRows) : x, attn.out]);
  const mlpOut = g.scoped('mlp', () => mlp(g, config, w, norm(g, afterAttn, config, 'mlp_norm', w.mlpNorm)));
  return { out: g.op('Add', [afterAttn, mlpOut]), probs: attn.probs, key: attn.key, value: attn.value };
}

/** Stacks same-shaped tensors along a new leading axis. */
function stack(g: GraphBuilder, parts: string[]): string {
  const axis0 = g.int64s('axis0', [0]);
  return g.op('Concat', parts.map((p) => g.op('Unsqueeze', [p, axis0])), { axis: 0 });
}

export function buildTrunkGraph(ckpt: Checkpoint, variant: TrunkVariant): Uint8Array {
  const { nLayer: L, nHead: H, nEmbd: d, architecture: a } = ckpt.config;
  const { kvHeads: KV, headDim: hd } = a;
  const g = new GraphBuilder(`${ckpt.name}-trunk-${variant}`);
  const step = variant === 'step';
  const embeddings = g.input(TRUNK_INPUTS.embeddings, 'float32', ['N', d]);
  const rotary: Rotary | undefined =
    a.positions.kind === 'rope'
      ? { cos: g.input(TRUNK_INPUTS.ropeCos, 'float32', ['N', hd / 2]), sin: g.input(TRUNK_INPUTS.ropeSin, 'float32', ['N', hd / 2]) }
      : undefined;
  const pasts: PastKeyValues[] = step
    ? Array.from({ length: L }, (_, layer) => ({
        key: g.input(TRUNK_INPUTS.pastKey(layer), 'float32', [KV, 'P', hd]),
        value: g.input(TRUNK_INPUTS.pastValue(layer), 'float32', [KV, 'P', hd]),
      }))
    : [];
  // The masks cover every row so far; a step's queries are the last N of them.
  const newRows = g.op('Shape', [embeddings], { start: 0, end: 1 });
  const pastRows = step ? g.op('Shape', [pasts[0]!.key], { start: 1, end: 2 }) : undefined;
  const allRows = pastRows ? g.op('Add', [pastRows, newRows]) : newRows;
  const queryMask = (mask: string) => (pastRows ? g.op('Slice', [mask, pastRows, g.int64s('to_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis0', [0])]) : mask);
  const causal = queryMask(attentionMask(g, allRows));
  const window = a.attention.slidingWindow;
  const sliding = window && window.layers.length ? queryMask(attentionMask(g, allRows, window.size)) : undefined;
  const residuals = [embeddings];
  const probs: string[] = [];
  for (let layer = 0; layer < L; layer++) {
    const onlyLastRows = step && layer === L - 1 ? LAST_ROWS : undefined;
    const mask = sliding && window!.layers.includes(layer) ? sliding : causal;
    const b = g.scoped(`h${layer}`, () => block(g, ckpt, residuals[layer], layer, mask, rotary, onlyLastRows, pasts[layer]));
    residuals.push(b.out);
    probs.push(b.probs);
    if (step) {
      g.output(b.key!, TRUNK_OUTPUTS.presentKey(layer), 'float32', [KV, 'T', hd]);
      g.output(b.value, TRUNK_OUTPUTS.presentValue(layer), 'float32', [KV, 'T', hd]);
    }
  }
  if (step) {
    g.output(residuals[L], TRUNK_OUTPUTS.last, 'float32', ['R', d]);
  } else {
    g.output(stack(g, residuals), TRUNK_OUTPUTS.hidden, 'float32', [L + 1, 'T', d]);
    probs.forEach((p, layer) => g.output(p, TRUNK_OUTPUTS.attention(layer), 'float32', [H, 'T', 'T']));
  }
  return g.toBytes();
}

// ---------------------------------------------------------------- head

export function buildHeadGraph(ckpt: Checkpoint): Uint8Array {
  const { vocabSize: V, nEmbd: d } = ckpt.config;
  const g = new GraphBuilder(`${ckpt.name}-head`);
  const hidden = g.input(HEAD_INPUTS.hidden, 'float32', ['P', d]);
  const targets = g.input(HEAD_INPUTS.targets, 'int64', ['P']);
  const temperature = g.input(HEAD_INPUTS.temperature, 'float32', [1]);
  const k = g.input(HEAD_INPUTS.k, 'int64', [1]);

  // Dividing the [P, d] input by T divides the [P, V] logits by T, one pass cheaper.
  const normed = norm(g, hidden, ckpt.config, 'final_norm', ckpt.finalNorm());
  const scaled = g.op('Div', [normed, temperature]);
  // Transposed to [d, V] so that MatMul reads a prepackable weight.
  const unembedding = g.initializer('unembedding_t', 'float32', [d, V], transpose(ckpt.unembedding(), V, d));
  const logits = g.op('MatMul', [scaled, unembedding]); // [P, V]

  // Every pass over [P, V] costs about as much as a tenth of the MatMul, so the head makes
  // four: one Softmax (the only exponentials), TopK, the rank count and one dot product.
  const probs = g.op('Softmax', [logits], { axis: -1 });
  const [topLogits, topIds] = g.opMulti('TopK', [logits, k], 2, { axis: -1, largest: 1, sorted: 1 });
  const axis1 = g.int64s('axis1', [1]);
  const firstColumn = (x: string) => g.op('Slice', [x, g.int64s('column0_start', [0]), g.int64s('column0_end', [1]), axis1]);
  // log Z = z_max - log p_max: exact without another pass, since p_max >= 1/V never underflows.
  const maxLogit = firstColumn(topLogits); // [P, 1]
  const maxProb = g.op('GatherElements', [probs, firstColumn(topIds)], { axis: 1 });
  const logZ = g.op('Sub', [maxLogit, g.op('Log', [maxProb])]); // [P, 1]
  g.output(topIds, HEAD_OUTPUTS.topIds, 'int64', ['P', 'K']);
  g.output(g.op('Sub', [topLogits, logZ]), HEAD_OUTPUTS.topLogprobs, 'float32', ['P', 'K']);

  const targetLogit = g.op('GatherElements', [logits, g.op('Unsqueeze', [targets, axis1])], { axis: 1 }); // [P, 1]
  g.output(g.op('Squeeze', [g.op('Sub', [targetLogit, logZ]), axis1]), HEAD_OUTPUTS.targetLogprob, 'float32', ['P']);
  const larger = g.op('Cast', [g.op('Greater', [logits, targetLogit])], { to: 6 /* INT32 */ });
  const count = g.op('Cast', [g.op('ReduceSum', [larger, axis1], { keepdims: 0 })], { to: 1 /* FLOAT */ });
  g.output(g.op('Add', [count, g.scalar('one', 1)]), HEAD_OUTPUTS.targetRank, 'float32', ['P']);

  // H = -sum p (z - log Z) = log Z - sum p z, taken on logits centred at their maximum:
  // log Z - z_max = -log p_max and sum p (z - z_max). Uncentred, both terms are near z_max and
  // their float32 sums over a 152k vocabulary lost up to 2e-3 nats (Qwen on WebGPU); centred,
  // the terms are as small as the entropy itself. One pass more over [P, V]; clamp the tiny
  // negatives of a near-certain row to 0.
  const centred = g.op('Sub', [logits, maxLogit]); // [P, V], <= 0
  const expectedCentred = g.op('Einsum', [probs, centred], { equation: 'ij,ij->i' }); // [P]
  const logZCentred = g.op('Neg', [g.op('Squeeze', [g.op('Log', [maxProb]), axis1])]);
  const entropy = g.op('Sub', [logZCentred, expectedCentred]);
  g.output(g.op('Max', [entropy, g.scalar('zero', 0)]), HEAD_OUTPUTS.entropy, 'float32', ['P']);
  return g.toBytes();
}

// ---------------------------------------------------------------- neighbours

/** Input-embedding rows scaled to unit length, transposed to [d, V]. */
function normalisedEmbeddingT(embedding: Float32Array, V: number, d: number): Float32Array {
  const out = new Float32Array(V * d);
  for (let row = 0; row < V; row++) {
    let sumSq = 0;
    for (let c = 0; c < d; c++) sumSq += embedding[row * d + c] ** 2;
    const inv = sumSq > 0 ? 1 / Math.sqrt(sumSq) : 0;
    for (let c = 0; c < d; c++) out[c * V + row] = embedding[row * d + c] * inv;
  }
  return out;
}

export function buildNeighboursGraph(ckpt: Checkpoint): Uint8Array {
  const { vocabSize: V, nEmbd: d } = ckpt.config;
  const g = new GraphBuilder(`${ckpt.name}-neighbours`);
  const vectors = g.input(NEIGHBOUR_INPUTS.vectors, 'float32', ['N', d]);
  const k = g.input(NEIGHBOUR_INPUTS.k, 'int64', [1]);
  const norms = g.op('ReduceL2', [vectors], { axes: [1], keepdims: 1 });
  const unit = g.op('Div', [vectors, g.op('Max', [norms, g.scalar('tiny', 1e-30)])]);
  const table = g.initializer('embedding_unit_t', 'float32', [d, V], normalisedEmbeddingT(ckpt.embeddingTable(), V, d));
  const cosines = g.op('MatMul', [unit, table]); // [N, V]
  const [topCos, topIds] = g.opMulti('TopK', [cosines, k], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(topIds, NEIGHBOUR_OUTPUTS.ids, 'int64', ['N', 'K']);
  g.output(topCos, NEIGHBOUR_OUTPUTS.cosines, 'float32', ['N', 'K']);
  return g.toBytes();
}
