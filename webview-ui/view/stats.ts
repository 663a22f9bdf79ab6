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
export function tooltipLines(token: TokenSpan, absoluteIndex: number, totalTokens: number, score: ChipScore, t: Translate = english): string[] {
  const lines = [
    t('tooltip.position', { token: token.partial ? t('tooltip.partial') : quotedToken(token.text), n: formatCount(absoluteIndex + 1), total: formatCount(totalTokens) }),
    t('tooltip.bytes', { id: token.id, bytes: spacedHex(token.bytes) || t('tooltip.noBytes') }),
  ];
  if (token.partial) lines.push(t('tooltip.partialNote'));
  switch (score.kind) {
    case 'scored':
      lines.push(t('tooltip.scored', { p: formatPercent(Math.exp(score.logprob)), rank: formatCount(score.rank), bits: formatBits(surprisalBits(score.logprob), t) }));
      break;
    case 'first':
      lines.push(t('tooltip.first'));
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
