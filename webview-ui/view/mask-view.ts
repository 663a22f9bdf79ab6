// Below the Attention tab's maps: who may look where. GPT's causal mask (the triangle) beside
// BERT's full attention (the square), drawn on the first tokens of the user's text, and what the
// live attention shows: no weight at all on a later token, every row summing to 1.
import { el, svg } from '../dom';
import type { LensRun } from './lens-run';
import { displayToken } from './token-display';
import { english, type Translate } from '../i18n';

/** Tokens drawn in each grid (the text's first ones). */
const GRID_TOKENS = 12;
const CELL = 14;
const LABEL = 64;

/** Over every layer and head: the largest weight on a later token, and the largest |row sum − 1|. */
export function maskCheck(values: Float32Array, maps: number, T: number): { maxFuture: number; maxRowError: number } {
  let maxFuture = 0;
  let maxRowError = 0;
  for (let m = 0; m < maps; m++) {
    for (let q = 0; q < T; q++) {
      const base = (m * T + q) * T;
      let sum = 0;
      for (let k = 0; k < T; k++) {
        const w = values[base + k]!;
        sum += w;
        if (k > q) maxFuture = Math.max(maxFuture, Math.abs(w));
      }
      maxRowError = Math.max(maxRowError, Math.abs(sum - 1));
    }
  }
  return { maxFuture, maxRowError };
}

export class MaskView {
  readonly element = el('section', { className: 'mask-view' });
  private run: LensRun | undefined;
  private t: Translate = english;
  private dirty = true;

  localize(t: Translate): void {
    this.t = t;
    this.dirty = true;
  }

  /** The run to draw; drawn (and the live maps checked) at the next update(), when the tab shows. */
  setRun(run: LensRun | undefined): void {
    this.run = run;
    this.dirty = true;
  }

  /** More of the run's layers have been computed: check them at the next update(). */
  layersAdded(): void {
    this.dirty = true;
  }

  update(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.render();
  }

  private render(): void {
    const run = this.run;
    if (!run || run.tokens.length < 2) {
      this.element.replaceChildren();
      return;
    }
    const n = Math.min(GRID_TOKENS, run.tokens.length);
    const labels = run.tokens.slice(0, n).map((token) => displayToken(token.text));
    // Checked on the layers computed so far (a layer's maps are computed when a view shows them).
    const { layers: total, heads, tokens: T } = run.attention;
    const loaded = run.attention.loadedLayers;
    const layers = loaded.length;
    const checks = loaded.map((layer) => maskCheck(run.attention.layer(layer), heads, T));
    const check = { maxFuture: Math.max(0, ...checks.map((c) => c.maxFuture)), maxRowError: Math.max(0, ...checks.map((c) => c.maxRowError)) };
    const causalCells = (n * (n + 1)) / 2;
    this.element.replaceChildren(
      el('h2', { className: 'lens-heading', text: this.t('mask.heading') }),
      el('div', { className: 'mask-grids' }, [
        el('figure', { className: 'mask-figure', attrs: { 'data-kind': 'causal', 'data-allowed': String(causalCells) } }, [
          grid(labels, true, this.t('mask.causalLabel')),
          el('figcaption', { text: this.t('mask.causal', { allowed: causalCells, total: n * n }) }),
        ]),
        el('figure', { className: 'mask-figure', attrs: { 'data-kind': 'full', 'data-allowed': String(n * n) } }, [
          grid(labels, false, this.t('mask.fullLabel')),
          el('figcaption', { text: this.t('mask.full', { total: n * n }) }),
        ]),
      ]),
      el('p', { text: this.t('mask.objectives') }),
      el('p', {
        className: 'mask-live',
        text: this.t(layers === total ? 'mask.live' : 'mask.livePartial', { layers, total, heads, maps: layers * heads, maxFuture: check.maxFuture === 0 ? '0' : check.maxFuture.toExponential(1), rowError: check.maxRowError.toExponential(1) }),
        attrs: { 'data-max-future': String(check.maxFuture), 'data-max-row-error': String(check.maxRowError), 'data-layers': String(layers) },
      }),
      ...(n < run.tokens.length ? [el('p', { className: 'muted', text: this.t('mask.firstTokens', { shown: n, total: run.tokens.length }) })] : []),
    );
  }
}

/** An n × n grid: a filled cell where the row's token may attend to the column's. */
function grid(labels: string[], causal: boolean, title: string): SVGSVGElement {
  const n = labels.length;
  const size = LABEL + n * CELL;
  const root = svg('svg', { class: 'mask-svg', width: size, height: size, viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': title });
  labels.forEach((label, i) => {
    const short = label.length > 8 ? `${label.slice(0, 7)}…` : label;
    root.appendChild(svg('text', { class: 'mask-label', x: LABEL - 4, y: LABEL + i * CELL + CELL - 3, 'text-anchor': 'end' }, short));
    root.appendChild(svg('text', { class: 'mask-label', x: 0, y: 0, 'text-anchor': 'start', transform: `translate(${LABEL + i * CELL + CELL - 3} ${LABEL - 4}) rotate(-90)` }, short));
  });
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const allowed = !causal || k <= q;
      root.appendChild(svg('rect', { class: allowed ? 'mask-cell allowed' : 'mask-cell masked', x: LABEL + k * CELL, y: LABEL + q * CELL, width: CELL - 1, height: CELL - 1 }));
    }
  }
  return root;
}
