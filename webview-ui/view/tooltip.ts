// One floating tooltip for all chips (a title attribute per chip would be slow to build for
// thousands of chips and cannot be styled). Positioned through CSSOM, which the CSP allows.
import { clear, el } from '../dom';

export class Tooltip {
  readonly element = el('div', { className: 'tooltip', attrs: { role: 'tooltip', id: 'chip-tooltip' } });

  constructor() {
    this.element.hidden = true;
  }

  show(lines: readonly string[], anchor: HTMLElement): void {
    clear(this.element);
    lines.forEach((line, i) => this.element.appendChild(el('div', { className: i === 0 ? 'tooltip-title' : 'tooltip-line', text: line })));
    this.element.hidden = false;
    anchor.setAttribute('aria-describedby', this.element.id);
    const box = anchor.getBoundingClientRect();
    const width = this.element.offsetWidth;
    const height = this.element.offsetHeight;
    const left = Math.max(4, Math.min(window.innerWidth - width - 4, box.left));
    // Below the chip, or above it when there is no room below.
    const below = box.bottom + 6;
    const top = below + height > window.innerHeight - 4 ? Math.max(4, box.top - height - 6) : below;
    this.element.style.left = `${left + window.scrollX}px`;
    this.element.style.top = `${top + window.scrollY}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
