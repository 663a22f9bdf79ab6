// The Embeddings tab, for one token of the analysed text: its nearest vocabulary tokens by
// cosine in the input embedding; the nearest vocabulary embeddings to its residual-stream
// vector after each layer (how context moves its meaning); and a PCA scatter of all the
// text's token vectors at the embedding or after a chosen layer.
import { clear, el } from '../dom';
import type { Neighbour } from '../../src/engine/types';
import { coverageNote, hiddenRow, type LensRun } from './lens-run';
import { displayToken } from './token-display';
import { withTerms } from './glossary';
import { pca2 } from './pca';
import { PcaScatter } from './pca-scatter';
import { english, type Translate } from '../i18n';

const NEIGHBOURS = 10;
const CONTEXTUAL = 5;

export class EmbeddingView {
  readonly element = el('div', { className: 'embedding-view' });
  private readonly tokenPicker = el('select', { attrs: { 'data-control': 'token' } });
  private readonly pcaPicker = el('select', { attrs: { 'data-control': 'pca-layer' } });
  private readonly note = el('p', { className: 'muted lens-note' });
  private readonly neighbours = el('section', { className: 'neighbours' });
  private readonly contextual = el('section', { className: 'contextual' });
  private readonly scatter: PcaScatter;
  private run: LensRun | undefined;
  private token = 0;
  private pcaLayer = 0;
  private visible = false;
  private dirty = true;
  private seq = 0;
  private t: Translate = english;

  constructor(onHoverToken: (index: number | undefined) => void) {
    this.scatter = new PcaScatter(onHoverToken);
    this.tokenPicker.addEventListener('change', () => this.selectToken(Number(this.tokenPicker.value)));
    this.pcaPicker.addEventListener('change', () => {
      this.pcaLayer = Number(this.pcaPicker.value);
      this.renderPca();
    });
    this.localize(english);
  }

  /** Words the pickers, and every later render, in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
    this.tokenPicker.setAttribute('aria-label', t('embedding.token'));
    this.pcaPicker.setAttribute('aria-label', t('embedding.pcaLayer'));
    if (this.run) this.fillPcaPicker(this.run);
    this.dirty = true;
    if (this.visible) this.render();
  }

  private fillPcaPicker(run: LensRun): void {
    clear(this.pcaPicker);
    for (let l = 0; l <= run.config.nLayer; l++) this.pcaPicker.appendChild(el('option', { text: this.vectorsAt(l), attrs: { value: String(l) } }));
  }

  /** Where the PCA's vectors are taken: the embedding, or after a layer. */
  private vectorsAt(layer: number): string {
    return layer === 0 ? this.t('embedding.embedding') : this.t('embedding.afterLayer', { layer });
  }

  setRun(run: LensRun | undefined): void {
    this.run = run;
    if (run) {
      this.token = run.tokens.length - 1;
      this.pcaLayer = Math.min(this.pcaLayer, run.config.nLayer);
      clear(this.tokenPicker);
      run.tokens.forEach((t, i) => this.tokenPicker.appendChild(el('option', { text: `${i}: ${displayToken(t.text)}`, attrs: { value: String(i) } })));
      this.fillPcaPicker(run);
    }
    this.dirty = true;
    if (this.visible) this.render();
  }

  shown(): void {
    this.visible = true;
    if (this.dirty) this.render();
  }

  hidden(): void {
    this.visible = false;
  }

  /** Shows token `index` (in run.tokens); the panel calls it when a chip is clicked. */
  selectToken(index: number): void {
    if (!this.run || index < 0 || index >= this.run.tokens.length) return;
    this.token = index;
    this.dirty = true;
    if (this.visible) this.render();
  }

  private render(): void {
    this.dirty = false;
    const run = this.run;
    if (!run) {
      this.element.replaceChildren(el('p', { className: 'empty', text: this.t('embedding.empty') }));
      return;
    }
    this.tokenPicker.value = String(this.token);
    this.pcaPicker.value = String(this.pcaLayer);
    const note = coverageNote(run, 0, this.t);
    this.note.textContent = note ?? '';
    this.note.hidden = !note;
    this.element.replaceChildren(
      el('div', { className: 'lens-controls' }, [el('label', { text: `${this.t('embedding.token')} ` }, [this.tokenPicker])]),
      this.note,
      el('div', { className: 'embedding-tables' }, [this.neighbours, this.contextual]),
      el('section', { className: 'pca' }, [
        el('h2', { className: 'lens-heading' }, withTerms(this.t('embedding.pca'), ['pca'], this.t)),
        el('div', { className: 'lens-controls' }, [el('label', { text: `${this.t('embedding.pcaLayer')} ` }, [this.pcaPicker])]),
        this.scatter.element,
      ]),
    );
    this.renderPca();
    void this.renderNeighbours(run, this.token);
  }

  private async renderNeighbours(run: LensRun, index: number): Promise<void> {
    const seq = ++this.seq;
    const token = run.tokens[index]!;
    this.neighbours.replaceChildren(el('p', { className: 'muted', text: this.t('embedding.computing') }));
    this.contextual.replaceChildren();
    try {
      const own = await run.engine.neighboursOfToken(token.id, NEIGHBOURS);
      const perLayer: Neighbour[][] = [];
      for (let l = 0; l <= run.config.nLayer; l++) perLayer.push(await run.engine.neighboursOfVector(hiddenRow(run, l, index), CONTEXTUAL));
      if (seq !== this.seq) return;
      this.neighbours.replaceChildren(el('h2', { className: 'lens-heading', text: this.t('embedding.neighbours', { token: displayToken(token.text) }) }), neighbourTable(own.slice(1)));
      const rows = perLayer.map((found, l) =>
        el('tr', { attrs: { 'data-layer': String(l) } }, [
          el('th', { text: l === 0 ? this.t('embedding.embedding') : this.t('embedding.layer', { layer: l }) }),
          ...found.map(([id, text, cos]) => el('td', { className: 'ctx-cell', attrs: { 'data-id': String(id), 'data-cos': cos.toFixed(4) } }, [
            el('span', { className: 'token-text', text: displayToken(text) }),
            el('span', { className: 'muted', text: ` ${cos.toFixed(3)}` }),
          ])),
        ]),
      );
      this.contextual.replaceChildren(el('h2', { className: 'lens-heading', text: this.t('embedding.contextual') }), el('table', { className: 'contextual-table' }, [el('tbody', {}, rows)]));
    } catch (error) {
      if (seq === this.seq) this.neighbours.replaceChildren(el('p', { className: 'error-text', text: this.t('embedding.failed', { message: (error as Error).message }) }));
    }
  }

  private renderPca(): void {
    const run = this.run;
    if (!run) return;
    if (run.tokens.length < 2) {
      this.scatter.element.replaceChildren(el('p', { className: 'muted', text: this.t('embedding.pcaOne') }));
      return;
    }
    const vectors = run.tokens.map((_, t) => hiddenRow(run, this.pcaLayer, t));
    const projection = pca2(vectors);
    const title = this.t('embedding.pcaTitle', { where: this.vectorsAt(this.pcaLayer), percent: (projection.explained * 100).toFixed(0) });
    this.scatter.render(projection.points, run.tokens.map((t) => displayToken(t.text)), title, withTerms(title, ['pca'], this.t));
  }
}

function neighbourTable(neighbours: Neighbour[]): HTMLTableElement {
  const rows = neighbours.map(([id, text, cos], i) =>
    el('tr', { className: 'neighbour-row', attrs: { 'data-id': String(id) } }, [
      el('td', { className: 'muted', text: String(i + 1) }),
      el('td', { className: 'token-text', text: displayToken(text) }),
      el('td', { className: 'neighbour-cos', text: cos.toFixed(4) }),
    ]),
  );
  return el('table', { className: 'neighbour-table' }, [el('tbody', {}, rows)]);
}
