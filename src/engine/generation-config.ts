// generation_config.json, where a checkpoint has one: the end-of-sequence ids transformers'
// generate() stops at. Instruct models often list more there than config.json does (Llama 3.1
// Instruct: <|end_of_text|>, <|eom_id|> and <|eot_id|>), so generation in the panel stops at all.
import { parseJsonObject } from './json-file';
import { quoteValue } from './json-syntax';
import type { ModelConfig } from './types';

export const GENERATION_CONFIG_FILE = 'generation_config.json';

/** `config` with the end-of-sequence ids of generation_config.json's text added; a file that says otherwise is an error naming it. */
export function withGenerationConfig(config: ModelConfig, json: string, fileName: string): ModelConfig {
  const raw = parseJsonObject(json, fileName).eos_token_id;
  if (raw === undefined || raw === null) return config;
  const ids = Array.isArray(raw) ? raw : [raw];
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 0 || id >= config.vocabSize) {
      throw new Error(`${fileName}: eos_token_id ${quoteValue(raw)} is outside the vocabulary (0..${config.vocabSize - 1})`);
    }
  }
  const eosTokenIds = [...new Set([...config.architecture.eosTokenIds, ...(ids as number[])])];
  return { ...config, architecture: { ...config.architecture, eosTokenIds } };
}
