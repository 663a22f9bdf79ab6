// What "Show Attention From Here" paints: from the panel's attention row for one query token to
// document ranges with an intensity bucket, and the one-line summary of what it attends to most.
// Pure (no vscode) so the mapping is testable alone.
import type { AttentionMessage } from '../protocol';

/** Intensity steps of the shading; bucket ATTENTION_BUCKETS - 1 is the darkest. */
export const ATTENTION_BUCKETS = 5;

/** A token of the explained text in document offsets; `index` is its index in ExplainMessage.tokens. */
export interface DocumentToken {
  index: number;
  text: string;
  start: number;
  end: number;
}

export interface ShadedRange {
  start: number;
  end: number;
  /** The attention weight (0–1) the query token gives this token. */
  weight: number;
  bucket: number;
}

export interface AttentionShading {
  queryIndex: number;
  layer: number;
  head: number | 'average';
  /** The query token itself (outlined, not shaded) and the weight it gives itself. */
  query: { start: number; end: number; weight: number };
  /** The tokens before the query, in text order; empty spans are left out (nothing to paint). */
  ranges: ShadedRange[];
  /** E.g. `Attention (layer 6, avg): "def" 31% · " fib" 12% · "(" 9%` (layer index 5). */
  summary: string;
}

/**
 * The bucket of a weight relative to the strongest weight shown: equal steps of the ratio, so
 * the strongest token is always the darkest and a larger weight never gets a lighter bucket.
 */
export function attentionBucket(weight: number, maxWeight: number): number {
  if (!(maxWeight > 0)) return 0;
  const ratio = Math.min(1, Math.max(0, weight / maxWeight));
  return Math.min(ATTENTION_BUCKETS - 1, Math.floor(ratio * ATTENTION_BUCKETS));
}

export function formatPercent(weight: number): string {
  return `${(weight * 100).toFixed(weight >= 0.1 ? 0 : 1)}%`;
}

/** `layer` is the block's index; it is shown from 1, as the panel's tabs show it (0 is the embedding there). */
export function headLabel(layer: number, head: number | 'average'): string {
  return `layer ${layer + 1}, ${head === 'average' ? 'avg' : `head ${head}`}`;
}

/** JSON quoting shows spaces and escapes newlines, so a token like "\n    " stays readable on one line. */
function quoted(text: string): string {
  return JSON.stringify(text);
}

/**
 * Maps a validated attention message (attentionMessageProblem said nothing) onto the run's
 * tokens. `tokens[i]` must be ExplainMessage.tokens[i] in document offsets.
 */
export function shadeAttention(message: AttentionMessage, tokens: readonly DocumentToken[], topCount = 3): AttentionShading {
  const query = tokens[message.index];
  if (!query) throw new Error(`token ${message.index} is not in the explained text (${tokens.length} tokens)`);
  const preceding: Array<{ token: DocumentToken; weight: number }> = [];
  for (let index = message.firstIndex; index < message.index; index++) {
    const token = tokens[index];
    if (!token) throw new Error(`token ${index} is not in the explained text (${tokens.length} tokens)`);
    preceding.push({ token, weight: message.weights[index - message.firstIndex]! });
  }
  const maxWeight = preceding.reduce((max, { weight }) => Math.max(max, weight), 0);
  const ranges = preceding
    .filter(({ token }) => token.end > token.start)
    .map(({ token, weight }) => ({ start: token.start, end: token.end, weight, bucket: attentionBucket(weight, maxWeight) }));
  const selfWeight = message.weights[message.weights.length - 1]!;
  const top = [...preceding].sort((a, b) => b.weight - a.weight || a.token.index - b.token.index).slice(0, topCount);
  const listed = top.length > 0
    ? top.map(({ token, weight }) => `${quoted(token.text)} ${formatPercent(weight)}`).join(' · ')
    : 'no earlier tokens (the first token attends only to itself)';
  return {
    queryIndex: message.index,
    layer: message.layer,
    head: message.head,
    query: { start: query.start, end: query.end, weight: selfWeight },
    ranges,
    summary: `Attention (${headLabel(message.layer, message.head)}) from ${quoted(query.text)}: ${listed} · itself ${formatPercent(selfWeight)}`,
  };
}

/**
 * The token under the cursor: the one containing `offset`, else the one ending there (the
 * cursor just after a word). Undefined when the cursor is outside every non-empty token.
 */
export function tokenIndexAt(tokens: readonly DocumentToken[], offset: number): number | undefined {
  const inside = tokens.find((t) => t.start <= offset && offset < t.end);
  if (inside) return inside.index;
  return tokens.find((t) => t.end > t.start && t.end === offset)?.index;
}
