// Where the panel says what it is doing: loading the model (with a progress bar), analysing,
// or what went wrong. It never spins without words: every state has a sentence.
import { el } from '../dom';

export class ProgressView {
  readonly element = el('div', { className: 'progress', attrs: { role: 'status' } });
  private readonly label = el('span', { className: 'progress-label' });
  private readonly bar = el('span', { className: 'progress-bar' });
  private readonly fill = el('span', { className: 'progress-fill' });
  private readonly action = el('button', { className: 'progress-action', attrs: { type: 'button' } });
  private onAction: (() => void) | undefined;

  constructor() {
    this.bar.appendChild(this.fill);
    this.action.hidden = true;
    this.action.addEventListener('click', () => this.onAction?.());
    this.element.append(el('div', { className: 'progress-line' }, [this.label, this.action]), this.bar);
    this.element.hidden = true;
  }

  /** `fraction` undefined: indeterminate. `action`: a button beside the label (e.g. to stop the work). */
  working(label: string, fraction?: number, action?: { label: string; run: () => void }): void {
    this.element.hidden = false;
    this.element.className = 'progress working';
    this.label.textContent = label;
    this.setAction(action);
    this.bar.classList.toggle('indeterminate', fraction === undefined);
    this.fill.style.width = fraction === undefined ? '' : `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
  }

  /** A finished state worth a sentence (the bar hidden), e.g. work the user stopped. */
  note(message: string): void {
    this.element.hidden = false;
    this.element.className = 'progress noted';
    this.label.textContent = message;
    this.setAction(undefined);
  }

  error(message: string): void {
    this.setAction(undefined);
    this.element.hidden = false;
    this.element.className = 'progress failed';
    this.label.textContent = message;
    this.fill.style.width = '';
  }

  done(): void {
    this.setAction(undefined);
    this.element.hidden = true;
    this.element.className = 'progress';
  }

  private setAction(action: { label: string; run: () => void } | undefined): void {
    this.onAction = action?.run;
    this.action.hidden = !action;
    this.action.textContent = action?.label ?? '';
  }
}
