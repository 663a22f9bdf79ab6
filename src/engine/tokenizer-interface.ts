// One tokenizer per model. Implementations: OpenAI's encodings (tokenizer.ts, GPT-2's r50k_base
// among them) and Hugging Face tokenizer.json models (hf-tokenizer.ts). Runtime-agnostic: the
// same object works in Node, a worker and the browser.
import type { TokenSpan } from './types';
import type { SliceOptions } from './token-spans';

export type { SliceOptions } from './token-spans';
export type { TokenSpan } from './types';

export interface Tokenizer {
  /** What the tokenizer is called in messages, e.g. "r50k_base" or the model's folder name. */
  readonly name: string;
  /**
   * Number of ids that have a token: every id below it can be displayed (tokenText) unless
   * `hasToken` says it is a hole. A model's embedding may have more rows (Qwen pads to 151,936).
   */
  readonly vocabSize: number;
  /** The beginning-of-sequence token, when the vocabulary has one. */
  readonly bosId?: number;
  /** The end-of-sequence token, when the vocabulary has one. */
  readonly eosId?: number;
  /** True when `encode` puts the BOS token first, as transformers does for this model. */
  readonly addsBos: boolean;

  /**
   * The ids exactly as the model reads them: the tokenizer's own additions (BOS, and EOS where
   * the model's configuration asks for it) included. Text that looks like a special token
   * (`<|im_start|>`, `<s>`) is ordinary text.
   */
  encode(text: string): number[];
  /** `encode(text).length`, additions included. */
  count(text: string): number;
  /**
   * The ids of `encode`, each with the part of the text it came from (see the span rule in
   * token-spans.ts). A token the tokenizer adds (BOS, EOS) stands for no text: it has
   * `special: true` and a zero-length span, at 0 for BOS and at text.length for EOS.
   */
  tokenize(text: string): TokenSpan[];
  /** `tokenize`, with pauses that keep the thread responsive; the same spans. */
  tokenizeInSlices(text: string, options?: SliceOptions): Promise<TokenSpan[]>;
  /** `count`, with pauses that keep the thread responsive; the same count. */
  countInSlices(text: string, options?: SliceOptions): Promise<number>;
  /** The text of a sequence of ids: their bytes joined, as UTF-8 (bad sequences become U+FFFD). */
  decode(ids: Iterable<number>): string;

  /** True when the id has a token (false for holes and ids past the vocabulary). */
  hasToken(id: number): boolean;
  /** Display text of one token (top-k lists, neighbours); U+FFFD where it holds only part of a character. */
  tokenText(id: number): string;
  /** The token's bytes as the text holds them (a special token's: its name). Shared: do not modify. */
  tokenBytes(id: number): Uint8Array;
  /** `tokenBytes` as lowercase hex, e.g. "e4bd". */
  tokenBytesHex(id: number): string;
  /** True for control tokens (BOS, EOS, chat markers): ids that typed text never produces. */
  isSpecial(id: number): boolean;
  /**
   * The special added tokens as tokenizer.json writes them (content as matched in text, e.g.
   * "<|im_start|>"), for chat templates, whose markers are these tokens; none for OpenAI's encodings.
   */
  specialTokens?(): readonly { id: number; content: string }[];
}
