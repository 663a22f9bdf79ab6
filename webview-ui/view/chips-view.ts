// The text as token chips, wrapped like the text (a chip ending in a newline ends the row).
// Chips are buttons: click or Enter shows the next-token distribution after that token.
import type { TokenSpan } from '../../src/engine/types';
import { heatBucket } from '../../src/heat-scale';
import type { HeatMapMode } from '../../src/protocol';
import { clear, el } from '../dom';
import type { ChipScore } from './stats';
import { displaySegments, endsLine, glyphClass } from './token-display';
import { characterGroups, type CharacterGroup } from './character-groups';
import { english, type MessageKey, type Translate } from '../i18n';

export interface ChipsCallbacks {
  /** The user picked the chip at this index of the run's tokens. */
  onSelect(index: number): void;
  /** The pointer or focus is on a chip (undefined when it left). */
  onHover(index: number | undefined, chip: HTMLElement | undefined): void;
}

/** CSS class of a chip's colour: heat bucket when scored and the heat map is on, else even/odd. */
export function chipColorClass(index: number, score: ChipScore, mode: HeatMapMode): string {
  if (score.kind === 'scored' && mode !== 'off') return `heat-${heatBucket(mode, score)}`;
  return index % 2 === 0 ? 'tone-even' : 'tone-odd';
}

/** The symbols that stand for invisible characters, each shown as a chip shows it, with what it means. */
const LEGEND: readonly [Parameters<typeof displaySegments>[0], MessageKey][] = [
  [{ text: ' ', bytes: '', partial: false }, 'chips.space'],
  [{ text: '\t', bytes: '', partial: false }, 'chips.tab'],
  [{ text: '\n', bytes: '', partial: false }, 'chips.newline'],
  [{ text: '\r', bytes: '', partial: false }, 'chips.return'],
  [{ text: '', bytes: '', partial: false }, 'chips.empty'],
  [{ text: '\ufffd', bytes: 'e4bd', partial: true }, 'chips.bytes'],
];

export class ChipsView {
  readonly element = el('div', { className: 'chips', attrs: { role: 'list', 'aria-label': 'Tokens' } });
  /** Says once, above the chips, what the whitespace symbols used in every tab stand for. */
  readonly legend = el('p', { className: 'legend chips-legend' });
  private chips: HTMLButtonElement[] = [];
  private t: Translate = english;

  constructor(private readonly callbacks: ChipsCallbacks) {
    this.localize(english);
    this.legend.hidden = true;
    this.element.addEventListener('click', (event) => {
      const index = this.indexOf(event.target);
      if (index !== undefined) this.callbacks.onSelect(index);
    });
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    for (const type of ['pointerover', 'focusin'] as const) {
      this.element.addEventListener(type, (event) => {
        const index = this.indexOf(event.target);
        this.callbacks.onHover(index, index === undefined ? undefined : this.chips[index]);
      });
    }
    for (const type of ['pointerleave', 'focusout'] as const) {
      this.element.addEventListener(type, () => this.callbacks.onHover(undefined, undefined));
    }
  }

  render(tokens: readonly TokenSpan[], scoreOf: (index: number) => ChipScore, mode: HeatMapMode): void {
    this.legend.hidden = false;
    clear(this.element);
    const fragment = document.createDocumentFragment();
    const groups = new Map(characterGroups(tokens).map((group) => [group.first, group]));
    let target: Node = fragment;
    let groupEnd = -1;
    this.chips = tokens.map((token, index) => {
      const group = groups.get(index);
      if (group) {
        const row = el('span', { className: 'char-group-chips', attrs: { role: 'none' } });
        fragment.appendChild(el('span', { className: 'char-group', attrs: { role: 'none', 'data-first': String(group.first), 'data-last': String(group.last) } }, [this.caption(group), row]));
        target = row;
        groupEnd = group.last;
      }
      // A token the tokenizer adds (BOS) stands for no text: its chip shows its name, styled apart.
      const chip = el('button', {
        className: `chip ${chipColorClass(index, scoreOf(index), mode)}${token.partial ? ' partial' : ''}${token.special ? ' special' : ''}`,
        attrs: { type: 'button', role: 'listitem', 'data-index': String(index), 'data-id': String(token.id) },
      });
      for (const segment of displaySegments(token)) {
        chip.appendChild(segment.kind === 'text' ? document.createTextNode(segment.text) : el('span', { className: glyphClass(segment.kind), text: segment.text }));
      }
      target.appendChild(chip);
      if (index === groupEnd) target = fragment;
      if (endsLine(token)) fragment.appendChild(el('br'));
      return chip;
    });
    this.element.appendChild(fragment);
  }

  /** The characters a run of byte-fragment tokens spells, each above its fragments (as wide as its bytes). */
  private caption(group: CharacterGroup): HTMLElement {
    return el('span', { className: 'char-caption', attrs: { 'aria-hidden': 'true' } }, group.characters.map((c) => {
      const span = el('span', {
        className: 'char-cap',
        text: c.char,
        attrs: { 'data-tokens': c.tokens.join(','), title: this.t('chips.character', { char: c.char, bytes: c.bytes, tokens: c.tokens.map((i) => i + 1).join(', ') }) },
      });
      span.style.flexGrow = String(c.bytes.split(' ').length);
      return span;
    }));
  }

  /** Recolours every chip (after the model answered, or when the heat-map mode changed). */
  recolor(scoreOf: (index: number) => ChipScore, mode: HeatMapMode): void {
    this.chips.forEach((chip, index) => {
      for (const name of [...chip.classList]) if (name.startsWith('heat-') || name.startsWith('tone-')) chip.classList.remove(name);
      chip.classList.add(chipColorClass(index, scoreOf(index), mode));
    });
  }

  localize(t: Translate): void {
    this.t = t;
    this.element.setAttribute('aria-label', t('tab.tokens'));
    this.legend.replaceChildren(
      el('span', { className: 'legend-title', text: t('chips.legend') }),
      ...LEGEND.map(([token, meaning]) => {
        const [segment] = displaySegments(token);
        return el('span', { className: 'legend-item', attrs: { 'data-symbol': segment!.text } }, [
          el('span', { className: segment!.kind === 'text' ? '' : glyphClass(segment!.kind), text: segment!.text }),
          el('span', { text: t(meaning) }),
        ]);
      }),
    );
  }

  /** Marks the selected chip and the token that actually followed it. */
  mark(selected: number | undefined): void {
    this.chips.forEach((chip, index) => {
      chip.classList.toggle('selected', index === selected);
      chip.classList.toggle('actual-next', selected !== undefined && index === selected + 1);
      chip.setAttribute('aria-pressed', String(index === selected));
    });
  }

  chip(index: number): HTMLButtonElement | undefined {
    return this.chips[index];
  }

  get count(): number {
    return this.chips.length;
  }

  private indexOf(target: EventTarget | null): number | undefined {
    const chip = target instanceof Element ? target.closest('.chip') : null;
    const index = chip ? Number(chip.getAttribute('data-index')) : Number.NaN;
    return Number.isInteger(index) ? index : undefined;
  }

  /** Arrow keys move between chips, so the distribution can be stepped through by keyboard. */
  private onKey(event: KeyboardEvent): void {
    const index = this.indexOf(event.target);
    if (index === undefined) return;
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = this.chips[index + step];
    if (!next) return;
    event.preventDefault();
    next.focus();
    this.callbacks.onSelect(index + step);
  }
}
