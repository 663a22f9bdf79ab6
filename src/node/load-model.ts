// Node-only: read a checkpoint folder (config.json + model.safetensors, or shards listed in
// model.safetensors.index.json) from disk, and find
// the model bundled with the extension wherever this code ends up (tsx, dist/cli.mjs,
// dist/extension.js or a worker bundle).
import fs from 'node:fs';
import path from 'node:path';
import { Checkpoint } from '../engine/checkpoint';
import { parseShardIndex, SHARD_INDEX_FILE, type ShardBytes, type ShardIndex } from '../engine/weight-files';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
const PACKAGE_NAME = 'llm-lens';
const BUNDLED_MODEL = path.join('media', 'models', 'tiny-gpt2-software');

/** Loads and validates the checkpoint in `dir`; errors name the missing or broken file. */
export async function loadCheckpointFromDir(dir: string): Promise<Checkpoint> {
  const folder = path.resolve(dir);
  const stat = await fs.promises.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`model folder ${folder} does not exist or is not a folder`);
  const read = async (file: string) => {
    const full = path.join(folder, file);
    try {
      return await fs.promises.readFile(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `missing ${full}: a model folder needs ${CONFIG_FILE} and ${WEIGHTS_FILE}` : `cannot read ${full}: ${(error as Error).message}`);
    }
  };
  if (!fs.existsSync(path.join(folder, WEIGHTS_FILE)) && fs.existsSync(path.join(folder, SHARD_INDEX_FILE))) {
    const config = await read(CONFIG_FILE);
    return Checkpoint.load({
      name: path.basename(folder),
      configJson: config.toString('utf8'),
      configFileName: path.join(folder, CONFIG_FILE),
      shards: await readShards(folder, read),
    });
  }
  const [config, weights] = await Promise.all([read(CONFIG_FILE), read(WEIGHTS_FILE)]);
  return Checkpoint.load({
    name: path.basename(folder),
    configJson: config.toString('utf8'),
    configFileName: path.join(folder, CONFIG_FILE),
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    weightsFileName: path.join(folder, WEIGHTS_FILE),
  });
}

/** The shard index and every shard it names; a shard that is not there is an error naming it and the index. */
async function readShards(folder: string, read: (file: string) => Promise<Buffer>): Promise<{ index: ShardIndex; files: ShardBytes[] }> {
  const indexPath = path.join(folder, SHARD_INDEX_FILE);
  const index = parseShardIndex((await read(SHARD_INDEX_FILE)).toString('utf8'), indexPath);
  const files: ShardBytes[] = [];
  for (const shard of index.shards) {
    const full = path.join(folder, shard);
    if (!fs.existsSync(full)) throw new Error(`${indexPath}: names ${shard}, but ${full} is missing`);
    const bytes = await read(shard);
    files.push({ name: shard, fileName: full, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  }
  return { index, files };
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
