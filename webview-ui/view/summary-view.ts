// Panel header: what was explained, remarks, and the summary numbers: tokens, characters per
// token, mean surprisal, surprisal per character and perplexity, and the same text's count under
// three OpenAI tokenizers and the model's own.
import { RANK_BUCKETS, SURPRISAL_BUCKETS } from '../../src/heat-scale';
import type { ExplainMessage, HeatMapMode } from '../../src/protocol';
import { clear, el } from '../dom';
import { formatBits, formatCount, formatRatio } from './format';
import type { RunStats } from './stats';
import { english, type Translate } from '../i18n';
import { explain, withTerms, type Term } from './glossary';

/** Each encoding's name on the page and the glossary entry that says what it is. */
const ENCODING_TITLES: readonly (readonly [keyof ExplainMessage['counts'], string, Term])[] = [
  ['r50k_base', 'GPT-2', 'r50k'],
  ['cl100k_base', 'GPT-4', 'cl100k'],
  ['o200k_base', 'GPT-4o', 'o200k'],
];

function metric(label: string, value: string, help: string, id: string): HTMLElement {
  return el('div', { className: 'metric', attrs: { title: help, 'data-metric': id } }, [
    el('span', { className: 'metric-value', text: value }),
    el('span', { className: 'metric-label', text: label }),
  ]);
}

export class SummaryView {
  readonly element = el('header', { className: 'summary' });
  private readonly source = el('h1', { className: 'source' });
  private readonly notes = el('ul', { className: 'notes' });
  private readonly metrics = el('div', { className: 'metrics' });
  private readonly counts = el('div', { className: 'counts' });
  /** Why per-token numbers do not compare across tokenizers, and bits per character do. */
  private readonly perTokenNote = el('p', { className: 'muted summary-note' });
  private readonly legend = el('div', { className: 'legend' });
  private t: Translate = english;

  constructor() {
    this.element.append(this.source, this.notes, this.metrics, this.perTokenNote, this.counts, this.legend);
    this.localize(english);
  }

  /** Words the next render in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
    this.legend.setAttribute('aria-label', t('summary.legend'));
    this.perTokenNote.textContent = t('summary.perTokenNote');
  }

  render(run: ExplainMessage, stats: RunStats | undefined, mode: HeatMapMode): void {
    const t = this.t;
    this.source.textContent = run.source.label;
    clear(this.notes);
    for (const note of run.notes) this.notes.appendChild(el('li', { text: note }));
    clear(this.metrics);
    this.metrics.append(
      metric(t('summary.tokens'), formatCount(run.totalTokens), t('summary.tokensHelp', { tokenizer: run.modelCount.tokenizer }), 'tokens'),
      metric(t('summary.charsPerToken'), formatRatio(run.totalChars, run.totalTokens), t('summary.charsPerTokenHelp'), 'chars-per-token'),
      metric(t('summary.surprisal'), stats?.meanBits == null ? '…' : formatBits(stats.meanBits, t), t('summary.surprisalHelp'), 'surprisal'),
      metric(t('summary.bitsPerChar'), stats?.bitsPerChar == null ? '…' : formatBits(stats.bitsPerChar, t), t('summary.bitsPerCharHelp'), 'bits-per-char'),
      metric(t('summary.perplexity'), stats?.perplexity == null ? '…' : stats.perplexity.toFixed(stats.perplexity < 100 ? 2 : 0), t('summary.perplexityHelp'), 'perplexity'),
    );
    clear(this.counts);
    this.counts.appendChild(el('span', { className: 'counts-label', text: t('summary.sameTextIn') }));
    for (const [name, title, term] of ENCODING_TITLES) {
      this.counts.appendChild(
        explain(el('span', { className: 'count', attrs: { 'data-encoding': name } }, [
          el('span', { className: 'count-name', text: title }),
          el('span', { className: 'count-value', text: t('summary.countTokens', { count: formatCount(run.counts[name]) }) }),
        ]), term, t),
      );
    }
    // The model's own count: what it reads (BOS included), beside the OpenAI encodings'.
    this.counts.appendChild(
      el('span', { className: 'count', attrs: { 'data-encoding': 'model', title: t('summary.modelCountHelp', { tokenizer: run.modelCount.tokenizer }) } }, [
        el('span', { className: 'count-name', text: t('summary.modelCount') }),
        el('span', { className: 'count-value', text: t('summary.countTokens', { count: formatCount(run.modelCount.count) }) }),
      ]),
    );
    this.renderLegend(mode);
  }

  renderLegend(mode: HeatMapMode): void {
    const t = this.t;
    clear(this.legend);
    if (mode === 'off') return;
    this.legend.appendChild(el('span', { className: 'legend-title' }, withTerms(t(mode === 'rank' ? 'summary.legendRank' : 'summary.legendSurprisal'), ['gltr'], t)));
    for (const bucket of mode === 'rank' ? RANK_BUCKETS : SURPRISAL_BUCKETS) {
      this.legend.appendChild(el('span', { className: 'legend-item' }, [el('span', { className: `swatch heat-${bucket}` }), document.createTextNode(t(`legend.${bucket}`))]));
    }
  }
}
