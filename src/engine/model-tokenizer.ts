// Which tokenizer a model reads its text with: its own tokenizer.json (with tokenizer_config.json)
// when the folder has one, as the hub serves every model today; GPT-2's r50k_base for a GPT-2
// checkpoint without one (the bundled model, older exports). Runtime-agnostic: callers read the
// files their own way (Node, the webview's worker) and hand over the text.
import { createHfTokenizer } from './hf-tokenizer';
import { openAiTokenizer } from './tokenizer';
import type { Tokenizer } from './tokenizer-interface';
import type { ModelConfig } from './types';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
/** The largest tokenizer files read (Gemma 3's tokenizer.json is 33 MB; Qwen's 11 MB). */
export const MAX_TOKENIZER_BYTES = 64 * 1024 * 1024;

export interface TokenizerTexts {
  /** tokenizer.json's text, when the folder has one. */
  tokenizerJson?: string;
  tokenizerConfig?: string;
  /** Where tokenizer.json would be, for messages (e.g. its full path). */
  tokenizerFileName?: string;
}

/** The model's tokenizer, or an error naming the missing tokenizer.json for a family that needs one. */
export function modelTokenizer(config: ModelConfig, files: TokenizerTexts): Tokenizer {
  if (files.tokenizerJson !== undefined) {
    return createHfTokenizer({ name: config.name, tokenizerJson: files.tokenizerJson, tokenizerConfig: files.tokenizerConfig ?? null });
  }
  if (config.architecture.family === 'gpt2') return openAiTokenizer('r50k_base');
  throw new Error(`${files.tokenizerFileName ?? TOKENIZER_FILE} is missing: a ${config.architecture.family} model reads text with its own tokenizer`);
}

/** What an id shows as in lists and tables: its text and bytes, or "<id>" for an id without a token (padded embedding rows). */
export interface TokenEntry {
  text: string;
  /** UTF-8 bytes as lowercase hex; empty for an id without a token. */
  bytes: string;
  /** The bytes are only part of a character. */
  partial: boolean;
}

export function tokenEntry(tokenizer: Tokenizer, id: number): TokenEntry {
  if (!tokenizer.hasToken(id)) return { text: `<${id}>`, bytes: '', partial: false };
  const text = tokenizer.tokenText(id);
  return { text, bytes: tokenizer.tokenBytesHex(id), partial: text.includes('\ufffd') };
}
