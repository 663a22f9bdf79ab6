// A GPT-2-family checkpoint: Hugging Face's config.json plus one model.safetensors file,
// validated against each other so that graph building can trust every shape.
import type { ModelConfig } from './types';
import { jsonSyntaxProblem, quoteValue } from './json-syntax';
import { bindSafetensors, safetensorsHeaderOf, type SafetensorsFile, type SafetensorsHeader } from './safetensors';

// How much of a model folder any reader (the CLI, the hover's worker, the panel, the extension
// host's check) takes in. config.json is a few hundred bytes. The weights become float32 ONNX
// initializers serialised into one protobuf, which cannot exceed 2 GiB, so a larger file could
// never run (GPT-2 medium in float32 is 1.4 GB).
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024;

/** Details of the architecture that ModelConfig does not carry but the graphs need. */
export interface Gpt2Architecture {
  /** gelu_new / gelu_pytorch_tanh use the tanh approximation; gelu is the exact erf form. */
  activation: 'gelu_tanh' | 'gelu_erf';
  /** Divide attention scores by sqrt(head size) (Hugging Face's scale_attn_weights, default true). */
  scaleAttnWeights: boolean;
  /** Also divide scores of layer i by i + 1 (scale_attn_by_inverse_layer_idx, default false). */
  scaleAttnByInverseLayerIdx: boolean;
}

export interface CheckpointSource {
  /** Display name, usually the checkpoint folder's name. */
  name: string;
  configJson: string;
  configFileName?: string;
  weights: Uint8Array;
  weightsFileName?: string;
}

/** config.json parsed (see parseGpt2Config). */
export interface ParsedConfig {
  config: ModelConfig;
  architecture: Gpt2Architecture;
}

/**
 * config.json matched against a safetensors header: every tensor the config implies is present
 * with its shape. Made before the weights' body is read, so a file that cannot be the model is
 * refused having read only its header.
 */
export interface CheckpointPlan extends ParsedConfig {
  name: string;
  header: SafetensorsHeader;
  /** Canonical name (no prefix) -> name in the file. */
  fileNames: Map<string, string>;
  /** The lm_head.weight in the file, if any (tied or not is known once the bytes are read). */
  lmHead?: string;
}

const ACTIVATIONS: Record<string, Gpt2Architecture['activation']> = {
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
 * The shape config.json implies for every tensor the model needs (Conv1D weights are [in, out]),
 * one at a time: checking them stops at the first one missing, so a config claiming a billion
 * layers costs no more than the tensors the file holds.
 */
export function* expectedTensorShapes(config: ModelConfig): Generator<[string, number[]]> {
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

/** All of expectedTensorShapes, for a config already matched against its weights. */
export function expectedShapes(config: ModelConfig): Map<string, number[]> {
  return new Map(expectedTensorShapes(config));
}

export class Checkpoint {
  private constructor(
    readonly name: string,
    readonly config: ModelConfig,
    readonly architecture: Gpt2Architecture,
    private readonly file: SafetensorsFile,
    /** Canonical name (no prefix) -> name in the file. */
    private readonly fileNames: Map<string, string>,
    /** True when the output embedding is the input embedding (no distinct lm_head.weight). */
    readonly tiedUnembedding: boolean,
  ) {}

  /** Parses and cross-checks config.json and model.safetensors (all in memory); throws naming the file and the problem. */
  static load(source: CheckpointSource): Checkpoint {
    const configFileName = source.configFileName ?? 'config.json';
    const weightsFileName = source.weightsFileName ?? 'model.safetensors';
    const parsed = parseGpt2Config(source.configJson, configFileName, source.name);
    const header = safetensorsHeaderOf(source.weights, weightsFileName);
    return Checkpoint.fromPlan(planCheckpoint(source.name, parsed, configFileName, header), source.weights);
  }

  /** The checkpoint a plan describes, over the whole weights file's bytes. */
  static fromPlan(plan: CheckpointPlan, weights: Uint8Array): Checkpoint {
    const file = bindSafetensors(plan.header, weights);
    const fileNames = new Map(plan.fileNames);
    const tied = plan.lmHead === undefined || sameValues(file, plan.lmHead, fileNames.get('wte.weight')!);
    if (!tied) fileNames.set('lm_head.weight', plan.lmHead!);
    return new Checkpoint(plan.name, plan.config, plan.architecture, file, fileNames, tied);
  }

  /** One tensor as float32, by its canonical name (e.g. "h.0.attn.c_attn.weight"); converted on each call. */
  tensor(name: string): Float32Array {
    const inFile = this.fileNames.get(name);
    if (!inFile) throw new Error(`${this.file.fileName}: the model has no tensor ${name}`);
    return this.file.readFloat32(inFile);
  }

  /**
   * The residual stream's start for `ids`: wte[ids[t]] + wpe[t], flat [T, d], in float32 like
   * the model (each sum of two float32 values is rounded once). Only the rows used are read.
   */
  embed(ids: readonly number[]): Float32Array {
    const d = this.config.nEmbd;
    if (ids.length > this.config.nPositions) throw new Error(`${ids.length} tokens exceed the context of ${this.config.nPositions}`);
    const out = this.file.readFloat32Range(this.fileNames.get('wpe.weight')!, 0, ids.length * d);
    ids.forEach((id, t) => {
      const row = this.embeddingRow(id);
      for (let c = 0; c < d; c++) out[t * d + c] += row[c];
    });
    return out;
  }

  /** Row `id` of the input embedding wte, read without converting the whole matrix. */
  embeddingRow(id: number): Float32Array {
    const d = this.config.nEmbd;
    return this.file.readFloat32Range(this.fileNames.get('wte.weight')!, id * d, d);
  }

  /** The output embedding [vocab, d]: lm_head.weight when it differs from wte.weight, else wte.weight. */
  unembedding(): Float32Array {
    return this.tensor(this.tiedUnembedding ? 'wte.weight' : 'lm_head.weight');
  }
}

/** Convenience wrapper around Checkpoint.load. */
export function loadCheckpoint(source: CheckpointSource): Checkpoint {
  return Checkpoint.load(source);
}

/**
 * Matches config.json against the weights' header (see CheckpointPlan). Every size in the config
 * (n_layer, n_embd, n_inner, vocab_size, n_positions) is checked against a tensor the file holds
 * before anything is built from it.
 */
export function planCheckpoint(name: string, parsed: ParsedConfig, configFileName: string, header: SafetensorsHeader): CheckpointPlan {
  const { config } = parsed;
  const weightsFileName = header.fileName;
  const fileNames = new Map<string, string>();
  const locate = (canonical: string): string | undefined =>
    [canonical, `transformer.${canonical}`].find((n) => header.tensors.has(n));
  for (const [canonical, shape] of expectedTensorShapes(config)) {
    const found = locate(canonical);
    if (!found) {
      throw new Error(
        `${weightsFileName}: missing tensor ${canonical} (expected shape [${shape.join(', ')}] from ${configFileName}, whose n_layer is ${config.nLayer}; the file holds ${header.tensors.size} tensors)`,
      );
    }
    checkShape(header, found, shape, configFileName);
    fileNames.set(canonical, found);
  }
  const lmHead = ['lm_head.weight', 'transformer.lm_head.weight'].find((n) => header.tensors.has(n));
  if (lmHead) checkShape(header, lmHead, [config.vocabSize, config.nEmbd], configFileName);
  return { ...parsed, name, header, fileNames, lmHead };
}

function checkShape(header: SafetensorsHeader, name: string, expected: number[], configFileName: string) {
  const actual = header.tensors.get(name)!.shape;
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(
      `${header.fileName}: tensor ${name} has shape [${actual.join(', ')}] but ${configFileName} implies [${expected.join(', ')}]`,
    );
  }
}

function sameValues(file: SafetensorsFile, a: string, b: string): boolean {
  if (file.tensors.get(a)!.dtype !== file.tensors.get(b)!.dtype) {
    const x = file.readFloat32(a);
    const y = file.readFloat32(b);
    return x.every((v, i) => v === y[i]);
  }
  const x = file.rawBytes(a);
  const y = file.rawBytes(b);
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * config.json -> ModelConfig. Architectural sizes must be present; optional fields take
 * Hugging Face's GPT2Config defaults (layer_norm_epsilon 1e-5, activation gelu_new,
 * eos_token_id = the last vocabulary id, as in GPT-2).
 */
export function parseGpt2Config(
  configJson: string,
  configFileName: string,
  name: string,
): ParsedConfig {
  const fail = (problem: string): never => {
    throw new Error(`${configFileName}: ${problem}`);
  };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(configJson);
  } catch (error) {
    return fail(jsonSyntaxProblem(error, configJson));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  if (raw.model_type !== 'gpt2') {
    fail(`model_type is ${quoteValue(raw.model_type)}; only GPT-2-family checkpoints ("gpt2") are supported`);
  }
  const positiveInt = (key: string, value: unknown): number => {
    if (value === undefined || value === null) fail(`missing ${key}`);
    if (!Number.isSafeInteger(value) || (value as number) <= 0) fail(`${key} must be a positive integer, got ${quoteValue(value)}`);
    return value as number;
  };
  const nEmbd = positiveInt('n_embd', raw.n_embd);
  const nHead = positiveInt('n_head', raw.n_head);
  const vocabSize = positiveInt('vocab_size', raw.vocab_size);
  const config: ModelConfig = {
    name,
    vocabSize,
    nPositions: positiveInt('n_positions (or n_ctx)', raw.n_positions ?? raw.n_ctx),
    nEmbd,
    nLayer: positiveInt('n_layer', raw.n_layer),
    nHead,
    nInner: raw.n_inner === undefined || raw.n_inner === null ? 4 * nEmbd : positiveInt('n_inner', raw.n_inner),
    layerNormEpsilon: 1e-5,
    eosTokenId: vocabSize - 1,
  };
  if (nEmbd % nHead !== 0) fail(`n_embd ${nEmbd} is not divisible by n_head ${nHead}`);
  if (raw.layer_norm_epsilon !== undefined) {
    const eps = raw.layer_norm_epsilon;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) fail(`layer_norm_epsilon must be a positive number, got ${quoteValue(eps)}`);
    config.layerNormEpsilon = eps as number;
  }
  if (raw.eos_token_id !== undefined && raw.eos_token_id !== null) {
    const eos = raw.eos_token_id;
    if (!Number.isSafeInteger(eos) || (eos as number) < 0 || (eos as number) >= vocabSize) {
      fail(`eos_token_id ${quoteValue(eos)} is outside the vocabulary (0..${vocabSize - 1})`);
    }
    config.eosTokenId = eos as number;
  }
  const activationName = raw.activation_function ?? 'gelu_new';
  const activation = typeof activationName === 'string' ? ACTIVATIONS[activationName] : undefined;
  if (!activation) {
    fail(`activation_function ${quoteValue(activationName)} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  const flag = (key: string, fallback: boolean): boolean => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') fail(`${key} must be true or false, got ${quoteValue(value)}`);
    return value as boolean;
  };
  const architecture: Gpt2Architecture = {
    activation: activation!,
    scaleAttnWeights: flag('scale_attn_weights', true),
    scaleAttnByInverseLayerIdx: flag('scale_attn_by_inverse_layer_idx', false),
  };
  return { config, architecture };
}
