// Opening a model folder for the commands. Every command that takes --model reads text with the
// model's own tokenizer (config.json + tokenizer.json, no weights: `tokens --model` stays quick);
// `analyze` and `neighbours` then run the checkpoint on onnxruntime-web's WASM backend (the same
// code path as the extension's worker, so results match the editor).
import path from 'node:path';
import { LensEngine } from '../engine/engine';
import { tokenEntry } from '../engine/model-tokenizer';
import type { Tokenizer } from '../engine/tokenizer-interface';
import type { ModelConfig } from '../engine/types';
import { defaultModelDir, loadCheckpointFromDir, readModelConfigFromDir } from '../node/load-model';
import { loadTokenizerFromDir } from '../node/load-tokenizer';

export const MODEL_OPTION = { name: 'model', kind: 'string' } as const;

/** A model folder with its configuration and tokenizer; the weights are not read. */
export interface ModelText {
  dir: string;
  config: ModelConfig;
  tokenizer: Tokenizer;
}

/** The model in `modelDir` (default: the bundled one): config.json and its tokenizer. */
export async function openModelText(modelDir: string | undefined): Promise<ModelText> {
  const dir = path.resolve(modelDir ?? defaultModelDir());
  const config = await readModelConfigFromDir(dir);
  return { dir, config, tokenizer: await loadTokenizerFromDir(dir, config) };
}

/** The checkpoint of an opened model, ready to run; token texts from the model's tokenizer. */
export async function openEngine(model: ModelText): Promise<LensEngine> {
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
