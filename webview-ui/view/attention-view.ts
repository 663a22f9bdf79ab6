// The Attention tab: layer and head pickers (or the mean of a layer's heads), and three ways
// to look: heat map, head view, model view. Choosing a query token (a heat-map row, a
// head-view token, a chip) lists what it attends to most and tells the app, which shades the
// editor. Renders only while the tab is visible, and again only when something changed.
import { clear, el } from '../dom';
import { formatWeight, kvSharing, topAttended, type HeadChoice } from './attention-data';
import { AttentionHeadView, HEAD_COLOURS } from './attention-headview';
import { AttentionHeatmap } from './attention-heatmap';
import { AttentionModelView } from './attention-modelview';
import { coverageNote, type LensRun } from './lens-run';
import { displayToken } from './token-display';
import { english, type Translate } from '../i18n';
import { explain } from './glossary';
import { MaskView } from './mask-view';

const MODES = ['heatmap', 'headview', 'modelview'] as const;
/** The head view draws up to T²·heads lines: past this many tokens it shows the last ones. */
const HEADVIEW_TOKENS = 40;
const TOP_ATTENDED = 5;

export type AttentionMode = 'heatmap' | 'headview' | 'modelview';

export interface AttentionSelection {
  /** Index in run.tokens of the query token. */
  query: number;
  layer: number;
  head: HeadChoice;
  /** Its weights over run.tokens[0..query]. */
  weights: number[];
}

export class AttentionView {
  readonly element = el('div', { className: 'attention-view' });
  private readonly controls = el('div', { className: 'lens-controls' });
  private readonly layerPicker = el('select', { attrs: { 'data-control': 'layer' } });
  private readonly headPicker = el('select', { attrs: { 'data-control': 'head' } });
  private readonly layerLabel = el('span', { className: 'control-label' });
  private readonly headLabel = el('span', { className: 'control-label' });
  private readonly modes = el('div', { className: 'lens-modes', attrs: { role: 'group' } });
  private readonly headChecks = el('div', { className: 'headview-heads' });
  private readonly note = el('p', { className: 'muted lens-note' });
  /** GPT's causal mask against BERT's full attention, checked on the live maps. */
  private readonly mask = new MaskView();
  private readonly kvNote = el('p', { className: 'muted attn-kv' });
  private readonly body = el('div', { className: 'attention-body' });
  private readonly top = el('div', { className: 'attn-top' });
  private readonly heatmap = new AttentionHeatmap((q) => this.selectQuery(q));
  private readonly headview = new AttentionHeadView((q) => this.selectQuery(q));
  private readonly modelview = new AttentionModelView((layer, head) => this.open(layer, head));

  private run: LensRun | undefined;
  private layer = 0;
  private head: HeadChoice = 0;
  private mode: AttentionMode = 'heatmap';
  private query: number | undefined;
  private headsShown = new Set<number>();
  private visible = false;
  private dirty = true;
  private t: Translate = english;

  constructor(private readonly onSelect: (selection: AttentionSelection) => void) {
    this.layerPicker.addEventListener('change', () => this.setView(Number(this.layerPicker.value), this.head));
    this.headPicker.addEventListener('change', () => this.setView(this.layer, this.headPicker.value === 'average' ? 'average' : Number(this.headPicker.value)));
    for (const mode of MODES) {
      const button = el('button', { className: 'lens-mode', attrs: { type: 'button', 'data-mode': mode, 'aria-pressed': 'false' } });
      button.addEventListener('click', () => this.setMode(mode));
      this.modes.appendChild(button);
    }
    this.controls.append(el('label', {}, [this.layerLabel, this.layerPicker]), el('label', {}, [this.headLabel, this.headPicker]), this.modes);
    this.localize(english);
  }

  /** Words the controls, and every later render, in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
    this.layerLabel.textContent = `${t('attention.layer')} `;
    this.headLabel.textContent = `${t('attention.head')} `;
    this.layerPicker.setAttribute('aria-label', t('attention.layer'));
    this.headPicker.setAttribute('aria-label', t('attention.head'));
    for (const button of Array.from(this.modes.children) as HTMLElement[]) {
      const mode = button.getAttribute('data-mode') as (typeof MODES)[number];
      button.textContent = t(`attention.${mode}`);
      if (mode !== 'heatmap') explain(button, mode === 'headview' ? 'headView' : 'modelView', t);
    }
    this.heatmap.localize(t);
    this.headview.localize(t);
    this.modelview.localize(t);
    this.mask.localize(t);
    this.invalidate();
  }

  setRun(run: LensRun | undefined): void {
    this.run = run;
    this.query = undefined;
    if (run) {
      this.layer = Math.min(this.layer, run.attention.layers - 1);
      if (this.head !== 'average') this.head = Math.min(this.head, run.attention.heads - 1);
      this.headsShown = new Set([...Array(run.attention.heads).keys()]);
      this.fillPickers(run);
    }
    this.mask.setRun(run);
    this.invalidate();
  }

  shown(): void {
    this.visible = true;
    if (this.dirty) this.render();
  }

  hidden(): void {
    this.visible = false;
  }

  get current(): { layer: number; head: HeadChoice; mode: AttentionMode } {
    return { layer: this.layer, head: this.head, mode: this.mode };
  }

  /** Picks the layer and head (from the UI or a message); a stale index throws a clear message. */
  setView(layer: number, head: HeadChoice): void {
    this.run?.attention.check(layer, head);
    this.layer = layer;
    this.head = head;
    this.layerPicker.value = String(layer);
    this.headPicker.value = String(head);
    this.invalidate();
    if (this.query !== undefined) this.selectQuery(this.query);
  }

  setMode(mode: AttentionMode): void {
    this.mode = mode;
    this.invalidate();
  }

  /**
   * Makes token `q` (index in run.tokens) the query: lists its top keys and tells the app, once
   * its layer's maps are here (computed now if no view asked for them yet). False when there is
   * no such token in the run.
   */
  selectQuery(q: number): boolean {
    const run = this.run;
    if (!run || q < 0 || q >= run.tokens.length) return false;
    this.query = q;
    const { layer, head } = this;
    this.withLayer(run, layer, () => {
      if (this.query !== q || this.layer !== layer || this.head !== head) return;
      const weights = Array.from(run.attention.row(layer, head, q).subarray(0, q + 1));
      this.renderTop(run, q, weights);
      this.onSelect({ query: q, layer, head, weights });
    });
    this.invalidate();
    return true;
  }

  /**
   * Runs `then` once `layer`'s maps are here: at once when they are, else after the engine has
   * computed them, if the run is still this view's. A failure shows in the view's note.
   */
  private withLayer(run: LensRun, layer: number, then: () => void): void {
    if (run.attention.has(layer)) {
      then();
      return;
    }
    run.attention.load(layer).then(
      () => {
        if (this.run !== run) return;
        this.mask.layersAdded();
        then();
      },
      (error: unknown) => {
        if (this.run !== run) return;
        this.note.textContent = this.t('attention.layerFailed', { layer: layer + 1, message: error instanceof Error ? error.message : String(error) });
        this.note.hidden = false;
      },
    );
  }

  private open(layer: number, head: number): void {
    this.setView(layer, head);
    this.setMode('heatmap');
  }

  private invalidate(): void {
    this.dirty = true;
    if (this.visible) this.render();
  }

  private fillPickers(run: LensRun): void {
    clear(this.layerPicker);
    // Layers are shown from 1, as in every tab (0 is the embedding where a tab shows it); values stay indices.
    for (let l = 0; l < run.attention.layers; l++) this.layerPicker.appendChild(el('option', { text: String(l + 1), attrs: { value: String(l) } }));
    clear(this.headPicker);
    const { kvHeads, kvHeadOf } = run.config.architecture;
    for (let h = 0; h < run.attention.heads; h++) {
      const label = kvHeads < run.attention.heads ? this.t('attention.headOption', { head: h, kv: kvHeadOf[h]! }) : String(h);
      this.headPicker.appendChild(el('option', { text: label, attrs: { value: String(h) } }));
    }
    this.headPicker.appendChild(el('option', { text: this.t('attention.average'), attrs: { value: 'average' } }));
    this.layerPicker.value = String(this.layer);
    this.headPicker.value = String(this.head);
    clear(this.headChecks);
    this.headChecks.appendChild(el('span', { className: 'muted', text: `${this.t('attention.heads')}:` }));
    for (let h = 0; h < run.attention.heads; h++) {
      const box = el('input', { attrs: { type: 'checkbox', 'data-head': String(h) } });
      box.checked = true;
      box.addEventListener('change', () => {
        if (box.checked) this.headsShown.add(h);
        else this.headsShown.delete(h);
        this.invalidate();
      });
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = HEAD_COLOURS[h % HEAD_COLOURS.length]!;
      this.headChecks.appendChild(el('label', { className: 'head-check' }, [box, swatch, document.createTextNode(String(h))]));
    }
  }

  private render(): void {
    this.dirty = false;
    const run = this.run;
    if (!run) {
      this.element.replaceChildren(el('p', { className: 'empty', text: this.t('attention.empty') }));
      return;
    }
    if (run.tokens.length < 2) {
      this.element.replaceChildren(el('p', { className: 'empty attn-one-token', text: this.t('attention.oneToken') }));
      return;
    }
    for (const button of Array.from(this.modes.children)) button.setAttribute('aria-pressed', String(button.getAttribute('data-mode') === this.mode));
    this.headPicker.disabled = this.mode !== 'heatmap';
    const labels = run.tokens.map((t) => t.text);
    let note: string | undefined = coverageNote(run, 0, this.t);
    // A layer's maps are computed when first shown (the model view shows every layer).
    const missing = this.mode === 'modelview' ? run.attention.layers - run.attention.loadedLayers.length : run.attention.has(this.layer) ? 0 : 1;
    if (missing > 0) {
      const waiting = this.mode === 'modelview' ? this.t('attention.computingAll', { count: missing }) : this.t('attention.computingLayer', { layer: this.layer + 1 });
      this.body.replaceChildren(el('p', { className: 'muted attn-computing', text: waiting }));
      this.element.replaceChildren(this.controls, this.kvNote, this.note, this.body, this.top, this.mask.element);
      const loading = this.mode === 'modelview' ? run.attention.loadAll() : run.attention.load(this.layer);
      loading.then(
        () => {
          if (this.run !== run) return;
          this.mask.layersAdded();
          this.invalidate();
        },
        (error: unknown) => {
          if (this.run !== run) return;
          const message = error instanceof Error ? error.message : String(error);
          this.body.replaceChildren(el('p', { className: 'error attn-failed', text: this.t('attention.layerFailed', { layer: this.layer + 1, message }) }));
        },
      );
      return;
    }
    if (this.mode === 'heatmap') {
      this.heatmap.render({ matrix: run.attention.matrix(this.layer, this.head), labels, from: 0, selectedQuery: this.query });
      this.body.replaceChildren(this.heatmap.element);
    } else if (this.mode === 'headview') {
      const from = Math.max(0, labels.length - HEADVIEW_TOKENS);
      if (from > 0) note = [coverageNote(run, from, this.t), this.t('attention.headviewCap', { count: labels.length - from })].filter(Boolean).join(' ');
      this.headview.render({ attention: run.attention, layer: this.layer, heads: [...this.headsShown].sort((a, b) => a - b), labels, from });
      this.body.replaceChildren(this.headChecks, this.headview.element);
    } else {
      this.modelview.render(run.attention, 0);
      this.body.replaceChildren(this.modelview.element);
    }
    this.note.textContent = note ?? '';
    this.note.hidden = !note;
    // The head view and model view show every head: the sentence then says how they share.
    const kv = kvSharing(run.config.architecture, this.mode === 'heatmap' ? this.head : 'average', this.t);
    this.kvNote.textContent = kv ?? '';
    this.kvNote.hidden = !kv;
    this.mask.update();
    this.element.replaceChildren(this.controls, this.kvNote, this.note, this.body, this.top, this.mask.element);
  }

  private renderTop(run: LensRun, q: number, weights: number[]): void {
    const list = el('ol', { className: 'attn-top-list' });
    for (const k of topAttended(weights, q, TOP_ATTENDED)) {
      list.appendChild(el('li', { attrs: { 'data-k': String(k) } }, [
        el('span', { className: 'token-text', text: displayToken(run.tokens[k]!.text) }),
        el('span', { className: 'muted', text: ` (${k}) ` }),
        el('span', { className: 'attn-weight', text: formatWeight(weights[k]!) }),
      ]));
    }
    this.top.replaceChildren(el('div', { className: 'attn-top-title', text: this.t('attention.topFor', { token: displayToken(run.tokens[q]!.text) }) }), list);
  }
}
