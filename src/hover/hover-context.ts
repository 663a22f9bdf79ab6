// Finds the token under the pointer and the ids of up to N tokens before it, reading only a
// window of the document around the position (a hover in a 50 MB log must not read it all).
// Reading the window is the extension host's part; tokenizing it is the model worker's.
//
// Both the window and the context start on a fixed grid, not at "N tokens before the pointer":
// hovers a few lines apart then read the same first tokens, so the engine's key/value cache
// holds the shared start and only the tokens after it run through the model again. The price is
// a context of more than N/2 and at most N tokens, instead of exactly N.
import type { TokenSpan } from '../engine/types';

/** Random access to a document's text by UTF-16 offset. */
export interface TextSource {
  readonly length: number;
  read(start: number, end: number): string;
}

export interface HoverContext {
  /** The token under the pointer, with offsets into the whole document. */
  token: TokenSpan;
  /** Model input: the context tokens ending with the token under the pointer. */
  ids: number[];
  /** Document offset where the context's first token starts. */
  contextStart: number;
}

/** Generous: GPT-2 tokens average 3–4 characters of code or English; whitespace runs and CJK vary. */
const CHARS_PER_TOKEN_BOUND = 8;
const CHARS_AFTER_POINTER = 256;

export interface HoverWindow {
  /** Document offset where the window starts. */
  start: number;
  text: string;
}

/** The text a hover needs: enough before `offset` for `maxTokens` tokens, up to the end of its line. */
export function hoverWindow(source: TextSource, offset: number, maxTokens: number): HoverWindow | undefined {
  if (offset < 0 || offset > source.length || maxTokens < 1) return undefined;
  const start = windowStart(source, offset, maxTokens * CHARS_PER_TOKEN_BOUND);
  return { start, text: source.read(start, windowEnd(source, offset)) };
}

/**
 * The hovered token and its context within a window's `text` (offsets relative to the window).
 * Pure and self-contained, so that the model worker can do it off the extension host's thread.
 */
export function contextInWindow(text: string, offset: number, maxTokens: number, tokenize: (text: string) => TokenSpan[]): HoverContext | undefined {
  const tokens = tokenize(text);
  const index = tokenIndexAt(tokens, offset);
  if (index < 0) return undefined;
  const first = alignedContextStart(index, maxTokens);
  return {
    token: tokens[index]!,
    ids: tokens.slice(first, index + 1).map((t) => t.id),
    contextStart: tokens[first]!.start,
  };
}

export function hoverContext(
  source: TextSource,
  offset: number,
  maxTokens: number,
  tokenize: (text: string) => TokenSpan[],
): HoverContext | undefined {
  const window = hoverWindow(source, offset, maxTokens);
  const inWindow = window && contextInWindow(window.text, offset - window.start, maxTokens, tokenize);
  return inWindow && shiftContext(inWindow, window.start);
}

/** A window-relative span moved to document offsets. */
export function shiftSpan(span: TokenSpan, by: number): TokenSpan {
  return { ...span, start: span.start + by, end: span.end + by };
}

/** A window-relative context moved to document offsets. */
export function shiftContext(context: HoverContext, by: number): HoverContext {
  return { ...context, token: shiftSpan(context.token, by), contextStart: context.contextStart + by };
}

/**
 * The index of the context's first token for the token at `index`: the first multiple of N/2
 * that leaves at most N tokens (0 while the window holds no more than N). Every hover between two
 * grid points starts at the same token, and the context keeps more than N/2 tokens.
 */
export function alignedContextStart(index: number, maxTokens: number): number {
  const excess = index + 1 - maxTokens;
  if (excess <= 0) return 0;
  const step = Math.max(1, Math.floor(maxTokens / 2));
  return Math.ceil(excess / step) * step;
}

/**
 * Starts the window at a line start after a grid point at least `maxChars` before `offset` (the
 * grid's step is maxChars / 2), so that the first token is one the full text would have too and
 * hovers near each other tokenize the same window start.
 */
function windowStart(source: TextSource, offset: number, maxChars: number): number {
  if (offset <= maxChars) return 0;
  const step = Math.max(1, Math.floor(maxChars / 2));
  const from = Math.floor((offset - maxChars) / step) * step;
  if (from === 0) return 0;
  const head = source.read(from, Math.min(offset, from + 4096));
  const newline = head.indexOf('\n');
  return newline >= 0 ? from + newline + 1 : from;
}

/** Ends the window at the end of the pointer's line so the hovered token is complete. */
function windowEnd(source: TextSource, offset: number): number {
  const limit = Math.min(source.length, offset + CHARS_AFTER_POINTER);
  const tail = source.read(offset, limit);
  const newline = tail.indexOf('\n');
  return newline >= 0 ? offset + newline : limit;
}

/** The token covering `offset` (a character split across tokens belongs to the one holding its first byte); at the very end of the text, the last token. */
export function tokenIndexAt(tokens: TokenSpan[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid];
    if (t.end <= offset) lo = mid + 1;
    else if (t.start > offset) hi = mid - 1;
    else return mid;
  }
  if (tokens.length > 0 && tokens[tokens.length - 1].end === offset) return tokens.length - 1;
  return -1;
}
