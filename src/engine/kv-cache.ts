// The keys and values of the last text the `step` trunk read, so that the next question about
// a text that starts the same way (generation's next token, a hover near the last one) runs the
// model only on the tokens after the shared start. A GPT is causal: the keys and values of
// position t depend only on ids[0..t], so they hold for any text that agrees up to t.

/** Keys and values of every layer, each [kvHeads, length, headDim], for `ids`. */
export interface KeyValues {
  ids: number[];
  keys: Float32Array[];
  values: Float32Array[];
}

export class KeyValueCache {
  private entry: KeyValues | undefined;

  constructor(
    private readonly kvHeads: number,
    private readonly headDim: number,
  ) {}

  remember(entry: KeyValues): void {
    this.entry = entry;
  }

  clear(): void {
    this.entry = undefined;
  }

  /** How many of `ids`' first tokens the cache holds keys and values for. */
  sharedLength(ids: readonly number[]): number {
    const cached = this.entry?.ids;
    if (!cached) return 0;
    const n = Math.min(cached.length, ids.length);
    let i = 0;
    while (i < n && cached[i] === ids[i]) i++;
    return i;
  }

  /** The cached keys and values of the first `length` positions (fresh arrays: the caller hands them to the runtime). */
  prefix(length: number): { keys: Float32Array[]; values: Float32Array[] } {
    const entry = this.entry;
    if (!entry || length > entry.ids.length) throw new Error(`internal: the key/value cache holds ${entry?.ids.length ?? 0} positions, not ${length}`);
    const cut = (tensor: Float32Array) => this.cut(tensor, entry.ids.length, length);
    return { keys: entry.keys.map(cut), values: entry.values.map(cut) };
  }

  /** The first `length` of `total` positions of a [kvHeads, total, headDim] tensor. */
  private cut(tensor: Float32Array, total: number, length: number): Float32Array {
    const { kvHeads, headDim } = this;
    if (length === total) return tensor.slice();
    const out = new Float32Array(kvHeads * length * headDim);
    for (let h = 0; h < kvHeads; h++) out.set(tensor.subarray(h * total * headDim, (h * total + length) * headDim), h * length * headDim);
    return out;
  }
}
