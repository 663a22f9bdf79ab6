// The panel's summary numbers and tooltip text. Pure.
import type { TokenSpan } from '../../src/engine/types';
import { surprisalBits } from '../../src/heat-scale';
import { formatBits, formatCount, formatPercent } from './format';
import { quotedToken, spacedHex } from './token-display';

export interface RunStats {
  /** Mean surprisal of the scored tokens in bits; null before the model answers or with nothing scored. */
  meanBits: number | null;
  /** 2^meanBits: the model was, on average, as unsure as a uniform choice among this many tokens. */
  perplexity: number | null;
}

export function runStats(scores: readonly { logprob: number }[]): RunStats {
  if (scores.length === 0) return { meanBits: null, perplexity: null };
  const meanBits = scores.reduce((sum, s) => sum + surprisalBits(s.logprob), 0) / scores.length;
  return { meanBits, perplexity: 2 ** meanBits };
}

/** Why a token has no score, or its score. */
export type ChipScore =
  | { kind: 'scored'; logprob: number; rank: number }
  | { kind: 'first' }
  | { kind: 'outside' }
  | { kind: 'pending' };

/** Tooltip lines of a chip: what the token is, then how likely the model found it. */
export function tooltipLines(token: TokenSpan, absoluteIndex: number, totalTokens: number, score: ChipScore): string[] {
  const lines = [
    `${token.partial ? 'Part of a character' : quotedToken(token.text)} · token ${formatCount(absoluteIndex + 1)} of ${formatCount(totalTokens)}`,
    `id ${token.id} · UTF-8 bytes ${spacedHex(token.bytes) || '(none)'}`,
  ];
  if (token.partial) lines.push('Its bytes start or end inside a character that is split across tokens.');
  switch (score.kind) {
    case 'scored':
      lines.push(`p = ${formatPercent(Math.exp(score.logprob))} · rank ${formatCount(score.rank)} · ${formatBits(surprisalBits(score.logprob))}`);
      break;
    case 'first':
      lines.push('First token the model reads: nothing before it to predict it from.');
      break;
    case 'outside':
      lines.push("Outside the model's context window: not scored.");
      break;
    case 'pending':
      lines.push('Waiting for the model…');
      break;
  }
  lines.push('Click: what the model predicts after this token.');
  return lines;
}
