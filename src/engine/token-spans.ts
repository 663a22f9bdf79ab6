// What every tokenizer shares once it knows each token's bytes: the walk that gives tokens
// their UTF-16 spans, byte helpers, and the driver that runs tokenization in time slices.
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

export const utf8Encoder = new TextEncoder();
export const lenientUtf8Decoder = new TextDecoder('utf-8', { fatal: false });
const HEX_OF_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += HEX_OF_BYTE[bytes[i]!];
  return hex;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with each lone surrogate replaced by U+FFFD, as TextEncoder (and any UTF-8
 * conversion, e.g. Rust's) does. The length in UTF-16 units is unchanged, so offsets hold.
 */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Walks a text's UTF-8 bytes token by token and gives each token the characters whose first
 * byte it holds (the span rule above). After `take`, `start`/`end` are the token's UTF-16 span
 * in the walked text and `partial` says whether its bytes start or end inside a character.
 */
export class Utf8SpanWalker {
  /** UTF-16 index of the next character not yet given to a token. */
  unit = 0;
  /** UTF-8 offset where that character begins. */
  charByte = 0;
  /** UTF-8 offset where the next token begins. */
  tokenByte = 0;
  start = 0;
  end = 0;
  partial = false;

  constructor(readonly text: string) {}

  /** True when the next token's first byte is the first byte of a space character. */
  atSpace(): boolean {
    return this.charByte === this.tokenByte && this.text.charCodeAt(this.unit) === 0x20;
  }

  take(byteLength: number): void {
    const { text } = this;
    let { unit, charByte } = this;
    const tokenEnd = this.tokenByte + byteLength;
    const startsInside = charByte > this.tokenByte;
    this.start = unit;
    while (charByte < tokenEnd && unit < text.length) {
      const code = text.charCodeAt(unit);
      if (code < 0x80) { charByte += 1; unit += 1; }
      else if (code < 0x800) { charByte += 2; unit += 1; }
      else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(unit + 1))) { charByte += 4; unit += 2; }
      else { charByte += 3; unit += 1; } // BMP, or a lone surrogate (U+FFFD: 3 bytes)
    }
    this.end = unit;
    this.partial = startsInside || charByte > tokenEnd;
    this.unit = unit;
    this.charByte = charByte;
    this.tokenByte = tokenEnd;
  }

  /** True when the tokens so far hold exactly the text's bytes. */
  done(): boolean {
    return this.unit === this.text.length && this.charByte === this.tokenByte;
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
 * Runs `steps` (each a short piece of tokenization work) to the end, pausing whenever a slice
 * has run `sliceMs`: a megabyte takes a tokenizer about a second, which would freeze the thread.
 */
export async function runInSlices(steps: Iterator<unknown, unknown>, options: SliceOptions): Promise<void> {
  options.signal?.throwIfAborted();
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  const pause = options.pause ?? nextMacrotask;
  let sliceStart = performance.now();
  while (!steps.next().done) {
    if (performance.now() - sliceStart >= sliceMs) {
      await pause();
      options.signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
}

export function assertText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${text === null ? 'null' : typeof text}`);
}

export function assertTokenId(id: unknown): asserts id is number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new RangeError(`token id ${String(id)} is not a non-negative integer`);
}
