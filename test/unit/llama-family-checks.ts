// The comparisons with a tiny fixture's float64 reference (README-llama-family.md), shared by the
// engine's test in Node (families-reference.test.ts) and in Chromium (families.browser.test.ts).
// Each takes what the engine computed as plain data and reports its largest difference to `track`.
import assert from 'node:assert/strict';
import type { PromptReference } from './llama-family-fixtures';

export const LOGPROB_TOLERANCE = 2e-3;
/** Candidates closer than this in the reference are a tie that float32 may order either way. */
export const NEAR_TIE = 2e-3;
export const ATTENTION_TOLERANCE = 1e-4;
export const NORM_RELATIVE_TOLERANCE = 1e-3;
export const COSINE_TOLERANCE = 1e-3;

/** Receives each difference checked, under a name, so that a test can report the largest. */
export type Track = (what: 'logprob' | 'target' | 'entropy' | 'attention' | 'normRelative' | 'cosine', difference: number) => void;
const ignore: Track = () => undefined;

/** One position as the engine reports it. */
export interface PredictionData {
  top: [number, number][];
  target: { id: number; logprob: number } | null;
  entropy?: number;
}

/**
 * Top ids identical to the reference's top-5 except across near-ties; every top log-probability
 * (up to six), every target's log-probability and (when given) the entropy within 2e-3.
 */
export function checkPredictions(ref: PromptReference, positions: PredictionData[], where: string, track: Track = ignore): void {
  const T = ref.ids.length;
  assert.equal(positions.length, T, `${where}: one prediction per token`);
  positions.forEach((p, t) => {
    const expected = ref.top6[t]!;
    p.top.forEach(([id, lp], j) => {
      track('logprob', Math.abs(lp - expected[j]![1]));
      assert.ok(Math.abs(lp - expected[j]![1]) <= LOGPROB_TOLERANCE, `${where}: logprob ${j} at ${t}: ${lp} vs ${expected[j]![1]}`);
      if (j >= 5 || id === expected[j]![0]) return;
      // A different id at rank j must be one the reference puts within a near-tie of rank j.
      const there = expected.find(([other]) => other === id);
      assert.ok(there && Math.abs(there[1] - expected[j]![1]) < NEAR_TIE, `${where}: top id ${j} at ${t}: ${id}, reference ${JSON.stringify(expected)}`);
    });
    if (p.entropy !== undefined) {
      track('entropy', Math.abs(p.entropy - ref.entropy_nats[t]!));
      assert.ok(Math.abs(p.entropy - ref.entropy_nats[t]!) <= LOGPROB_TOLERANCE, `${where}: entropy at ${t}: ${p.entropy} vs ${ref.entropy_nats[t]}`);
    }
    if (t === T - 1) {
      assert.equal(p.target, null, `${where}: the last position has no target`);
      return;
    }
    assert.equal(p.target!.id, ref.ids[t + 1]);
    track('target', Math.abs(p.target!.logprob - ref.target_logprob[t]!));
    assert.ok(Math.abs(p.target!.logprob - ref.target_logprob[t]!) <= LOGPROB_TOLERANCE, `${where}: target at ${t}: ${p.target!.logprob} vs ${ref.target_logprob[t]}`);
  });
}

/** Attention of the first and the last layer, every query head, within 1e-4; `at` reads the engine's. */
export function checkAttention(ref: PromptReference, layers: number, heads: number, at: (layer: number, head: number, query: number, key: number) => number, where: string, track: Track = ignore): void {
  const T = ref.ids.length;
  for (const [layer, expected] of [[0, ref.attn_layer0], [layers - 1, ref.attn_last]] as const) {
    assert.equal(expected.length, heads);
    for (let h = 0; h < heads; h++) {
      for (let q = 0; q < T; q++) {
        for (let k = 0; k < T; k++) {
          const diff = Math.abs(at(layer, h, q, k) - expected[h]![q]![k]!);
          track('attention', diff);
          assert.ok(diff <= ATTENTION_TOLERANCE, `${where}: attention layer ${layer} head ${h} query ${q} key ${k}: off by ${diff}`);
        }
      }
    }
  }
}

/** The residual stream's length at every layer (0 = embedding) and position, within 1e-3 relative. */
export function checkHiddenNorms(ref: PromptReference, norms: number[][], where: string, track: Track = ignore): void {
  assert.equal(norms.length, ref.hidden_norms.length, `${where}: one row of norms per layer and the embedding`);
  norms.forEach((row, layer) => {
    row.forEach((norm, t) => {
      const expected = ref.hidden_norms[layer]![t]!;
      const relative = Math.abs(norm - expected) / expected;
      track('normRelative', relative);
      assert.ok(relative <= NORM_RELATIVE_TOLERANCE, `${where}: norm at layer ${layer}, position ${t}: ${norm} vs ${expected}`);
    });
  });
}

/** Embedding neighbours: identical ids (the token itself first), cosines within 1e-3. */
export function checkNeighbours(expected: [number, number][], found: [number, string, number][], where: string, track: Track = ignore): void {
  assert.deepEqual(found.map(([n]) => n), expected.map(([n]) => n), `${where}: neighbour ids`);
  found.forEach(([, , cos], i) => {
    track('cosine', Math.abs(cos - expected[i]![1]));
    assert.ok(Math.abs(cos - expected[i]![1]) <= COSINE_TOLERANCE, `${where}: cosine ${i}: ${cos} vs ${expected[i]![1]}`);
  });
}

/** Lengths of the rows of a flat residual stream [layers + 1, T, d]: [layer][t]. */
export function hiddenNorms(hidden: Float32Array, tokens: number, width: number): number[][] {
  const layers = hidden.length / (tokens * width);
  return Array.from({ length: layers }, (_, layer) =>
    Array.from({ length: tokens }, (_, t) => Math.hypot(...hidden.subarray((layer * tokens + t) * width, (layer * tokens + t + 1) * width))));
}
