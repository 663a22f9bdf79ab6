// Byte-level BPE tokenization with offsets: which part of the text each token came from.
//
// Wraps gpt-tokenizer. Its rank tables (the `bpeRanks/*` modules) hold, for every token id,
// either the token's text (when its bytes are valid UTF-8) or its raw byte values, so the
// exact bytes of any token are available without vendoring rank files.
//
// Span rule (documented in TokenSpan and docs/cli.md): a character belongs to the token that
// holds its FIRST byte. A token's span covers the characters whose first byte it holds, so
//  - spans tile the text: each token starts where the previous one ended, the first at 0,
//    the last ends at text.length;
//  - a span never ends between the two halves of a surrogate pair (characters are whole
//    code points);
//  - a token that holds only continuation bytes of a character started by an earlier token
//    gets a zero-length span (start === end) placed right after that character;
//  - `partial` is true when the token's bytes start or end inside a character.
// Lone surrogates are encoded as TextEncoder does (U+FFFD, bytes EF BF BD), one UTF-16 unit.
//
// Encodings load lazily. r50k_base (GPT-2's, the model's) is always ready; cl100k_base and
// o200k_base hold 100k and 200k tokens whose tables take 0.1-0.4 s to load and build, so they
// are loaded only on `await loadEncoding(name)`. Until then the synchronous functions refuse
// them with an error that says so.
import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import type { EncodingName, TokenSpan } from './types';

export type { EncodingName, TokenSpan } from './types';

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

const utf8Encoder = new TextEncoder();
const lenientUtf8Decoder = new TextDecoder('utf-8', { fatal: false });
const HEX_OF_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += HEX_OF_BYTE[bytes[i]!];
  return hex;
}

/** One loaded encoding: the BPE encoder plus per-id caches of bytes, hex and display text. */
class LoadedEncoding {
  private readonly bytesById: (Uint8Array | undefined)[] = [];
  private readonly hexById: (string | undefined)[] = [];
  private readonly textById: (string | undefined)[] = [];

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

  private lookUpBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0) throw new RangeError(`token id ${String(id)} is not a non-negative integer`);
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

function assertText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${text === null ? 'null' : typeof text}`);
}

/** Token ids only: the fast path for feeding a model. */
export function encode(text: string, encoding: EncodingName = 'r50k_base'): number[] {
  assertText(text);
  return encodingFor(encoding).encode(text);
}

export function countTokens(text: string, encoding: EncodingName = 'r50k_base'): number {
  assertText(text);
  return encodingFor(encoding).count(text);
}

/** The text of a sequence of ids; bytes that are not valid UTF-8 become U+FFFD. */
export function decode(ids: Iterable<number>, encoding: EncodingName = 'r50k_base'): string {
  return encodingFor(encoding).decode(ids);
}

/** Display text of one token (for top-k lists and neighbours); U+FFFD where it holds only part of a character. */
export function tokenText(id: number, encoding: EncodingName = 'r50k_base'): string {
  return encodingFor(encoding).text(id);
}

/** The token's UTF-8 bytes. The array is shared: do not modify it. */
export function tokenBytes(id: number, encoding: EncodingName = 'r50k_base'): Uint8Array {
  return encodingFor(encoding).bytes(id);
}

/** The token's UTF-8 bytes as lowercase hex, e.g. "e4bd". */
export function tokenBytesHex(id: number, encoding: EncodingName = 'r50k_base'): string {
  return encodingFor(encoding).hex(id);
}

/** Number of token ids, special tokens included (50,257 for r50k_base). */
export function vocabularySize(encoding: EncodingName = 'r50k_base'): number {
  return encodingFor(encoding).vocabularySize;
}

/** Tokenizes `text`, giving each token its id, display text, UTF-16 span and bytes (see the span rule above). */
export function tokenize(text: string, encoding: EncodingName = 'r50k_base'): TokenSpan[] {
  assertText(text);
  const enc = encodingFor(encoding);
  const spans = new SpanBuilder(text, enc, encoding);
  spans.add(enc.encode(text));
  return spans.finish();
}

/** Gives each token its span as the ids arrive, walking the text once (see the span rule above). */
class SpanBuilder {
  private readonly spans: TokenSpan[] = [];
  private unit = 0; // UTF-16 index of the next character not yet given to a token
  private charByte = 0; // UTF-8 offset where that character begins
  private tokenByte = 0; // UTF-8 offset where the current token begins

  constructor(
    private readonly text: string,
    private readonly enc: LoadedEncoding,
    private readonly encoding: EncodingName,
  ) {}

  add(ids: readonly number[]): void {
    const { text, enc } = this;
    let { unit, charByte, tokenByte } = this;
    for (const id of ids) {
      const tokenEnd = tokenByte + enc.bytes(id).length;
      const start = unit;
      const startsInside = charByte > tokenByte;
      // Give this token every character whose first byte lies before its end.
      while (charByte < tokenEnd && unit < text.length) {
        const code = text.charCodeAt(unit);
        if (code < 0x80) { charByte += 1; unit += 1; }
        else if (code < 0x800) { charByte += 2; unit += 1; }
        else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(unit + 1))) { charByte += 4; unit += 2; }
        else { charByte += 3; unit += 1; } // BMP, or a lone surrogate (U+FFFD: 3 bytes)
      }
      const endsInside = charByte > tokenEnd;
      const span: TokenSpan = { id, text: enc.text(id), start, end: unit, bytes: enc.hex(id) };
      if (startsInside || endsInside) span.partial = true;
      this.spans.push(span);
      tokenByte = tokenEnd;
    }
    this.unit = unit;
    this.charByte = charByte;
    this.tokenByte = tokenByte;
  }

  finish(): TokenSpan[] {
    const { unit, charByte, tokenByte, text, encoding } = this;
    if (unit !== text.length || charByte !== tokenByte) {
      // Only a disagreement between gpt-tokenizer and TextEncoder could cause this.
      throw new Error(`tokenizer error: the ${encoding} tokens do not cover the text exactly (${tokenByte} token bytes, stopped at UTF-16 offset ${unit} of ${text.length})`);
    }
    return this.spans;
  }
}

export interface SliceOptions {
  /** Longest stretch of work between two pauses, in ms (default 8). */
  sliceMs?: number;
  /** Lets other work run between slices (default: the next macrotask). */
  pause?: () => Promise<void>;
  /** Stops the work at the next pause, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

const DEFAULT_SLICE_MS = 8;
// setImmediate where there is one (Node, the extension host): setTimeout(0) waits at least 1 ms.
const nextMacrotask = typeof setImmediate === 'function'
  ? () => new Promise<void>((resolve) => setImmediate(resolve))
  : () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Feeds `text`'s ids, piece by piece, to `consume`, pausing whenever a slice has run `sliceMs`:
 * a megabyte takes the tokenizer about a second, which would freeze the thread it runs on.
 */
async function encodeInSlices(enc: LoadedEncoding, text: string, consume: (ids: number[]) => void, options: SliceOptions): Promise<void> {
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  const pause = options.pause ?? nextMacrotask;
  const pieces = enc.encodePieces(text);
  let sliceStart = performance.now();
  for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
    consume(piece.value);
    if (performance.now() - sliceStart >= sliceMs) {
      await pause();
      options.signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
}

/** `tokenize`, with pauses that keep the thread responsive; the same spans. */
export async function tokenizeInSlices(text: string, encoding: EncodingName = 'r50k_base', options: SliceOptions = {}): Promise<TokenSpan[]> {
  assertText(text);
  options.signal?.throwIfAborted();
  const enc = encodingFor(encoding);
  const spans = new SpanBuilder(text, enc, encoding);
  await encodeInSlices(enc, text, (ids) => spans.add(ids), options);
  return spans.finish();
}

/** `countTokens`, with pauses that keep the thread responsive; the same count. */
export async function countTokensInSlices(text: string, encoding: EncodingName = 'r50k_base', options: SliceOptions = {}): Promise<number> {
  assertText(text);
  options.signal?.throwIfAborted();
  let count = 0;
  await encodeInSlices(encodingFor(encoding), text, (ids) => { count += ids.length; }, options);
  return count;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
