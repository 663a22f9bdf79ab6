// The panel's summary numbers and tooltip text. Pure.
import type { TokenSpan } from '../../src/engine/types';
import { surprisalBits } from '../../src/heat-scale';
import { formatBits, formatCount, formatPercent } from './format';
import { quotedToken, spacedHex } from './token-display';
import { english, type Translate } from '../i18n';

export interface RunStats {
  /** Mean surprisal of the scored tokens in bits; null before the model answers or with nothing scored. */
  meanBits: number | null;
  /** 2^meanBits: the model was, on average, as unsure as a uniform choice among this many tokens. */
  perplexity: number | null;
  /**
   * Total surprisal of the scored tokens ÷ the characters they hold: unlike the per-token numbers
   * it does not depend on how the tokenizer cuts the text. Null with nothing scored or no characters.
   */
  bitsPerChar: number | null;
}

/** The summary's numbers from the run's scores (consecutive tokens, in order, as the model scored them). */
export function runStats(scores: readonly { logprob: number; start: number; end: number }[]): RunStats {
  if (scores.length === 0) return { meanBits: null, perplexity: null, bitsPerChar: null };
  const totalBits = scores.reduce((sum, s) => sum + surprisalBits(s.logprob), 0);
  const meanBits = totalBits / scores.length;
  // Spans tile the text, so the scored tokens hold the characters from the first's start to the last's end.
  const chars = scores.at(-1)!.end - scores[0]!.start;
  return { meanBits, perplexity: 2 ** meanBits, bitsPerChar: chars > 0 ? totalBits / chars : null };
}

/** Why a token has no score, or its score. */
export type ChipScore =
  | { kind: 'scored'; logprob: number; rank: number }
  | { kind: 'first' }
  | { kind: 'outside' }
  | { kind: 'pending' };

/** Tooltip lines of a chip: what the token is, then how likely the model found it. */
export function tooltipLines(token: TokenSpan, absoluteIndex: number, totalTokens: number, score: ChipScore, t: Translate = english): string[] {
  const lines = [
    t('tooltip.position', { token: token.partial ? t('tooltip.partial') : quotedToken(token.text), n: formatCount(absoluteIndex + 1), total: formatCount(totalTokens) }),
    // A special token's bytes are its name's, not text's: they would mislead here.
    token.special ? t('tooltip.specialId', { id: token.id }) : t('tooltip.bytes', { id: token.id, bytes: spacedHex(token.bytes) || t('tooltip.noBytes') }),
  ];
  if (token.partial) lines.push(t('tooltip.partialNote'));
  if (token.special) {
    // BOS: the model's first token, from which the text's first token is predicted.
    if (score.kind === 'first') lines.push(t('tooltip.specialFirst'));
    else lines.push(t('tooltip.special'));
  }
  switch (score.kind) {
    case 'scored':
      lines.push(t('tooltip.scored', { p: formatPercent(Math.exp(score.logprob)), rank: formatCount(score.rank), bits: formatBits(surprisalBits(score.logprob), t) }));
      break;
    case 'first':
      if (!token.special) lines.push(t('tooltip.first'));
      break;
    case 'outside':
      lines.push(t('tooltip.outside'));
      break;
    case 'pending':
      lines.push(t('tooltip.pending'));
      break;
  }
  lines.push(t('tooltip.click'));
  return lines;
}
