// GPT-2 as three ONNX graphs, built from a checkpoint's weights. Batch size is 1, so every
// activation is 2-D [T, d] (or [H, T, ...] inside attention). No [T x vocab] tensor ever
// leaves a graph: the head reduces logits to top-k, target scores and entropy in place.
//
//   trunk       embeddings [T, d]  -> residual stream (and attention probabilities)
//   head        hidden rows [P, d] -> ln_f -> logits / temperature -> top-k, target score, rank, entropy
//   neighbours  vectors [N, d]     -> cosine against every input-embedding row -> top-k
import type { Checkpoint } from './checkpoint';
import { blockTensorNames } from './checkpoint';
import { GraphBuilder, tensorProto, float } from './onnx-graph';

/**
 * The two trunk graphs. Each is a separate session holding its own copy of the weights, so
 * there are only two: `full` serves every whole-text question (callers fetch only the outputs
 * they need), `last` the hover path.
 */
export type TrunkVariant =
  /**
   * `last_rows` [min(T, LAST_ROWS), d]: the residual after the last block for the last rows
   * only; the last block skips the other rows' queries and MLP.
   */
  | 'last'
  /**
   * `hidden` [L+1, T, d], the residual after the embedding and after every block, and the
   * softmax probabilities `attention.{layer}` [H, T, T].
   */
  | 'full';

/**
 * wte[ids] + wpe[0..T), computed by the caller (Checkpoint.embed): a Gather in the graph would
 * put a copy of the [V, d] embedding into every trunk session.
 */
export const TRUNK_INPUT = 'embeddings';
/** Rows the `last` variant returns: the hover path needs the last token's score and the next distribution. */
export const LAST_ROWS = 2;
export const TRUNK_OUTPUTS = {
  last: 'last_rows',
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

/** Added to the scores of future positions: exp(-1e9 - max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

// ---------------------------------------------------------------- shared parts

function layerNorm(g: GraphBuilder, x: string, ckpt: Checkpoint, weight: string, bias: string): string {
  const d = ckpt.config.nEmbd;
  const gamma = g.initializer(weight, 'float32', [d], ckpt.tensor(weight));
  const beta = g.initializer(bias, 'float32', [d], ckpt.tensor(bias));
  return g.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: float(ckpt.config.layerNormEpsilon) });
}

/** Conv1D as GPT-2 stores it: y = x @ W + b with W [in, out]. */
function linear(g: GraphBuilder, x: string, name: string, weight: Float32Array, bias: Float32Array, dims: [number, number]): string {
  const w = g.initializer(`${name}.weight`, 'float32', dims, weight);
  const b = g.initializer(`${name}.bias`, 'float32', [dims[1]], bias);
  return g.op('Add', [g.op('MatMul', [x, w]), b]);
}

// ---------------------------------------------------------------- trunk

/**
 * float [T, T]: 0 where the key position is not after the query position, else -1e9, added
 * to the scores. Hugging Face fills masked scores with float32's minimum instead; both make
 * exp() exactly 0, so the probabilities are bit-identical, and an Add is cheaper than Where.
 */
function causalMask(g: GraphBuilder, x: string): string {
  const length = g.op('Shape', [x], { start: 0, end: 1 });
  const square = g.op('Concat', [length, length], { axis: 0 });
  const ones = g.op('ConstantOfShape', [square], { value: tensorProto('one', 'float32', [1], Float32Array.of(1)) });
  const future = g.op('Trilu', [ones, g.initializer('diagonal_offset', 'int64', [], BigInt64Array.of(1n))], { upper: 1 });
  return g.op('Mul', [future, g.scalar('masked_score', MASKED_SCORE)]);
}

/** Columns [start, start + width) of a row-major [rows, cols] matrix, times `factor`. */
function columnBlock(matrix: Float32Array, rows: number, cols: number, start: number, width: number, factor: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) out[r * width + c] = matrix[r * cols + start + c] * factor;
  }
  return out;
}

/** 1 / sqrt(head size) (and 1 / (layer + 1) where configured), folded into the query weights. */
function queryScale(ckpt: Checkpoint, layer: number): number {
  const { nEmbd, nHead } = ckpt.config;
  const { scaleAttnWeights, scaleAttnByInverseLayerIdx } = ckpt.architecture;
  return (scaleAttnWeights ? 1 / Math.sqrt(nEmbd / nHead) : 1) * (scaleAttnByInverseLayerIdx ? 1 / (layer + 1) : 1);
}

/** The last `count` rows of a [T, ...] tensor (all rows when T < count). */
function lastRows(g: GraphBuilder, x: string, count: number): string {
  return g.op('Slice', [x, g.int64s(`last_${count}`, [-count]), g.int64s('to_end', [Number.MAX_SAFE_INTEGER]), g.int64s('axis0', [0])]);
}

/**
 * Causal self-attention; returns the block's attention output and the [H, Q, T] probabilities.
 * Queries are all T rows, or only the last `queryRows` (keys and values always cover all rows).
 */
function attention(g: GraphBuilder, ckpt: Checkpoint, x: string, layer: number, mask: string, queryRows?: number) {
  const { nEmbd: d, nHead: H } = ckpt.config;
  const headSize = d / H;
  const names = blockTensorNames(layer);

  // Three projections instead of one c_attn and a Split: the same FLOPs, one copy fewer.
  // Scaling q by 1/sqrt(hd) before q.k^T is the same as scaling the scores after, at no cost.
  const weight = ckpt.tensor(names.attnWeight); // [d, 3d]: columns q | k | v
  const bias = ckpt.tensor(names.attnBias);
  const scale = queryScale(ckpt, layer);
  const project = (rows: string, part: number, name: string, factor: number) =>
    linear(g, rows, name, columnBlock(weight, d, 3 * d, part * d, d, factor), bias.slice(part * d, (part + 1) * d).map((b) => b * factor), [d, d]);
  const q = project(queryRows ? lastRows(g, x, queryRows) : x, 0, 'c_attn_q', scale);
  const k = project(x, 1, 'c_attn_k', 1);
  const v = project(x, 2, 'c_attn_v', 1);

  const headShape = g.int64s('head_shape', [-1, H, headSize]);
  const qHeads = g.op('Transpose', [g.op('Reshape', [q, headShape])], { perm: [1, 0, 2] }); // [H, Q, hd]
  const kHeadsT = g.op('Transpose', [g.op('Reshape', [k, headShape])], { perm: [1, 2, 0] }); // [H, hd, T]
  const vHeads = g.op('Transpose', [g.op('Reshape', [v, headShape])], { perm: [1, 0, 2] }); // [H, T, hd]

  const scores = g.op('MatMul', [qHeads, kHeadsT]); // [H, Q, T]
  const queryMask = queryRows ? lastRows(g, mask, queryRows) : mask;
  const masked = g.op('Add', [scores, queryMask]);
  const probs = g.op('Softmax', [masked], { axis: -1 });
  const mixed = g.op('MatMul', [probs, vHeads]); // [H, Q, hd]
  const merged = g.op('Reshape', [g.op('Transpose', [mixed], { perm: [1, 0, 2] }), g.int64s('merged_shape', [-1, d])]);
  const out = linear(g, merged, 'c_proj', ckpt.tensor(names.attnProjWeight), ckpt.tensor(names.attnProjBias), [d, d]);
  return { out, probs };
}

/** GELU: the tanh approximation (gelu_new) or the exact erf form (gelu). */
function gelu(g: GraphBuilder, x: string, kind: Checkpoint['architecture']['activation']): string {
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

function mlp(g: GraphBuilder, ckpt: Checkpoint, x: string, layer: number): string {
  const { nEmbd: d, nInner: inner } = ckpt.config;
  const names = blockTensorNames(layer);
  const h = linear(g, x, 'c_fc', ckpt.tensor(names.fcWeight), ckpt.tensor(names.fcBias), [d, inner]);
  return linear(g, gelu(g, h, ckpt.architecture.activation), 'c_proj', ckpt.tensor(names.mlpProjWeight), ckpt.tensor(names.mlpProjBias), [inner, d]);
}

/**
 * One pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(.)); for all rows,
 * or only the last `outputRows` (which still attend to every earlier row).
 */
function block(g: GraphBuilder, ckpt: Checkpoint, x: string, layer: number, mask: string, outputRows?: number) {
  const names = blockTensorNames(layer);
  const attn = g.scoped('attn', () => attention(g, ckpt, layerNorm(g, x, ckpt, names.ln1Weight, names.ln1Bias), layer, mask, outputRows));
  const afterAttn = g.op('Add', [outputRows ? lastRows(g, x, outputRows) : x, attn.out]);
  const mlpOut = g.scoped('mlp', () => mlp(g, ckpt, layerNorm(g, afterAttn, ckpt, names.ln2Weight, names.ln2Bias), layer));
  return { out: g.op('Add', [afterAttn, mlpOut]), probs: attn.probs };
}

/** Stacks same-shaped tensors along a new leading axis. */
function stack(g: GraphBuilder, parts: string[]): string {
  const axis0 = g.int64s('axis0', [0]);
  return g.op('Concat', parts.map((p) => g.op('Unsqueeze', [p, axis0])), { axis: 0 });
}

export function buildTrunkGraph(ckpt: Checkpoint, variant: TrunkVariant): Uint8Array {
  const { nLayer: L, nHead: H, nEmbd: d } = ckpt.config;
  const g = new GraphBuilder(`${ckpt.name}-trunk-${variant}`);
  const embeddings = g.input(TRUNK_INPUT, 'float32', ['T', d]);
  const mask = causalMask(g, embeddings);
  const residuals = [embeddings];
  const probs: string[] = [];
  for (let layer = 0; layer < L; layer++) {
    const onlyLastRows = variant === 'last' && layer === L - 1 ? LAST_ROWS : undefined;
    const b = g.scoped(`h${layer}`, () => block(g, ckpt, residuals[layer], layer, mask, onlyLastRows));
    residuals.push(b.out);
    probs.push(b.probs);
  }
  if (variant === 'last') {
    g.output(residuals[L], TRUNK_OUTPUTS.last, 'float32', ['R', d]);
  } else {
    g.output(stack(g, residuals), TRUNK_OUTPUTS.hidden, 'float32', [L + 1, 'T', d]);
    probs.forEach((p, layer) => g.output(p, TRUNK_OUTPUTS.attention(layer), 'float32', [H, 'T', 'T']));
  }
  return g.toBytes();
}

// ---------------------------------------------------------------- head

/** [rows, cols] row-major -> [cols, rows], so that MatMul reads a prepackable [d, V] weight. */
function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[base + c];
  }
  return out;
}

export function buildHeadGraph(ckpt: Checkpoint): Uint8Array {
  const { vocabSize: V, nEmbd: d } = ckpt.config;
  const g = new GraphBuilder(`${ckpt.name}-head`);
  const hidden = g.input(HEAD_INPUTS.hidden, 'float32', ['P', d]);
  const targets = g.input(HEAD_INPUTS.targets, 'int64', ['P']);
  const temperature = g.input(HEAD_INPUTS.temperature, 'float32', [1]);
  const k = g.input(HEAD_INPUTS.k, 'int64', [1]);

  // Dividing the [P, d] input by T divides the [P, V] logits by T, one pass cheaper.
  const normed = layerNorm(g, hidden, ckpt, 'ln_f.weight', 'ln_f.bias');
  const scaled = g.op('Div', [normed, temperature]);
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

  // H = -sum p (z - log Z) = log Z - sum p z. Both terms are close to z_max on confident rows,
  // so the difference carries ~1e-6 * |z_max| of rounding; clamp the tiny negatives to 0.
  const expectedLogit = g.op('Einsum', [probs, logits], { equation: 'ij,ij->i' }); // [P]
  const entropy = g.op('Sub', [g.op('Squeeze', [logZ, axis1]), expectedLogit]);
  g.output(g.op('Max', [entropy, g.scalar('zero', 0)]), HEAD_OUTPUTS.entropy, 'float32', ['P']);
  return g.toBytes();
}

// ---------------------------------------------------------------- neighbours

/** Input-embedding rows scaled to unit length, transposed to [d, V]. */
function normalisedEmbeddingT(wte: Float32Array, V: number, d: number): Float32Array {
  const out = new Float32Array(V * d);
  for (let row = 0; row < V; row++) {
    let sumSq = 0;
    for (let c = 0; c < d; c++) sumSq += wte[row * d + c] ** 2;
    const inv = sumSq > 0 ? 1 / Math.sqrt(sumSq) : 0;
    for (let c = 0; c < d; c++) out[c * V + row] = wte[row * d + c] * inv;
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
  const table = g.initializer('wte_unit_t', 'float32', [d, V], normalisedEmbeddingT(ckpt.tensor('wte.weight'), V, d));
  const cosines = g.op('MatMul', [unit, table]); // [N, V]
  const [topCos, topIds] = g.opMulti('TopK', [cosines, k], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(topIds, NEIGHBOUR_OUTPUTS.ids, 'int64', ['N', 'K']);
  g.output(topCos, NEIGHBOUR_OUTPUTS.cosines, 'float32', ['N', 'K']);
  return g.toBytes();
}
