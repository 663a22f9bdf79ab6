// Byte-pair encoding is fast on ordinary text but quadratic in the UTF-8 length of one piece, and
// the pre-tokenizers make one piece of an unbroken run of letters, digits, symbols or whitespace
// (a 100,000-letter word takes 15 s; 1 MB of one run would take hours). Before tokenizing user
// text, the extension (Explain Tokens, the status bar) and the CLI estimate that cost here and
// refuse text that would block them, saying why. Pure.
//
// Calibration: one run of B UTF-8 bytes takes about k·B² seconds. k (in 1e-10 s/B²) measured with
// gpt-tokenizer 4.0.0 in Node 20 on the 2-core development machine, B = 30,000, each in a fresh
// process as the CLI runs (median of 3; the machine was busy, load average 12-17; warm, in a
// quieter process, the same runs took 2-5 times less):
//
//   run                      r50k_base  cl100k_base  o200k_base
//   'a' / random a-z / 'A'    35 / 45 / 42  66 / 58 / 27  28 / 54 / 25
//   '1' / random digits        31 / 17        ~0 / ~0       ~0 / ~0   (cl100k/o200k cut digits in threes)
//   '-' / '=' / random punct   26 / 17 / 5   22 / 24 / 8   22 / 19 / 11
//   U+FFFD (3 bytes each)          13            13            12
//   emoji / ZWJ families         6 / 4         5 / 6         5 / 20
//   a + U+0301 (marks)             1            15             8
//   CJK 你 / random Cyrillic      5 / 3         6 / 6         5 / 9
//   spaces / newlines            1 / 16       18 / 22       14 / 14
//
// Every class costs within a factor of about five of the worst (~6e-9 s/B² busy, ~2e-9 quiet),
// so one price per byte² serves all, and the limit keeps the costliest run near 1 s per encoding
// when the machine is quiet and 2-3 s when it is busy: Σ B² ≤ 5e8, one run of at most 22,360
// bytes. U+FFFD × 20,000 (60,000 bytes, 4-7 s) is refused, 'a' × 20,000 passes; the words of
// ordinary code or prose add a few bytes² each, far below the limit even for 2 MB.
import { english, type Localize } from './localize';

/** Σ (UTF-8 bytes of a run)² above which one encoding would take more than about two seconds. */
export const MAX_BPE_COST = 5e8;

export interface TokenizeCost {
  /** Σ (UTF-8 bytes)² of the runs: what BPE's time grows with once runs are long. */
  cost: number;
  /** The costliest run: its length in UTF-16 units and where it starts. */
  longestRun: number;
  longestRunStart: number;
}

/**
 * The pre-tokenizers' unbroken pieces, over the three encodings: letters (o200k_base keeps
 * combining marks with them), digits (r50k_base), other non-space characters (r50k_base counts
 * marks there), whitespace. A mark continues both of its runs.
 */
const RUN_CLASSES = [/[\p{L}\p{M}]/u, /\p{N}/u, /[^\s\p{L}\p{N}]/u, /\s/u];

export function tokenizeCost(text: string): TokenizeCost {
  const result: TokenizeCost = { cost: 0, longestRun: 0, longestRunStart: 0 };
  let longestBytes = 0;
  const runUnits = RUN_CLASSES.map(() => 0);
  const runBytes = RUN_CLASSES.map(() => 0);
  const runStart = RUN_CLASSES.map(() => 0);
  const endRun = (c: number) => {
    // Every run counts, the short ones too: a text of many runs just under any threshold would
    // add up unseen, and the words of ordinary text add only a few bytes² each.
    const bytes = runBytes[c]!;
    result.cost += bytes * bytes;
    if (bytes > longestBytes) {
      longestBytes = bytes;
      result.longestRun = runUnits[c]!;
      result.longestRunStart = runStart[c]!;
    }
    runUnits[c] = 0;
    runBytes[c] = 0;
  };
  // One pass, a table look-up per character: a regular expression with \p{L} took ~0.5 s on 2 MB of CJK.
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    const units = codePoint > 0xffff ? 2 : 1;
    // A lone surrogate is a code point of its own here and 3 bytes (U+FFFD), as TextEncoder has it.
    const bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : units === 1 ? 3 : 4;
    const classes = classesOf(codePoint);
    for (let c = 0; c < RUN_CLASSES.length; c++) {
      if (classes & (1 << c)) {
        if (runUnits[c] === 0) runStart[c] = i;
        runUnits[c]! += units;
        runBytes[c]! += bytes;
      } else if (runUnits[c]! > 0) {
        endRun(c);
      }
    }
    i += units;
  }
  for (let c = 0; c < RUN_CLASSES.length; c++) endRun(c);
  return result;
}

// Which RUN_CLASSES each code point belongs to (bit c for class c), filled 256 code points at a
// time on first use: 1.1 MB at most, a few kB for text in one script.
const BLOCK_BITS = 8;
let classTable: Uint8Array | undefined;
let filledBlocks: Uint8Array | undefined;

function classesOf(codePoint: number): number {
  classTable ??= new Uint8Array(0x110000);
  filledBlocks ??= new Uint8Array(0x110000 >> BLOCK_BITS);
  const block = codePoint >> BLOCK_BITS;
  if (!filledBlocks[block]) {
    for (let cp = block << BLOCK_BITS; cp < (block + 1) << BLOCK_BITS; cp++) {
      const character = String.fromCodePoint(cp);
      classTable[cp] = RUN_CLASSES.reduce((bits, pattern, c) => (pattern.test(character) ? bits | (1 << c) : bits), 0);
    }
    filledBlocks[block] = 1;
  }
  return classTable[codePoint]!;
}

/** The cost of `text` when it is over the limit, else undefined. */
export function tokenizeCostProblem(text: string): TokenizeCost | undefined {
  const cost = tokenizeCost(text);
  return cost.cost > MAX_BPE_COST ? cost : undefined;
}

/** Why the text cannot be tokenized quickly, or undefined when it can (the editor's wording). */
export function tooSlowToTokenize(text: string, localize: Localize = english): string | undefined {
  const problem = tokenizeCostProblem(text);
  if (!problem) return undefined;
  return localize(
    'the text holds a run of {0} characters of one kind (letters, digits, symbols or whitespace) with nothing to break it; byte-pair encoding takes quadratic time on such runs, so tokenizing it would freeze the editor. Select a part without it',
    problem.longestRun.toLocaleString('en-US'),
  );
}
