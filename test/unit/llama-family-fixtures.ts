// The three tiny random checkpoints in test/fixtures/models/ (see README-llama-family.md) and
// their float64 references, for the family tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeSafetensors, encodeSafetensors } from './safetensors-writer';

export const MODELS_DIR = path.join(__dirname, '..', 'fixtures', 'models');
export const FIXTURES = ['tiny-random-qwen3', 'tiny-random-qwen2', 'tiny-random-llama'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export interface PromptReference {
  name: string;
  /** The prompt's text, as the reference's tokenizer read it. */
  text: string;
  ids: number[];
  /** Byte-level BPE strings, as Hugging Face's tokenizers write them. */
  tokens: string[];
  /** [t][j] = [id, logprob], six most likely after position t. */
  top6: [number, number][][];
  target_logprob: number[];
  target_rank: number[];
  entropy_nats: number[];
  /** [head][query][key] */
  attn_layer0: number[][][];
  attn_last: number[][][];
  /** [layer][t], layer 0 = embedding, before the final norm. */
  hidden_norms: number[][];
  last_logits_first16: number[];
}

export interface FixtureReference {
  config: Record<string, unknown>;
  refs: PromptReference[];
  /** id -> [[id, cosine], ...], the id itself first. */
  neighbours: Record<string, [number, number][]>;
}

export const fixtureDir = (name: FixtureName) => path.join(MODELS_DIR, name);

export function readReference(name: FixtureName): FixtureReference {
  return JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'reference.json'), 'utf8'));
}

/** config.json (parsed) and model.safetensors (bytes) of a fixture, for variants built in memory. */
export function readFixtureFiles(name: FixtureName): { config: Record<string, unknown>; weights: Uint8Array } {
  const dir = fixtureDir(name);
  return {
    config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')),
    weights: new Uint8Array(fs.readFileSync(path.join(dir, 'model.safetensors'))),
  };
}

export const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];

/**
 * The Qwen2 fixture as a hub-style sharded folder in `dir` (config.json, the index and two shards:
 * layer 1 and the final norm in the second); returns the index's weight map.
 */
export function writeShardedQwen2(dir: string): Record<string, string> {
  const qwen2 = readFixtureFiles('tiny-random-qwen2');
  const tensors = decodeSafetensors(qwen2.weights);
  const shardOf = (name: string) => (name.startsWith('model.layers.1.') || name === 'model.norm.weight' ? SHARDS[1]! : SHARDS[0]!);
  for (const shard of SHARDS) fs.writeFileSync(path.join(dir, shard), encodeSafetensors(tensors.filter(({ name }) => shardOf(name) === shard)));
  const weightMap = Object.fromEntries(tensors.map(({ name }) => [name, shardOf(name)]));
  fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: qwen2.weights.byteLength }, weight_map: weightMap }));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(qwen2.config));
  return weightMap;
}

/**
 * inv_freq of rotary pair i written out from config.json, as Hugging Face's
 * _compute_default_rope_parameters, _compute_linear_scaling_rope_parameters and
 * _compute_llama3_parameters define it: the tests' own reference, independent of rope.ts.
 */
export function expectedInverseFrequency(config: Record<string, unknown>, headDim: number, i: number): number {
  const theta = config.rope_theta as number;
  const base = 1 / theta ** ((2 * i) / headDim);
  const scaling = config.rope_scaling as Record<string, number | string> | null | undefined;
  if (!scaling) return base;
  const factor = scaling.factor as number;
  if (scaling.rope_type === 'linear') return base / factor;
  assert.equal(scaling.rope_type, 'llama3');
  const low = scaling.low_freq_factor as number;
  const high = scaling.high_freq_factor as number;
  const original = scaling.original_max_position_embeddings as number;
  const wavelength = (2 * Math.PI) / base;
  if (wavelength < original / high) return base;
  if (wavelength > original / low) return base / factor;
  const smooth = (original / wavelength - low) / (high - low);
  return (1 - smooth) * (base / factor) + smooth * base;
}
