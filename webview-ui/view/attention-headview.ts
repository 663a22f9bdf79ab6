// bertviz-style head view: the tokens in two columns (attending on the left, attended on the
// right), one line per query → key weighted by attention, one colour per head. Hovering a
// token on either side shows only its lines.
import { clear, el, svg } from '../dom';
import type { AttentionData } from './attention-data';
import { displayToken } from './token-display';
import { english, type Translate } from '../i18n';

const ROW = 18;
const WIDTH = 460;
const LABEL = 140;
/** Categorical colours, one per head (the model has 6; more wrap around). */
export const HEAD_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#469990', '#9a6324', '#800000', '#000075'];

export interface HeadViewInput {
  attention: AttentionData;
  layer: number;
  /** Heads drawn. */
  heads: number[];
  labels: string[];
  from: number;
}

export class AttentionHeadView {
  readonly element = el('div', { className: 'attn-headview' });
  private t: Translate = english;

  constructor(private readonly onQuery: (q: number) => void) {}

  /** Words the next render in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
  }

  render(input: HeadViewInput): void {
    clear(this.element);
    const { attention, layer, heads, labels, from } = input;
    const n = labels.length - from;
    const height = n * ROW + 8;
    const root = svg('svg', { width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, class: 'headview-svg', role: 'img', 'aria-label': this.t('attention.headviewLabel', { layer: layer + 1 }) });
    const lines = svg('g', { class: 'headview-lines' });
    root.appendChild(lines);
    const y = (i: number) => (i - from) * ROW + ROW / 2 + 4;
    for (const head of heads) {
      const matrix = attention.matrix(layer, head);
      for (let q = from; q < labels.length; q++) {
        for (let k = from; k <= q; k++) {
          const w = matrix[q * labels.length + k]!;
          if (w < 0.01) continue;
          const line = svg('line', {
            x1: LABEL, y1: y(q), x2: WIDTH - LABEL, y2: y(k),
            stroke: HEAD_COLOURS[head % HEAD_COLOURS.length]!, 'stroke-width': 2, 'stroke-opacity': w.toFixed(3),
            'data-q': q, 'data-k': k, 'data-head': head,
          });
          lines.appendChild(line);
        }
      }
    }
    for (let i = from; i < labels.length; i++) {
      const text = displayToken(labels[i]!);
      for (const side of ['left', 'right'] as const) {
        const label = svg('text', {
          x: side === 'left' ? LABEL - 6 : WIDTH - LABEL + 6, y: y(i) + 4, 'text-anchor': side === 'left' ? 'end' : 'start',
          class: `headview-token ${side}`, 'data-index': i,
        });
        label.textContent = text;
        label.addEventListener('pointerenter', () => this.focus(lines, side === 'left' ? 'q' : 'k', i));
        label.addEventListener('pointerleave', () => this.focus(lines, undefined, i));
        if (side === 'left') label.addEventListener('click', () => this.onQuery(i));
        root.appendChild(label);
      }
    }
    this.element.appendChild(root);
  }

  /** Shows only the lines from (q) or to (k) token `index`; undefined shows all again. */
  private focus(lines: SVGGElement, side: 'q' | 'k' | undefined, index: number): void {
    for (const line of Array.from(lines.children)) {
      const on = side === undefined || line.getAttribute(`data-${side}`) === String(index);
      line.classList.toggle('dimmed', !on);
    }
  }
}
