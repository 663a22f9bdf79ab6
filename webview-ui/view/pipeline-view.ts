// The "How GPT reads this" tab: six steps, each with a short explanation and the live numbers
// of the picked token. Every number shown also sits in a data-value attribute (full precision)
// so tests can compare the page with the engine.
import { el } from '../dom';
import type { Translate } from '../i18n';
import { MAX_TEMPERATURE, MIN_TEMPERATURE, type PipelineModel, type PipelineRequest } from '../../src/engine/pipeline-model';
import { displayToken } from './token-display';
import { explain, withTerms, type Term } from './glossary';
import { describeNorms } from './norm-trend';
import { formatPercent, sentences } from './format';
import { censusSection } from './census-view';
import { ropeDrawing } from './rope-drawing';
import type { ModelConfig } from '../../src/engine/types';

export interface PipelineControls {
  /** The user changed the token, layer, head or temperature. */
  onChange(change: Partial<Pick<PipelineRequest, 'position' | 'layer' | 'head' | 'temperature'>>): void;
}

export class PipelineView {
  readonly element = el('section', { className: 'pipeline', attrs: { 'data-view': 'pipeline' } });
  private readonly status = el('p', { className: 'pipeline-status muted' });
  private readonly steps = el('div', { className: 'pipeline-steps' });
  private readonly census = el('div', { className: 'census' });

  constructor(
    private readonly t: Translate,
    private readonly controls: PipelineControls,
  ) {
    this.element.append(el('h2', { className: 'distribution-heading', text: t('pipeline.title') }), this.status, this.steps, this.census);
    this.showMessage(t('pipeline.empty'));
  }

  showMessage(message: string, isError = false): void {
    this.status.textContent = message;
    this.status.classList.toggle('error', isError);
    this.status.hidden = false;
  }

  busy(): void {
    this.showMessage(this.t('pipeline.loading'));
  }

  /**
   * `firstIndex`: the document token number of the model's first token, for the token picker's
   * labels; `totalTokens`: the whole text's tokens (the model may have read only the last ones).
   * Layers are numbered from 1, as in the other tabs: the residual stream after layer l is
   * hidden[l], and hidden[0] is the embedding.
   */
  /** Where the model's parameters are; a kind's row scrolls to the step where it acts. */
  renderCensus(config: ModelConfig): void {
    this.census.replaceChildren(censusSection(config, this.t, (step) => {
      const target = this.steps.querySelector<HTMLElement>(`[data-step="${step}"]`);
      if (!target) return;
      target.scrollIntoView({ block: 'start', behavior: 'smooth' });
      target.classList.remove('flash');
      void target.offsetWidth; // restart the highlight's animation
      target.classList.add('flash');
    }));
  }

  render(model: PipelineModel, layers: number, heads: number, firstIndex = 0, totalTokens = model.tokens.length): void {
    this.status.hidden = true;
    const t = this.t;
    const { request, token } = model;
    const pickers = el('div', { className: 'pipeline-controls temperature' }, [
      this.select(t('pipeline.pickToken'), 'position', model.tokens.length, request.position, (i) => `${firstIndex + i}: ${displayToken(model.tokens[i].text)}`),
      this.select(t('pipeline.layer'), 'layer', layers, request.layer, (i) => String(i + 1)),
      this.select(t('pipeline.head'), 'head', heads, request.head, (i) => String(i)),
    ]);
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    const { headSize, scale } = model.attention;
    const scaledByLayer = Math.abs(scale - Math.sqrt(headSize)) > 1e-9 * scale;
    const shownMass = model.distribution.reduce((sum, e) => sum + e.probability, 0);
    // GPT-2 adds learned position rows and names its matrices wte / wpe / ln_f; the rotary
    // families (Llama, Mistral, Qwen) rotate q and k instead and name them embed_tokens, model.norm.
    const rotary = model.architecture.positions === 'rope';
    const glyphs = { cjk: bytes('中'), emoji: bytes('😀'), heart: bytes('❤') };
    const bos = model.architecture.bosTokenId;
    const steps = [
      this.step(1, t('step1.title'), rotary ? t('step1.bodyOwn', glyphs) : t('step1.body', glyphs), [], [
        el('p', {
          attrs: { 'data-name': 'token-count', 'data-total': String(totalTokens), 'data-read': String(request.ids.length) },
          text: sentences([
            t('step1.numbers', { total: totalTokens, text: displayToken(token.text), bytes: token.bytes }),
            totalTokens > request.ids.length ? t('step1.readLast', { read: request.ids.length }) : '',
          ]),
        }),
        rotary && bos !== null && request.ids[0] === bos ? el('p', { className: 'hint', attrs: { 'data-name': 'bos' }, text: t('step1.bos', { id: bos }) }) : null,
        token.partial ? el('p', { className: 'hint', text: t('step1.partial') }) : null,
        chipRow(model.tokens.map((tk) => tk.text), request.position),
      ]),
      this.step(2, t('step2.title'), t('step2.body', { vocab: model.vocabSize }), [], [
        value('id', token.id, t('step2.numbers', { id: token.id, vocab: model.vocabSize })),
      ]),
      this.embeddingStep(model),
      rotary ? this.rotaryPositionStep(model) : this.positionStep(model),
      this.step(
        5,
        t('step5.title', { layer: request.layer + 1 }),
        rotary ? t('step5.bodyRotary', { head: request.head, hs: headSize }) : t('step5.body', { head: request.head, hs: headSize }),
        rotary ? ['rmsNorm', 'rope'] : ['layerNorm'],
        [
          scaledByLayer ? el('p', { className: 'hint', text: t('step5.scaleByLayer', { scale: scale.toFixed(3) }) }) : null,
          ...(rotary ? this.rotaryAttention(model) : []),
          labelled('q', strip('query', model.attention.query)),
          labelled('k', strip('key', model.attention.key)),
          labelled('v', strip('value', model.attention.value)),
          attentionTable(model, t),
          el('p', { className: 'hint', text: t('step5.masked') }),
          this.mlpSentence(model),
          el('p', { attrs: { 'data-name': 'norms-sentence' }, text: describeNorms(t, displayToken(token.text), model.norms) }),
          bars('norms', model.norms.map((n, l) => [l === 0 ? t('step5.embeddingNorm') : t('step5.afterLayer', { layer: l }), n, n.toFixed(2)]), Math.max(...model.norms)),
        ],
      ),
      this.step(
        6,
        t('step6.title'),
        !rotary ? t('step6.body', { vocab: model.vocabSize }) : t(model.architecture.unembedding === 'tied' ? 'step6.bodyTied' : 'step6.bodySeparate', { vocab: model.vocabSize }),
        rotary ? ['rmsNorm', 'unembeddingRows'] : ['layerNorm', 'unembedding'],
        [
          this.temperatureSlider(request.temperature),
          el('h4', { text: t('step6.top') }),
          bars(
            'softmax',
            model.distribution.map((e) => [displayToken(e.text), e.probability, `${(e.probability * 100).toFixed(2)}%`, `logit ${e.logit.toFixed(2)}`]),
            model.distribution[0]?.probability ?? 1,
          ),
          el('p', { className: 'hint', text: t('step6.shownMass', { count: model.distribution.length, mass: formatPercent(shownMass) }) }),
          el('p', {
            className: 'pipeline-sample',
            attrs: { 'data-id': String(model.sample.id) },
            text: t('step6.sample', { vocab: model.vocabSize, temperature: request.temperature.toFixed(2), seed: request.seed, text: displayToken(model.sample.text) }),
          }),
        ],
      ),
    ];
    this.steps.replaceChildren(pickers, ...steps);
  }

  /** Step 3: the token's row of the input embedding (wte in GPT-2, embed_tokens in the rotary families) and its neighbours. */
  private embeddingStep(model: PipelineModel): HTMLElement {
    const t = this.t;
    const { token } = model;
    const [matrix, term]: [string, Term] = model.architecture.positions === 'rope' ? ['embed_tokens', 'embedTokens'] : ['wte', 'wte'];
    return this.step(3, t('step3.title'), t('step3.body', { id: token.id, d: model.embedding.token.length, matrix }), [term], [
      labelled(`${matrix}[${token.id}]`, strip('embedding', model.embedding.token), term, t),
      stripLegend(t),
      value('token-norm', model.embedding.tokenNorm, t('step3.norm', { norm: model.embedding.tokenNorm.toFixed(3) })),
      el('h4', { text: t('step3.neighbours') }),
      el('ol', { className: 'neighbours' }, model.neighbours.map(([id, text, cos, angle]) =>
        el('li', { attrs: { 'data-id': String(id), 'data-value': String(cos) } }, [
          el('span', { className: 'token-label', text: displayToken(text) }),
          el('span', { className: 'muted', text: ` ${cos.toFixed(3)}, ${angle.toFixed(1)}°` }),
        ]))),
    ]);
  }

  /** Step 4, GPT-2: the learned position row and the sum that starts the residual stream. */
  private positionStep(model: PipelineModel): HTMLElement {
    const t = this.t;
    const position = model.request.position;
    return this.step(4, t('step4.title'), t('step4.body', { position }), ['wpe'], [
      labelled(`${t('step4.position')} wpe[${position}]`, strip('position', model.embedding.position!), 'wpe', t),
      labelled(t('step4.sum'), strip('sum', model.embedding.sum)),
      value('sum-norm', model.embedding.sumNorm, t('step3.norm', { norm: model.embedding.sumNorm.toFixed(3) })),
    ]);
  }

  /** Step 4, rotary families: no position row; the residual stream starts as the embedding row. */
  private rotaryPositionStep(model: PipelineModel): HTMLElement {
    const t = this.t;
    return this.step(4, t('step4.titleRotary'), t('step4.bodyRotary', { position: model.request.position }), ['rope'], [
      labelled(t('step4.start'), strip('sum', model.embedding.sum)),
      value('sum-norm', model.embedding.sumNorm, t('step3.norm', { norm: model.embedding.sumNorm.toFixed(3) })),
    ]);
  }

  /** Step 5, rotary families: the norm, the biases, q/k norms, the key/value head read, the rotation, the window. */
  private rotaryAttention(model: PipelineModel): (HTMLElement | null)[] {
    const t = this.t;
    const { architecture: a, attention, request } = model;
    const kvKey = a.kvHeads === 1 && a.heads > 1 ? 'step5.kvShared' : a.kvHeads === a.heads ? 'step5.kvOwn' : 'step5.kvGrouped';
    const kvText = t(kvKey, { head: request.head, kv: attention.kvHead, heads: a.heads, kvHeads: a.kvHeads, share: a.heads / a.kvHeads });
    const r = attention.rotation!;
    const fixed = (x: number) => x.toFixed(3);
    const rope = t('step5.rope', {
      half: r.half,
      pair: r.pair,
      partner: r.pair + r.half,
      position: r.position,
      freq: formatFrequency(r.inverseFrequency),
      angle: formatAngle(r.angle),
      x1: fixed(r.before[0]),
      x2: fixed(r.before[1]),
      y1: fixed(r.after[0]),
      y2: fixed(r.after[1]),
      length: fixed(Math.hypot(...r.before)),
      last: r.slowest.pair,
      slowFreq: formatFrequency(r.slowest.inverseFrequency),
      slowAngle: formatAngle(r.slowest.angle),
    });
    const scaling = a.ropeScaling;
    const scalingText = !scaling
      ? ''
      : scaling.type === 'linear'
        ? t('step5.ropeLinear', { factor: scaling.factor })
        : t('step5.ropeLlama3', {
            factor: scaling.factor,
            longest: scaling.originalContext / scaling.lowFreqFactor,
            shortest: scaling.originalContext / scaling.highFreqFactor,
            last: r.slowest.pair,
            slowFreq: formatFrequency(r.slowest.inverseFrequency),
          });
    return [
      el('p', { className: 'hint', attrs: { 'data-name': 'norm' }, text: t('step5.rmsNorm') }),
      el('p', { attrs: { 'data-name': 'qkv-bias', 'data-bias': String(a.qkvBias) }, text: sentences([t(a.qkvBias ? 'step5.biases' : 'step5.noBiases'), a.qkNorm ? t('step5.qkNorm') : '']) }),
      el('p', { attrs: { 'data-name': 'kv-head', 'data-kv': String(attention.kvHead) } }, withTerms(kvText, ['gqa'], t)),
      el('p', {
        attrs: {
          'data-name': 'rope',
          'data-pair': String(r.pair),
          'data-position': String(r.position),
          'data-inv-freq': String(r.inverseFrequency),
          'data-angle': String(r.angle),
          'data-before': r.before.join(','),
          'data-after': r.after.join(','),
          'data-slowest-inv-freq': String(r.slowest.inverseFrequency),
          'data-slowest-angle': String(r.slowest.angle),
        },
        text: sentences([rope, scalingText]),
      }),
      el('figure', { className: 'rope-figure' }, [
        ropeDrawing(r, t('step5.ropeDrawing', { pair: r.pair, partner: r.pair + r.half, position: r.position })),
        el('figcaption', { className: 'hint', text: t('step5.ropeDrawing', { pair: r.pair, partner: r.pair + r.half, position: r.position }) }),
      ]),
      attention.window === null
        ? null
        : el('p', { attrs: { 'data-name': 'window', 'data-window': String(attention.window) }, text: t('step5.window', { window: attention.window, first: attention.firstVisible }) }),
    ];
  }

  /** What the MLP did: positive GELU outputs (GPT-2), or what the SiLU gate let through. */
  private mlpSentence(model: PipelineModel): HTMLElement {
    const t = this.t;
    const { block } = model;
    const sizes = { inner: block.inner, attn: block.attentionNorm.toFixed(2), mlp: block.mlpNorm.toFixed(2) };
    if (!block.gate) {
      return el('p', {
        attrs: { 'data-name': 'mlp', 'data-positive': String(block.positiveUnits), 'data-inner': String(block.inner) },
        text: t('step5.mlp', { ...sizes, positive: block.positiveUnits, percent: formatPercent(block.positiveUnits / block.inner) }),
      });
    }
    const { negative, closed, upNorm, gatedNorm } = block.gate;
    const ratio = gatedNorm / upNorm;
    return el(
      'p',
      { attrs: { 'data-name': 'mlp', 'data-negative': String(negative), 'data-closed': String(closed), 'data-inner': String(block.inner), 'data-ratio': String(ratio) } },
      withTerms(t('step5.mlpGated', { ...sizes, negative, closed, ratio: ratio.toFixed(2) }), ['gate'], t),
    );
  }

  /** A step: its title, its explanation (with `terms` in it explained on hover), then its numbers. */
  private step(n: number, title: string, body: string, terms: readonly Term[], content: (Node | null)[]): HTMLElement {
    return el('section', { className: 'pipeline-step distribution', attrs: { 'data-step': String(n) } }, [
      el('h3', { className: 'distribution-heading', text: title }),
      el('p', { className: 'pipeline-body' }, withTerms(body, terms, this.t)),
      ...content,
    ]);
  }

  private select(label: string, field: 'position' | 'layer' | 'head', count: number, current: number, name: (i: number) => string): HTMLElement {
    const select = el('select', { attrs: { 'data-control': field, 'aria-label': label } });
    for (let i = 0; i < count; i++) {
      const option = el('option', { text: name(i), attrs: { value: String(i) } });
      option.selected = i === current;
      select.appendChild(option);
    }
    select.addEventListener('change', () => this.controls.onChange({ [field]: Number(select.value) }));
    return el('label', { className: 'stat' }, [el('span', { className: 'stat-label', text: label }), select]);
  }

  private temperatureSlider(current: number): HTMLElement {
    const input = el('input', {
      attrs: { type: 'range', min: String(MIN_TEMPERATURE), max: String(MAX_TEMPERATURE), step: '0.05', value: String(current), 'data-control': 'temperature', 'aria-label': this.t('pipeline.temperature') },
    });
    const shown = el('span', { className: 'temperature-value', text: current.toFixed(2) });
    input.addEventListener('input', () => (shown.textContent = Number(input.value).toFixed(2)));
    input.addEventListener('change', () => this.controls.onChange({ temperature: Number(input.value) }));
    return el('div', { className: 'temperature' }, [el('span', { text: this.t('pipeline.temperature') }), input, shown]);
  }
}

function value(name: string, v: number, text: string): HTMLElement {
  return el('p', { className: 'stat-value', text, attrs: { 'data-name': name, 'data-value': String(v) } });
}

function labelled(label: string, content: HTMLElement, term?: Term, t?: Translate): HTMLElement {
  const name = el('span', { className: 'stat-label', text: label });
  return el('div', { className: 'strip-row' }, [term && t ? explain(name, term, t) : name, content]);
}

/** A vector as a row of coloured cells (blue negative, red positive), scaled to its largest magnitude. */
function strip(name: string, vector: number[]): HTMLElement {
  const scale = Math.max(1e-9, ...vector.map(Math.abs));
  const row = el('div', { className: 'vector-strip', attrs: { 'data-name': name, 'data-values': vector.map((x) => x.toPrecision(6)).join(',') } });
  for (const x of vector) {
    const cell = el('span', { className: x >= 0 ? 'cell pos' : 'cell neg', attrs: { title: x.toFixed(4) } });
    cell.style.opacity = (0.08 + 0.92 * (Math.abs(x) / scale)).toFixed(3);
    row.appendChild(cell);
  }
  return row;
}

/** What the strips' colours mean. */
function stripLegend(t: Translate): HTMLElement {
  return el('p', { className: 'strip-legend' }, [
    el('span', { className: 'legend-item' }, [el('span', { className: 'swatch neg' }), el('span', { text: t('strip.negative') })]),
    el('span', { className: 'legend-item' }, [el('span', { className: 'swatch pos' }), el('span', { text: t('strip.positive') })]),
  ]);
}

/** A weight in [0, 1] as a short bar, so the row the head attends to most stands out. */
function weightBar(weight: number): HTMLElement {
  const fill = el('span');
  fill.style.width = `${(Math.max(0, Math.min(1, weight)) * 100).toFixed(1)}%`;
  return el('span', { className: 'weight-bar' }, [fill]);
}

function chipRow(texts: string[], picked: number): HTMLElement {
  return el('div', { className: 'chips' }, texts.map((text, i) =>
    el('span', { className: `chip ${i % 2 ? 'tone-odd' : 'tone-even'}${i === picked ? ' selected' : ''}`, text: displayToken(text) })));
}

function attentionTable(model: PipelineModel, t: Translate): HTMLElement {
  // Keys a sliding window hides have no score (-Infinity) and weight 0.
  const score = (s: number) => (Number.isFinite(s) ? s.toFixed(3) : t('step5.outsideWindow'));
  const rows = model.tokens.slice(0, model.request.position + 1).map((tk, j) =>
    el('tr', { className: j === model.request.position ? 'query' : '', attrs: { 'data-key': String(j) } }, [
      el('td', { className: 'token-label', text: `${j}: ${displayToken(tk.text)}` }),
      el('td', { className: 'num', text: score(model.attention.scores[j]), attrs: { 'data-name': 'score', 'data-value': String(model.attention.scores[j]) } }),
      el('td', { className: 'num', text: `${(model.attention.weights[j] * 100).toFixed(2)}%`, attrs: { 'data-name': 'weight', 'data-value': String(model.attention.weights[j]) } }),
      el('td', {}, [weightBar(model.attention.weights[j])]),
    ]));
  return el('table', { className: 'attention-table', attrs: { 'data-name': 'attention' } }, [
    el('tr', {}, [el('th', { text: '' }), el('th', { text: t('step5.scores', { hs: model.attention.headSize }) }), el('th', { text: t('step5.weights') }), el('th', { text: '' })]),
    ...rows,
  ]);
}

/** An inverse frequency: 1, 0.178, 3.16e-5 (four significant digits at most). */
function formatFrequency(f: number): string {
  return f >= 1e-3 ? String(Number(f.toPrecision(4))) : f.toExponential(3);
}

/** An angle in radians: 3 decimals, or 3 significant digits when tiny. */
function formatAngle(angle: number): string {
  return angle === 0 || Math.abs(angle) >= 1e-3 ? angle.toFixed(3) : angle.toExponential(3);
}

/** Horizontal bars: [label, value, text, extra?] each, widths relative to `max`. */
function bars(name: string, rows: [string, number, string, string?][], max: number): HTMLElement {
  return el('ol', { className: 'bars', attrs: { 'data-name': name } }, rows.map(([label, v, text, extra], i) => {
    const fill = el('span', { className: 'bar-fill' });
    fill.style.width = `${Math.max(0.5, (v / max) * 100).toFixed(2)}%`;
    return el('li', { className: 'bar-row', attrs: { 'data-value': String(v) } }, [
      el('span', { className: 'bar-rank', text: String(i + 1) }),
      el('span', { className: 'token-label', text: label }),
      el('span', { className: 'bar-track' }, [fill]),
      el('span', { className: 'bar-value', text }),
      el('span', { className: 'muted', text: extra ?? '' }),
    ]);
  }));
}
