// Read-only access to an analysis's attention probabilities (flat [layers, heads, T, T],
// query-major), and which key/value head a query head reads. Pure: unit-tested in Node and used
// by every attention view.
import type { Architecture } from '../../src/engine/types';
import type { Translate } from '../i18n';
import { sentences } from './format';

/** A head index, or the mean over a layer's heads. */
export type HeadChoice = number | 'average';

/** Computes one layer's maps, [heads, T, T], when a view first needs them. */
export type LayerSource = (layer: number) => Promise<Float32Array>;

/**
 * A run's attention probabilities, one layer at a time: a layer's maps are asked for when a view
 * first shows them (the engine computes them then, one block's work), so that no run holds
 * [layers × heads × T × T] (GPT-2 medium at T = 1,024: 1.6 GB) unless the model view asks for all.
 */
export class AttentionData {
  private readonly maps: (Float32Array | undefined)[];
  private readonly pending = new Map<number, Promise<Float32Array>>();
  private readonly source: LayerSource | undefined;

  /** `values`: every layer at once, flat [layers, heads, T, T]; or a source that computes one layer when asked. */
  constructor(
    values: Float32Array | LayerSource,
    readonly layers: number,
    readonly heads: number,
    readonly tokens: number,
  ) {
    const perLayer = heads * tokens * tokens;
    if (values instanceof Float32Array) {
      const expected = layers * perLayer;
      if (values.length !== expected) {
        throw new Error(`attention has ${values.length} values; ${layers} layers × ${heads} heads × ${tokens}² tokens need ${expected}`);
      }
      this.maps = Array.from({ length: layers }, (_, l) => values.subarray(l * perLayer, (l + 1) * perLayer));
    } else {
      this.maps = new Array<Float32Array | undefined>(layers).fill(undefined);
      this.source = values;
    }
  }

  /** Whether `layer`'s maps are here (row and matrix need them). */
  has(layer: number): boolean {
    return this.maps[layer] !== undefined;
  }

  /** The layers whose maps are here, in order. */
  get loadedLayers(): number[] {
    return this.maps.flatMap((map, l) => (map ? [l] : []));
  }

  /** Fetches `layer`'s maps once; later calls share the same request. */
  async load(layer: number): Promise<void> {
    this.check(layer, 'average');
    if (this.maps[layer]) return;
    let request = this.pending.get(layer);
    if (!request) {
      request = this.source!(layer);
      this.pending.set(layer, request);
    }
    try {
      const map = await request;
      const expected = this.heads * this.tokens * this.tokens;
      if (map.length !== expected) throw new Error(`layer ${layer}'s attention has ${map.length} values; ${this.heads} heads × ${this.tokens}² tokens need ${expected}`);
      this.maps[layer] = map;
    } finally {
      this.pending.delete(layer);
    }
  }

  /** Every layer's maps (the model view shows them all), one layer after another. */
  async loadAll(): Promise<void> {
    for (let layer = 0; layer < this.layers; layer++) await this.load(layer);
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

  /** One layer's maps, [heads, T, T]; it must have been loaded. */
  layer(layer: number): Float32Array {
    this.check(layer, 'average');
    const map = this.maps[layer];
    if (!map) throw new Error(`layer ${layer}'s attention has not been computed yet`);
    return map;
  }

  /** The weights query `q` gives to keys 0..T-1 (zero for k > q: the causal mask). */
  row(layer: number, head: HeadChoice, q: number): Float32Array {
    this.check(layer, head);
    if (!Number.isInteger(q) || q < 0 || q >= this.tokens) throw new Error(`token ${q} is outside the analysed text (0–${this.tokens - 1})`);
    const values = this.layer(layer);
    const T = this.tokens;
    const out = new Float32Array(T);
    const heads = head === 'average' ? [...Array(this.heads).keys()] : [head];
    for (const h of heads) {
      const base = (h * T + q) * T;
      for (let k = 0; k < T; k++) out[k]! += values[base + k]!;
    }
    if (heads.length > 1) for (let k = 0; k < T; k++) out[k]! /= heads.length;
    return out;
  }

  /** The whole T×T map of one head (or the average), query-major. */
  matrix(layer: number, head: HeadChoice): Float32Array {
    this.check(layer, head);
    const values = this.layer(layer);
    const T = this.tokens;
    if (head !== 'average') return values.subarray(head * T * T, (head + 1) * T * T);
    const out = new Float32Array(T * T);
    for (let h = 0; h < this.heads; h++) {
      const base = h * T * T;
      for (let i = 0; i < T * T; i++) out[i]! += values[base + i]!;
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
