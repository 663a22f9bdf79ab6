// Node-only: read a checkpoint folder (config.json + model.safetensors, or its shards) from
// disk, and find the model bundled with the extension wherever this code ends up (tsx,
// dist/cli.mjs, dist/extension.js or a worker bundle).
import fs from 'node:fs';
import path from 'node:path';
import { Checkpoint, MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, planCheckpoint } from '../engine/checkpoint';
import { parseModelConfig } from '../engine/families';
import type { ModelConfig } from '../engine/types';
import { HEADER_LENGTH_BYTES, parseSafetensorsHeader, safetensorsHeaderLength, type ByteSource, type SafetensorsHeader } from '../engine/safetensors';
import { MAX_SHARD_INDEX_BYTES, parseShardIndex, SHARD_INDEX_FILE, WeightHeaders, type ShardHeader } from '../engine/weight-files';
import { openRegularFile, readRegularFile, type OpenFile } from './regular-file';
import { modelFolderName } from '../hub/snapshot-name';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
const PACKAGE_NAME = 'llm-lens';
const BUNDLED_MODEL = path.join('media', 'models', 'tiny-gpt2-software');

/**
 * Loads and validates the checkpoint in `dir`; errors name the missing or broken file. Reads
 * config.json, then the weights' headers, and checks the two against each other before it reads
 * any body: a file that cannot be this model costs its header, not its size.
 */
export async function loadCheckpointFromDir(dir: string): Promise<Checkpoint> {
  const folder = path.resolve(dir);
  const config = await readModelConfigFromDir(folder);
  const configPath = path.join(folder, CONFIG_FILE);
  const name = modelFolderName(folder);

  const weightFiles = await openWeights(folder);
  try {
    const plan = planCheckpoint(name, config, configPath, weightFiles.headers);
    let total = 0;
    for (const { file } of weightFiles.open) total += file.size;
    if (total > MAX_WEIGHTS_BYTES) throw new Error(`${weightFiles.headers.label}: the weights are ${total} bytes, over the limit of ${MAX_WEIGHTS_BYTES} bytes a model can run with`);
    const sources = new Map<SafetensorsHeader, ByteSource>();
    for (const { file, header } of weightFiles.open) sources.set(header, fileBytes(file));
    return Checkpoint.fromPlan(plan, plan.headers.bind((header) => sources.get(header)!));
  } catch (error) {
    for (const { file } of weightFiles.open) await file.close();
    throw error;
  }
}

/**
 * A weights file read in ranges when a tensor is asked for, so that a loaded model never holds
 * its file in memory (the sessions hold the weights; the file is read again only for embedding
 * rows and the walk-through). Open until Checkpoint.close(), or until the checkpoint is
 * garbage-collected.
 */
function fileBytes(file: OpenFile): ByteSource {
  let open = true;
  const source: ByteSource = {
    byteLength: file.size,
    read: (begin, end) => {
      if (!open) throw new Error(`${file.path} was closed: the model that read it has been unloaded`);
      return file.readSync(begin, end - begin);
    },
    close: () => {
      if (!open) return;
      open = false;
      openFiles.unregister(source);
      void file.close().catch(() => undefined);
    },
  };
  openFiles.register(source, file, source);
  return source;
}

const openFiles = new FinalizationRegistry<OpenFile>((file) => void file.close().catch(() => undefined));

/** config.json of the model folder `dir` (read under the same rules as the weights), parsed. */
export async function readModelConfigFromDir(dir: string): Promise<ModelConfig> {
  const folder = path.resolve(dir);
  const stat = await fs.promises.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`model folder ${folder} does not exist or is not a folder`);
  const configPath = path.join(folder, CONFIG_FILE);
  const configBytes = await modelFile(configPath, () => readRegularFile(configPath, MAX_CONFIG_BYTES));
  return parseModelConfig(new TextDecoder().decode(configBytes), configPath, modelFolderName(folder));
}

interface OpenWeights {
  headers: WeightHeaders;
  /** Every weights file, open, with its header read. */
  open: { file: OpenFile; header: SafetensorsHeader }[];
}

/** model.safetensors, or the shard index and every shard it names; headers read, bodies not. */
async function openWeights(folder: string): Promise<OpenWeights> {
  const weightsPath = path.join(folder, WEIGHTS_FILE);
  const indexPath = path.join(folder, SHARD_INDEX_FILE);
  if (!fs.existsSync(weightsPath) && fs.existsSync(indexPath)) {
    const index = parseShardIndex(new TextDecoder().decode(await modelFile(indexPath, () => readRegularFile(indexPath, MAX_SHARD_INDEX_BYTES))), indexPath);
    const open: OpenWeights['open'] = [];
    const shards: ShardHeader[] = [];
    try {
      for (const shard of index.shards) {
        const shardPath = path.join(folder, shard);
        if (!fs.existsSync(shardPath)) throw new Error(`${indexPath}: names ${shard}, but ${shardPath} is missing`);
        const file = await modelFile(shardPath, () => openRegularFile(shardPath, MAX_WEIGHTS_BYTES));
        open.push({ file, header: await readHeader(file) });
        shards.push({ name: shard, header: open.at(-1)!.header });
      }
      return { headers: WeightHeaders.sharded(index, shards), open };
    } catch (error) {
      for (const { file } of open) await file.close();
      throw error;
    }
  }
  const file = await modelFile(weightsPath, () => openRegularFile(weightsPath, MAX_WEIGHTS_BYTES));
  try {
    const header = await readHeader(file);
    return { headers: WeightHeaders.single(header), open: [{ file, header }] };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** A weights file's header: the length first, checked against the file and the header limit. */
async function readHeader(file: OpenFile): Promise<SafetensorsHeader> {
  const first = await file.read(0, Math.min(HEADER_LENGTH_BYTES, file.size));
  const headerLength = safetensorsHeaderLength(first, file.size, file.path);
  return parseSafetensorsHeader(await file.read(HEADER_LENGTH_BYTES, headerLength), file.size, file.path);
}

/** Runs `open` on one of the folder's files, turning Node's errors into ones that say what the folder lacks. */
async function modelFile<T>(file: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`missing ${file}: a model folder needs ${CONFIG_FILE} and ${WEIGHTS_FILE} (or ${SHARD_INDEX_FILE} and its shards)`);
    if (code === 'EACCES') throw new Error(`cannot read ${file}: permission denied`);
    throw error;
  }
}

/**
 * The bundled model's folder: found by walking up from this module (or the running script,
 * or the working directory) to the folder whose package.json is named "llm-lens".
 */
export function defaultModelDir(): string {
  const starts = [
    typeof __dirname === 'string' ? __dirname : undefined, // CommonJS bundles and tsx
    process.argv[1] ? path.dirname(realPath(process.argv[1])) : undefined, // dist/cli.mjs (ESM)
    process.cwd(),
  ];
  for (const start of starts) {
    const root = start && findPackageRoot(start);
    if (root) return path.join(root, BUNDLED_MODEL);
  }
  throw new Error(`cannot find the bundled model: no ${PACKAGE_NAME} package.json above ${starts.filter(Boolean).join(' or ')}`);
}

function findPackageRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, BUNDLED_MODEL))) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking up.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
