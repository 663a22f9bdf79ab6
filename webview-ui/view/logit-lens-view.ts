// The Logit lens tab: for each layer (rows; 0 is the input embedding) and position (columns),
// the token the model would predict if it stopped there (residual → the model's final norm,
// LayerNorm or RMSNorm → unembedding), with its probability. Cells showing the final prediction
// are shaded; the layer from which a position's top token stays the final prediction is outlined.
import { el } from '../dom';
import { formatPercent } from './format';
import { withTerms } from './glossary';
import { coverageNote, type LensRun } from './lens-run';
import { displayToken } from './token-display';
import { english, type Translate } from '../i18n';

/** Most position columns drawn: the table stays readable and the lens call stays quick. */
export const LENS_MAX_POSITIONS = 64;

export interface LensTable {
  layers: number;
  /** Index in run.tokens of the first column. */
  from: number;
  /** top[layer][column] = [id, logprob]. */
  top: [number, number][][];
}

/**
 * For each column, the layer from which on the top-1 is the final prediction: it is the last
 * layer's top-1 there and in every later layer. (The first layer where it appears at all can be
 * followed by layers where it drops out again; this one cannot.)
 */
export function settledLayer(table: LensTable): number[] {
  const last = table.top[table.layers - 1]!;
  return last.map(([finalId], column) => {
    let l = table.layers - 1;
    while (l > 0 && table.top[l - 1]![column]![0] === finalId) l--;
    return l;
  });
}

export class LogitLensView {
  readonly element = el('div', { className: 'logit-lens-view' });
  private run: LensRun | undefined;
  private visible = false;
  private rendered: LensRun | undefined;
  private seq = 0;
  private t: Translate = english;

  constructor() {
    this.element.append(el('p', { className: 'empty', text: this.t('lens.empty') }));
  }

  /** Words every later render in the panel's language; the table is redrawn when next shown. */
  localize(t: Translate): void {
    this.t = t;
    this.rendered = undefined;
    if (this.visible || !this.run) void this.render();
  }

  setRun(run: LensRun | undefined): void {
    this.run = run;
    if (this.visible) void this.render();
  }

  shown(): void {
    this.visible = true;
    if (this.rendered !== this.run) void this.render();
  }

  hidden(): void {
    this.visible = false;
  }

  private async render(): Promise<void> {
    const run = this.run;
    this.rendered = run;
    const seq = ++this.seq;
    if (!run) {
      this.element.replaceChildren(el('p', { className: 'empty', text: this.t('lens.empty') }));
      return;
    }
    this.element.replaceChildren(el('p', { className: 'muted' }, withTerms(this.t('lens.computing'), ['unembedding'], this.t)));
    const layers = run.config.nLayer + 1;
    const from = Math.max(0, run.tokens.length - LENS_MAX_POSITIONS);
    const cells: { layer: number; position: number }[] = [];
    for (let l = 0; l < layers; l++) for (let p = from; p < run.tokens.length; p++) cells.push({ layer: l, position: p });
    try {
      const answer = await run.engine.logitLens(run.ids, cells, 1);
      if (seq !== this.seq) return;
      const columns = run.tokens.length - from;
      const top = Array.from({ length: layers }, (_, l) => answer.slice(l * columns, (l + 1) * columns).map((cell) => cell.top[0]!));
      this.draw(run, { layers, from, top });
    } catch (error) {
      if (seq !== this.seq) return;
      this.element.replaceChildren(el('p', { className: 'error-text', text: this.t('lens.failed', { message: (error as Error).message }) }));
    }
  }

  private draw(run: LensRun, table: LensTable): void {
    const settled = settledLayer(table);
    const head = el('tr', {}, [el('th', { className: 'lens-corner', text: this.t('lens.corner') })]);
    for (let p = table.from; p < run.tokens.length; p++) {
      head.appendChild(el('th', { className: 'lens-position', text: displayToken(run.tokens[p]!.text), attrs: { 'data-position': String(p), title: this.t('lens.position', { position: p }) } }));
    }
    const body = el('tbody');
    for (let l = table.layers - 1; l >= 0; l--) {
      const row = el('tr', {}, [el('th', { className: 'lens-layer', text: l === 0 ? this.t('lens.embedding') : String(l) })]);
      table.top[l]!.forEach(([id, logprob], column) => {
        const p = table.from + column;
        const cell = el('td', { className: 'lens-cell', attrs: { 'data-layer': String(l), 'data-position': String(p), 'data-id': String(id) } }, [
          el('span', { className: 'lens-token', text: displayToken(run.engine.texts.text(id)) }),
          el('span', { className: 'lens-prob', text: formatPercent(Math.exp(logprob)) }),
        ]);
        cell.classList.toggle('settled', settled[column] === l);
        cell.classList.toggle('final', id === table.top[table.layers - 1]![column]![0]);
        row.appendChild(cell);
      });
      body.appendChild(row);
    }
    const notes = [coverageNote(run, table.from, this.t), table.from > 0 ? this.t('lens.capped', { shown: run.tokens.length - table.from, total: run.tokens.length }) : undefined].filter((n): n is string => !!n);
    this.element.replaceChildren(
      ...notes.map((text) => el('p', { className: 'muted lens-note', text })),
      el('div', { className: 'lens-scroll' }, [el('table', { className: 'lens-table' }, [el('thead', {}, [head]), body])]),
      el('p', { className: 'muted lens-legend' }, withTerms(this.t('lens.legend', { norm: this.t(run.config.architecture.norm === 'rms' ? 'lens.normRms' : 'lens.normLayer') }), ['layerNorm', 'unembedding'], this.t)),
    );
  }
}
