// A checkpoint's weights as one namespace over one model.safetensors or several shards, and
// the shard index (model.safetensors.index.json) that says which shard holds which tensor.
// Headers come first (WeightHeaders): a checkpoint is planned against them before any file's
// body is read, and only then bound to the bytes (WeightFiles).
import { parseJsonObject } from './json-file';
import { quoteValue } from './json-syntax';
import { bindSafetensors, type ByteSource, type SafetensorsFile, type SafetensorsHeader, type TensorEntry } from './safetensors';

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';
/** The largest shard index read: one line per tensor, a few hundred kB for the largest models. */
export const MAX_SHARD_INDEX_BYTES = 16 * 1024 * 1024;

export interface ShardIndex {
  /** The index's name or path, for errors. */
  fileName: string;
  /** Tensor name -> the shard's file name, as the index lists them. */
  weightMap: Map<string, string>;
  /** Every shard the index names, once each, in the order they first appear. */
  shards: string[];
}

/**
 * Parses model.safetensors.index.json. Shard names must be plain file names in the same folder:
 * an index is data from the internet and must not reach other files ("../", absolute paths).
 */
export function parseShardIndex(json: string, fileName: string): ShardIndex {
  const fail = (problem: string): never => {
    throw new Error(`${fileName}: ${problem}`);
  };
  const map = parseJsonObject(json, fileName).weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return fail('has no weight_map object');
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || !/^[^/\\]+\.safetensors$/.test(shard) || shard.startsWith('.')) {
      fail(`weight_map puts ${tensor} in ${quoteValue(shard)}, which is not a .safetensors file name in the model's folder`);
    }
    weightMap.set(tensor, shard as string);
  }
  if (weightMap.size === 0) fail('weight_map is empty');
  return { fileName, weightMap, shards: [...new Set(weightMap.values())] };
}

/** One shard's header: `name` as the index lists it. */
export interface ShardHeader {
  name: string;
  header: SafetensorsHeader;
}

/** Tensors by name across the headers of one or more safetensors files; no tensor data. */
export class WeightHeaders {
  private constructor(
    private readonly owner: Map<string, SafetensorsHeader>,
    /** What holds the weights, for errors: the single file, or the shard index. */
    readonly label: string,
    readonly headers: readonly SafetensorsHeader[],
  ) {}

  static single(header: SafetensorsHeader): WeightHeaders {
    return new WeightHeaders(new Map([...header.tensors.keys()].map((name) => [name, header])), header.fileName, [header]);
  }

  /**
   * Every shard the index names, checked against the index: a shard missing from `shards`, a
   * tensor not where the index says, or one tensor in two shards is an error.
   */
  static sharded(index: ShardIndex, shards: readonly ShardHeader[]): WeightHeaders {
    const fail = (problem: string): never => {
      throw new Error(`${index.fileName}: ${problem}`);
    };
    const headers = new Map<string, SafetensorsHeader>();
    for (const shard of index.shards) {
      const found = shards.find((s) => s.name === shard) ?? fail(`names ${shard}, which is missing`);
      headers.set(shard, found.header);
    }
    const owner = new Map<string, SafetensorsHeader>();
    for (const header of headers.values()) {
      for (const name of header.tensors.keys()) {
        const other = owner.get(name);
        if (other) fail(`tensor ${name} is in both ${other.fileName} and ${header.fileName}`);
        owner.set(name, header);
      }
    }
    for (const [tensor, shard] of index.weightMap) {
      if (!headers.get(shard)!.tensors.has(tensor)) fail(`lists ${tensor} in ${shard}, but ${headers.get(shard)!.fileName} has no such tensor`);
    }
    return new WeightHeaders(owner, index.fileName, [...headers.values()]);
  }

  /** Tensors in all the files together. */
  get tensorCount(): number {
    return this.owner.size;
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  entry(name: string): TensorEntry {
    return this.headerOf(name).tensors.get(name)!;
  }

  /** The file holding `name` (a shard's path in a sharded checkpoint). */
  fileNameOf(name: string): string {
    return this.headerOf(name).fileName;
  }

  /** Binds every header to its file's whole bytes (`bytesOf` gets the header it is asked for). */
  bind(bytesOf: (header: SafetensorsHeader) => Uint8Array | ByteSource): WeightFiles {
    const files = new Map(this.headers.map((header) => [header, bindSafetensors(header, bytesOf(header))]));
    return new WeightFiles(new Map([...this.owner].map(([name, header]) => [name, files.get(header)!])), this.label);
  }

  private headerOf(name: string): SafetensorsHeader {
    const header = this.owner.get(name);
    if (!header) throw new Error(`${this.label}: no tensor named ${name}`);
    return header;
  }
}

/** Tensors by name across one or more safetensors files, with their bytes. */
export class WeightFiles {
  constructor(
    private readonly owner: Map<string, SafetensorsFile>,
    /** What holds the weights, for errors: the single file, or the shard index. */
    readonly label: string,
  ) {}

  has(name: string): boolean {
    return this.owner.has(name);
  }

  entry(name: string): TensorEntry {
    return this.fileOf(name).tensors.get(name)!;
  }

  /** The file holding `name` (a shard's path in a sharded checkpoint). */
  fileNameOf(name: string): string {
    return this.fileOf(name).fileName;
  }

  rawBytes(name: string): Uint8Array {
    return this.fileOf(name).rawBytes(name);
  }

  readFloat32(name: string): Float32Array {
    return this.fileOf(name).readFloat32(name);
  }

  readFloat32Range(name: string, start: number, count: number): Float32Array {
    return this.fileOf(name).readFloat32Range(name, start, count);
  }

  /** Closes every file read from disk; reads fail afterwards. */
  close(): void {
    for (const file of new Set(this.owner.values())) file.close();
  }

  /** True when two tensors hold the same values (a lm_head.weight that only repeats the embedding). */
  sameValues(a: string, b: string): boolean {
    if (this.entry(a).dtype !== this.entry(b).dtype) {
      const x = this.readFloat32(a);
      const y = this.readFloat32(b);
      return x.length === y.length && x.every((v, i) => v === y[i]);
    }
    const x = this.rawBytes(a);
    const y = this.rawBytes(b);
    if (x.byteLength !== y.byteLength) return false;
    for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new Error(`${this.label}: no tensor named ${name}`);
    return file;
  }
}
