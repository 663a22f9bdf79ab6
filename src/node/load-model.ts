// Node-only: read a checkpoint folder (config.json + model.safetensors) from disk, and find
// the model bundled with the extension wherever this code ends up (tsx, dist/cli.mjs,
// dist/extension.js or a worker bundle).
import fs from 'node:fs';
import path from 'node:path';
import { Checkpoint, MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, parseGpt2Config, planCheckpoint } from '../engine/checkpoint';
import { HEADER_LENGTH_BYTES, parseSafetensorsHeader, safetensorsHeaderLength } from '../engine/safetensors';
import { openRegularFile, readRegularFile, type OpenFile } from './regular-file';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
const PACKAGE_NAME = 'llm-lens';
const BUNDLED_MODEL = path.join('media', 'models', 'tiny-gpt2-software');

/**
 * Loads and validates the checkpoint in `dir`; errors name the missing or broken file. Reads
 * config.json, then the weights' header, and checks the two against each other before it reads
 * the weights' body: a file that cannot be this model costs its header, not its size.
 */
export async function loadCheckpointFromDir(dir: string): Promise<Checkpoint> {
  const folder = path.resolve(dir);
  const stat = await fs.promises.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`model folder ${folder} does not exist or is not a folder`);
  const configPath = path.join(folder, CONFIG_FILE);
  const weightsPath = path.join(folder, WEIGHTS_FILE);
  const name = path.basename(folder);

  const configBytes = await modelFile(configPath, () => readRegularFile(configPath, MAX_CONFIG_BYTES));
  const parsed = parseGpt2Config(new TextDecoder().decode(configBytes), configPath, name);
  const weights = await modelFile(weightsPath, () => openRegularFile(weightsPath, MAX_WEIGHTS_BYTES));
  try {
    const header = parseSafetensorsHeader(await readHeaderBytes(weights), weights.size, weightsPath);
    const plan = planCheckpoint(name, parsed, configPath, header);
    return Checkpoint.fromPlan(plan, await weights.read(0, weights.size));
  } finally {
    await weights.close();
  }
}

/** The JSON header's bytes: the length first, checked against the file and the header limit. */
async function readHeaderBytes(weights: OpenFile): Promise<Uint8Array> {
  const first = await weights.read(0, Math.min(HEADER_LENGTH_BYTES, weights.size));
  const headerLength = safetensorsHeaderLength(first, weights.size, weights.path);
  return weights.read(HEADER_LENGTH_BYTES, headerLength);
}

/** Runs `open` on one of the folder's files, turning Node's errors into ones that say what the folder lacks. */
async function modelFile<T>(file: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`missing ${file}: a model folder needs ${CONFIG_FILE} and ${WEIGHTS_FILE}`);
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
