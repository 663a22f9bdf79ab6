// The keys and values of texts the `step` trunk read, so that the next question about a text
// that starts the same way (generation's next token, a hover near an earlier one) runs the model
// only on the tokens after the shared start. A GPT is causal: the keys and values of position t
// depend only on ids[0..t], so they hold for any text that agrees up to t.
//
// Several texts are kept (least recently used first out, within a byte budget): hovers start
// their context on a grid (see hover-context.ts), so moving around a region of a file goes back
// and forth between a few starts, and each keeps its keys and values.

/** Keys and values of every layer, each [kvHeads, length, headDim], for `ids`. */
export interface KeyValues {
  ids: number[];
  keys: Float32Array[];
  values: Float32Array[];
}

/** The cached keys and values of a text's first `length` positions, ready to feed as the past. */
export interface PastKeyValues {
  length: number;
  keys: Float32Array[];
  values: Float32Array[];
}

/** Enough for a few 256-token contexts of a GPT-2-small-sized model (19 MB each). */
const DEFAULT_BUDGET_BYTES = 128 * 1024 * 1024;

export class KeyValueCache {
  /** Most recently used last. */
  private entries: KeyValues[] = [];

  constructor(
    private readonly kvHeads: number,
    private readonly headDim: number,
    private readonly budgetBytes = DEFAULT_BUDGET_BYTES,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /**
   * Keeps `entry`: it replaces a kept text it extends, is dropped if a kept text already extends
   * it, and is added otherwise; the least recently used go while over the budget (the newest stays).
   */
  remember(entry: KeyValues): void {
    const best = this.best(entry.ids);
    if (best && best.length === entry.ids.length) {
      this.touch(best.entry);
      return;
    }
    if (best && best.length === best.entry.ids.length) this.entries = this.entries.filter((e) => e !== best.entry);
    this.entries.push(entry);
    let bytes = this.entries.reduce((sum, e) => sum + bytesOf(e), 0);
    while (this.entries.length > 1 && bytes > this.budgetBytes) bytes -= bytesOf(this.entries.shift()!);
  }

  clear(): void {
    this.entries = [];
  }

  /**
   * The keys and values of the first min(shared, `limit`) positions of `ids`, from the kept text
   * that shares the most with them; undefined when none shares any. Fresh arrays: the caller
   * hands them to the runtime.
   */
  past(ids: readonly number[], limit: number): PastKeyValues | undefined {
    const best = this.best(ids);
    const length = Math.min(best?.length ?? 0, limit);
    if (!best || length <= 0) return undefined;
    this.touch(best.entry);
    const cut = (tensor: Float32Array) => this.cut(tensor, best.entry.ids.length, length);
    return { length, keys: best.entry.keys.map(cut), values: best.entry.values.map(cut) };
  }

  private best(ids: readonly number[]): { entry: KeyValues; length: number } | undefined {
    let best: { entry: KeyValues; length: number } | undefined;
    for (const entry of this.entries) {
      const length = sharedPrefix(entry.ids, ids);
      if (length > 0 && length >= (best?.length ?? 0)) best = { entry, length };
    }
    return best;
  }

  private touch(entry: KeyValues): void {
    this.entries = [...this.entries.filter((e) => e !== entry), entry];
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

function sharedPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function bytesOf(entry: KeyValues): number {
  let bytes = 0;
  for (const t of entry.keys) bytes += t.byteLength;
  for (const t of entry.values) bytes += t.byteLength;
  return bytes;
}
