// A text longer than the model's context: the last `context` tokens get every view, and the
// tokens before them are scored in overlapping windows so the heat map covers the whole text.
// Each window is `context` tokens long and scores only its tokens that have at least half a
// context before them inside it (the first window, at the text's start, scores all but its first).

export interface ScoringWindow {
  /** Token indexes the model reads: [start, end). */
  start: number;
  end: number;
  /** Token indexes whose scores this window gives: [scoreFrom, end). */
  scoreFrom: number;
}

/**
 * Windows that score tokens 1..`keptFrom` (the last context starts at keptFrom, whose token it
 * reads without scoring), in text order.
 */
export function earlierWindows(keptFrom: number, context: number): ScoringWindow[] {
  if (!Number.isInteger(keptFrom) || keptFrom < 1 || !Number.isInteger(context) || context < 2) return [];
  const half = Math.floor(context / 2);
  const windows: ScoringWindow[] = [];
  let next = 1;
  while (next <= keptFrom) {
    const start = Math.max(0, next - half);
    const end = Math.min(start + context, keptFrom + 1);
    windows.push({ start, end, scoreFrom: next });
    next = end;
  }
  return windows;
}
