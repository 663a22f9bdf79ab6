// OpenAI's byte-level BPE encodings (GPT-2's r50k_base, cl100k_base, o200k_base) with offsets:
// which part of the text each token came from (the span rule is in token-spans.ts).
//
// Wraps gpt-tokenizer. Its rank tables (the `bpeRanks/*` modules) hold, for every token id,
// either the token's text (when its bytes are valid UTF-8) or its raw byte values, so the
// exact bytes of any token are available without vendoring rank files.
//
// Each model gets its own Tokenizer object (`openAiTokenizer`); the tables behind them are
// immutable and expensive, so they are loaded once per encoding and shared. The free functions
// below (tokenize, countTokens, ...) are the older API, kept as thin wrappers.
//
// Encodings load lazily. r50k_base (GPT-2's, the model's) is always ready; cl100k_base and
// o200k_base hold 100k and 200k tokens whose tables take 0.1-0.4 s to load and build, so they
// are loaded only on `await loadEncoding(name)`. Until then the synchronous functions refuse
// them with an error that says so.
import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import type { EncodingName, TokenSpan } from './types';
import type { Tokenizer } from './tokenizer-interface';
import {
  assertText,
  assertTokenId,
  bytesToHex,
  lenientUtf8Decoder,
  runInSlices,
  utf8Encoder,
  Utf8SpanWalker,
  type SliceOptions,
} from './token-spans';

export type { EncodingName, TokenSpan } from './types';
export type { SliceOptions } from './token-spans';

/** A rank table: the token's text, or its bytes when they are not valid UTF-8 on their own. */
type RankTable = readonly (string | readonly number[])[];

export const ENCODING_NAMES: readonly EncodingName[] = ['r50k_base', 'cl100k_base', 'o200k_base'];
/** GPT-2's encoding: the one every GPT-2-family checkpoint reads. */
export const MODEL_ENCODING: EncodingName = 'r50k_base';

/** Which models use each encoding, for labels. */
export const ENCODING_LABELS: Readonly<Record<EncodingName, string>> = {
  r50k_base: 'GPT-2 / GPT-3 (r50k_base)',
  cl100k_base: 'GPT-3.5 / GPT-4 (cl100k_base)',
  o200k_base: 'GPT-4o (o200k_base)',
};

export function isEncodingName(name: unknown): name is EncodingName {
  return typeof name === 'string' && (ENCODING_NAMES as readonly string[]).includes(name);
}

// Dynamic imports so bundlers evaluate the big tables only when asked (esbuild keeps them
// in the bundle but wraps them in lazy initialisers).
const rankLoaders: Readonly<Record<EncodingName, () => Promise<RankTable>>> = {
  r50k_base: async () => r50kRanks,
  cl100k_base: async () => (await import('gpt-tokenizer/bpeRanks/cl100k_base')).default,
  o200k_base: async () => (await import('gpt-tokenizer/bpeRanks/o200k_base')).default,
};

// `<|endoftext|>` typed by a user is text, not the special token: with no special token
// allowed and none disallowed, gpt-tokenizer neither throws nor emits special ids.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const END_OF_TEXT = '<|endoftext|>';

/** One loaded encoding: the BPE encoder plus per-id caches of bytes, hex and display text. */
class LoadedEncoding {
  private readonly bytesById: (Uint8Array | undefined)[] = [];
  private readonly hexById: (string | undefined)[] = [];
  private readonly textById: (string | undefined)[] = [];
  private endOfText: number | undefined;

  constructor(
    readonly name: EncodingName,
    private readonly ranks: RankTable,
    private readonly bpe: GptEncoding,
  ) {}

  get vocabularySize(): number {
    return this.bpe.vocabularySize;
  }

  encode(text: string): number[] {
    // Not bpe.encode: it appends each piece's ids with push(...ids), which overflows the stack
    // when one piece has ~100,000 tokens or more ('a' followed by 100,000 U+0301 in r50k_base).
    const ids: number[] = [];
    for (const piece of this.bpe.encodeGenerator(text, PLAIN_TEXT)) {
      for (const id of piece) ids.push(id);
    }
    return ids;
  }

  /** The ids piece by piece (one pre-tokenizer match at a time), for work split into slices. */
  encodePieces(text: string): Iterator<number[], unknown> {
    return this.bpe.encodeGenerator(text, PLAIN_TEXT);
  }

  count(text: string): number {
    return this.bpe.countTokens(text, PLAIN_TEXT);
  }

  decode(ids: Iterable<number>): string {
    const list = [...ids];
    for (const id of list) this.bytes(id); // validates every id with a clear message
    return this.bpe.decode(list);
  }

  bytes(id: number): Uint8Array {
    const cached = this.bytesById[id];
    if (cached) return cached;
    const bytes = this.lookUpBytes(id);
    this.bytesById[id] = bytes;
    return bytes;
  }

  hex(id: number): string {
    return (this.hexById[id] ??= bytesToHex(this.bytes(id)));
  }

  text(id: number): string {
    return (this.textById[id] ??= lenientUtf8Decoder.decode(this.bytes(id)));
  }

  /** A token the BPE never produces from text: <|endoftext|> and the other special tokens. */
  isSpecial(id: number): boolean {
    this.bytes(id); // validates the id with a clear message
    return this.ranks[id] === undefined;
  }

  hasToken(id: number): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabularySize) return false;
    try {
      this.bytes(id);
      return true;
    } catch {
      return false;
    }
  }

  /** <|endoftext|>: the token every OpenAI encoding ends a document with. */
  get endOfTextId(): number {
    return (this.endOfText ??= this.bpe.encode(END_OF_TEXT, { allowedSpecial: new Set([END_OF_TEXT]) })[0]!);
  }

  private lookUpBytes(id: number): Uint8Array {
    assertTokenId(id);
    const entry = this.ranks[id];
    if (typeof entry === 'string') return utf8Encoder.encode(entry);
    if (entry !== undefined) return Uint8Array.from(entry);
    // Not a mergeable token: a special token such as <|endoftext|>, or no token at all.
    let special: string;
    try {
      special = this.bpe.decode([id]);
    } catch {
      throw new RangeError(`token id ${id} does not exist in ${this.name} (vocabulary size ${this.vocabularySize})`);
    }
    return utf8Encoder.encode(special);
  }
}

// Memoised per encoding for the life of the module: the tables are immutable and expensive,
// so every caller shares them. Only load state lives here.
const loaded = new Map<EncodingName, LoadedEncoding>();
const loading = new Map<EncodingName, Promise<LoadedEncoding>>();

// gpt-tokenizer caches the BPE of recent pieces in an LRU Map (100,000 entries by default).
// Once full, each eviction walks the Map's deleted slots from the front, so a 1 MB text with
// many distinct pieces (CJK, identifiers) took 3-12 s; with a small cache it takes ~1 s and
// common words still hit.
const MERGE_CACHE_SIZE = 512;

function build(name: EncodingName, ranks: RankTable): LoadedEncoding {
  const bpe = GptEncoding.getEncodingApi(name, () => ranks);
  bpe.setMergeCacheSize(MERGE_CACHE_SIZE);
  const encoding = new LoadedEncoding(name, ranks, bpe);
  loaded.set(name, encoding);
  return encoding;
}

function assertEncodingName(name: unknown): asserts name is EncodingName {
  if (!isEncodingName(name)) {
    throw new Error(`unknown encoding ${JSON.stringify(name)}: expected one of ${ENCODING_NAMES.join(', ')}`);
  }
}

function encodingFor(name: EncodingName): LoadedEncoding {
  assertEncodingName(name);
  const ready = loaded.get(name);
  if (ready) return ready;
  // r50k's table is imported statically (the model needs it anyway); building its
  // encoder is what waits for first use (~20 ms).
  if (name === 'r50k_base') return build(name, r50kRanks);
  throw new Error(`encoding ${name} is not loaded yet: await loadEncoding('${name}') first`);
}

/** Loads an encoding's table so that the synchronous functions accept it. Safe to call repeatedly. */
export async function loadEncoding(name: EncodingName): Promise<void> {
  assertEncodingName(name);
  if (loaded.has(name)) return;
  let pending = loading.get(name);
  if (!pending) {
    pending = rankLoaders[name]().then((ranks) => loaded.get(name) ?? build(name, ranks));
    loading.set(name, pending);
    // Forget a failed load so that a later call can try again.
    pending.catch(() => loading.delete(name));
  }
  await pending;
}

export function isEncodingLoaded(name: EncodingName): boolean {
  return loaded.has(name) || name === 'r50k_base';
}

/**
 * A Tokenizer for one model that reads an OpenAI encoding. Cheap: the encoding's tables are
 * shared by every tokenizer of that encoding.
 */
class OpenAiTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly eosId: number;
  readonly addsBos = false;

  constructor(private readonly enc: LoadedEncoding) {
    this.name = enc.name;
    this.vocabSize = enc.vocabularySize;
    this.eosId = enc.endOfTextId;
  }

  encode(text: string): number[] {
    assertText(text);
    return this.enc.encode(text);
  }

  count(text: string): number {
    assertText(text);
    return this.enc.count(text);
  }

  tokenize(text: string): TokenSpan[] {
    assertText(text);
    const spans = new SpanBuilder(text, this.enc);
    spans.add(this.enc.encode(text));
    return spans.finish();
  }

  async tokenizeInSlices(text: string, options: SliceOptions = {}): Promise<TokenSpan[]> {
    assertText(text);
    const spans = new SpanBuilder(text, this.enc);
    await runInSlices(eachPiece(this.enc, text, (ids) => spans.add(ids)), options);
    return spans.finish();
  }

  async countInSlices(text: string, options: SliceOptions = {}): Promise<number> {
    assertText(text);
    let count = 0;
    await runInSlices(eachPiece(this.enc, text, (ids) => { count += ids.length; }), options);
    return count;
  }

  decode(ids: Iterable<number>): string {
    return this.enc.decode(ids);
  }

  hasToken(id: number): boolean {
    return this.enc.hasToken(id);
  }

  tokenText(id: number): string {
    return this.enc.text(id);
  }

  tokenBytes(id: number): Uint8Array {
    return this.enc.bytes(id);
  }

  tokenBytesHex(id: number): string {
    return this.enc.hex(id);
  }

  isSpecial(id: number): boolean {
    return this.enc.isSpecial(id);
  }
}

/** Feeds `text`'s ids to `consume` one pre-tokenizer piece per step, for `runInSlices`. */
function* eachPiece(enc: LoadedEncoding, text: string, consume: (ids: number[]) => void): Generator<void, void> {
  const pieces = enc.encodePieces(text);
  for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
    consume(piece.value);
    yield;
  }
}

/** Gives each token its span as the ids arrive, walking the text once (see the span rule in token-spans.ts). */
class SpanBuilder {
  private readonly spans: TokenSpan[] = [];
  private readonly walker: Utf8SpanWalker;

  constructor(
    private readonly text: string,
    private readonly enc: LoadedEncoding,
  ) {
    this.walker = new Utf8SpanWalker(text);
  }

  add(ids: readonly number[]): void {
    const { enc, walker } = this;
    for (const id of ids) {
      walker.take(enc.bytes(id).length);
      const span: TokenSpan = { id, text: enc.text(id), start: walker.start, end: walker.end, bytes: enc.hex(id) };
      if (walker.partial) span.partial = true;
      this.spans.push(span);
    }
  }

  finish(): TokenSpan[] {
    const { walker, text } = this;
    if (!walker.done()) {
      // Only a disagreement between gpt-tokenizer and TextEncoder could cause this.
      throw new Error(`tokenizer error: the ${this.enc.name} tokens do not cover the text exactly (${walker.tokenByte} token bytes, stopped at UTF-16 offset ${walker.unit} of ${text.length})`);
    }
    return this.spans;
  }
}

/**
 * A new tokenizer object for a model that reads `name`. Synchronous: r50k_base is always ready;
 * the others need `await loadEncoding(name)` (or `loadOpenAiTokenizer`) first.
 */
export function openAiTokenizer(name: EncodingName): Tokenizer {
  return new OpenAiTokenizer(encodingFor(name));
}

/** Loads the encoding's table if needed, then gives a new tokenizer object for it. */
export async function loadOpenAiTokenizer(name: EncodingName): Promise<Tokenizer> {
  await loadEncoding(name);
  return openAiTokenizer(name);
}

// The older API: free functions over an encoding's name, each a thin wrapper over a tokenizer.

/** Token ids only: the fast path for feeding a model. */
export function encode(text: string, encoding: EncodingName = 'r50k_base'): number[] {
  return openAiTokenizer(encoding).encode(text);
}

export function countTokens(text: string, encoding: EncodingName = 'r50k_base'): number {
  return openAiTokenizer(encoding).count(text);
}

/** The text of a sequence of ids; bytes that are not valid UTF-8 become U+FFFD. */
export function decode(ids: Iterable<number>, encoding: EncodingName = 'r50k_base'): string {
  return openAiTokenizer(encoding).decode(ids);
}

/** Display text of one token (for top-k lists and neighbours); U+FFFD where it holds only part of a character. */
export function tokenText(id: number, encoding: EncodingName = 'r50k_base'): string {
  return openAiTokenizer(encoding).tokenText(id);
}

/** The token's UTF-8 bytes. The array is shared: do not modify it. */
export function tokenBytes(id: number, encoding: EncodingName = 'r50k_base'): Uint8Array {
  return openAiTokenizer(encoding).tokenBytes(id);
}

/** The token's UTF-8 bytes as lowercase hex, e.g. "e4bd". */
export function tokenBytesHex(id: number, encoding: EncodingName = 'r50k_base'): string {
  return openAiTokenizer(encoding).tokenBytesHex(id);
}

/** Number of token ids, special tokens included (50,257 for r50k_base). */
export function vocabularySize(encoding: EncodingName = 'r50k_base'): number {
  return openAiTokenizer(encoding).vocabSize;
}

/** Tokenizes `text`, giving each token its id, display text, UTF-16 span and bytes (see the span rule in token-spans.ts). */
export function tokenize(text: string, encoding: EncodingName = 'r50k_base'): TokenSpan[] {
  return openAiTokenizer(encoding).tokenize(text);
}

/** `tokenize`, with pauses that keep the thread responsive; the same spans. */
export async function tokenizeInSlices(text: string, encoding: EncodingName = 'r50k_base', options: SliceOptions = {}): Promise<TokenSpan[]> {
  return openAiTokenizer(encoding).tokenizeInSlices(text, options);
}

/** `countTokens`, with pauses that keep the thread responsive; the same count. */
export async function countTokensInSlices(text: string, encoding: EncodingName = 'r50k_base', options: SliceOptions = {}): Promise<number> {
  return openAiTokenizer(encoding).countInSlices(text, options);
}
