// Labelled SVG scatter plot of 2D points (the PCA of token vectors), built with DOM APIs only.
// Hovering a dot reports its index so the panel can highlight that token.
import { el, svg } from '../dom';

const WIDTH = 480;
const HEIGHT = 340;
const PAD = 28;

export class PcaScatter {
  readonly element = el('div', { className: 'pca-scatter' });

  /** `pointClass`: the dots' class, so that several plots in one panel can be told apart. */
  constructor(
    private readonly onHover: (index: number | undefined) => void,
    private readonly pointClass = 'pca-point',
  ) {}

  /** `titleNodes`: the title as shown (e.g. with its terms explained); `title` is its plain text. */
  render(points: [number, number][], labels: string[], title: string, titleNodes: Node[] = [document.createTextNode(title)]): void {
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const span = (values: number[]) => {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return { lo, size: hi - lo || 1 };
    };
    const sx = span(xs);
    const sy = span(ys);
    const root = svg('svg', { width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'pca-svg', role: 'img', 'aria-label': title });
    root.appendChild(svg('rect', { x: 0.5, y: 0.5, width: WIDTH - 1, height: HEIGHT - 1, class: 'pca-frame' }));
    points.forEach(([x, y], i) => {
      const cx = PAD + ((x - sx.lo) / sx.size) * (WIDTH - 2 * PAD);
      const cy = HEIGHT - PAD - ((y - sy.lo) / sy.size) * (HEIGHT - 2 * PAD);
      const group = svg('g', { class: `${this.pointClass} pca-dot`, 'data-index': i });
      group.appendChild(svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 4 }));
      const label = svg('text', { x: (cx + 6).toFixed(1), y: (cy + 4).toFixed(1) });
      label.textContent = labels[i]!;
      group.appendChild(label);
      group.addEventListener('pointerenter', () => {
        group.classList.add('hot');
        this.onHover(i);
      });
      group.addEventListener('pointerleave', () => {
        group.classList.remove('hot');
        this.onHover(undefined);
      });
      root.appendChild(group);
    });
    this.element.replaceChildren(el('div', { className: 'pca-title' }, titleNodes), root);
  }
}
