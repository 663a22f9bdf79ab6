// Panel header: what was explained, remarks, and the summary numbers: tokens, characters per
// token, mean surprisal and perplexity, and the same text's count under three tokenizers.
import { BUCKET_LABELS, RANK_BUCKETS, SURPRISAL_BUCKETS } from '../../src/heat-scale';
import type { ExplainMessage, HeatMapMode } from '../../src/protocol';
import { clear, el } from '../dom';
import { formatBits, formatCount, formatRatio } from './format';
import type { RunStats } from './stats';

const ENCODING_TITLES = [
  ['r50k_base', 'GPT-2', 'r50k_base: GPT-2 and GPT-3, and the model in this panel'],
  ['cl100k_base', 'GPT-4', 'cl100k_base: GPT-3.5 and GPT-4'],
  ['o200k_base', 'GPT-4o', 'o200k_base: GPT-4o'],
] as const;

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
  private readonly legend = el('div', { className: 'legend', attrs: { 'aria-label': 'Heat map legend' } });

  constructor() {
    this.element.append(this.source, this.notes, this.metrics, this.counts, this.legend);
  }

  render(run: ExplainMessage, stats: RunStats | undefined, mode: HeatMapMode): void {
    this.source.textContent = run.source.label;
    clear(this.notes);
    for (const note of run.notes) this.notes.appendChild(el('li', { text: note }));
    clear(this.metrics);
    this.metrics.append(
      metric('tokens', formatCount(run.totalTokens), 'Tokens of GPT-2\'s tokenizer (r50k_base), the model\'s own.', 'tokens'),
      metric('chars / token', formatRatio(run.totalChars, run.totalTokens), 'Characters of text per token.', 'chars-per-token'),
      metric('mean surprisal', stats?.meanBits == null ? '…' : formatBits(stats.meanBits), 'Average −log2 p of each token given the ones before it.', 'surprisal'),
      metric('perplexity', stats?.perplexity == null ? '…' : stats.perplexity.toFixed(stats.perplexity < 100 ? 2 : 0), '2^(mean surprisal): as unsure as a uniform pick among this many tokens.', 'perplexity'),
    );
    clear(this.counts);
    this.counts.appendChild(el('span', { className: 'counts-label', text: 'Same text in' }));
    for (const [name, title, help] of ENCODING_TITLES) {
      this.counts.appendChild(
        el('span', { className: 'count', attrs: { title: help, 'data-encoding': name } }, [
          el('span', { className: 'count-name', text: title }),
          el('span', { className: 'count-value', text: `${formatCount(run.counts[name])} tokens` }),
        ]),
      );
    }
    this.renderLegend(mode);
  }

  renderLegend(mode: HeatMapMode): void {
    clear(this.legend);
    if (mode === 'off') return;
    this.legend.appendChild(el('span', { className: 'legend-title', text: mode === 'rank' ? 'Rank of each token among the model\'s guesses' : 'Surprisal of each token' }));
    for (const bucket of mode === 'rank' ? RANK_BUCKETS : SURPRISAL_BUCKETS) {
      this.legend.appendChild(el('span', { className: 'legend-item' }, [el('span', { className: `swatch heat-${bucket}` }), document.createTextNode(BUCKET_LABELS[bucket])]));
    }
  }
}
