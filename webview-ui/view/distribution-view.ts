// The next-token distribution after the selected chip: top-k bars with probabilities, the token
// that actually came next marked, the entropy, and a temperature slider (0.1–2) whose every
// value is recomputed exactly by the engine.
import type { Distribution, TokenSpan } from '../../src/engine/types';
import { surprisalBits } from '../../src/heat-scale';
import { LIMITS } from '../../src/protocol';
import { clear, el } from '../dom';
import { formatBits, formatCount, formatMs, formatPercent, formatTemperature } from './format';
import { displaySegments, glyphClass, quotedToken } from './token-display';
import { english, type Translate } from '../i18n';
import type { TokenTextLookup } from '../token-texts';

/** What the view needs of the model that answered: its vocabulary's size and its token texts. */
export interface DistributionModel {
  vocabSize: number;
  texts: TokenTextLookup;
}

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
    label.appendChild(segment.kind === 'text' ? document.createTextNode(segment.text) : el('span', { className: glyphClass(segment.kind), text: segment.text }));
  }
  return label;
}

export class DistributionView {
  readonly element = el('section', { className: 'distribution', attrs: { hidden: '' } });
  private readonly heading = el('h2', { className: 'distribution-heading' });
  private readonly slider = el('input', {
    attrs: {
      type: 'range',
      min: String(LIMITS.temperatureMin),
      max: String(LIMITS.temperatureMax),
      step: '0.05',
      id: 'temperature',
    },
  });
  private readonly temperatureValue = el('output', { className: 'temperature-value', attrs: { for: 'temperature' } });
  private readonly stats = el('div', { className: 'distribution-stats' });
  private readonly rows = el('ol', { className: 'bars' });
  private readonly status = el('div', { className: 'distribution-status' });
  private readonly sliderLabel = el('label', { attrs: { for: 'temperature' } });
  private readonly hint = el('span', { className: 'hint' });
  private t: Translate = english;

  constructor(onTemperature: (temperature: number) => void) {
    const sliderRow = el('div', { className: 'temperature' }, [
      this.sliderLabel,
      this.slider,
      this.temperatureValue,
      this.hint,
    ]);
    this.localize(english);
    this.element.append(this.heading, sliderRow, this.stats, this.rows, this.status);
    this.slider.addEventListener('input', () => {
      const temperature = Number(this.slider.value);
      this.temperatureValue.textContent = formatTemperature(temperature);
      onTemperature(temperature);
    });
  }

  /** Words the labels, and every later render, in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
    this.element.setAttribute('aria-label', t('distribution.label'));
    this.slider.setAttribute('aria-label', t('distribution.temperature'));
    this.sliderLabel.textContent = t('distribution.temperature');
    this.hint.textContent = t('distribution.hint');
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
    // The token sits where the language puts it: before "之后" in Chinese, after "after" in English.
    const [before, after = ''] = this.t('distribution.heading').split('{token}');
    this.heading.append(before!, tokenLabel(request.after), after, el('span', { className: 'muted', text: this.t('distribution.tokenIndex', { n: formatCount(request.index + 1) }) }));
    this.setBusy(true);
  }

  setBusy(busy: boolean): void {
    this.element.classList.toggle('busy', busy);
    if (busy) this.status.textContent = this.t('distribution.computing');
  }

  showError(message: string): void {
    this.setBusy(false);
    this.status.textContent = message;
    this.status.classList.add('error');
  }

  show(request: DistributionRequest, distribution: Distribution, elapsedMs: number, model: DistributionModel): void {
    const t = this.t;
    this.setBusy(false);
    this.status.classList.remove('error');
    const top1 = distribution.top[0];
    const actualId = request.actual?.id;
    clear(this.stats);
    this.stats.append(
      stat(t('distribution.entropy'), formatBits(distribution.entropy / Math.LN2, t), t('distribution.entropyHelp')),
      stat(t('distribution.topGuess'), top1 ? formatPercent(Math.exp(top1[1])) : '—', t('distribution.topGuessHelp')),
      distribution.target
        ? stat(t('distribution.actualNext'), t('distribution.actualValue', { p: formatPercent(Math.exp(distribution.target.logprob)), rank: formatCount(distribution.target.rank) }), t('distribution.actualHelp'))
        : stat(t('distribution.actualNext'), t('distribution.endOfText'), t('distribution.endOfTextHelp')),
    );
    clear(this.rows);
    const maxProbability = top1 ? Math.exp(top1[1]) : 1;
    distribution.top.forEach(([id, logprob], i) => this.rows.appendChild(this.row(i + 1, id, logprob, maxProbability, id === actualId, model.texts)));
    if (distribution.target && actualId !== undefined && !distribution.top.some(([id]) => id === actualId)) {
      this.rows.appendChild(el('li', { className: 'gap', text: '…' }));
      this.rows.appendChild(this.row(distribution.target.rank, actualId, distribution.target.logprob, maxProbability, true, model.texts));
    }
    this.status.textContent = t('distribution.status', { vocab: formatCount(model.vocabSize), temperature: formatTemperature(distribution.temperature), time: formatMs(elapsedMs) });
  }

  private row(rank: number, id: number, logprob: number, maxProbability: number, actual: boolean, texts: TokenTextLookup): HTMLLIElement {
    const p = Math.exp(logprob);
    const bar = el('span', { className: 'bar-fill' });
    // CSSOM assignment (not a style attribute) is allowed by the CSP.
    bar.style.width = `${Math.max(0.5, (p / maxProbability) * 100).toFixed(2)}%`;
    const entry = texts.entry(id);
    return el('li', { className: `bar-row${actual ? ' actual' : ''}`, attrs: { 'data-id': String(id), 'data-rank': String(rank), title: `${quotedToken(entry.text)} · id ${id} · ${formatBits(surprisalBits(logprob), this.t)}` } }, [
      el('span', { className: 'bar-rank', text: `${rank}` }),
      tokenLabel(entry),
      el('span', { className: 'bar-track' }, [bar]),
      el('span', { className: 'bar-value', text: formatPercent(p) }),
      actual ? el('span', { className: 'actual-tag', text: this.t('distribution.actual') }) : el('span', { className: 'actual-tag empty' }),
    ]);
  }

  hide(): void {
    this.element.hidden = true;
  }
}

function stat(label: string, value: string, help: string): HTMLElement {
  return el('span', { className: 'stat', attrs: { title: help } }, [el('span', { className: 'stat-label', text: label }), el('span', { className: 'stat-value', text: value })]);
}
