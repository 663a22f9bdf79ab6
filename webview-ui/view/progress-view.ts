// Where the panel says what it is doing: loading the model (with a progress bar), analysing,
// or what went wrong. It never spins without words: every state has a sentence.
import { el } from '../dom';

export class ProgressView {
  readonly element = el('div', { className: 'progress', attrs: { role: 'status' } });
  private readonly label = el('span', { className: 'progress-label' });
  private readonly bar = el('span', { className: 'progress-bar' });
  private readonly fill = el('span', { className: 'progress-fill' });

  constructor() {
    this.bar.appendChild(this.fill);
    this.element.append(this.label, this.bar);
    this.element.hidden = true;
  }

  /** `fraction` undefined: indeterminate. */
  working(label: string, fraction?: number): void {
    this.element.hidden = false;
    this.element.className = 'progress working';
    this.label.textContent = label;
    this.bar.classList.toggle('indeterminate', fraction === undefined);
    this.fill.style.width = fraction === undefined ? '' : `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
  }

  error(message: string): void {
    this.element.hidden = false;
    this.element.className = 'progress failed';
    this.label.textContent = message;
    this.fill.style.width = '';
  }

  done(): void {
    this.element.hidden = true;
    this.element.className = 'progress';
  }
}
