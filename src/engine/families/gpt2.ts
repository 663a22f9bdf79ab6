// GPT-2 (model_type "gpt2"): LayerNorm, learned positions, one fused c_attn, GELU MLP, and
// Conv1D weights stored [in, out]. Tensor names are Hugging Face's without "transformer.".
import type { Architecture, ModelConfig } from '../types';
import { quoteValue } from '../json-syntax';
import { kvHeadMap, MAX_HEADS, type BlockWeights, type ConfigReader, type Family, type LinearWeights, type ReadTensor } from './family';

const ACTIVATIONS: Record<string, 'gelu_tanh' | 'gelu_erf'> = {
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu: 'gelu_erf',
};

/** Per-layer tensor names in Hugging Face's GPT-2 layout (without the `transformer.` prefix). */
export const blockTensorNames = (layer: number) => ({
  ln1Weight: `h.${layer}.ln_1.weight`,
  ln1Bias: `h.${layer}.ln_1.bias`,
  attnWeight: `h.${layer}.attn.c_attn.weight`,
  attnBias: `h.${layer}.attn.c_attn.bias`,
  attnProjWeight: `h.${layer}.attn.c_proj.weight`,
  attnProjBias: `h.${layer}.attn.c_proj.bias`,
  ln2Weight: `h.${layer}.ln_2.weight`,
  ln2Bias: `h.${layer}.ln_2.bias`,
  fcWeight: `h.${layer}.mlp.c_fc.weight`,
  fcBias: `h.${layer}.mlp.c_fc.bias`,
  mlpProjWeight: `h.${layer}.mlp.c_proj.weight`,
  mlpProjBias: `h.${layer}.mlp.c_proj.bias`,
});

/**
 * config.json -> ModelConfig. Architectural sizes must be present; optional fields take
 * Hugging Face's GPT2Config defaults (layer_norm_epsilon 1e-5, activation gelu_new,
 * eos_token_id = the last vocabulary id, as in GPT-2).
 */
function parseConfig(r: ConfigReader, name: string): ModelConfig {
  const nEmbd = r.positiveInt('n_embd');
  const nHead = r.positiveInt('n_head', undefined, MAX_HEADS);
  const vocabSize = r.positiveInt('vocab_size');
  const nPositions = r.positiveInt(r.has('n_positions') ? 'n_positions' : r.has('n_ctx') ? 'n_ctx' : 'n_positions (or n_ctx)');
  const nLayer = r.positiveInt('n_layer');
  const nInner = r.positiveInt('n_inner', 4 * nEmbd);
  if (nEmbd % nHead !== 0) r.fail(`n_embd ${nEmbd} is not divisible by n_head ${nHead}`);
  const layerNormEpsilon = r.positiveNumber('layer_norm_epsilon', 1e-5);
  const eosTokenIds = r.tokenIds('eos_token_id', vocabSize);
  const eosTokenId = eosTokenIds[0] ?? vocabSize - 1;
  const bos = r.tokenIds('bos_token_id', vocabSize);
  const activationName = r.raw.activation_function ?? 'gelu_new';
  const activation = typeof activationName === 'string' ? ACTIVATIONS[activationName] : undefined;
  if (!activation) {
    r.fail(`activation_function ${quoteValue(activationName)} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  const architecture: Architecture = {
    family: 'gpt2',
    headDim: nEmbd / nHead,
    kvHeads: nHead,
    kvHeadOf: kvHeadMap(nHead, nHead),
    norm: 'layer',
    positions: { kind: 'learned' },
    attention: {
      qkvBias: true,
      outBias: true,
      qkNorm: false,
      scaleBySqrtHeadDim: r.flag('scale_attn_weights', true),
      scaleByInverseLayer: r.flag('scale_attn_by_inverse_layer_idx', false),
      slidingWindow: null,
    },
    mlp: { kind: 'gelu', activation: activation!, bias: true },
    tiedEmbeddings: r.flag('tie_word_embeddings', true),
    bosTokenId: bos[0] ?? eosTokenId,
    eosTokenIds: eosTokenIds.length ? eosTokenIds : [eosTokenId],
  };
  return { name, vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, layerNormEpsilon, eosTokenId, architecture };
}

/** The shape config.json implies for every tensor the model needs (Conv1D weights are [in, out]). */
function* expectedTensors(config: ModelConfig): Generator<[string, number[]]> {
  const { vocabSize: V, nPositions: P, nEmbd: d, nInner: inner, nLayer } = config;
  yield ['wte.weight', [V, d]];
  yield ['wpe.weight', [P, d]];
  yield ['ln_f.weight', [d]];
  yield ['ln_f.bias', [d]];
  for (let i = 0; i < nLayer; i++) {
    const n = blockTensorNames(i);
    yield [n.ln1Weight, [d]];
    yield [n.ln1Bias, [d]];
    yield [n.attnWeight, [d, 3 * d]];
    yield [n.attnBias, [3 * d]];
    yield [n.attnProjWeight, [d, d]];
    yield [n.attnProjBias, [d]];
    yield [n.ln2Weight, [d]];
    yield [n.ln2Bias, [d]];
    yield [n.fcWeight, [d, inner]];
    yield [n.fcBias, [inner]];
    yield [n.mlpProjWeight, [inner, d]];
    yield [n.mlpProjBias, [d]];
  }
}

/** Columns [start, start + width) of a row-major [rows, cols] matrix. */
function columnBlock(matrix: Float32Array, rows: number, cols: number, start: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(matrix.subarray(r * cols + start, r * cols + start + width), r * width);
  return out;
}

function blockWeights(read: ReadTensor, config: ModelConfig, layer: number): BlockWeights {
  const { nEmbd: d, nInner: inner } = config;
  const n = blockTensorNames(layer);
  const conv1d = (weight: string, bias: string, inputs: number, outputs: number): LinearWeights => ({ weight: read(weight), layout: 'inputsByOutputs', bias: read(bias), inputs, outputs });
  // c_attn's output columns are q | k | v: three projections instead of one and a Split in the
  // graph, the same FLOPs with one copy fewer.
  const fused = read(n.attnWeight);
  const fusedBias = read(n.attnBias);
  const part = (index: number): LinearWeights => ({
    weight: columnBlock(fused, d, 3 * d, index * d, d),
    layout: 'inputsByOutputs',
    bias: fusedBias.slice(index * d, (index + 1) * d),
    inputs: d,
    outputs: d,
  });
  return {
    attentionNorm: { weight: read(n.ln1Weight), bias: read(n.ln1Bias) },
    query: part(0),
    key: part(1),
    value: part(2),
    output: conv1d(n.attnProjWeight, n.attnProjBias, d, d),
    mlpNorm: { weight: read(n.ln2Weight), bias: read(n.ln2Bias) },
    up: conv1d(n.fcWeight, n.fcBias, d, inner),
    down: conv1d(n.mlpProjWeight, n.mlpProjBias, inner, d),
  };
}

export const gpt2: Family = {
  modelTypes: ['gpt2'],
  parseConfig,
  namePrefixes: ['', 'transformer.'],
  embedding: 'wte.weight',
  positionEmbedding: 'wpe.weight',
  finalNorm: { weight: 'ln_f.weight', bias: 'ln_f.bias' },
  lmHead: 'lm_head.weight',
  distinctLmHeadUnties: true,
  expectedTensors,
  blockWeights,
};
