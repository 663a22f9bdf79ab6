// A checkpoint of any supported family: Hugging Face's config.json plus model.safetensors (or
// its shards), validated against each other so that graph building can trust every shape.
// Planned against the weights' headers first (planCheckpoint), so that a file that cannot be
// this model is refused having read only its header, then bound to the bytes (fromPlan).
import type { ModelConfig } from './types';
import { familyOf, parseModelConfig } from './families';
import type { BlockWeights, Family, NormWeights } from './families/family';
import { safetensorsHeaderOf } from './safetensors';
import { WeightHeaders, type ShardIndex, type WeightFiles } from './weight-files';

// How much of a model folder any reader (the CLI, the hover's worker, the panel, the extension
// host's check) takes in. config.json is a few hundred bytes. The weights become float32 in
// onnxruntime-web's 4 GiB heap: 2 GiB of weights files is over a billion parameters even in
// 16-bit, more than that heap holds (see memory-fit.ts), so a larger checkpoint could never run.
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024;

/** One shard's bytes: `name` as the index lists it, `fileName` (e.g. its full path) for errors. */
export interface ShardBytes {
  name: string;
  fileName?: string;
  bytes: Uint8Array;
}

export interface CheckpointSource {
  /** Display name, usually the checkpoint folder's name. */
  name: string;
  configJson: string;
  configFileName?: string;
  /** model.safetensors, for a checkpoint in one file. */
  weights?: Uint8Array;
  weightsFileName?: string;
  /** Or a sharded checkpoint: its index (parseShardIndex) and the shards it names. */
  shards?: { index: ShardIndex; files: ShardBytes[] };
}

/**
 * config.json matched against the weights' headers: every tensor the config implies is present
 * with its shape. Made before any file's body is read.
 */
export interface CheckpointPlan {
  name: string;
  config: ModelConfig;
  headers: WeightHeaders;
  /** Canonical name (no prefix) -> name in the files. */
  fileNames: Map<string, string>;
  /** The lm_head in the files, if any (whether it is used is known once the bytes are read). */
  lmHead?: string;
}

/**
 * Matches config.json against the weights' headers. Tensors are checked one at a time, in the
 * family's order, so a config claiming a billion layers stops at the first layer the files lack
 * instead of building anything that size.
 */
export function planCheckpoint(name: string, config: ModelConfig, configFileName: string, headers: WeightHeaders): CheckpointPlan {
  const family = familyOf(config.architecture.family);
  const locate = (canonical: string): string | undefined => family.namePrefixes.map((p) => p + canonical).find((n) => headers.has(n));
  const checkShape = (tensor: string, expected: number[]) => {
    const actual = headers.entry(tensor).shape;
    if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
      throw new Error(`${headers.fileNameOf(tensor)}: tensor ${tensor} has shape [${actual.join(', ')}] but ${configFileName} implies [${expected.join(', ')}]`);
    }
  };
  const fileNames = new Map<string, string>();
  for (const [canonical, shape] of family.expectedTensors(config)) {
    const found = locate(canonical);
    if (!found) {
      throw new Error(
        `${headers.label}: missing tensor ${canonical} (expected shape [${shape.join(', ')}] from ${configFileName}, whose layer count is ${config.nLayer}; the weights hold ${headers.tensorCount} tensors)`,
      );
    }
    checkShape(found, shape);
    fileNames.set(canonical, found);
  }
  const lmHead = locate(family.lmHead);
  if (lmHead) checkShape(lmHead, [config.vocabSize, config.nEmbd]);
  if (!config.architecture.tiedEmbeddings && !lmHead) {
    throw new Error(`${headers.label}: missing tensor ${family.lmHead} (${configFileName} sets tie_word_embeddings to false; expected shape [${config.vocabSize}, ${config.nEmbd}])`);
  }
  return { name, config, headers, fileNames, lmHead };
}

export class Checkpoint {
  private constructor(
    readonly name: string,
    readonly config: ModelConfig,
    private readonly family: Family,
    private readonly files: WeightFiles,
    /** Canonical name (no prefix) -> name in the file. */
    private readonly fileNames: Map<string, string>,
    /** True when the output embedding is the input embedding (no distinct lm_head.weight is used). */
    readonly tiedUnembedding: boolean,
  ) {}

  /** Parses and cross-checks config.json and the weights, all in memory; throws naming the file and the problem. */
  static load(source: CheckpointSource): Checkpoint {
    const configFileName = source.configFileName ?? 'config.json';
    const config = parseModelConfig(source.configJson, configFileName, source.name);
    if (source.shards) {
      const { index, files } = source.shards;
      const headers = WeightHeaders.sharded(index, files.map((f) => ({ name: f.name, header: safetensorsHeaderOf(f.bytes, f.fileName ?? f.name) })));
      const bytes = new Map(files.map((f) => [f.fileName ?? f.name, f.bytes]));
      return Checkpoint.fromPlan(planCheckpoint(source.name, config, configFileName, headers), headers.bind((h) => bytes.get(h.fileName)!));
    }
    if (!source.weights) throw new Error(`checkpoint ${source.name}: no weights were given (model.safetensors or shards)`);
    const weights = source.weights;
    const headers = WeightHeaders.single(safetensorsHeaderOf(weights, source.weightsFileName ?? 'model.safetensors'));
    return Checkpoint.fromPlan(planCheckpoint(source.name, config, configFileName, headers), headers.bind(() => weights));
  }

  /** The checkpoint a plan describes, over its files' bytes (`plan.headers.bind(...)`). */
  static fromPlan(plan: CheckpointPlan, files: WeightFiles): Checkpoint {
    const { config, lmHead } = plan;
    const family = familyOf(config.architecture.family);
    const fileNames = new Map(plan.fileNames);
    let tied = config.architecture.tiedEmbeddings;
    if (tied && lmHead && family.distinctLmHeadUnties) tied = files.sameValues(lmHead, fileNames.get(family.embedding)!);
    if (!tied) fileNames.set(family.lmHead, lmHead!);
    const resolved: ModelConfig = { ...config, architecture: { ...config.architecture, tiedEmbeddings: tied } };
    return new Checkpoint(plan.name, resolved, family, files, fileNames, tied);
  }

  /**
   * Closes the weights files where they are read from disk (Node's loader): the engine's sessions
   * already hold the weights, so only tensor reads (embedding rows, the walk-through) stop working.
   */
  close(): void {
    this.files.close();
  }

  /** Parameters of the tensors the model uses, from the headers (nothing is read). */
  parameterCount(): number {
    let count = 0;
    for (const inFile of this.fileNames.values()) count += this.files.entry(inFile).shape.reduce((a, b) => a * b, 1);
    return count;
  }

  /** The canonical names of the tensors the model uses (the unembedding's only where it is not the embedding). */
  tensorNames(): string[] {
    return [...this.fileNames.keys()];
  }

  /** One tensor as float32, by its canonical name (e.g. "h.0.attn.c_attn.weight"); converted on each call. */
  tensor(name: string): Float32Array {
    const inFile = this.fileNames.get(name);
    if (!inFile) throw new Error(`${this.files.label}: the model has no tensor ${name}`);
    return this.files.readFloat32(inFile);
  }

  /**
   * The residual stream's start for `ids` at positions start.., flat [T, d]: the embedding rows, plus the learned
   * position rows where the family has them (in float32 like the model: each sum rounded once).
   * Only the rows used are read. Rotary families add positions inside attention instead.
   */
  embed(ids: readonly number[], start = 0): Float32Array {
    const d = this.config.nEmbd;
    if (start + ids.length > this.config.nPositions) throw new Error(`${start + ids.length} tokens exceed the context of ${this.config.nPositions}`);
    const positions = this.family.positionEmbedding;
    if (!positions) {
      const out = new Float32Array(ids.length * d);
      ids.forEach((id, t) => out.set(this.embeddingRow(id), t * d));
      return out;
    }
    const out = this.files.readFloat32Range(this.fileNames.get(positions)!, start * d, ids.length * d);
    ids.forEach((id, t) => {
      const row = this.embeddingRow(id);
      for (let c = 0; c < d; c++) out[t * d + c] += row[c];
    });
    return out;
  }

  /** Row `id` of the input embedding, read without converting the whole matrix. */
  embeddingRow(id: number): Float32Array {
    const { vocabSize: V, nEmbd: d } = this.config;
    if (!Number.isSafeInteger(id) || id < 0 || id >= V) throw new Error(`token id ${JSON.stringify(id)} is ${this.outsideEmbedding()}`);
    return this.files.readFloat32Range(this.fileNames.get(this.family.embedding)!, id * d, d);
  }

  /** Why an id is unusable: "outside the vocabulary (0..7): the embedding in model.safetensors has 8 rows". */
  outsideEmbedding(): string {
    const V = this.config.vocabSize;
    const embedding = this.fileNames.get(this.family.embedding)!;
    return `outside the vocabulary (0..${V - 1}): the embedding in ${this.files.fileNameOf(embedding)} has ${V} rows`;
  }

  /** The input embedding [vocab, d]. */
  embeddingTable(): Float32Array {
    return this.tensor(this.family.embedding);
  }

  /** The output embedding [vocab, d]: lm_head.weight when it is used, else the input embedding. */
  unembedding(): Float32Array {
    return this.tensor(this.tiedUnembedding ? this.family.embedding : this.family.lmHead);
  }

  /** The norm applied to the last residual before the unembedding (ln_f, model.norm). */
  finalNorm(): NormWeights {
    const { weight, bias } = this.family.finalNorm;
    return { weight: this.tensor(weight), bias: bias ? this.tensor(bias) : undefined };
  }

  /** One block's weights, oriented for the graphs; converted on each call. */
  block(layer: number): BlockWeights {
    return this.family.blockWeights((name) => this.tensor(name), this.config, layer);
  }
}

/** Convenience wrapper around Checkpoint.load. */
export function loadCheckpoint(source: CheckpointSource): Checkpoint {
  return Checkpoint.load(source);
}

/**
 * config.json -> ModelConfig for GPT-2-family checkpoints only: what the extension host accepts
 * until the other families' tokenizers are wired in. Other supported families get a message
 * that says so.
 */
export function parseGpt2Config(configJson: string, configFileName: string, name: string): { config: ModelConfig } {
  const config = parseModelConfig(configJson, configFileName, name);
  if (config.architecture.family !== 'gpt2') {
    throw new Error(`${configFileName}: model_type is "${config.architecture.family}"; only GPT-2-family checkpoints ("gpt2") are supported here`);
  }
  return { config };
}
