// Analysed regions of one document, kept valid while the user types. A GPT is causal: the
// prediction at a position depends only on the text before it, so an edit invalidates only
// the predictions from the edit onwards. Regions before an edit stay; regions after it shift.
import type { PositionPrediction, TokenSpan } from '../engine/types';

export interface AnalysedRegion {
  /** Tokens with document offsets; the model saw exactly these, in order, from the first. */
  tokens: TokenSpan[];
  /** predictions[i] is the distribution after tokens[0..i], i.e. over tokens[i + 1]. */
  predictions: PositionPrediction[];
  topK: number;
}

export interface RegionHit {
  token: TokenSpan;
  /** The score of the hovered token given the tokens before it (null for the region's first token). */
  lastToken: PositionPrediction['target'];
  next: PositionPrediction;
  /** Tokens of context the model saw up to and including the hovered one. */
  contextTokens: number;
}

/** One edit, as VS Code reports it in TextDocumentContentChangeEvent. */
export interface TextEdit {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

const MAX_REGIONS = 32;

export class RegionCache {
  private regions: AnalysedRegion[] = [];

  get regionCount(): number {
    return this.regions.length;
  }

  add(region: AnalysedRegion): void {
    if (region.tokens.length === 0 || region.tokens.length !== region.predictions.length) return;
    this.regions = [region, ...this.regions.filter((r) => !sameSpan(r, region))].slice(0, MAX_REGIONS);
  }

  /** The analysed token covering `offset`, with its scores, if a region holds it and asked for at least `topK`. */
  lookup(offset: number, topK: number, maxContextTokens: number): RegionHit | undefined {
    for (const region of this.regions) {
      if (region.topK < topK) continue;
      const tokens = region.tokens;
      if (offset < tokens[0].start || offset > tokens[tokens.length - 1].end) continue;
      const i = coveringToken(tokens, offset);
      if (i < 0 || i + 1 > maxContextTokens) continue; // the hover would have seen a shorter context
      return {
        token: tokens[i],
        lastToken: i > 0 ? region.predictions[i - 1].target : null,
        next: region.predictions[i],
        contextTokens: i + 1,
      };
    }
    return undefined;
  }

  /** Applies edits in the order VS Code reports them (each relative to the text before it). */
  edit(edits: readonly TextEdit[]): void {
    for (const e of edits) this.regions = this.regions.flatMap((r) => applyEdit(r, e));
  }

  clear(): void {
    this.regions = [];
  }
}

function applyEdit(region: AnalysedRegion, e: TextEdit): AnalysedRegion[] {
  const editStart = e.rangeOffset;
  const editEnd = e.rangeOffset + e.rangeLength;
  const first = region.tokens[0];
  const last = region.tokens[region.tokens.length - 1];
  if (editStart >= last.end) return [region];
  if (editEnd <= first.start && editStart < first.start) {
    const delta = e.text.length - e.rangeLength;
    return [{ ...region, tokens: region.tokens.map((t) => ({ ...t, start: t.start + delta, end: t.end + delta })) }];
  }
  // The edit touches the region: keep the tokens that end before it (their context is intact).
  // A token touching the edit could merge with the new text, so it goes too.
  const kept = region.tokens.findIndex((t) => t.end >= editStart);
  if (kept <= 0) return [];
  const predictions = region.predictions.slice(0, kept);
  // The last kept prediction was scored against a next token that no longer exists.
  predictions[kept - 1] = { ...predictions[kept - 1], target: null };
  return [{ ...region, tokens: region.tokens.slice(0, kept), predictions }];
}

function coveringToken(tokens: TokenSpan[], offset: number): number {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (offset >= t.start && offset < t.end) return i;
  }
  return tokens[tokens.length - 1].end === offset ? tokens.length - 1 : -1;
}

function sameSpan(a: AnalysedRegion, b: AnalysedRegion): boolean {
  return a.tokens[0].start === b.tokens[0].start && a.tokens[a.tokens.length - 1].end === b.tokens[b.tokens.length - 1].end;
}
