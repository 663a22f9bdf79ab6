// Llama and the families that share its layout: Mistral, Qwen2 (Qwen2, Qwen2.5) and Qwen3
// (dense). RMSNorm, rotary positions, grouped-query attention, a SiLU-gated MLP, nn.Linear
// weights stored [out, in]. They differ only in the data below: which projections carry
// biases, whether heads are normalised, sliding windows, and Hugging Face's defaults.
import type { Architecture, ModelConfig, ModelFamily, PositionEncoding, RopeScaling } from '../types';
import { quoteValue } from '../json-syntax';
import { kvHeadMap, MAX_HEADS, type BlockWeights, type ConfigReader, type Family, type LinearWeights, type ReadTensor } from './family';

type LlamaLike = Exclude<ModelFamily, 'gpt2'>;

interface Variant {
  /** head_dim when config.json gives none (Hugging Face's config class default). */
  defaultHeadDim(hidden: number, heads: number): number;
  qkvBias(r: ConfigReader): boolean;
  outBias(r: ConfigReader): boolean;
  mlpBias(r: ConfigReader): boolean;
  qkNorm: boolean;
  slidingWindow(r: ConfigReader, layers: number): { size: number; layers: number[] } | null;
  /** bos / eos when config.json names none; null where Hugging Face has no default. */
  defaultBos: number | null;
  defaultEos: number | null;
  /** max_position_embeddings when config.json gives none. */
  defaultContext: number;
}

const evenSplit = (hidden: number, heads: number) => hidden / heads;
const attentionBias = (r: ConfigReader) => r.flag('attention_bias', false);
const never = () => false;
const allLayers = (count: number) => Array.from({ length: count }, (_, i) => i);

/**
 * Qwen2 / Qwen3: a window only with use_sliding_window, in the layers that layer_types marks
 * "sliding_attention", or else from max_window_layers on (Hugging Face's Qwen2Config).
 */
function qwenSlidingWindow(r: ConfigReader, layers: number): { size: number; layers: number[] } | null {
  if (!r.flag('use_sliding_window', false) || r.raw.sliding_window === null) return null;
  const size = r.positiveInt('sliding_window', 4096);
  const types = r.raw.layer_types;
  if (Array.isArray(types)) {
    if (types.length !== layers) r.fail(`layer_types lists ${types.length} layers but num_hidden_layers is ${layers}`);
    return { size, layers: allLayers(layers).filter((i) => types[i] === 'sliding_attention') };
  }
  const from = (r.raw.max_window_layers ?? 28) as number;
  if (!Number.isSafeInteger(from) || from < 0) r.fail(`max_window_layers must be a whole number >= 0, got ${quoteValue(from)}`);
  return { size, layers: allLayers(layers).filter((i) => i >= from) };
}

const VARIANTS: Record<LlamaLike, Variant> = {
  llama: {
    defaultHeadDim: evenSplit,
    qkvBias: attentionBias,
    outBias: attentionBias,
    mlpBias: (r) => r.flag('mlp_bias', false),
    qkNorm: false,
    slidingWindow: () => null,
    defaultBos: 1,
    defaultEos: 2,
    defaultContext: 2048,
  },
  mistral: {
    defaultHeadDim: evenSplit,
    qkvBias: never,
    outBias: never,
    mlpBias: never,
    qkNorm: false,
    // MistralConfig's default window is 4096; config.json may set null for none (v0.2 on).
    slidingWindow: (r, layers) => (r.raw.sliding_window === null ? null : { size: r.positiveInt('sliding_window', 4096), layers: allLayers(layers) }),
    defaultBos: 1,
    defaultEos: 2,
    defaultContext: 131072,
  },
  qwen2: {
    defaultHeadDim: evenSplit,
    qkvBias: () => true,
    outBias: never,
    mlpBias: never,
    qkNorm: false,
    slidingWindow: qwenSlidingWindow,
    defaultBos: null,
    defaultEos: null,
    defaultContext: 32768,
  },
  qwen3: {
    defaultHeadDim: () => 128,
    qkvBias: attentionBias,
    outBias: attentionBias,
    mlpBias: never,
    qkNorm: true,
    slidingWindow: qwenSlidingWindow,
    defaultBos: null,
    defaultEos: null,
    defaultContext: 32768,
  },
};

export const SUPPORTED_ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

/**
 * rope_theta and rope_scaling, at the top level (transformers 4) or inside rope_parameters
 * (transformers 5). Only the scalings that keep the attention scale at 1 are supported.
 */
function readPositions(r: ConfigReader): PositionEncoding {
  const parameters = r.object('rope_parameters');
  const theta = r.positiveNumber('rope_theta', 10000, r.raw.rope_theta ?? parameters?.rope_theta);
  const scalingKey = r.has('rope_scaling') ? 'rope_scaling' : 'rope_parameters';
  const scaling = r.object(scalingKey);
  return { kind: 'rope', theta, scaling: scaling ? readScaling(r, scalingKey, scaling) : null };
}

function readScaling(r: ConfigReader, key: string, scaling: Record<string, unknown>): RopeScaling | null {
  const type = scaling.rope_type ?? scaling.type ?? 'default';
  const number = (field: string, fallback?: number) => {
    if (scaling[field] === undefined && fallback !== undefined) return fallback;
    if (scaling[field] === undefined) r.fail(`${key} of type ${quoteValue(type)} needs ${field}`);
    return r.positiveNumber(`${key}.${field}`, Number.NaN, scaling[field]);
  };
  switch (type) {
    case 'default':
      return null;
    case 'linear':
      return { type: 'linear', factor: number('factor') };
    case 'llama3': {
      const lowFreqFactor = number('low_freq_factor');
      const highFreqFactor = number('high_freq_factor');
      if (!(highFreqFactor > lowFreqFactor)) r.fail(`${key}: high_freq_factor ${highFreqFactor} must exceed low_freq_factor ${lowFreqFactor}`);
      return { type: 'llama3', factor: number('factor'), lowFreqFactor, highFreqFactor, originalContext: number('original_max_position_embeddings') };
    }
    default:
      return r.fail(`${key} type ${quoteValue(type)} is not supported (supported: none, ${SUPPORTED_ROPE_TYPES.join(', ')})`);
  }
}

function parseConfigAs(family: LlamaLike) {
  return (r: ConfigReader, name: string): ModelConfig => {
    const variant = VARIANTS[family];
    const vocabSize = r.positiveInt('vocab_size');
    const nEmbd = r.positiveInt('hidden_size');
    const nLayer = r.positiveInt('num_hidden_layers');
    const nHead = r.positiveInt('num_attention_heads', undefined, MAX_HEADS);
    const kvHeads = r.positiveInt('num_key_value_heads', nHead);
    if (nHead % kvHeads !== 0) r.fail(`num_attention_heads ${nHead} is not a multiple of num_key_value_heads ${kvHeads}`);
    const fallbackHeadDim = variant.defaultHeadDim(nEmbd, nHead);
    if (!r.has('head_dim') && !Number.isInteger(fallbackHeadDim)) r.fail(`hidden_size ${nEmbd} is not divisible by num_attention_heads ${nHead} and head_dim is not given`);
    const headDim = r.positiveInt('head_dim', fallbackHeadDim);
    if (headDim % 2 !== 0) r.fail(`head_dim ${headDim} must be even for rotary position embeddings`);
    const activation = r.raw.hidden_act ?? 'silu';
    if (activation !== 'silu') r.fail(`hidden_act ${quoteValue(activation)} is not supported for ${family} (supported: silu)`);
    const eosTokenIds = r.tokenIds('eos_token_id', vocabSize);
    if (eosTokenIds.length === 0 && variant.defaultEos === null) r.fail('missing eos_token_id');
    const eos = eosTokenIds.length ? eosTokenIds : [variant.defaultEos!];
    const bos = r.tokenIds('bos_token_id', vocabSize);
    const architecture: Architecture = {
      family,
      headDim,
      kvHeads,
      kvHeadOf: kvHeadMap(nHead, kvHeads),
      norm: 'rms',
      positions: readPositions(r),
      attention: {
        qkvBias: variant.qkvBias(r),
        outBias: variant.outBias(r),
        qkNorm: variant.qkNorm,
        scaleBySqrtHeadDim: true,
        scaleByInverseLayer: false,
        slidingWindow: variant.slidingWindow(r, nLayer),
      },
      mlp: { kind: 'gated', activation: 'silu', bias: variant.mlpBias(r) },
      tiedEmbeddings: r.flag('tie_word_embeddings', false),
      bosTokenId: bos[0] ?? variant.defaultBos,
      eosTokenIds: eos,
    };
    return {
      name,
      vocabSize,
      nPositions: r.positiveInt('max_position_embeddings', variant.defaultContext),
      nEmbd,
      nLayer,
      nHead,
      nInner: r.positiveInt('intermediate_size'),
      layerNormEpsilon: r.positiveNumber('rms_norm_eps', 1e-6),
      eosTokenId: eos[0],
      architecture,
    };
  };
}

/** Per-layer tensor names in Hugging Face's Llama layout. */
const layerNames = (layer: number) => {
  const p = `model.layers.${layer}`;
  return {
    attentionNorm: `${p}.input_layernorm.weight`,
    query: `${p}.self_attn.q_proj`,
    key: `${p}.self_attn.k_proj`,
    value: `${p}.self_attn.v_proj`,
    output: `${p}.self_attn.o_proj`,
    queryNorm: `${p}.self_attn.q_norm.weight`,
    keyNorm: `${p}.self_attn.k_norm.weight`,
    mlpNorm: `${p}.post_attention_layernorm.weight`,
    gate: `${p}.mlp.gate_proj`,
    up: `${p}.mlp.up_proj`,
    down: `${p}.mlp.down_proj`,
  };
};

/** The linear maps of one block: name prefix, inputs, outputs, and whether it has a bias. */
function linears(config: ModelConfig, layer: number): [string, number, number, boolean][] {
  const { nEmbd: d, nHead: H, nInner: inner, architecture: a } = config;
  const n = layerNames(layer);
  return [
    [n.query, d, H * a.headDim, a.attention.qkvBias],
    [n.key, d, a.kvHeads * a.headDim, a.attention.qkvBias],
    [n.value, d, a.kvHeads * a.headDim, a.attention.qkvBias],
    [n.output, H * a.headDim, d, a.attention.outBias],
    [n.gate, d, inner, a.mlp.bias],
    [n.up, d, inner, a.mlp.bias],
    [n.down, inner, d, a.mlp.bias],
  ];
}

function* expectedTensors(config: ModelConfig): Generator<[string, number[]]> {
  const { vocabSize: V, nEmbd: d, architecture: a } = config;
  yield ['model.embed_tokens.weight', [V, d]];
  yield ['model.norm.weight', [d]];
  for (let layer = 0; layer < config.nLayer; layer++) {
    const n = layerNames(layer);
    yield [n.attentionNorm, [d]];
    yield [n.mlpNorm, [d]];
    if (a.attention.qkNorm) {
      yield [n.queryNorm, [a.headDim]];
      yield [n.keyNorm, [a.headDim]];
    }
    // nn.Linear stores its weight [out, in].
    for (const [name, inputs, outputs, bias] of linears(config, layer)) {
      yield [`${name}.weight`, [outputs, inputs]];
      if (bias) yield [`${name}.bias`, [outputs]];
    }
  }
}

function blockWeights(read: ReadTensor, config: ModelConfig, layer: number): BlockWeights {
  const [query, key, value, output, gate, up, down] = linears(config, layer).map(
    ([name, inputs, outputs, bias]): LinearWeights => ({
      // As stored: the graph multiplies by its transpose (Gemm transB), which costs nothing there.
      weight: read(`${name}.weight`),
      layout: 'outputsByInputs',
      bias: bias ? read(`${name}.bias`) : undefined,
      inputs,
      outputs,
    }),
  );
  const n = layerNames(layer);
  const qkNorm = config.architecture.attention.qkNorm;
  return {
    attentionNorm: { weight: read(n.attentionNorm) },
    query,
    key,
    value,
    output,
    queryNorm: qkNorm ? read(n.queryNorm) : undefined,
    keyNorm: qkNorm ? read(n.keyNorm) : undefined,
    mlpNorm: { weight: read(n.mlpNorm) },
    gate,
    up,
    down,
  };
}

const llamaLayout = {
  namePrefixes: [''],
  embedding: 'model.embed_tokens.weight',
  finalNorm: { weight: 'model.norm.weight' },
  lmHead: 'lm_head.weight',
  distinctLmHeadUnties: false,
  expectedTensors,
  blockWeights,
} as const;

export const llamaFamilies: Family[] = (Object.keys(VARIANTS) as LlamaLike[]).map((family) => ({
  ...llamaLayout,
  modelTypes: [family],
  parseConfig: parseConfigAs(family),
}));
