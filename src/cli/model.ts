// Opening a model folder for the commands. Every command that takes --model reads text with the
// model's own tokenizer (config.json + tokenizer.json, no weights: `tokens --model` stays quick);
// `analyze` and `neighbours` then run the checkpoint on onnxruntime-web's WASM backend (the same
// code path as the extension's worker, so results match the editor).
import fs from 'node:fs';
import path from 'node:path';
import { LensEngine } from '../engine/engine';
import { tokenEntry } from '../engine/model-tokenizer';
import type { Tokenizer } from '../engine/tokenizer-interface';
import type { ModelConfig } from '../engine/types';
import { defaultModelDir, loadCheckpointFromDir, readModelConfigFromDir } from '../node/load-model';
import { loadTokenizerFromDir } from '../node/load-tokenizer';
import { hubIdProblem, looksLikePath, parseHubModelRef, revisionProblem } from '../hub/hub-id';
import { estimateMemory, memoryVerdict } from '../hub/memory-estimate';
import { CliError } from './errors';
import { hubModel, machineMemory } from './hub-model';

export const MODEL_OPTION = { name: 'model', kind: 'string' } as const;

/** A model folder with its configuration and tokenizer; the weights are not read. */
export interface ModelText {
  dir: string;
  config: ModelConfig;
  tokenizer: Tokenizer;
}

/**
 * --model's folder: a folder that exists or a path (./x, /x, ~/x), else a hub model id
 * ("org/name", "org/name@revision") from the Hugging Face cache, downloaded first unless
 * HF_HUB_OFFLINE is set.
 */
export async function modelFolder(model: string | undefined): Promise<string> {
  if (model === undefined) return defaultModelDir();
  if (fs.existsSync(model)) return path.resolve(model);
  if (looksLikePath(model)) return path.resolve(model);
  const ref = parseHubModelRef(model);
  if (!ref) throw new CliError(`--model ${JSON.stringify(model)} is not a folder, and ${(hubIdProblem(model.split('@')[0]!) ?? revisionProblem(model.slice(model.indexOf('@') + 1)))!}`);
  return (await hubModel(ref)).folder;
}

/** The model --model names (default: the bundled one): config.json and its tokenizer. */
export async function openModelText(model: string | undefined): Promise<ModelText> {
  const dir = await modelFolder(model);
  const config = await readModelConfigFromDir(dir);
  return { dir, config, tokenizer: await loadTokenizerFromDir(dir, config) };
}

/** Bytes of the folder's weights files (model.safetensors, or the shards). */
function storedWeightsBytes(dir: string): number {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
}

/**
 * The checkpoint of an opened model, ready to run over `tokens` tokens (with every layer's
 * attention when `attention`); token texts from the
 * model's tokenizer. A model that would not fit in memory is refused with the numbers first.
 */
export async function openEngine(model: ModelText, tokens: number, attention = false): Promise<LensEngine> {
  const estimate = estimateMemory(model.config, storedWeightsBytes(model.dir), tokens, attention);
  const verdict = memoryVerdict(model.config.name, [estimate], machineMemory());
  if (verdict.fits === 'no') throw new CliError(verdict.message);
  if (verdict.fits === 'tight') process.stderr.write(`llm-lens: warning: ${verdict.message}\n`);
  const checkpoint = await loadCheckpointFromDir(model.dir);
  // Imported here, not at the top: `llm-lens tokens` should not pay for loading the runtime.
  const ort = await import('onnxruntime-web');
  ort.env.logLevel = 'error';
  return LensEngine.create(checkpoint, { ort, backend: 'wasm', tokenText: (id) => tokenEntry(model.tokenizer, id).text });
}

/**
 * How messages name the tokenizer: an OpenAI encoding by its name ("r50k_base"), a model's
 * tokenizer.json by the model (the Hugging Face tokenizer is called after the model's folder).
 */
export function tokenizerLabel(model: ModelText): string {
  return model.tokenizer.name === model.config.name ? `the tokenizer of ${model.config.name}` : model.tokenizer.name;
}

/** config.json alone, under the checkpoint loader's rules (a folder, a regular file, at most 1 MiB). */
