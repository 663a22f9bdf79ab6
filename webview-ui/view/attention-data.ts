// Read-only access to an analysis's attention probabilities (flat [layers, heads, T, T],
// query-major), and which key/value head a query head reads. Pure: unit-tested in Node and used
// by every attention view.
import type { Architecture } from '../../src/engine/types';
import type { Translate } from '../i18n';
import { sentences } from './format';

/** A head index, or the mean over a layer's heads. */
export type HeadChoice = number | 'average';

export class AttentionData {
  constructor(
    readonly values: Float32Array,
    readonly layers: number,
    readonly heads: number,
    readonly tokens: number,
  ) {
    const expected = layers * heads * tokens * tokens;
    if (values.length !== expected) {
      throw new Error(`attention has ${values.length} values; ${layers} layers × ${heads} heads × ${tokens}² tokens need ${expected}`);
    }
  }

  /** Throws a message the panel can show when a layer or head does not exist (e.g. from a stale message). */
  check(layer: number, head: HeadChoice): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layers) {
      throw new Error(`layer ${layer} does not exist: the model has layers 0–${this.layers - 1}`);
    }
    if (head !== 'average' && (!Number.isInteger(head) || head < 0 || head >= this.heads)) {
      throw new Error(`head ${head} does not exist: each layer has heads 0–${this.heads - 1}`);
    }
  }

  /** The weights query `q` gives to keys 0..T-1 (zero for k > q: the causal mask). */
  row(layer: number, head: HeadChoice, q: number): Float32Array {
    this.check(layer, head);
    if (!Number.isInteger(q) || q < 0 || q >= this.tokens) throw new Error(`token ${q} is outside the analysed text (0–${this.tokens - 1})`);
    const T = this.tokens;
    const out = new Float32Array(T);
    const heads = head === 'average' ? [...Array(this.heads).keys()] : [head];
    for (const h of heads) {
      const base = ((layer * this.heads + h) * T + q) * T;
      for (let k = 0; k < T; k++) out[k]! += this.values[base + k]!;
    }
    if (heads.length > 1) for (let k = 0; k < T; k++) out[k]! /= heads.length;
    return out;
  }

  /** The whole T×T map of one head (or the average), query-major. */
  matrix(layer: number, head: HeadChoice): Float32Array {
    this.check(layer, head);
    const T = this.tokens;
    if (head !== 'average') {
      const base = (layer * this.heads + head) * T * T;
      return this.values.subarray(base, base + T * T);
    }
    const out = new Float32Array(T * T);
    for (let h = 0; h < this.heads; h++) {
      const base = (layer * this.heads + h) * T * T;
      for (let i = 0; i < T * T; i++) out[i]! += this.values[base + i]!;
    }
    for (let i = 0; i < T * T; i++) out[i]! /= this.heads;
    return out;
  }
}

/** Indices of the `k` largest weights among keys 0..q, largest first (ties: earlier key first). */
export function topAttended(weights: ArrayLike<number>, q: number, k: number): number[] {
  const keys = [...Array(Math.min(q + 1, weights.length)).keys()];
  keys.sort((a, b) => weights[b]! - weights[a]! || a - b);
  return keys.slice(0, k);
}

/** An attention weight as shown in the panel (4 decimals: weights of a row sum to 1). */
export function formatWeight(w: number): string {
  return w.toFixed(4);
}

/**
 * Which key/value head the chosen query head reads, when query heads share them (grouped-query
 * or multi-query attention); undefined for plain multi-head attention, where each head has its own.
 */
export function kvSharing(architecture: Pick<Architecture, 'kvHeads' | 'kvHeadOf'>, head: HeadChoice, t: Translate): string | undefined {
  const { kvHeads, kvHeadOf } = architecture;
  if (kvHeads >= kvHeadOf.length) return undefined;
  const heads = kvHeadOf.length;
  const shared = kvHeads === 1 ? t('attention.mqa', { heads }) : t('attention.gqa', { heads, kvHeads });
  if (head === 'average') return shared;
  const kv = kvHeadOf[head]!;
  // Consecutive query heads share a key/value head (repeat_kv), so the group is a range.
  const group = kvHeadOf.flatMap((k, h) => (k === kv ? [h] : []));
  return sentences([shared, t('attention.kvOfHead', { head, kv, group: `${group[0]}–${group.at(-1)}` })]);
}
