// RoPE drawn: one pair of the query's components as a 2-D vector, turned by position × its
// frequency. The dots are where the same pair would point at positions 0, 1, 2, …: the rotation
// grows with the position, and the vector's length never changes.
import { svg } from '../dom';
import type { RotationShown } from '../../src/engine/pipeline-model';

const SIZE = 200;
const RADIUS = 80;
/** Most positions drawn as dots (evenly spread when the position is larger). */
const DOTS = 32;

/** The positions shown as dots: 0..position, at most DOTS of them, the last always included. */
export function dotPositions(position: number): number[] {
  if (position + 1 <= DOTS) return Array.from({ length: position + 1 }, (_, k) => k);
  return Array.from({ length: DOTS }, (_, i) => Math.round((i * position) / (DOTS - 1)));
}

export function ropeDrawing(r: RotationShown, label: string): SVGSVGElement {
  const length = Math.hypot(r.before[0], r.before[1]) || 1;
  const scale = RADIUS / length;
  const c = SIZE / 2;
  // x right, y up: a pair (x1, x2) is drawn at (c + x1·s, c − x2·s).
  const at = (x: number, y: number) => [c + x * scale, c - y * scale] as const;
  const turned = (k: number): [number, number] => {
    const angle = k * r.inverseFrequency;
    const [x, y] = r.before;
    return [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle)];
  };
  const root = svg('svg', { class: 'rope-svg', width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': label });
  root.appendChild(svg('circle', { class: 'rope-circle', cx: c, cy: c, r: RADIUS }));
  for (const k of dotPositions(r.position)) {
    const [x, y] = at(...turned(k));
    root.appendChild(svg('circle', { class: 'rope-dot', cx: x.toFixed(1), cy: y.toFixed(1), r: 2.5, 'data-position': k }));
  }
  const arrow = (vector: [number, number], cls: string, name: string) => {
    const [x, y] = at(...vector);
    root.appendChild(svg('line', { class: `rope-vector ${cls}`, x1: c, y1: c, x2: x.toFixed(2), y2: y.toFixed(2) }));
    root.appendChild(svg('text', { class: 'rope-label', x: (x + (x >= c ? 4 : -4)).toFixed(1), y: (y + (y >= c ? 12 : -4)).toFixed(1), 'text-anchor': x >= c ? 'start' : 'end' }, name));
  };
  arrow(r.before, 'before', '0');
  arrow(r.after, 'after', String(r.position));
  return root;
}
