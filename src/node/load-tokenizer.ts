// Node-only: the tokenizer of a model folder (tokenizer.json + tokenizer_config.json when it has
// them; see model-tokenizer.ts), read under the same rules as the weights (regular files, capped).
import path from 'node:path';
import { MAX_TOKENIZER_BYTES, modelTokenizer, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from '../engine/model-tokenizer';
import type { Tokenizer } from '../engine/tokenizer-interface';
import type { ModelConfig } from '../engine/types';
import { readRegularFile } from './regular-file';

/** A file's text, or undefined when the folder has no such file. */
async function optionalText(file: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await readRegularFile(file, MAX_TOKENIZER_BYTES));
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
