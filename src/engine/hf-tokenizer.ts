// Tokenizers of Hugging Face models (tokenizer.json + tokenizer_config.json): Llama 2/3,
// Mistral, Qwen 2/2.5/3, Gemma, DeepSeek, SmolLM, TinyLlama. One object per model.
//
// Tokenizers.js (@huggingface/tokenizers) supplies the two hard parts: the pre-tokenizer (its
// Oniguruma-to-JavaScript translation of the split patterns) and the BPE model. It gives no
// offsets, so the pipeline around them is run here, the way Rust's tokenizers runs it:
//   added tokens (hf-added-tokens.ts) -> normalizer, with alignment (hf-normalizer.ts) ->
//   normalized added tokens -> pre-tokenizer -> BPE -> the tokens added around the sequence
//   (hf-additions.ts),
// and each token's span comes from its bytes (hf-pieces.ts): the tokens of a stretch of text
// hold exactly the bytes of its normalized form, in order, except for a space that a
// pre-tokenizer inserts before a word (ByteLevel's add_prefix_space, Metaspace's "▁"), which
// stands for no text. The span rule is token-spans.ts's, applied to the normalized text and
// mapped back to the original through the normalizer's alignment.
//
// Text that looks like a special token is ordinary text (transformers' split_special_tokens):
//  - Qwen: "<|im_start|>", "<|endoftext|>" are special, so typed they are text ("<", "|", "im",
//    ...). "<think>", "<tool_call>", "<|fim_prefix|>" are NOT special in Qwen's vocabulary:
//    typed, they are the single token, as transformers reads them.
//  - Llama 2/Mistral/TinyLlama: "<s>", "</s>", "<unk>" are special: typed, they are text.
//  - Llama 3: "<|begin_of_text|>" and the 254 other added tokens are all special: text.
//  - Gemma 3: "<bos>", "<start_of_turn>" are special: text. But "<s>", "<b>", "<table>", runs of
//    "\n" or "\t" and "<unusedN>" are ordinary (non-special) entries: typed, they are one token.
//  - DeepSeek-V3: "<｜begin▁of▁sentence｜>" is special: text; "<｜User｜>", "<｜Assistant｜>" and
//    the other chat/tool markers are not special: one token.
// Lone surrogates are read as U+FFFD (as any UTF-8 conversion, Rust's included, reads them).
import { Tokenizer as TokenizersJs } from '@huggingface/tokenizers';
import type { TokenSpan } from './types';
import type { Tokenizer } from './tokenizer-interface';
import { AddedTokenMatcher, parseAddedTokens, type AddedToken } from './hf-added-tokens';
import { sequenceAdditions } from './hf-additions';
import { alignedNormalizer, type Aligned, type AlignedNormalizer } from './hf-normalizer';
import { pieceBytes, textBytes, unmarked, type PieceDecoding } from './hf-pieces';
import {
  assertText,
  assertTokenId,
  bytesToHex,
  lenientUtf8Decoder,
  runInSlices,
  toWellFormed,
  Utf8SpanWalker,
  type SliceOptions,
} from './token-spans';

export interface HfTokenizerFiles {
  /** What the tokenizer is called in messages, e.g. the model's folder name. */
  name: string;
  /** tokenizer.json: its text or the parsed object. */
  tokenizerJson: string | object;
  /** tokenizer_config.json, when the model has one: its text or the parsed object. */
  tokenizerConfig?: string | object | null;
}

type Json = Record<string, unknown>;

/** A new tokenizer for a tokenizer.json model; throws a clear error for files it cannot read. */
export function createHfTokenizer(files: HfTokenizerFiles): Tokenizer {
  return new HfTokenizer(files);
}

// A pre-token longer than this is given to the BPE a line at a time where that gives the same
// tokens (lineFeedIsABoundary): SentencePiece-style tokenizers without a pre-tokenizer (Llama
// 2) would otherwise hand the model a whole document as one word, in one uninterruptible call.
const LONG_PRE_TOKEN = 1024;

interface TokenizersJsParts {
  preTokenize: ((text: string, options: { section_index: number }) => string[]) | null;
  model: (words: string[]) => string[];
  pieces: readonly (string | undefined)[];
  idOfPiece: ReadonlyMap<string, number>;
  unkId: number | undefined;
}

/** Receives the tokens of a text as the pipeline finds them. */
interface TokenSink {
  /** An added token matched in the original text at [start, end). */
  added(id: number, start: number, end: number): void;
  /** A stretch of plain text at `offset`, normalized; its tokens follow. */
  beginSegment(offset: number, normalized: Aligned): void;
  /** A token of the current segment holding `byteLength` bytes; `firstOfWord`: it starts a pre-token. */
  token(id: number, byteLength: number, firstOfWord: boolean): void;
  endSegment(): void;
}

class HfTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly addsBos: boolean;

  private readonly lib: TokenizersJsParts;
  private readonly normalize: AlignedNormalizer;
  /** How the vocabulary's pieces spell bytes. */
  readonly pieceDecoding: PieceDecoding;
  private readonly addedById = new Map<number, AddedToken>();
  private readonly originalMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;
  private readonly prefix: readonly number[];
  private readonly suffix: readonly number[];
  private readonly splitLinesOfLongWords: boolean;
  private readonly bytesById: (Uint8Array | undefined)[] = [];
  private readonly hexById: (string | undefined)[] = [];
  private readonly textById: (string | undefined)[] = [];

  constructor(files: HfTokenizerFiles) {
    this.name = files.name;
    const json = parseJson(files.tokenizerJson, 'tokenizer.json');
    const config = files.tokenizerConfig === undefined || files.tokenizerConfig === null ? {} : parseJson(files.tokenizerConfig, 'tokenizer_config.json');
    const model = checkModel(json.model);
    checkPreTokenizer(json.pre_tokenizer);
    this.normalize = alignedNormalizer(json.normalizer);
    this.pieceDecoding = {
      byteLevel: hasType(json.pre_tokenizer, 'ByteLevel') || hasType(json.decoder, 'ByteLevel'),
      spaceMarker: spaceMarkerOf(json.decoder) ?? spaceMarkerOf(json.pre_tokenizer),
      byteFallback: model.byte_fallback === true,
    };
    this.lib = tokenizersJsParts(json, config);

    const added = parseAddedTokens(json.added_tokens);
    for (const token of added) if (!this.addedById.has(token.id)) this.addedById.set(token.id, token);
    this.originalMatcher = new AddedTokenMatcher(added.filter((t) => !t.normalized));
    this.normalizedMatcher = new AddedTokenMatcher(added.filter((t) => t.normalized), (t) => this.normalize(t.content).text);

    let maxAddedId = -1;
    for (const id of this.addedById.keys()) maxAddedId = Math.max(maxAddedId, id);
    this.vocabSize = Math.max(this.lib.pieces.length, maxAddedId + 1);

    const contentToId = new Map(added.map((t) => [t.content, t.id]));
    const additions = sequenceAdditions(json, config, (token) => contentToId.get(token) ?? this.lib.idOfPiece.get(token));
    this.prefix = additions.prefix;
    this.suffix = additions.suffix;
    if (additions.bosId !== undefined) this.bosId = additions.bosId;
    if (additions.eosId !== undefined) this.eosId = additions.eosId;
    this.addsBos = this.prefix.length > 0;
    for (const id of [...this.prefix, ...this.suffix]) this.tokenBytes(id); // every addition must be a token

    this.splitLinesOfLongWords = !this.pieceDecoding.byteLevel && lineFeedIsABoundary(this.lib, model);
  }

  encode(text: string): number[] {
    assertText(text);
    const sink = new IdSink();
    drain(this.run(text, sink));
    return this.withAdditions(sink.ids);
  }

  count(text: string): number {
    return this.encode(text).length;
  }

  tokenize(text: string): TokenSpan[] {
    assertText(text);
    const sink = new SpanSink(this);
    drain(this.run(text, sink));
    return this.spansWithAdditions(sink.finish(text.length), text.length);
  }

  async tokenizeInSlices(text: string, options: SliceOptions = {}): Promise<TokenSpan[]> {
    assertText(text);
    const sink = new SpanSink(this);
    await runInSlices(this.run(text, sink), options);
    return this.spansWithAdditions(sink.finish(text.length), text.length);
  }

  async countInSlices(text: string, options: SliceOptions = {}): Promise<number> {
    assertText(text);
    const sink = new IdSink();
    await runInSlices(this.run(text, sink), options);
    return this.prefix.length + sink.ids.length + this.suffix.length;
  }

  decode(ids: Iterable<number>): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (const id of ids) {
      const bytes = this.tokenBytes(id);
      parts.push(bytes);
      length += bytes.length;
    }
    const joined = new Uint8Array(length);
    let at = 0;
    for (const bytes of parts) { joined.set(bytes, at); at += bytes.length; }
    return lenientUtf8Decoder.decode(joined);
  }

  hasToken(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && (this.addedById.has(id) || this.lib.pieces[id] !== undefined);
  }

  tokenText(id: number): string {
    return (this.textById[id] ??= lenientUtf8Decoder.decode(this.tokenBytes(id)));
  }

  tokenBytes(id: number): Uint8Array {
    const cached = this.bytesById[id];
    if (cached) return cached;
    assertTokenId(id);
    const added = this.addedById.get(id);
    const piece = this.lib.pieces[id];
    let bytes: Uint8Array;
    // Added tokens are text as written; in SentencePiece-style vocabularies the space marker
    // is a space there too (Gemma's "▁▁" is both an added token and the model's piece for two
    // spaces).
    if (added) bytes = textBytes(added.content, this.pieceDecoding);
    else if (piece !== undefined) bytes = pieceBytes(piece, this.pieceDecoding);
    else throw new RangeError(`token id ${id} does not exist in ${this.name} (vocabulary size ${this.vocabSize})`);
    this.bytesById[id] = bytes;
    return bytes;
  }

  tokenBytesHex(id: number): string {
    return (this.hexById[id] ??= bytesToHex(this.tokenBytes(id)));
  }

  isSpecial(id: number): boolean {
    this.tokenBytes(id); // validates the id with a clear message
    return this.addedById.get(id)?.special === true;
  }

  specialTokens(): readonly { id: number; content: string }[] {
    return [...this.addedById.values()].filter((t) => t.special && t.content !== '').map(({ id, content }) => ({ id, content }));
  }

  private withAdditions(ids: number[]): number[] {
    if (this.prefix.length === 0 && this.suffix.length === 0) return ids;
    return [...this.prefix, ...ids, ...this.suffix];
  }

  private spansWithAdditions(spans: TokenSpan[], textLength: number): TokenSpan[] {
    if (this.prefix.length === 0 && this.suffix.length === 0) return spans;
    const added = (id: number, at: number): TokenSpan => ({ id, text: this.tokenText(id), start: at, end: at, bytes: this.tokenBytesHex(id), special: true });
    return [...this.prefix.map((id) => added(id, 0)), ...spans, ...this.suffix.map((id) => added(id, textLength))];
  }

  /** Runs the pipeline over `text`, one step per pre-token (or line of a long one), telling `sink` each token. */
  private *run(text: string, sink: TokenSink): Generator<void, void> {
    const clean = toWellFormed(text);
    for (const part of this.originalMatcher.split(clean)) {
      if (part.token) {
        sink.added(part.token.id, part.start, part.end);
        continue;
      }
      const normalized = this.normalize(clean.slice(part.start, part.end));
      sink.beginSegment(part.start, normalized);
      for (const sub of this.normalizedMatcher.split(normalized.text)) {
        const subText = normalized.text.slice(sub.start, sub.end);
        if (sub.token) {
          // Its bytes, with any whitespace it strips, are what it covers of the normalized text.
          sink.token(sub.token.id, textBytes(subText, this.pieceDecoding).length, false);
          continue;
        }
        if (subText === '') continue;
        // Metaspace's prepend_scheme "first" adds its "▁" only where the text begins.
        const sectionIndex = part.start === 0 && sub.start === 0 ? 0 : 1;
        const words = this.lib.preTokenize ? this.lib.preTokenize(subText, { section_index: sectionIndex }) : [subText];
        for (const word of words) {
          let first = true;
          for (const unit of this.modelUnits(word)) {
            this.encodeUnit(unit, sink, first);
            first = false;
            yield;
          }
        }
      }
      sink.endSegment();
    }
  }

  private modelUnits(word: string): string[] {
    if (!this.splitLinesOfLongWords || word.length <= LONG_PRE_TOKEN) return [word];
    return word.split(/(?<=\n)/);
  }

  private encodeUnit(unit: string, sink: TokenSink, firstOfWord: boolean): void {
    const { model, idOfPiece, unkId } = this.lib;
    const pieces = model([unit]);
    const ids = pieces.map((piece) => idOfPiece.get(piece) ?? unkId);
    const lengths = ids.map((id) => (id === undefined ? 0 : this.tokenBytes(id).length));
    if (unkId !== undefined && ids.includes(unkId)) {
      // "<unk>" stands for text the vocabulary cannot spell: whatever bytes the other pieces
      // leave of this unit (the first unk takes them all when there are several).
      const total = pieceBytes(unit, this.pieceDecoding).length;
      const known = lengths.reduce((sum, length, i) => (ids[i] === unkId ? sum : sum + length), 0);
      ids.forEach((id, i) => { if (id === unkId) lengths[i] = 0; });
      lengths[ids.indexOf(unkId)] = Math.max(0, total - known);
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === undefined) throw new Error(`tokenizer ${this.name}: the vocabulary has no token for ${JSON.stringify(pieces[i])} and no unk_token`);
      sink.token(id, lengths[i]!, firstOfWord && i === 0);
    }
  }
}

class IdSink implements TokenSink {
  readonly ids: number[] = [];
  added(id: number): void { this.ids.push(id); }
  beginSegment(): void {}
  token(id: number): void { this.ids.push(id); }
  endSegment(): void {}
}

/** Gives each token its span in the original text (see the top of this file). */
class SpanSink implements TokenSink {
  private readonly spans: TokenSpan[] = [];
  private walker = new Utf8SpanWalker('');
  private src: Int32Array | null = null;
  private joined: Uint8Array | null = null;
  private offset = 0;
  private segmentText = '';

  constructor(private readonly tokenizer: HfTokenizer) {}

  added(id: number, start: number, end: number): void {
    const { tokenizer } = this;
    this.spans.push({ id, text: tokenizer.tokenText(id), start, end, bytes: tokenizer.tokenBytesHex(id) });
  }

  beginSegment(offset: number, normalized: Aligned): void {
    this.offset = offset;
    this.src = normalized.src;
    this.joined = normalized.joined;
    this.segmentText = normalized.text;
    this.walker = new Utf8SpanWalker(unmarked(normalized.text, this.tokenizer.pieceDecoding));
  }

  token(id: number, byteLength: number, firstOfWord: boolean): void {
    const { tokenizer, walker, src, joined, offset } = this;
    let length = byteLength;
    // A space the pre-tokenizer put before the word: it stands for no text.
    if (firstOfWord && length > 0 && tokenizer.tokenBytes(id)[0] === 0x20 && !walker.atSpace()) length--;
    walker.take(length);
    const start = offset + (src ? src[walker.start]! : walker.start);
    const end = offset + (src ? src[walker.end]! : walker.end);
    const span: TokenSpan = { id, text: tokenizer.tokenText(id), start, end, bytes: tokenizer.tokenBytesHex(id) };
    // Partial also when the token begins or ends inside what one character of the text became
    // (NFC decomposes U+0958 into two characters, which two tokens can hold).
    if (walker.partial || (joined && (joined[walker.start] === 1 || joined[walker.end] === 1))) span.partial = true;
    this.spans.push(span);
  }

  endSegment(): void {
    const { walker } = this;
    if (!walker.done()) {
      throw new Error(`tokenizer error: the ${this.tokenizer.name} tokens do not cover the text exactly (${walker.tokenByte} token bytes, stopped at offset ${walker.unit} of the normalized ${JSON.stringify(this.segmentText.slice(0, 40))})`);
    }
  }

  /** The spans, tiling [0, textLength]: text a normalizer deleted belongs to the token before it. */
  finish(textLength: number): TokenSpan[] {
    const { spans } = this;
    if (spans.length === 0) return spans;
    spans[0]!.start = 0;
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.start > spans[i - 1]!.end) spans[i - 1]!.end = spans[i]!.start;
    }
    spans[spans.length - 1]!.end = textLength;
    return spans;
  }
}

function drain(steps: Iterator<unknown, unknown>): void {
  while (!steps.next().done) { /* each step is one pre-token, or one line of a long one */ }
}

function parseJson(value: string | object, file: string): Json {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a JSON object`);
  return parsed as Json;
}

interface BpeModelJson extends Json {
  merges: unknown[];
  byte_fallback?: unknown;
  fuse_unk?: unknown;
}

function checkModel(model: unknown): BpeModelJson {
  if (typeof model !== 'object' || model === null) throw new Error('tokenizer.json has no "model"');
  const spec = model as Json;
  if (spec.type !== 'BPE') {
    throw new Error(`tokenizer.json: LLM Lens reads BPE tokenizers (Llama, Mistral, Qwen, Gemma, DeepSeek, GPT-2 style); this one's model is ${JSON.stringify(spec.type ?? 'untyped')}`);
  }
  if (typeof spec.vocab !== 'object' || spec.vocab === null || !Array.isArray(spec.merges)) {
    throw new Error('tokenizer.json: the BPE model needs a "vocab" object and a "merges" list');
  }
  for (const field of ['continuing_subword_prefix', 'end_of_word_suffix']) {
    if (typeof spec[field] === 'string' && spec[field] !== '') {
      throw new Error(`tokenizer.json: LLM Lens cannot map token offsets for a BPE model with a ${field} (${JSON.stringify(spec[field])})`);
    }
  }
  return spec as BpeModelJson;
}

// Pre-tokenizers that only split the text or mark spaces, so every byte stays in some token.
const SPLITTING_PRE_TOKENIZERS = new Set(['ByteLevel', 'Split', 'Digits', 'Punctuation', 'Metaspace', 'Sequence']);

function checkPreTokenizer(spec: unknown): void {
  if (spec === null || spec === undefined) return;
  const step = spec as Json;
  if (typeof step.type !== 'string' || !SPLITTING_PRE_TOKENIZERS.has(step.type) || (step.type === 'Split' && (step.behavior === 'Removed' || step.invert === true))) {
    throw new Error(`tokenizer.json: LLM Lens cannot map token offsets through a ${JSON.stringify(step.type)} pre-tokenizer${step.type === 'Split' ? ' that removes text' : ''}`);
  }
  if (step.type === 'Sequence') {
    if (!Array.isArray(step.pretokenizers)) throw new Error('tokenizer.json: a Sequence pre-tokenizer without a "pretokenizers" list');
    step.pretokenizers.forEach(checkPreTokenizer);
  }
}

/** True when `spec` (a pre-tokenizer or decoder, maybe a Sequence) has a step of `type`. */
function hasType(spec: unknown, type: string): boolean {
  if (typeof spec !== 'object' || spec === null) return false;
  const step = spec as Json;
  if (step.type === type) return true;
  const inner = step.pretokenizers ?? step.decoders;
  return Array.isArray(inner) && inner.some((s) => hasType(s, type));
}

/** The character a SentencePiece-style vocabulary writes for a space, from its decoder or pre-tokenizer. */
function spaceMarkerOf(spec: unknown): string | null {
  if (typeof spec !== 'object' || spec === null) return null;
  const step = spec as Json;
  if (step.type === 'Metaspace') return typeof step.replacement === 'string' ? step.replacement : '\u2581';
  if (step.type === 'Replace' && step.content === ' ') {
    const pattern = step.pattern as Json | undefined;
    if (pattern && typeof pattern.String === 'string' && pattern.String.length === 1) return pattern.String;
  }
  const inner = step.pretokenizers ?? step.decoders;
  if (Array.isArray(inner)) {
    for (const s of inner) {
      const marker = spaceMarkerOf(s);
      if (marker) return marker;
    }
  }
  return null;
}

function tokenizersJsParts(json: Json, config: Json): TokenizersJsParts {
  // Only the pre-tokenizer and the model are used; added tokens, normalizer and processors
  // are handled here (see the top of this file), so Tokenizers.js gets none of them.
  const modelJson = { ...(json.model as Json) };
  const lib = new TokenizersJs({ ...json, model: modelJson, added_tokens: [], normalizer: null, post_processor: null, decoder: null }, config);
  const model = lib.model;
  if (!model) throw new Error('tokenizer.json: Tokenizers.js built no model');
  // Tokenizers.js keeps the model's JSON and its list of merges, which it needs only to build
  // its own tables (a map from piece to id, ranks of merges): let them go, 10-40 MB for a
  // 150k vocabulary.
  delete modelJson.vocab;
  delete modelJson.merges;
  (model as unknown as { merges: unknown[] }).merges = [];
  const unkToken = model.unk_token;
  return {
    preTokenize: lib.pre_tokenizer ? (text, options) => lib.pre_tokenizer!(text, options) : null,
    model: (words) => model(words),
    pieces: model.vocab,
    idOfPiece: model.tokens_to_ids,
    unkId: unkToken === undefined || unkToken === null ? undefined : model.tokens_to_ids.get(unkToken),
  };
}

/**
 * True when a line feed ends whatever BPE makes of the text before it: no piece but "\n" holds
 * one and no merge involves one (so nothing merges across it), and it never becomes part of an
 * "<unk>" that fuse_unk would join to its neighbours.
 */
function lineFeedIsABoundary(lib: TokenizersJsParts, model: BpeModelJson): boolean {
  for (const piece of lib.pieces) if (piece !== undefined && piece !== '\n' && piece.includes('\n')) return false;
  for (const merge of model.merges) {
    if (typeof merge === 'string' ? merge.includes('\n') : Array.isArray(merge) && merge.some((part) => typeof part === 'string' && part.includes('\n'))) return false;
  }
  const spelled = lib.idOfPiece.has('\n') || (model.byte_fallback === true && lib.idOfPiece.has('<0x0A>'));
  return spelled || model.fuse_unk !== true;
}
