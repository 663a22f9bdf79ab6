// Node-only: the tokenizer of a model folder (tokenizer.json + tokenizer_config.json when it has
// them; see model-tokenizer.ts), read under the same rules as the weights (regular files, capped).
import fs from 'node:fs/promises';
import path from 'node:path';
import { chatTemplateOf, type ChatTemplate } from '../engine/chat-template';
import { MAX_CONFIG_BYTES } from '../engine/checkpoint';
import { GENERATION_CONFIG_FILE, withGenerationConfig } from '../engine/generation-config';
import { MAX_TOKENIZER_BYTES, modelTokenizer, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from '../engine/model-tokenizer';
import type { Tokenizer } from '../engine/tokenizer-interface';
import type { ModelConfig } from '../engine/types';
import { readRegularFile } from './regular-file';

/** A file's text, or undefined when the folder has no such file. */
async function optionalText(file: string, maxBytes = MAX_TOKENIZER_BYTES): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readRegularFile(file, maxBytes));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES') throw new Error(`cannot read ${file}: permission denied`);
    throw error;
  }
}

export async function loadTokenizerFromDir(dir: string, config: ModelConfig): Promise<Tokenizer> {
  const tokenizerFileName = path.join(dir, TOKENIZER_FILE);
  const tokenizerJson = await optionalText(tokenizerFileName);
  const tokenizerConfig = tokenizerJson === undefined ? undefined : await optionalText(path.join(dir, TOKENIZER_CONFIG_FILE));
  try {
    return modelTokenizer(config, { tokenizerJson, tokenizerConfig, tokenizerFileName });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // createHfTokenizer's errors say what is wrong, not where: name the file.
    throw new Error(message.startsWith(tokenizerFileName) ? message : `${tokenizerFileName}: ${message}`);
  }
}

/** tokenizer_config.json's chat template, where the folder has a tokenizer.json and one (an instruct model). */
export async function readChatTemplate(dir: string): Promise<ChatTemplate | undefined> {
  // As in the panel: a folder without tokenizer.json is read with r50k_base and has no template.
  if (!(await fs.stat(path.join(dir, TOKENIZER_FILE)).then((stat) => stat.isFile(), () => false))) return undefined;
  return chatTemplateOf(await optionalText(path.join(dir, TOKENIZER_CONFIG_FILE)));
}

/** `config` with generation_config.json's end-of-sequence ids, where the folder has that file. */
export async function readGenerationConfig(dir: string, config: ModelConfig): Promise<ModelConfig> {
  const file = path.join(dir, GENERATION_CONFIG_FILE);
  const json = await optionalText(file, MAX_CONFIG_BYTES);
  return json === undefined ? config : withGenerationConfig(config, json, file);
}
