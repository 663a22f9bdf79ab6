// How a token's score maps to a heat-map colour, shared by the editor decorations (host) and
// the panel's chips (webview) so both always agree. Pure: no vscode, no DOM.
//
// Two scales:
//  - rank, as GLTR does (Gehrmann et al., 2019): was the token among the model's 10, 100 or
//    1000 most likely guesses, or further down;
//  - surprisal, −log2 p in bits: how much information the token carried for the model.
// Each bucket has a theme colour contributed in package.json (`llmLens.heat*`, `llmLens.surprisal*`);
// a webview sees the same colour as the CSS variable `--vscode-llmLens-heat*`.

export type RankBucket = 'top10' | 'top100' | 'top1000' | 'rest';
export type SurprisalBucket = 's0' | 's1' | 's2' | 's3' | 's4';
export type HeatBucket = RankBucket | SurprisalBucket;

export const RANK_BUCKETS: readonly RankBucket[] = ['top10', 'top100', 'top1000', 'rest'];
export const SURPRISAL_BUCKETS: readonly SurprisalBucket[] = ['s0', 's1', 's2', 's3', 's4'];

/** Upper bounds (bits) of s0..s3; s4 is everything above the last. */
export const SURPRISAL_BOUNDS_BITS: readonly number[] = [1, 3, 6, 10];

export function rankBucket(rank: number): RankBucket {
  if (rank <= 10) return 'top10';
  if (rank <= 100) return 'top100';
  if (rank <= 1000) return 'top1000';
  return 'rest';
}

/** Natural-log probability → bits of surprisal (≥ 0). */
export function surprisalBits(logprob: number): number {
  // -0 would print as "-0.00"
  return logprob >= 0 ? 0 : -logprob / Math.LN2;
}

export function surprisalBucket(logprob: number): SurprisalBucket {
  const bits = surprisalBits(logprob);
  const index = SURPRISAL_BOUNDS_BITS.findIndex((bound) => bits < bound);
  return SURPRISAL_BUCKETS[index === -1 ? SURPRISAL_BUCKETS.length - 1 : index]!;
}

export function heatBucket(mode: 'rank' | 'surprisal', score: { logprob: number; rank: number }): HeatBucket {
  return mode === 'rank' ? rankBucket(score.rank) : surprisalBucket(score.logprob);
}

const COLOR_IDS: Readonly<Record<HeatBucket, string>> = {
  top10: 'llmLens.heatTop10Background',
  top100: 'llmLens.heatTop100Background',
  top1000: 'llmLens.heatTop1000Background',
  rest: 'llmLens.heatRestBackground',
  s0: 'llmLens.surprisal0Background',
  s1: 'llmLens.surprisal1Background',
  s2: 'llmLens.surprisal2Background',
  s3: 'llmLens.surprisal3Background',
  s4: 'llmLens.surprisal4Background',
};

/** Theme colour id of a bucket's background (see package.json `contributes.colors`). */
export function bucketColorId(bucket: HeatBucket): string {
  return COLOR_IDS[bucket];
}

/**
 * The CSS variable VS Code defines in webviews for a theme colour id. VS Code 1.100 replaces
 * only the first dot, so the ids keep to one dot ("llmLens.heatTop10Background").
 */
export function themeColorCssVariable(colorId: string): string {
  return `--vscode-${colorId.replace('.', '-')}`;
}
