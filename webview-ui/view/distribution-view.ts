// The next-token distribution after the selected chip: top-k bars with probabilities, the token
// that actually came next marked, the entropy, and a temperature slider (0.1–2) whose every
// value is recomputed exactly by the engine.
import type { Distribution, TokenSpan } from '../../src/engine/types';
import { surprisalBits } from '../../src/heat-scale';
import { LIMITS } from '../../src/protocol';
import { clear, el } from '../dom';
import { formatBits, formatCount, formatMs, formatPercent, formatTemperature } from './format';
import { displaySegments, quotedToken } from './token-display';

/** Text and bytes of a vocabulary entry (the webview's tokenizer provides them). */
export type TokenLookup = (id: number) => { text: string; bytes: string; partial: boolean };

export interface DistributionRequest {
  /** Index of the selected chip in the run's tokens. */
  index: number;
  /** The selected token. */
  after: TokenSpan;
  /** The token that actually came next, if any. */
  actual: TokenSpan | undefined;
}

function tokenLabel(token: { text: string; bytes: string; partial?: boolean }): HTMLElement {
  const label = el('span', { className: 'token-label', attrs: { title: quotedToken(token.text) } });
  for (const segment of displaySegments(token)) {
    label.appendChild(segment.kind === 'text' ? document.createTextNode(segment.text) : el('span', { className: `glyph ${segment.kind}`, text: segment.text }));
  }
  return label;
}

export class DistributionView {
  readonly element = el('section', { className: 'distribution', attrs: { 'aria-label': 'Next-token distribution', hidden: '' } });
  private readonly heading = el('h2', { className: 'distribution-heading' });
  private readonly slider = el('input', {
    attrs: {
      type: 'range',
      min: String(LIMITS.temperatureMin),
      max: String(LIMITS.temperatureMax),
      step: '0.05',
      'aria-label': 'Temperature',
      id: 'temperature',
    },
  });
  private readonly temperatureValue = el('output', { className: 'temperature-value', attrs: { for: 'temperature' } });
  private readonly stats = el('div', { className: 'distribution-stats' });
  private readonly rows = el('ol', { className: 'bars' });
  private readonly status = el('div', { className: 'distribution-status' });

  constructor(
    private readonly lookUp: TokenLookup,
    onTemperature: (temperature: number) => void,
  ) {
    const sliderRow = el('div', { className: 'temperature' }, [
      el('label', { text: 'Temperature', attrs: { for: 'temperature' } }),
      this.slider,
      this.temperatureValue,
      el('span', { className: 'hint', text: 'low: sharper · high: flatter' }),
    ]);
    this.element.append(this.heading, sliderRow, this.stats, this.rows, this.status);
    this.slider.addEventListener('input', () => {
      const temperature = Number(this.slider.value);
      this.temperatureValue.textContent = formatTemperature(temperature);
      onTemperature(temperature);
    });
  }

  get temperature(): number {
    return Number(this.slider.value);
  }

  setTemperature(temperature: number): void {
    this.slider.value = String(temperature);
    this.temperatureValue.textContent = formatTemperature(Number(this.slider.value));
  }

  /** Shows the heading for a newly selected chip while its distribution is computed. */
  begin(request: DistributionRequest): void {
    this.element.hidden = false;
    clear(this.heading);
    this.heading.append('Next token after ', tokenLabel(request.after), el('span', { className: 'muted', text: ` (token ${formatCount(request.index + 1)})` }));
    this.setBusy(true);
  }

  setBusy(busy: boolean): void {
    this.element.classList.toggle('busy', busy);
    if (busy) this.status.textContent = 'Computing…';
  }

  showError(message: string): void {
    this.setBusy(false);
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  show(request: DistributionRequest, distribution: Distribution, elapsedMs: number, vocabSize: number): void {
    this.setBusy(false);
    this.status.classList.remove('error');
    const top1 = distribution.top[0];
    const actualId = request.actual?.id;
    clear(this.stats);
    this.stats.append(
      stat('entropy', formatBits(distribution.entropy / Math.LN2), 'How spread out the guess is: 0 bits is certain; log2(vocabulary) is uniform.'),
      stat('top guess', top1 ? formatPercent(Math.exp(top1[1])) : '—', 'Probability of the most likely next token.'),
      distribution.target
        ? stat('actual next', `${formatPercent(Math.exp(distribution.target.logprob))} · rank ${formatCount(distribution.target.rank)}`, 'The token that came next in your text.')
        : stat('actual next', 'end of text', 'Nothing follows this token in the explained text.'),
    );
    clear(this.rows);
    const maxProbability = top1 ? Math.exp(top1[1]) : 1;
    distribution.top.forEach(([id, logprob], i) => this.rows.appendChild(this.row(i + 1, id, logprob, maxProbability, id === actualId)));
    if (distribution.target && actualId !== undefined && !distribution.top.some(([id]) => id === actualId)) {
      this.rows.appendChild(el('li', { className: 'gap', text: '…' }));
      this.rows.appendChild(this.row(distribution.target.rank, actualId, distribution.target.logprob, maxProbability, true));
    }
    this.status.textContent = `Softmax over all ${formatCount(vocabSize)} tokens at temperature ${formatTemperature(distribution.temperature)} · ${formatMs(elapsedMs)}`;
  }

  private row(rank: number, id: number, logprob: number, maxProbability: number, actual: boolean): HTMLLIElement {
    const p = Math.exp(logprob);
    const bar = el('span', { className: 'bar-fill' });
    // CSSOM assignment (not a style attribute) is allowed by the CSP.
    bar.style.width = `${Math.max(0.5, (p / maxProbability) * 100).toFixed(2)}%`;
    const entry = this.lookUp(id);
    return el('li', { className: `bar-row${actual ? ' actual' : ''}`, attrs: { 'data-id': String(id), 'data-rank': String(rank), title: `${quotedToken(entry.text)} · id ${id} · ${formatBits(surprisalBits(logprob))}` } }, [
      el('span', { className: 'bar-rank', text: `${rank}` }),
      tokenLabel(entry),
      el('span', { className: 'bar-track' }, [bar]),
      el('span', { className: 'bar-value', text: formatPercent(p) }),
      actual ? el('span', { className: 'actual-tag', text: 'actual' }) : el('span', { className: 'actual-tag empty' }),
    ]);
  }

  hide(): void {
    this.element.hidden = true;
  }
}

function stat(label: string, value: string, help: string): HTMLElement {
  return el('span', { className: 'stat', attrs: { title: help } }, [el('span', { className: 'stat-label', text: label }), el('span', { className: 'stat-value', text: value })]);
}
