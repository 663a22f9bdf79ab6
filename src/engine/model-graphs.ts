// A checkpoint of any supported family as ONNX graphs, built from its weights: one per block
// and one for everything that touches the vocabulary. Batch size is 1, so every activation is
// 2-D [T, d] (or [heads, T, ...] inside attention). No [T x vocab] tensor ever leaves a graph:
// the vocabulary graph reduces logits to top-k, target scores and entropy in place.
//
//   block.{l}   residual rows [N, d] after P cached rows (their keys and values in, all P + N out)
//               -> the residual after block l (and its attention probabilities)
//   vocab       hidden rows [P, d] -> final norm -> logits / temperature -> top-k, target score, rank, entropy
//               vectors [N, d]     -> cosine against every input-embedding row -> top-k
//
// Why a graph per block: each weight then lives in exactly one session, the whole-text analysis
// and the cached step (hover, generation) run the same sessions, a layer's attention exists only
// while its block runs, and building a session needs one block's weights in JavaScript at a time.
// The head and the neighbours share one graph because they share the [V, d] table.
//
// The families differ only in a few pieces, chosen by config.architecture: the norm (LayerNorm
// or RMSNorm), how positions enter (learned rows added before the first block, or rotary tables
// fed to every block), the attention variant (biases, per-head norms, grouped key/value heads, a
// sliding window) and the MLP (GELU, or SiLU-gated).
import type { Checkpoint } from './checkpoint';
import type { BlockWeights, LinearWeights, NormWeights } from './families/family';
import type { ModelConfig, WeightPrecision } from './types';
import { GraphBuilder, tensorProto, float, type GraphModel } from './onnx-graph';
import { quantizeInputsByOutputs, quantizeRows, INT8_BLOCK, type Int8Matrix } from './int8-weights';

export const BLOCK_INPUTS = {
  /**
   * The residual rows entering the block. Block 0 gets the embedding rows of the ids (plus
   * learned position rows), computed by the caller (Checkpoint.embed): a Gather in a graph would
   * hold a second copy of the [V, d] embedding.
   */
  residual: 'residual',
  /** Rotary families only: cos and sin of position * frequency for the N new rows, [N, headDim / 2] (see rope.ts). */
  ropeCos: 'rope_cos',
  ropeSin: 'rope_sin',
  /** The keys (normed and rotated) and values of the P rows before the new ones, [kvHeads, P, headDim]; P may be 0. */
  pastKey: 'past_key',
  pastValue: 'past_value',
  /**
   * int64 [1], R in 1..N: the block computes queries, attention output and MLP for the last R
   * new rows only (keys and values always cover all). N for a whole text; the hover's last block
   * needs only the rows it scores.
   */
  outputRows: 'output_rows',
} as const;
export const BLOCK_OUTPUTS = {
  /** [R, d]: the residual after the block for the last R rows. */
  residual: 'block_out',
  /** [kvHeads, P + N, headDim]: the keys and values of every row so far. */
  presentKey: 'present_key',
  presentValue: 'present_value',
  /** [H, R, P + N]: the softmax probabilities, one map per query head. */
  attention: 'attention',
} as const;
/** Rows the hover's last block computes: the last token's score and the next distribution. */
export const LAST_ROWS = 2;
export const VOCAB_INPUTS = { hidden: 'hidden', targets: 'targets', temperature: 'temperature', k: 'k', vectors: 'vectors' } as const;
export const VOCAB_OUTPUTS = {
  topIds: 'top_ids',
  topLogprobs: 'top_logprobs',
  targetLogprob: 'target_logprob',
  targetRank: 'target_rank',
  entropy: 'entropy',
  neighbourIds: 'neighbour_ids',
  neighbourCosines: 'neighbour_cosines',
} as const;

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

/** x @ W for an 8-bit W (int8-weights.ts): onnxruntime's MatMulNBits, which dequantizes as it multiplies. */
function int8Product(g: GraphBuilder, x: string, name: string, m: Int8Matrix): string {
  const packed = g.initializer(`${name}.int8`, 'uint8', [m.outputs, m.blocks, INT8_BLOCK], m.packed);
  const scales = g.initializer(`${name}.scales`, 'float32', [m.outputs * m.blocks], m.scales);
  return g.contribOp('MatMulNBits', [x, packed, scales], { K: m.inputs, N: m.outputs, bits: 8, block_size: INT8_BLOCK });
}

/**
 * y = x @ W (+ b) for x [rows, in]; `factor` scales W and b (for folding a constant into them).
 * W [in, out] goes to MatMul, W [out, in] to Gemm with transB: both prepack it, so no layout
 * needs a transposed copy. With 8-bit weights W is quantized after scaling, each output's inputs
 * together; the bias stays float32 (it is small).
 */
function linear(g: GraphBuilder, x: string, name: string, w: LinearWeights, precision: WeightPrecision, factor = 1): string {
  const scaled = (values: Float32Array) => (factor === 1 ? values : values.map((v) => v * factor));
  const bias = () => g.initializer(`${name}.bias`, 'float32', [w.outputs], scaled(w.bias!));
  const byOutputs = w.layout === 'outputsByInputs';
  if (precision === 'int8') {
    const packed = byOutputs ? quantizeRows(scaled(w.weight), w.outputs, w.inputs) : quantizeInputsByOutputs(scaled(w.weight), w.inputs, w.outputs);
    const product = int8Product(g, x, `${name}.weight`, packed);
    return w.bias ? g.op('Add', [product, bias()]) : product;
  }
  if (byOutputs) {
    const weight = g.initializer(`${name}.weight`, 'float32', [w.outputs, w.inputs], scaled(w.weight));
    return g.op('Gemm', w.bias ? [x, weight, bias()] : [x, weight], { transB: 1 });
  }
  const product = g.op('MatMul', [x, g.initializer(`${name}.weight`, 'float32', [w.inputs, w.outputs], scaled(w.weight))]);
  return w.bias ? g.op('Add', [product, bias()]) : product;
}

/** The last R rows of a [T, ...] tensor; `negativeCount` is int64 [1] holding -R. */
function lastRows(g: GraphBuilder, x: string, negativeCount: string): string {
  return g.op('Slice', [x, negativeCount, g.int64s('to_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis0', [0])]);
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

/** The block's cached keys [kvHeads, P, headDim] (normed and rotated) and values. */
interface PastKeyValues {
  key: string;
  value: string;
}

/**
 * Causal self-attention over the P cached rows and the N new ones; returns the attention output
 * and the [H, R, P + N] probabilities of the last R new rows (`lastQueries` holds -R), with the
 * keys and values of all P + N rows. With grouped key/value heads, the query heads that share
 * one are stacked along the rows ([kv, perKv * R, hd]) so that one MatMul serves them without
 * copying keys or values.
 */
function attention(
  g: GraphBuilder,
  config: ModelConfig,
  w: BlockWeights,
  x: string,
  layer: number,
  mask: string,
  past: PastKeyValues,
  lastQueries: string,
  precision: WeightPrecision,
  rotary?: Rotary,
) {
  const { nHead: H, architecture: a } = config;
  const { headDim: hd, kvHeads: KV } = a;

  // Scaling q by 1/sqrt(hd) before q.k^T is the same as scaling the scores after, at no cost.
  // Per-head norms would undo a scale before them, so it goes into the query norm's weight.
  const scale = queryScale(config, layer);
  const q = linear(g, lastRows(g, x, lastQueries), 'q', w.query, precision, a.attention.qkNorm ? 1 : scale);
  const k = linear(g, x, 'k', w.key, precision);
  const v = linear(g, x, 'v', w.value, precision);

  const split = (t: string, heads: number, name: string) => g.op('Reshape', [t, g.int64s(`${name}_heads_shape`, [-1, heads, hd])]); // [rows, heads, hd]
  const headNorm = (t: string, name: string, weight: Float32Array | undefined, factor: number) =>
    weight ? norm(g, t, config, name, { weight: factor === 1 ? weight : weight.map((v) => v * factor) }) : t;

  let qHeads = g.op('Transpose', [headNorm(split(q, H, 'q'), 'q_norm', w.queryNorm, scale)], { perm: [1, 0, 2] }); // [H, R, hd]
  let kHeads = g.op('Transpose', [headNorm(split(k, KV, 'kv'), 'k_norm', w.keyNorm, 1)], { perm: [1, 0, 2] }); // [KV, N, hd]
  if (rotary) {
    qHeads = rotate(g, qHeads, lastRows(g, rotary.cos, lastQueries), lastRows(g, rotary.sin, lastQueries), hd);
    kHeads = rotate(g, kHeads, rotary.cos, rotary.sin, hd);
  }
  // The cached rows come first: keys and values of all P + N rows, which the caller keeps.
  kHeads = g.op('Concat', [past.key, kHeads], { axis: 1 });
  const vHeads = g.op('Concat', [past.value, g.op('Transpose', [split(v, KV, 'kv')], { perm: [1, 0, 2] })], { axis: 1 }); // [KV, P + N, hd]
  const kHeadsT = g.op('Transpose', [kHeads], { perm: [0, 2, 1] }); // [KV, hd, P + N]

  // [H, rows, last] <-> [KV, perKv * rows, last]; a Reshape, since query head h reads kv head h / perKv.
  const regroup = (t: string, leading: number) => (KV === H ? t : g.op('Reshape', [t, g.int64s(`regroup_${leading}`, [leading, -1, 0])]));
  const scores = regroup(g.op('MatMul', [regroup(qHeads, KV), kHeadsT]), H); // [H, R, P + N]
  const probs = g.op('Softmax', [g.op('Add', [scores, mask])], { axis: -1 });
  const mixed = regroup(g.op('MatMul', [regroup(probs, KV), vHeads]), H); // [H, R, hd]
  const merged = g.op('Reshape', [g.op('Transpose', [mixed], { perm: [1, 0, 2] }), g.int64s('merged_shape', [-1, H * hd])]);
  return { out: linear(g, merged, 'o', w.output, precision), probs, key: kHeads, value: vHeads };
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
function mlp(g: GraphBuilder, config: ModelConfig, w: BlockWeights, x: string, precision: WeightPrecision): string {
  const variant = config.architecture.mlp;
  if (variant.kind === 'gelu') return linear(g, gelu(g, linear(g, x, 'up', w.up, precision), variant.activation), 'down', w.down, precision);
  const gate = linear(g, x, 'gate', w.gate!, precision);
  const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
  return linear(g, g.op('Mul', [silu, linear(g, x, 'up', w.up, precision)]), 'down', w.down, precision);
}

/**
 * One pre-norm transformer block as its own graph: x + attn(norm(x)), then + mlp(norm(.)), for
 * the last R of the N new rows (which attend to every earlier row, cached or new).
 */
export function buildBlockGraph(ckpt: Checkpoint, layer: number, precision: WeightPrecision = 'float32'): GraphModel {
  const { config } = ckpt;
  const { nHead: H, nEmbd: d, architecture: a } = config;
  const { kvHeads: KV, headDim: hd } = a;
  const w = ckpt.block(layer);
  const g = new GraphBuilder(`${ckpt.name}-block-${layer}`);
  const x = g.input(BLOCK_INPUTS.residual, 'float32', ['N', d]);
  const rotary: Rotary | undefined =
    a.positions.kind === 'rope'
      ? { cos: g.input(BLOCK_INPUTS.ropeCos, 'float32', ['N', hd / 2]), sin: g.input(BLOCK_INPUTS.ropeSin, 'float32', ['N', hd / 2]) }
      : undefined;
  const past = { key: g.input(BLOCK_INPUTS.pastKey, 'float32', [KV, 'P', hd]), value: g.input(BLOCK_INPUTS.pastValue, 'float32', [KV, 'P', hd]) };
  const lastQueries = g.op('Neg', [g.input(BLOCK_INPUTS.outputRows, 'int64', [1])]);

  // The mask covers every row so far; the queries are its last R rows.
  const allRows = g.op('Add', [g.op('Shape', [past.key], { start: 1, end: 2 }), g.op('Shape', [x], { start: 0, end: 1 })]);
  const window = a.attention.slidingWindow;
  const slidingSize = window && window.layers.includes(layer) ? window.size : undefined;
  const mask = lastRows(g, attentionMask(g, allRows, slidingSize), lastQueries);

  const attn = g.scoped('attn', () => attention(g, config, w, norm(g, x, config, 'attention_norm', w.attentionNorm), layer, mask, past, lastQueries, precision, rotary));
  const afterAttn = g.op('Add', [lastRows(g, x, lastQueries), attn.out]);
  const mlpOut = g.scoped('mlp', () => mlp(g, config, w, norm(g, afterAttn, config, 'mlp_norm', w.mlpNorm), precision));
  g.output(g.op('Add', [afterAttn, mlpOut]), BLOCK_OUTPUTS.residual, 'float32', ['R', d]);
  g.output(attn.key, BLOCK_OUTPUTS.presentKey, 'float32', [KV, 'A', hd]);
  g.output(attn.value, BLOCK_OUTPUTS.presentValue, 'float32', [KV, 'A', hd]);
  g.output(attn.probs, BLOCK_OUTPUTS.attention, 'float32', [H, 'R', 'A']);
  return g.toModel();
}

// ---------------------------------------------------------------- vocabulary

/** The length of every input-embedding row, streamed (no [V, d] copy). */
function rowLengths(embedding: Float32Array, V: number, d: number): Float32Array {
  const out = new Float32Array(V);
  for (let row = 0; row < V; row++) {
    let sumSq = 0;
    for (let c = 0; c < d; c++) sumSq += embedding[row * d + c] ** 2;
    out[row] = Math.sqrt(sumSq);
  }
  return out;
}

/**
 * The head and the embedding neighbours. A caller asks one of them per run and feeds the other
 * zero rows (P = 0 or N = 0), which cost nothing.
 *
 * Head: hidden rows [P, d] -> final norm -> / temperature -> logits [P, V] -> top-k log-probs,
 * the target's log-prob and rank, the entropy. Neighbours: vectors [N, d] -> cosine against
 * every input-embedding row -> top-k. Where the unembedding is the input embedding (tied), both
 * multiply by the same [V, d] table in one Gemm over their stacked rows: the table is held once.
 */
export function buildVocabGraph(ckpt: Checkpoint, precision: WeightPrecision = 'float32'): GraphModel {
  const { vocabSize: V, nEmbd: d } = ckpt.config;
  const g = new GraphBuilder(`${ckpt.name}-vocab`);
  const hidden = g.input(VOCAB_INPUTS.hidden, 'float32', ['P', d]);
  const targets = g.input(VOCAB_INPUTS.targets, 'int64', ['P']);
  const temperature = g.input(VOCAB_INPUTS.temperature, 'float32', [1]);
  const k = g.input(VOCAB_INPUTS.k, 'int64', [1]);
  const vectors = g.input(VOCAB_INPUTS.vectors, 'float32', ['N', d]);
  const axis1 = g.int64s('axis1', [1]);

  // Dividing the [P, d] input by T divides the [P, V] logits by T, one pass cheaper.
  const scaled = g.op('Div', [norm(g, hidden, ckpt.config, 'final_norm', ckpt.finalNorm()), temperature]);
  const lengths = g.op('ReduceL2', [vectors], { axes: [1], keepdims: 1 });
  const unit = g.op('Div', [vectors, g.op('Max', [lengths, g.scalar('tiny', 1e-30)])]);

  // A [V, d] table is a linear layer's [outputs, inputs] weight, used as it is stored.
  const embedding = ckpt.embeddingTable();
  const embeddingLengths = g.initializer('embedding_lengths', 'float32', [1, V], rowLengths(embedding, V, d));
  const timesTable = (x: string, table: Float32Array, name: string) => linear(g, x, name, { weight: table, layout: 'outputsByInputs', inputs: d, outputs: V }, precision);
  let logits: string; // [P, V]
  let dots: string; // [N, V]: unit vector . embedding row
  if (ckpt.tiedUnembedding) {
    const both = timesTable(g.op('Concat', [scaled, unit], { axis: 0 }), embedding, 'embedding'); // [P + N, V]
    const P = g.op('Shape', [hidden], { start: 0, end: 1 });
    logits = g.op('Slice', [both, g.int64s('from_start', [0]), P, g.int64s('axis0', [0])]);
    dots = g.op('Slice', [both, P, g.int64s('to_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis0', [0])]);
  } else {
    logits = timesTable(scaled, ckpt.unembedding(), 'unembedding');
    dots = timesTable(unit, embedding, 'embedding');
  }

  // Every pass over [P, V] costs about as much as a tenth of the MatMul, so the head makes
  // four: one Softmax (the only exponentials), TopK, the rank count and one dot product.
  const probs = g.op('Softmax', [logits], { axis: -1 });
  const [topLogits, topIds] = g.opMulti('TopK', [logits, k], 2, { axis: -1, largest: 1, sorted: 1 });
  const firstColumn = (x: string) => g.op('Slice', [x, g.int64s('column0_start', [0]), g.int64s('column0_end', [1]), axis1]);
  // log Z = z_max - log p_max: exact without another pass, since p_max >= 1/V never underflows.
  const maxLogit = firstColumn(topLogits); // [P, 1]
  const maxProb = g.op('GatherElements', [probs, firstColumn(topIds)], { axis: 1 });
  const logZ = g.op('Sub', [maxLogit, g.op('Log', [maxProb])]); // [P, 1]
  g.output(topIds, VOCAB_OUTPUTS.topIds, 'int64', ['P', 'K']);
  g.output(g.op('Sub', [topLogits, logZ]), VOCAB_OUTPUTS.topLogprobs, 'float32', ['P', 'K']);

  const targetLogit = g.op('GatherElements', [logits, g.op('Unsqueeze', [targets, axis1])], { axis: 1 }); // [P, 1]
  g.output(g.op('Squeeze', [g.op('Sub', [targetLogit, logZ]), axis1]), VOCAB_OUTPUTS.targetLogprob, 'float32', ['P']);
  const larger = g.op('Cast', [g.op('Greater', [logits, targetLogit])], { to: 6 /* INT32 */ });
  const count = g.op('Cast', [g.op('ReduceSum', [larger, axis1], { keepdims: 0 })], { to: 1 /* FLOAT */ });
  g.output(g.op('Add', [count, g.scalar('one', 1)]), VOCAB_OUTPUTS.targetRank, 'float32', ['P']);

  // H = -sum p (z - log Z) = log Z - sum p z, taken on logits centred at their maximum:
  // log Z - z_max = -log p_max and sum p (z - z_max). Uncentred, both terms are near z_max and
  // their float32 sums over a 152k vocabulary lost up to 2e-3 nats (Qwen on WebGPU); centred,
  // the terms are as small as the entropy itself. One pass more over [P, V]; clamp the tiny
  // negatives of a near-certain row to 0.
  const centred = g.op('Sub', [logits, maxLogit]); // [P, V], <= 0
  const expectedCentred = g.op('Einsum', [probs, centred], { equation: 'ij,ij->i' }); // [P]
  const logZCentred = g.op('Neg', [g.op('Squeeze', [g.op('Log', [maxProb]), axis1])]);
  const entropy = g.op('Sub', [logZCentred, expectedCentred]);
  g.output(g.op('Max', [entropy, g.scalar('zero', 0)]), VOCAB_OUTPUTS.entropy, 'float32', ['P']);

  // A zero row (a padded vocabulary's unused ids) has cosine 0 with everything, as 0 / tiny.
  const cosines = g.op('Div', [dots, g.op('Max', [embeddingLengths, g.scalar('tiny', 1e-30)])]);
  const [topCos, neighbourIds] = g.opMulti('TopK', [cosines, k], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(neighbourIds, VOCAB_OUTPUTS.neighbourIds, 'int64', ['N', 'K']);
  g.output(topCos, VOCAB_OUTPUTS.neighbourCosines, 'float32', ['N', 'K']);
  return g.toModel();
}

/**
 * Float32 logits for the vocabulary rows first..first+count: hidden rows [P, d] -> final norm ->
 * [P, count]. What 8-bit weights are measured against (LensEngine.weightError), a slice of the
 * table at a time, so that a model whose float32 weights do not fit never holds its whole
 * float32 table in the runtime.
 */
export function buildLogitsSliceGraph(ckpt: Checkpoint, table: Float32Array, first: number, count: number): GraphModel {
  const d = ckpt.config.nEmbd;
  const g = new GraphBuilder(`${ckpt.name}-logits-${first}`);
  const hidden = g.input(VOCAB_INPUTS.hidden, 'float32', ['P', d]);
  const normed = norm(g, hidden, ckpt.config, 'final_norm', ckpt.finalNorm());
  const slice = { weight: table.slice(first * d, (first + count) * d), layout: 'outputsByInputs', inputs: d, outputs: count } as const;
  g.output(linear(g, normed, 'unembedding_slice', slice, 'float32'), LOGITS_OUTPUT, 'float32', ['P', count]);
  return g.toModel();
}
export const LOGITS_OUTPUT = 'logits';
