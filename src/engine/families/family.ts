// What a model family contributes: how to read its config.json into a ModelConfig, where its
// checkpoint keeps each weight and in which shape. Everything else (the graphs, the engine) is
// shared, driven by ModelConfig.architecture.
import type { ModelConfig, ModelFamily } from '../types';
import { quoteValue } from '../json-syntax';

/** Float32 weights of one linear map, oriented [inputs, outputs] so that y = x @ weight + bias. */
export interface LinearWeights {
  /** In the checkpoint's own order, never transposed in JavaScript: see `layout`. */
  weight: Float32Array;
  /** [inputs, outputs] (GPT-2's Conv1D) or [outputs, inputs] (nn.Linear). */
  layout: 'inputsByOutputs' | 'outputsByInputs';
  bias?: Float32Array;
  inputs: number;
  outputs: number;
}

export interface NormWeights {
  weight: Float32Array;
  /** LayerNorm only. */
  bias?: Float32Array;
}

/** One transformer block's weights as the graphs take them. */
export interface BlockWeights {
  attentionNorm: NormWeights;
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  output: LinearWeights;
  /** Per-head RMSNorm weights [headDim] (architecture.attention.qkNorm). */
  queryNorm?: Float32Array;
  keyNorm?: Float32Array;
  mlpNorm: NormWeights;
  up: LinearWeights;
  /** Gated MLPs only: down(silu(gate(x)) * up(x)). */
  gate?: LinearWeights;
  down: LinearWeights;
}

/** Reads one tensor by its canonical name, as float32. */
export type ReadTensor = (name: string) => Float32Array;

export interface Family {
  /** The config.json model_type values this family reads. */
  modelTypes: readonly ModelFamily[];
  parseConfig(config: ConfigReader, name: string): ModelConfig;
  /** Prefixes a file may put before the canonical tensor names (GPT-2 saved from GPT2LMHeadModel: "transformer."). */
  namePrefixes: readonly string[];
  /** Canonical names of the tensors outside the blocks. */
  embedding: string;
  /** Learned position embedding [nPositions, nEmbd], for positions of kind 'learned'. */
  positionEmbedding?: string;
  finalNorm: { weight: string; bias?: string };
  lmHead: string;
  /**
   * Where config.json ties the embeddings, a lm_head.weight that differs from the embedding is
   * still used. True for GPT-2 only, which LLM Lens has always read that way; Hugging Face ties.
   */
  distinctLmHeadUnties: boolean;
  /**
   * Every tensor the model needs except lm_head, by canonical name, with the shape config.json
   * implies, one at a time: a checker stops at the first one missing, so a config claiming a
   * billion layers costs no more than the tensors the file holds.
   */
  expectedTensors(config: ModelConfig): Iterable<[string, number[]]>;
  blockWeights(read: ReadTensor, config: ModelConfig, layer: number): BlockWeights;
}

/**
 * config.json's fields, read with errors that name the file: "config.json: missing n_embd".
 * `fallback` is Hugging Face's default for a field the file leaves out.
 */
export class ConfigReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly fileName: string,
  ) {}

  fail(problem: string): never {
    throw new Error(`${this.fileName}: ${problem}`);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /**
   * `max` bounds what a crafted file can make the loader allocate before the weights are checked
   * (a list per attention head, say); sizes the tensors must match need no bound here.
   */
  positiveInt(key: string, fallback?: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(`missing ${key}`);
      return fallback;
    }
    if (!Number.isSafeInteger(value) || (value as number) <= 0) this.fail(`${key} must be a positive integer, got ${quoteValue(value)}`);
    if ((value as number) > max) this.fail(`${key} is ${value}, more than the ${max} any model has`);
    return value as number;
  }

  positiveNumber(key: string, fallback: number, value: unknown = this.raw[key]): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) this.fail(`${key} must be a positive number, got ${quoteValue(value)}`);
    return value;
  }

  flag(key: string, fallback: boolean): boolean {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(`${key} must be true or false, got ${quoteValue(value)}`);
    return value;
  }

  /** A token id or a list of them (eos_token_id in Llama 3.1), each inside the vocabulary; [] when absent. */
  tokenIds(key: string, vocabSize: number): number[] {
    const value = this.raw[key];
    if (value === undefined || value === null) return [];
    const ids = Array.isArray(value) ? value : [value];
    for (const id of ids) {
      if (!Number.isSafeInteger(id) || id < 0 || id >= vocabSize) {
        this.fail(`${key} ${quoteValue(value)} is outside the vocabulary (0..${vocabSize - 1})`);
      }
    }
    return ids as number[];
  }

  /** An optional nested object (rope_scaling, rope_parameters); undefined when absent or null. */
  object(key: string, value: unknown = this.raw[key]): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(`${key} must be an object, got ${quoteValue(value)}`);
    return value as Record<string, unknown>;
  }
}

/** The most attention heads a config may claim: the largest models have 128. */
export const MAX_HEADS = 4096;

/** kvHeadOf for `heads` query heads sharing `kvHeads` key/value heads, as Hugging Face's repeat_kv pairs them. */
export function kvHeadMap(heads: number, kvHeads: number): number[] {
  const perKv = heads / kvHeads;
  return Array.from({ length: heads }, (_, h) => Math.floor(h / perKv));
}

