// The residual streams of the most recent texts, so that follow-up questions on a text
// (a distribution at one position, a hover, the logit lens) skip the trunk. GPT-2 is causal:
// the residual at position t depends only on ids[0..t], so a run also answers for any text
// that agrees with its ids up to t.

/** A full trunk run: every layer's residual (and possibly the attention maps) of one text. */
export interface StreamRun {
  ids: number[];
  /** [L+1, T, d]: after the embedding and after every block, before ln_f. */
  hidden: Float32Array;
  /** [L, H, T, T], while no caller has taken it. */
  attention?: Float32Array;
}

/** A hover-path run: the final residual of the last rows of one text only. */
export interface LastRowsRun {
  ids: number[];
  /** [R, d]: the residual after the last block at positions ids.length - R .. ids.length - 1. */
  rows: Float32Array;
}

export interface ResidualCell {
  /** 0 = after the embedding, L = after the last block. */
  layer: number;
  position: number;
}

function commonPrefixLength(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export class ResidualCache {
  private stream: StreamRun | undefined;
  private lastRows: LastRowsRun | undefined;

  constructor(
    private readonly nLayer: number,
    private readonly nEmbd: number,
  ) {}

  rememberStream(run: StreamRun): void {
    this.stream = run;
  }

  rememberLastRows(run: LastRowsRun): void {
    this.lastRows = run;
  }

  clear(): void {
    this.stream = undefined;
    this.lastRows = undefined;
  }

  /** The full run of exactly `ids`, if cached and, when asked for, still holding its attention. */
  fullRun(ids: number[], withAttention: boolean): StreamRun | undefined {
    const run = this.stream;
    if (!run || run.ids.length !== ids.length || commonPrefixLength(run.ids, ids) !== ids.length) return undefined;
    return withAttention && !run.attention ? undefined : run;
  }

  /** Hands the cached attention maps to a caller (who may modify or transfer them) and forgets them. */
  takeAttention(run: StreamRun): Float32Array | undefined {
    const attention = run.attention;
    run.attention = undefined;
    return attention;
  }

  /** The residual vectors at `cells` of the text `ids`, packed [cells, d], when cached runs cover them all. */
  rows(ids: number[], cells: ResidualCell[]): Float32Array | undefined {
    const d = this.nEmbd;
    const out = new Float32Array(cells.length * d);
    const streamAgrees = this.stream ? commonPrefixLength(this.stream.ids, ids) : 0;
    const lastAgrees = this.lastRows ? commonPrefixLength(this.lastRows.ids, ids) : 0;
    for (const [i, { layer, position }] of cells.entries()) {
      const source = this.locate(layer, position, streamAgrees, lastAgrees);
      if (!source) return undefined;
      out.set(source, i * d);
    }
    return out;
  }

  private locate(layer: number, position: number, streamAgrees: number, lastAgrees: number): Float32Array | undefined {
    const d = this.nEmbd;
    if (this.stream && position < streamAgrees) {
      const T = this.stream.ids.length;
      const start = (layer * T + position) * d;
      return this.stream.hidden.subarray(start, start + d);
    }
    if (this.lastRows && layer === this.nLayer && position < lastAgrees) {
      const R = this.lastRows.rows.length / d;
      const row = position - (this.lastRows.ids.length - R);
      if (row >= 0) return this.lastRows.rows.subarray(row * d, (row + 1) * d);
    }
    return undefined;
  }
}
