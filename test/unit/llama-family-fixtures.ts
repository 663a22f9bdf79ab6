// The three tiny random checkpoints in test/fixtures/models/ (see README-llama-family.md) and
// their float64 references, for the family tests.
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
