// Where a model's parameters are: its weight matrices by kind (embedding, query, key, value,
// output, MLP up / gate / down, unembedding) with shapes and counts, the vectors (norms, biases)
// apart, all from config.json's numbers; and GPT-3's, counted the way the articles count its
// "about 28,000 matrices" (query, key and value per head).
import type { ModelConfig } from '../../src/engine/types';

export type MatrixKind = 'embedding' | 'position' | 'query' | 'key' | 'value' | 'output' | 'gate' | 'up' | 'down' | 'unembedding';

export interface MatrixRow {
  kind: MatrixKind;
  /** [rows, columns] of one matrix. */
  shape: [number, number];
  /** How many there are (one per layer for the blocks' matrices). */
  count: number;
  /** count × rows × columns; 0 for an unembedding that is the embedding itself. */
  parameters: number;
  /** The walk-through step where this kind acts. */
  step: number;
}

export interface Census {
  rows: MatrixRow[];
  /** Norm weights and biases. */
  vectors: number;
  total: number;
  /** Matrices counted as the articles count GPT-3's: query, key and value split per head. */
  perHeadMatrices: number;
}

/** The matrices and vectors a checkpoint of this config holds (tied unembeddings counted once). */
export function parameterCensus(config: ModelConfig): Census {
  const { vocabSize: V, nPositions: P, nEmbd: d, nLayer: L, nHead: H, nInner: ff, architecture: a } = config;
  const q = H * a.headDim;
  const kv = a.kvHeads * a.headDim;
  const gated = a.mlp.kind === 'gated';
  const row = (kind: MatrixKind, rows: number, columns: number, count: number, step: number): MatrixRow => ({ kind, shape: [rows, columns], count, parameters: rows * columns * count, step });
  const rows: MatrixRow[] = [
    row('embedding', V, d, 1, 3),
    ...(a.positions.kind === 'learned' ? [row('position', P, d, 1, 4)] : []),
    row('query', d, q, L, 5),
    row('key', d, kv, L, 5),
    row('value', d, kv, L, 5),
    row('output', q, d, L, 5),
    ...(gated ? [row('gate', d, ff, L, 5)] : []),
    row('up', d, ff, L, 5),
    row('down', ff, d, L, 5),
    { ...row('unembedding', d, V, 1, 6), ...(a.tiedEmbeddings ? { parameters: 0 } : {}) },
  ];
  // Per layer: two norms (LayerNorm has a bias too), the attention's and MLP's biases, Qwen3's
  // per-head q/k norms; then the final norm.
  const normSize = a.norm === 'layer' ? 2 * d : d;
  const perLayer =
    2 * normSize +
    (a.attention.qkvBias ? q + 2 * kv : 0) +
    (a.attention.outBias ? d : 0) +
    (a.attention.qkNorm ? 2 * a.headDim : 0) +
    (a.mlp.bias ? (gated ? 2 * ff : ff) + d : 0);
  const vectors = L * perLayer + normSize;
  const total = rows.reduce((sum, r) => sum + r.parameters, 0) + vectors;
  const perLayerMatrices = 3 * H + 1 + (gated ? 3 : 2);
  const perHeadMatrices = L * perLayerMatrices + rows.filter((r) => r.count === 1 && r.parameters > 0).length;
  return { rows, vectors, total, perHeadMatrices };
}

/** GPT-3 (175B): 96 layers, d = 12,288, 96 heads, MLP 49,152, 50,257 tokens, 2,048 positions, tied. */
export const GPT3: ModelConfig = {
  name: 'GPT-3 175B',
  vocabSize: 50257,
  nPositions: 2048,
  nEmbd: 12288,
  nLayer: 96,
  nHead: 96,
  nInner: 49152,
  layerNormEpsilon: 1e-5,
  eosTokenId: 50256,
  architecture: {
    family: 'gpt2',
    headDim: 128,
    kvHeads: 96,
    kvHeadOf: Array.from({ length: 96 }, (_, h) => h),
    norm: 'layer',
    positions: { kind: 'learned' },
    attention: { qkvBias: true, outBias: true, qkNorm: false, scaleBySqrtHeadDim: true, scaleByInverseLayer: false, slidingWindow: null },
    mlp: { kind: 'gelu', activation: 'gelu_tanh', bias: true },
    tiedEmbeddings: true,
    bosTokenId: null,
    eosTokenIds: [50256],
  },
};
