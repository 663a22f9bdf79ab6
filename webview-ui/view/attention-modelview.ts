// Model view: every layer × head as a thumbnail of its attention map; click one to open it in
// the heat map.
import { el } from '../dom';
import type { AttentionData } from './attention-data';
import { english, type Translate } from '../i18n';

const THUMB = 64;

export class AttentionModelView {
  readonly element = el('div', { className: 'attn-modelview' });
  private t: Translate = english;

  constructor(private readonly onOpen: (layer: number, head: number) => void) {}

  /** Words the next render in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
  }

  render(attention: AttentionData, from: number): void {
    const t = this.t;
    const grid = el('div', { className: 'modelview-grid', attrs: { role: 'grid', 'aria-label': t('attention.modelviewLabel') } });
    grid.style.gridTemplateColumns = `auto repeat(${attention.heads}, ${THUMB + 6}px)`;
    grid.appendChild(el('span'));
    for (let h = 0; h < attention.heads; h++) grid.appendChild(el('span', { className: 'modelview-axis', text: t('attention.headN', { head: h }) }));
    for (let l = 0; l < attention.layers; l++) {
      // Layers are shown from 1 (0 is the embedding in the Embeddings and Logit lens tabs).
      grid.appendChild(el('span', { className: 'modelview-axis', text: t('attention.layerN', { layer: l + 1 }) }));
      for (let h = 0; h < attention.heads; h++) {
        const button = el('button', { className: 'modelview-thumb', attrs: { type: 'button', 'data-layer': String(l), 'data-head': String(h), title: t('attention.open', { layer: l + 1, head: h }) } });
        button.appendChild(this.thumbnail(attention, l, h, from));
        button.addEventListener('click', () => this.onOpen(l, h));
        grid.appendChild(button);
      }
    }
    this.element.replaceChildren(grid);
  }

  private thumbnail(attention: AttentionData, layer: number, head: number, from: number): HTMLCanvasElement {
    const canvas = el('canvas', { attrs: { width: String(THUMB), height: String(THUMB) } });
    const context = canvas.getContext('2d');
    if (!context) return canvas;
    const T = attention.tokens;
    const n = T - from;
    const matrix = attention.matrix(layer, head);
    const image = context.createImageData(THUMB, THUMB);
    // Nearest-cell sampling: cheap and faithful enough for a thumbnail.
    for (let py = 0; py < THUMB; py++) {
      const q = from + Math.min(n - 1, Math.floor((py / THUMB) * n));
      for (let px = 0; px < THUMB; px++) {
        const k = from + Math.min(n - 1, Math.floor((px / THUMB) * n));
        const w = k > q ? 0 : Math.sqrt(matrix[q * T + k]!);
        const o = (py * THUMB + px) * 4;
        image.data[o] = 55;
        image.data[o + 1] = 148;
        image.data[o + 2] = 255;
        image.data[o + 3] = Math.round(w * 255);
      }
    }
    context.putImageData(image, 0, 0);
    return canvas;
  }
}
