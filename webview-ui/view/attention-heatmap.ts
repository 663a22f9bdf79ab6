// Heat map of one layer's head (or the mean of its heads): queries down, keys across, the
// causal mask (keys after the query) hatched, token labels on both axes when they fit, and
// the exact weight under the pointer.
import { clear, el } from '../dom';
import { formatWeight } from './attention-data';
import { displayToken } from './token-display';
import { english, type Translate } from '../i18n';

const MAX_LABELLED = 80;
const MAP_PIXELS = 480;

export interface HeatmapInput {
  matrix: Float32Array;
  labels: string[];
  /** Index in `labels` of the first token shown (later rows only: long texts show their end). */
  from: number;
  selectedQuery: number | undefined;
}

export class AttentionHeatmap {
  readonly element = el('div', { className: 'attn-heatmap' });
  private readonly readout = el('div', { className: 'attn-readout', attrs: { 'aria-live': 'polite' } });
  private readonly canvas = el('canvas', { className: 'attn-canvas', attrs: { role: 'img' } });
  private t: Translate = english;
  private input: HeatmapInput | undefined;
  private cell = 1;

  constructor(private readonly onQuery: (q: number) => void) {
    this.canvas.addEventListener('pointermove', (event) => this.point(event));
    this.canvas.addEventListener('pointerleave', () => this.setReadout(undefined));
    this.canvas.addEventListener('click', (event) => {
      const at = this.cellAt(event);
      if (at) this.onQuery(at.q);
    });
    this.localize(english);
  }

  /** Words the readout and labels in the panel's language (the owner re-renders). */
  localize(t: Translate): void {
    this.t = t;
    this.canvas.setAttribute('aria-label', t('attention.mapLabel'));
    this.setReadout(undefined);
  }

  render(input: HeatmapInput): void {
    this.input = input;
    const n = input.labels.length - input.from;
    this.cell = Math.max(1, Math.min(22, Math.floor(MAP_PIXELS / n)));
    const size = this.cell * n;
    this.canvas.width = size;
    this.canvas.height = size;
    this.draw();
    clear(this.element);
    const labelled = n <= MAX_LABELLED;
    const grid = el('div', { className: 'attn-grid' });
    if (labelled) {
      const columns = el('div', { className: 'attn-col-labels' });
      const rows = el('div', { className: 'attn-row-labels' });
      for (let i = input.from; i < input.labels.length; i++) {
        const text = displayToken(input.labels[i]!);
        const column = el('span', { className: 'attn-col-label', text, attrs: { 'data-k': String(i) } });
        const row = el('button', { className: 'attn-row-label', text, attrs: { 'data-q': String(i), type: 'button', title: this.t('attention.rowTitle') } });
        column.style.width = `${this.cell}px`;
        row.style.height = `${this.cell}px`;
        row.classList.toggle('selected', i === input.selectedQuery);
        row.addEventListener('click', () => this.onQuery(i));
        columns.appendChild(column);
        rows.appendChild(row);
      }
      grid.append(el('div', { className: 'attn-corner' }), columns, rows, this.canvas);
    } else {
      grid.append(this.canvas);
      grid.classList.add('unlabelled');
    }
    this.element.append(grid, this.readout);
    if (!labelled) this.element.appendChild(el('p', { className: 'muted', text: this.t('attention.labelsHidden') }));
  }

  /** Shows the readout for one cell (also used by tests through pointer events). */
  private setReadout(at: { q: number; k: number } | undefined): void {
    const input = this.input;
    if (!input || !at) {
      this.readout.textContent = this.t('attention.readoutIdle');
      this.readout.removeAttribute('data-q');
      return;
    }
    const T = input.labels.length;
    const from = `“${displayToken(input.labels[at.q]!)}” (${at.q})`;
    const to = `“${displayToken(input.labels[at.k]!)}” (${at.k})`;
    const value = at.k > at.q ? this.t('attention.masked') : formatWeight(input.matrix[at.q * T + at.k]!);
    this.readout.textContent = `${from} → ${to}: ${value}`;
    this.readout.setAttribute('data-q', String(at.q));
    this.readout.setAttribute('data-k', String(at.k));
    this.readout.setAttribute('data-value', at.k > at.q ? '' : value);
  }

  private point(event: PointerEvent): void {
    this.setReadout(this.cellAt(event));
  }

  private cellAt(event: MouseEvent): { q: number; k: number } | undefined {
    const input = this.input;
    if (!input) return undefined;
    const box = this.canvas.getBoundingClientRect();
    const n = input.labels.length - input.from;
    const col = Math.floor(((event.clientX - box.left) / box.width) * n);
    const row = Math.floor(((event.clientY - box.top) / box.height) * n);
    if (col < 0 || row < 0 || col >= n || row >= n) return undefined;
    return { q: input.from + row, k: input.from + col };
  }

  private draw(): void {
    const input = this.input!;
    const context = this.canvas.getContext('2d');
    if (!context) return;
    const T = input.labels.length;
    const n = T - input.from;
    const style = getComputedStyle(this.element);
    const hot = style.getPropertyValue('--attn-hot').trim() || '#3794ff';
    const maskColour = style.getPropertyValue('--attn-mask').trim() || 'rgba(128,128,128,0.18)';
    const c = this.cell;
    for (let r = 0; r < n; r++) {
      const q = input.from + r;
      for (let col = 0; col < n; col++) {
        const k = input.from + col;
        if (k > q) {
          context.fillStyle = maskColour;
          context.fillRect(col * c, r * c, c, c);
          continue;
        }
        // sqrt keeps small weights visible next to a dominant one.
        context.globalAlpha = Math.sqrt(Math.min(1, Math.max(0, input.matrix[q * T + k]!)));
        context.fillStyle = hot;
        context.fillRect(col * c, r * c, c, c);
        context.globalAlpha = 1;
      }
    }
    if (input.selectedQuery !== undefined && input.selectedQuery >= input.from) {
      context.strokeStyle = hot;
      context.lineWidth = 1;
      context.strokeRect(0.5, (input.selectedQuery - input.from) * c + 0.5, n * c - 1, c - 1);
    }
  }
}
