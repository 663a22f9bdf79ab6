// FLOPs of one full analysis, counted from the model's shapes: 2·m·n·k per matrix product.
// Only matrix products count (layer norms, softmax, GELU and the head's reductions are
// O(T·d) or O(T·V) and are what the efficiency figure charges as overhead).
import type { ModelConfig } from '../src/engine/types';

export interface FlopBreakdown {
  /** q, k, v, attention output and MLP projections of every layer. */
  projections: number;
  /** q·kᵀ and probabilities·v over the full T×T square (the graph computes the masked half too). */
  attention: number;
  /** The unembedding: [T, d] x [d, V]. */
  unembedding: number;
  total: number;
}

export function analysisFlops(config: ModelConfig, T: number): FlopBreakdown {
  const { nEmbd: d, nInner: inner, nLayer: L, vocabSize: V, nHead: H, architecture: a } = config;
  // q and the attention output are H heads wide; k and v kvHeads (fewer with grouped key/value heads).
  const attentionWidth = 2 * H * a.headDim + 2 * a.kvHeads * a.headDim;
  const mlpMatrices = a.mlp.kind === 'gelu' ? 2 : 3; // up, down (and gate)
  const perLayerProjections = 2 * T * d * attentionWidth + mlpMatrices * 2 * T * d * inner;
  const perLayerAttention = 2 * T * T * H * a.headDim /* scores, all heads */ + 2 * T * T * H * a.headDim /* mixing v */;
  const projections = L * perLayerProjections;
  const attention = L * perLayerAttention;
  const unembedding = 2 * T * d * V;
  return { projections, attention, unembedding, total: projections + attention + unembedding };
}
