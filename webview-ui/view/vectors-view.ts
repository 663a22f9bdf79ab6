// The Vectors tab: tokens as vectors, on the user's text and the live model. One-hot against the
// dense embedding row it picks; the angle between two tokens' input embeddings and between their
// vectors after a chosen layer, drawn in 2-D; the cosine at every depth (for one word used twice:
// where context pulls its two vectors apart); and the articles' worked example, recomputed.
import { el, svg } from '../dom';
import type { TokenSpan } from '../../src/engine/types';
import { hiddenRow, type LensRun } from './lens-run';
import { displayToken } from './token-display';
import { formatCount, sentences } from './format';
import { withTerms } from './glossary';
import { angleBetween, WORKED_EXAMPLE, type Angle } from './vector-angle';
import { CLASSIC_SENTENCES, cooccurrence, type Cooccurrence } from './cooccurrence';
import { pca2, svd2 } from './pca';
import { PcaScatter } from './pca-scatter';
import { english, type Translate } from '../i18n';

/** Components of the dense row drawn as cells (all of them up to this many). */
const DENSE_CELLS = 96;
/** One-hot entries shown on each side of the 1. */
const ONE_HOT_SIDE = 4;

const cos3 = (a: Angle) => a.cosine.toFixed(3);
const deg1 = (a: Angle) => a.degrees.toFixed(1);

export class VectorsView {
  readonly element = el('div', { className: 'vectors-view' });
  private readonly pickA = el('select', { attrs: { 'data-control': 'vector-a' } });
  private readonly pickB = el('select', { attrs: { 'data-control': 'vector-b' } });
  private readonly pickLayer = el('select', { attrs: { 'data-control': 'vector-layer' } });
  private readonly pickWindow = el('select', { attrs: { 'data-control': 'cooccurrence-window' } }, [1, 2].map((w) => el('option', { text: String(w), attrs: { value: String(w) } })));
  private readonly countsScatter = new PcaScatter(() => undefined, 'word-point');
  private readonly learnedScatter = new PcaScatter(() => undefined, 'word-point');
  private window = 1;
  private run: LensRun | undefined;
  private a = 0;
  private b = 0;
  /** Tokens of the word A (B) is the last of: a typed word may be several tokens. */
  private spanA = 1;
  private spanB = 1;
  private readonly wordA = el('input', { className: 'vector-word', attrs: { type: 'text', 'data-control': 'word-a', size: '14' } });
  private readonly wordB = el('input', { className: 'vector-word', attrs: { type: 'text', 'data-control': 'word-b', size: '14' } });
  /** Why a typed word could not be used, or how a several-token word is combined. */
  private readonly notice = el('p', { className: 'vectors-notice muted' });
  private layer = 1;
  private visible = false;
  private dirty = true;
  private seq = 0;
  private t: Translate = english;

  constructor() {
    this.pickA.addEventListener('change', () => this.pick(Number(this.pickA.value), this.b, 1, this.spanB));
    this.pickB.addEventListener('change', () => this.pick(this.a, Number(this.pickB.value), this.spanA, 1));
    this.wordA.addEventListener('change', () => this.typed('a'));
    this.wordB.addEventListener('change', () => this.typed('b'));
    this.pickWindow.addEventListener('change', () => {
      this.window = Number(this.pickWindow.value);
      this.refresh();
    });
    this.pickLayer.addEventListener('change', () => {
      this.layer = Number(this.pickLayer.value);
      this.refresh();
    });
    this.localize(english);
  }

  localize(t: Translate): void {
    this.t = t;
    this.pickA.setAttribute('aria-label', t('vectors.tokenA'));
    this.pickB.setAttribute('aria-label', t('vectors.tokenB'));
    this.pickLayer.setAttribute('aria-label', t('vectors.layer'));
    this.wordA.placeholder = t('vectors.typeWord');
    this.wordB.placeholder = t('vectors.typeWord');
    this.wordA.setAttribute('aria-label', t('vectors.typeWordA'));
    this.wordB.setAttribute('aria-label', t('vectors.typeWordB'));
    if (this.run) this.fillLayers(this.run);
    this.refresh();
  }

  setRun(run: LensRun | undefined): void {
    this.run = run;
    if (run) {
      [this.a, this.b] = defaultPair(run.tokens);
      [this.spanA, this.spanB] = [1, 1];
      this.notice.textContent = '';
      this.wordA.value = '';
      this.wordB.value = '';
      this.layer = Math.min(Math.max(this.layer, 1), run.config.nLayer);
      for (const picker of [this.pickA, this.pickB]) {
        picker.replaceChildren(...run.tokens.map((tok, i) => el('option', { text: `${i}: ${displayToken(tok.text)}`, attrs: { value: String(i) } })));
      }
      this.fillLayers(run);
    }
    this.refresh();
  }

  shown(): void {
    this.visible = true;
    if (this.dirty) void this.render();
  }

  hidden(): void {
    this.visible = false;
  }

  /** Makes token `index` (in run.tokens) token A; the panel calls it when a chip is clicked. */
  selectToken(index: number): void {
    if (this.run && index >= 0 && index < this.run.tokens.length) this.pick(index, this.b, 1, this.spanB);
  }

  private pick(a: number, b: number, spanA: number, spanB: number): void {
    [this.a, this.b, this.spanA, this.spanB] = [a, b, spanA, spanB];
    if (spanA === 1) this.wordA.value = '';
    if (spanB === 1) this.wordB.value = '';
    this.notice.textContent = '';
    this.refresh();
  }

  /** A word typed for A or B: found in the text (one or several tokens), or a message saying why not. */
  private typed(side: 'a' | 'b'): void {
    const run = this.run;
    const input = side === 'a' ? this.wordA : this.wordB;
    const word = input.value.trim();
    if (!run || word === '') return;
    const found = findWord(run.tokens, word);
    if (!found) {
      this.notice.textContent = this.t('vectors.notInText', { word });
      this.notice.classList.add('error-text');
      return;
    }
    const { last, span } = found;
    if (side === 'a') this.pick(last, this.b, span, this.spanB);
    else this.pick(this.a, last, this.spanA, span);
    input.value = word;
    this.notice.classList.remove('error-text');
    if (span > 1) {
      const pieces = run.tokens.slice(last - span + 1, last + 1).map((t) => `“${displayToken(t.text)}”`).join(' + ');
      this.notice.textContent = this.t('vectors.severalTokens', { word, count: span, pieces });
    }
  }

  private refresh(): void {
    this.dirty = true;
    if (this.visible) void this.render();
  }

  private fillLayers(run: LensRun): void {
    this.pickLayer.replaceChildren(
      ...Array.from({ length: run.config.nLayer + 1 }, (_, l) => el('option', { text: this.where(l), attrs: { value: String(l) } })),
    );
  }

  /** "at the embedding" or "after layer l". */
  private where(layer: number): string {
    return layer === 0 ? this.t('vectors.atEmbedding') : this.t('embedding.afterLayer', { layer });
  }

  private async render(): Promise<void> {
    this.dirty = false;
    const run = this.run;
    const seq = ++this.seq;
    if (!run) {
      this.element.replaceChildren(el('p', { className: 'empty', text: this.t('vectors.empty') }));
      return;
    }
    this.pickA.value = String(this.a);
    this.pickB.value = String(this.b);
    this.pickLayer.value = String(this.layer);
    this.pickWindow.value = String(this.window);
    const tokA = run.tokens[this.a]!;
    const idsA = run.tokens.slice(this.a - this.spanA + 1, this.a + 1).map((t) => t.id);
    const idsB = run.tokens.slice(this.b - this.spanB + 1, this.b + 1).map((t) => t.id);
    const counted = cooccurrence(run.tokens, this.window);
    let rows: Float32Array;
    let wordRows: Float32Array;
    try {
      rows = await run.engine.tokenEmbeddings([...idsA, ...idsB]);
      wordRows = await run.engine.tokenEmbeddings(counted.firstToken.map((t) => run.tokens[t]!.id));
    } catch (error) {
      if (seq === this.seq) this.element.replaceChildren(el('p', { className: 'error-text', text: this.t('vectors.failed', { message: (error as Error).message }) }));
      return;
    }
    if (seq !== this.seq) return;
    const d = run.config.nEmbd;
    // A word of several tokens: the mean of their embedding rows (its contextual vector is its last token's).
    const rowA = meanOfRows(rows.subarray(0, idsA.length * d), d);
    const rowB = meanOfRows(rows.subarray(idsA.length * d), d);
    const sameTwice = this.a === this.b && this.spanA === this.spanB;
    this.element.replaceChildren(
      el('div', { className: 'lens-controls' }, [
        el('label', { text: `${this.t('vectors.tokenA')} ` }, [this.pickA, this.wordA]),
        el('label', { text: `${this.t('vectors.tokenB')} ` }, [this.pickB, this.wordB]),
        el('label', { text: `${this.t('vectors.layer')} ` }, [this.pickLayer]),
      ]),
      this.notice,
      this.oneHot(run, tokA, rows.subarray(0, d)),
      ...(run.tokens.length < 2
        ? [el('p', { className: 'muted', text: this.t('vectors.needTwo') })]
        : sameTwice
          ? [el('p', { className: 'vectors-same muted', text: this.t('vectors.sameTwice', { index: this.a }) }), this.passages(run)]
          : [this.angles(run, rowA, rowB), this.passages(run)]),
      this.workedExample(),
      this.counting(run, counted, wordRows),
    );
  }

  private oneHot(run: LensRun, token: TokenSpan, row: Float32Array): HTMLElement {
    const { vocabSize: V, nEmbd: d } = run.config;
    const text = displayToken(token.text);
    const gpt2 = run.config.architecture.family === 'gpt2';
    const first = Array.from(row.subarray(0, 4), (v) => v.toFixed(3)).join(', ');
    const from = Math.max(0, token.id - ONE_HOT_SIDE);
    const to = Math.min(V - 1, token.id + ONE_HOT_SIDE);
    const oneHot = el('div', { className: 'one-hot', attrs: { 'aria-label': this.t('vectors.oneHotStrip', { from, to, vocab: formatCount(V) }) } }, [
      from > 0 ? el('span', { className: 'muted', text: '… ' }) : null,
      ...Array.from({ length: to - from + 1 }, (_, i) => {
        const id = from + i;
        return el('span', { className: id === token.id ? 'one-hot-cell hot' : 'one-hot-cell', text: id === token.id ? '1' : '0', attrs: { 'data-id': String(id), title: `[${id}]` } });
      }),
      to < V - 1 ? el('span', { className: 'muted', text: ' …' }) : null,
    ]);
    return el('section', { className: 'vectors-one-hot' }, [
      el('h2', { className: 'lens-heading', text: this.t('vectors.oneHotHeading', { token: text }) }),
      el('p', {}, withTerms(
        sentences([
          this.t('vectors.oneHot', { token: text, id: token.id, vocab: formatCount(V), d, params: formatCount(V * d), first, matrix: gpt2 ? 'wte' : 'embed_tokens' }),
          this.t('vectors.oneHotAngle'),
        ]),
        [gpt2 ? 'wte' : 'embedTokens'],
        this.t,
      )),
      el('div', { className: 'vector-strip-label muted', text: this.t('vectors.oneHotStrip', { from, to, vocab: formatCount(V) }) }),
      oneHot,
      el('div', { className: 'vector-strip-label muted', text: this.t('vectors.denseStrip', { id: token.id, d, shown: Math.min(d, DENSE_CELLS) }) }),
      denseStrip(row),
    ]);
  }

  private angles(run: LensRun, rowA: ArrayLike<number>, rowB: ArrayLike<number>): HTMLElement {
    const [tokA, tokB] = [run.tokens[this.a]!, run.tokens[this.b]!];
    const spanText = (last: number, span: number) => displayToken(run.tokens.slice(last - span + 1, last + 1).map((t) => t.text).join(''));
    const [textA, textB] = [spanText(this.a, this.spanA), spanText(this.b, this.spanB)];
    const input = angleBetween(rowA, rowB);
    const context = angleBetween(hiddenRow(run, this.layer, this.a), hiddenRow(run, this.layer, this.b));
    const perLayer = Array.from({ length: run.config.nLayer + 1 }, (_, l) => angleBetween(hiddenRow(run, l, this.a), hiddenRow(run, l, this.b)));
    const same = this.spanA === 1 && this.spanB === 1 && tokA.id === tokB.id;
    const inputSentence = same
      ? this.t('vectors.sameInput', { id: tokA.id })
      : this.t('vectors.inputAngle', { idA: tokA.id, idB: tokB.id, cos: cos3(input), deg: deg1(input) });
    const parts: (HTMLElement | null)[] = [
      el('h2', { className: 'lens-heading', text: same && this.a !== this.b ? this.t('vectors.twoContextsHeading', { token: textA, i: this.a, j: this.b }) : this.t('vectors.angleHeading', { a: textA, b: textB }) }),
      el('div', { className: 'angle-pair' }, [
        el('figure', { className: 'angle-figure', attrs: { 'data-kind': 'input', 'data-cos': input.cosine.toFixed(6), 'data-degrees': input.degrees.toFixed(3) } }, [
          angleDrawing(input, this.t('vectors.drawing', { deg: deg1(input) })),
          el('figcaption', { text: inputSentence }),
        ]),
        el('figure', { className: 'angle-figure', attrs: { 'data-kind': 'context', 'data-layer': String(this.layer), 'data-cos': context.cosine.toFixed(6), 'data-degrees': context.degrees.toFixed(3) } }, [
          angleDrawing(context, this.t('vectors.drawing', { deg: deg1(context) })),
          el('figcaption', { text: this.t('vectors.contextAngle', { where: this.where(this.layer), cos: cos3(context), deg: deg1(context) }) }),
        ]),
      ]),
      el('h3', { className: 'lens-subheading', text: this.t('vectors.perLayerHeading', { a: `${this.a}: ${textA}`, b: `${this.b}: ${textB}` }) }),
      el('table', { className: 'lens-table per-layer-cosine' }, [
        el('tbody', {}, [
          el('tr', {}, perLayer.map((_, l) => el('th', { text: l === 0 ? this.t('embedding.embedding') : String(l) }))),
          el('tr', {}, perLayer.map((angle, l) => el('td', { text: cos3(angle), attrs: { 'data-layer': String(l), 'data-cos': angle.cosine.toFixed(6) } }))),
        ]),
      ]),
      el('p', { className: 'muted', text: this.trend(run, perLayer, same) }),
    ];
    return el('section', { className: 'vectors-angle' }, parts);
  }

  /** What the per-layer cosines show, from the numbers: where the two are least alike, and (same token) why layer 0 differs. */
  private trend(run: LensRun, perLayer: Angle[], same: boolean): string {
    let lowest = 0;
    perLayer.forEach((angle, l) => {
      if (angle.cosine < perLayer[lowest]!.cosine) lowest = l;
    });
    const out = [this.t('vectors.lowest', { where: this.where(lowest), cos: cos3(perLayer[lowest]!) })];
    if (same && this.a !== this.b) {
      out.unshift(this.t(run.config.architecture.positions.kind === 'learned' ? 'vectors.sameLearned' : 'vectors.sameRotary', { cos: cos3(perLayer[0]!) }));
    }
    return sentences(out);
  }

  /**
   * Counting against learning: the text's words by co-occurrence counts reduced with SVD, beside
   * the model's learned input embeddings of the same words reduced with PCA; then the articles'
   * two-sentence example, and how word2vec learns instead of counting.
   */
  private counting(run: LensRun, counted: Cooccurrence, wordRows: Float32Array): HTMLElement {
    const t = this.t;
    const d = run.config.nEmbd;
    const parts: Node[] = [
      el('h2', { className: 'lens-heading', text: t('vectors.countingHeading') }),
      el('div', { className: 'lens-controls' }, [el('label', { text: `${t('vectors.window')} ` }, [this.pickWindow])]),
    ];
    const n = counted.words.length;
    if (n < 3) parts.push(el('p', { className: 'muted', text: t('vectors.fewWords', { count: n }) }));
    else {
      const counts = svd2(counted.counts);
      const learned = pca2(Array.from({ length: n }, (_, i) => wordRows.subarray(i * d, (i + 1) * d)));
      const countsTitle = t('vectors.countsTitle', { window: this.window, words: n, percent: (counts.explained * 100).toFixed(0) });
      const learnedTitle = t('vectors.learnedTitle', { words: n, percent: (learned.explained * 100).toFixed(0) });
      this.countsScatter.render(counts.points, counted.words, countsTitle);
      this.learnedScatter.render(learned.points, counted.words, learnedTitle);
      this.countsScatter.element.setAttribute('data-points', JSON.stringify(counts.points.map(([x, y]) => [+x.toFixed(4), +y.toFixed(4)])));
      parts.push(
        el('p', { text: t('vectors.countingIntro', { window: this.window, words: n }) }),
        el('div', { className: 'counting-plots' }, [this.countsScatter.element, this.learnedScatter.element]),
      );
      if (n <= 12) parts.push(countTable(counted, t('vectors.wordColumn')));
    }
    const classic = classicExample();
    parts.push(
      el('h3', { className: 'lens-subheading', text: t('vectors.classicHeading') }),
      el('p', { text: t('vectors.classic', { first: CLASSIC_SENTENCES[0]!, second: CLASSIC_SENTENCES[1]! }) }),
      countTable(classic, t('vectors.wordColumn'), 'classic-counts'),
      el('p', { className: 'hint', text: t('vectors.word2vec') }),
    );
    return el('section', { className: 'vectors-counting', attrs: { 'data-words': String(n) } }, parts);
  }

  /** Two passages of the text as one vector each (the mean of their tokens' last-layer vectors), and their angle. */
  private passages(run: LensRun): HTMLElement {
    const [a, b] = defaultPassages(run.tokens);
    const L = run.config.nLayer;
    const last = angleBetween(meanRow(run, L, a), meanRow(run, L, b));
    const first = angleBetween(meanRow(run, 0, a), meanRow(run, 0, b));
    const excerpt = (range: [number, number]) => {
      const text = run.tokens.slice(range[0], range[1]).map((token) => token.text).join('').trim();
      return text.length > 60 ? `${text.slice(0, 59)}…` : text;
    };
    return el('section', { className: 'vectors-passages', attrs: { 'data-a': a.join('-'), 'data-b': b.join('-'), 'data-cos': last.cosine.toFixed(6), 'data-cos-embedding': first.cosine.toFixed(6) } }, [
      el('h2', { className: 'lens-heading', text: this.t('vectors.passagesHeading') }),
      el('p', { text: this.t('vectors.passages', { a: excerpt(a), b: excerpt(b), fromA: a[0], toA: a[1] - 1, fromB: b[0], toB: b[1] - 1, layer: L, cos: cos3(last), deg: deg1(last), cosEmbedding: cos3(first) }) }),
      el('p', { className: 'muted', text: this.t('vectors.passagesCaveat') }),
    ]);
  }

  private workedExample(): HTMLElement {
    const { words, v1, v2, v3, statedV3V2 } = WORKED_EXAMPLE;
    const header = el('tr', {}, [el('th', { text: this.t('vectors.wordColumn') }), ...words.map(([chinese, word]) => el('th', { text: this.t('vectors.exampleWord', { chinese, word }) }))]);
    const row = (name: string, values: readonly number[]) => el('tr', {}, [el('th', { text: name }), ...values.map((v) => el('td', { text: String(v) }))]);
    const line = (name: string, other: readonly number[]) => {
      const angle = angleBetween(other, v2);
      return el('li', { attrs: { 'data-pair': name, 'data-degrees': angle.degrees.toFixed(2) } , text: this.t('vectors.exampleLine', {
        name, dot: formatCount(angle.dot), na: angle.normA.toFixed(2), nb: angle.normB.toFixed(2), cos: cos3(angle), deg: deg1(angle),
      }) });
    };
    const v3v2 = angleBetween(v3, v2);
    return el('section', { className: 'vectors-example' }, [
      el('h2', { className: 'lens-heading', text: this.t('vectors.exampleHeading') }),
      el('p', { text: this.t('vectors.exampleIntro') }),
      el('table', { className: 'lens-table example-counts' }, [el('tbody', {}, [header, row('V1', v1), row('V2', v2), row('V3', v3)])]),
      el('ul', {}, [line('V1', v1), line('V3', v3)]),
      el('p', { className: 'example-check', text: this.t('vectors.exampleCheck', {
        stated: statedV3V2, deg: deg1(v3v2), cos: cos3(v3v2), statedCos: Math.cos((statedV3V2 * Math.PI) / 180).toFixed(3),
      }) }),
    ]);
  }
}

/** A repeated word when the text has one (one word, two contexts), else the last token and an earlier different one. */
export function defaultPair(tokens: readonly TokenSpan[]): [number, number] {
  const seen = new Map<number, number>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!/\p{L}{2}/u.test(token.text)) continue;
    const first = seen.get(token.id);
    if (first !== undefined) return [first, i];
    seen.set(token.id, i);
  }
  const last = tokens.length - 1;
  for (let i = last - 1; i >= 0; i--) if (tokens[i]!.id !== tokens[last]!.id) return [Math.max(0, last), i];
  return [Math.max(0, last), Math.max(0, last)];
}

/** The first components of a dense row as coloured cells: blue negative, red positive, by magnitude. */
function denseStrip(row: Float32Array): SVGSVGElement {
  const n = Math.min(row.length, DENSE_CELLS);
  const cell = 6;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(row[i]!));
  const root = svg('svg', { class: 'dense-strip', width: n * cell, height: 16, viewBox: `0 0 ${n * cell} 16`, role: 'img' });
  for (let i = 0; i < n; i++) {
    const v = row[i]!;
    const alpha = max > 0 ? Math.abs(v) / max : 0;
    root.appendChild(svg('rect', {
      x: i * cell, y: 0, width: cell - 1, height: 16, 'data-value': v.toFixed(4),
      fill: v >= 0 ? `rgba(214, 69, 65, ${alpha.toFixed(3)})` : `rgba(52, 120, 198, ${alpha.toFixed(3)})`,
    }, undefined));
  }
  return root;
}

/** Two unit vectors at the angle's degrees, with the arc between them and its label. */
function angleDrawing(angle: Angle, label: string): SVGSVGElement {
  const [w, h, r] = [190, 96, 70];
  const [ox, oy] = [w / 2, h - 14];
  const theta = Number.isFinite(angle.degrees) ? (angle.degrees * Math.PI) / 180 : 0;
  const root = svg('svg', { class: 'angle-svg', width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': label });
  const end = (t: number, radius: number) => [ox + radius * Math.cos(t), oy - radius * Math.sin(t)];
  const [ax, ay] = end(0, r);
  const [bx, by] = end(theta, r);
  const [cx, cy] = end(theta, 22);
  root.appendChild(svg('path', { class: 'angle-arc', d: `M ${ox + 22} ${oy} A 22 22 0 0 0 ${cx.toFixed(1)} ${cy.toFixed(1)}` }));
  root.appendChild(svg('line', { class: 'angle-ray a', x1: ox, y1: oy, x2: ax.toFixed(1), y2: ay.toFixed(1) }));
  root.appendChild(svg('line', { class: 'angle-ray b', x1: ox, y1: oy, x2: bx.toFixed(1), y2: by.toFixed(1) }));
  root.appendChild(svg('text', { class: 'angle-end', x: (ax + 4).toFixed(1), y: (ay + 4).toFixed(1) }, 'A'));
  root.appendChild(svg('text', { class: 'angle-end', x: (bx + (theta > Math.PI / 2 ? -12 : 4)).toFixed(1), y: (by - 2).toFixed(1) }, 'B'));
  root.appendChild(svg('text', { class: 'angle-label', x: ox, y: h - 2, 'text-anchor': 'middle' }, `${angle.degrees.toFixed(1)}°`));
  return root;
}

/** The first two lines of the text with tokens in them, or else its two halves: [start, end) token ranges. */
export function defaultPassages(tokens: readonly TokenSpan[]): [[number, number], [number, number]] {
  const lines: [number, number][] = [];
  let start = 0;
  tokens.forEach((token, i) => {
    if (token.text.includes('\n') || i === tokens.length - 1) {
      const end = i + 1;
      if (tokens.slice(start, end).some((t) => t.text.trim() !== '')) lines.push([start, end]);
      start = end;
    }
  });
  if (lines.length >= 2) return [lines[0]!, lines[1]!];
  const half = Math.floor(tokens.length / 2);
  return [[0, half], [half, tokens.length]];
}

/** The mean of the tokens' vectors after `layer` over [start, end). */
function meanRow(run: LensRun, layer: number, [start, end]: [number, number]): Float64Array {
  // A layer's rows are contiguous in the residual stream [layers + 1, T, d].
  const d = run.config.nEmbd;
  const base = layer * run.tokens.length;
  return meanOfRows(run.hidden.subarray((base + start) * d, (base + end) * d), d);
}

/** The articles' two sentences counted one at a time (no window spans the two) and added. */
function classicExample(): Cooccurrence {
  const asTokens = (sentence: string) => sentence.split(' ').map((word, i) => ({ text: i === 0 ? word : ` ${word}` }));
  const parts = CLASSIC_SENTENCES.map((sentence) => cooccurrence(asTokens(sentence), 1));
  const words = [...new Set(parts.flatMap((p) => p.words))];
  const counts = words.map(() => new Array<number>(words.length).fill(0));
  for (const part of parts) {
    part.words.forEach((w, i) => part.words.forEach((v, j) => (counts[words.indexOf(w)]![words.indexOf(v)]! += part.counts[i]![j]!)));
  }
  return { words, counts, firstToken: [] };
}

function countTable(counted: Cooccurrence, corner: string, className = 'text-counts'): HTMLElement {
  const header = el('tr', {}, [el('th', { text: corner }), ...counted.words.map((w) => el('th', { text: w }))]);
  const rows = counted.words.map((w, i) => el('tr', { attrs: { 'data-word': w } }, [el('th', { text: w }), ...counted.counts[i]!.map((n) => el('td', { className: n === 0 ? 'muted' : '', text: String(n) }))]));
  return el('table', { className: `lens-table count-table ${className}` }, [el('tbody', {}, [header, ...rows])]);
}

/** Where a typed word is in the text: the first run of 1–8 tokens whose text, trimmed, is the word (exact case first). */
export function findWord(tokens: readonly TokenSpan[], word: string): { last: number; span: number } | undefined {
  const wanted = word.trim();
  if (wanted === '') return undefined;
  for (const match of [(s: string) => s === wanted, (s: string) => s.toLowerCase() === wanted.toLowerCase()]) {
    for (let first = 0; first < tokens.length; first++) {
      let text = '';
      for (let last = first; last < Math.min(tokens.length, first + 8); last++) {
        text += tokens[last]!.text;
        if (match(text.trim()) && (first === 0 || tokens[first]!.text.trim() !== '')) return { last, span: last - first + 1 };
        if (text.trim().length > wanted.length) break;
      }
    }
  }
  return undefined;
}

/** The mean of the [n, d] rows. */
function meanOfRows(rows: Float32Array, d: number): Float64Array {
  const n = rows.length / d;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i]! += rows[r * d + i]! / n;
  return mean;
}

