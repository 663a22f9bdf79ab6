// Byte-pair encoding is fast on ordinary text but quadratic in the length of one unbroken run of
// letters, digits or symbols (a 100,000-letter word takes 15 s; a 2 MB one would take hours).
// Before tokenizing user text the host estimates that cost and refuses text that would block the
// extension host, saying why. Pure.
import { english, type Localize } from './localize';

/** Runs shorter than this cost next to nothing and are not counted. */
const MIN_COSTLY_RUN = 100;
/** Σ run² above which tokenizing would take more than about two seconds per encoding. */
export const MAX_BPE_COST = 4e8;

/** The pre-tokenizer's units: runs of letters, of digits, of other non-space characters. */
const LONG_RUN = new RegExp(`\\p{L}{${MIN_COSTLY_RUN},}|\\p{N}{${MIN_COSTLY_RUN},}|[^\\s\\p{L}\\p{N}]{${MIN_COSTLY_RUN},}`, 'gu');

export interface TokenizeCost {
  /** Σ length² of the long runs: proportional to the time BPE spends on them. */
  cost: number;
  /** The longest run (UTF-16 units) and where it starts. */
  longestRun: number;
  longestRunStart: number;
}

export function tokenizeCost(text: string): TokenizeCost {
  let cost = 0;
  let longestRun = 0;
  let longestRunStart = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    const length = match[0].length;
    cost += length * length;
    if (length > longestRun) {
      longestRun = length;
      longestRunStart = match.index;
    }
  }
  return { cost, longestRun, longestRunStart };
}

/** Why the text cannot be tokenized quickly, or undefined when it can. */
export function tooSlowToTokenize(text: string, localize: Localize = english): string | undefined {
  const { cost, longestRun } = tokenizeCost(text);
  if (cost <= MAX_BPE_COST) return undefined;
  return localize(
    'the text holds {0} characters in a row without a space or a change of character class; byte-pair encoding takes quadratic time on such runs, so tokenizing it would freeze the editor. Select a part without it',
    longestRun.toLocaleString('en-US'),
  );
}
