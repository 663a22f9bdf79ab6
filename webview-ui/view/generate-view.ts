// The Generate tab: decoding settings, step / run / stop / start over / insert, and one row per
// generated step with its candidates; clicking another candidate picks it and continues from there.
import { el } from '../dom';
import type { MessageKey, Translate } from '../i18n';
import { DEFAULT_SAMPLING, validateSampling, type SamplingProblem, type SamplingSettings } from '../../src/engine/sampling';
import type { GenerationStep } from './generate-session';
import { explain } from './glossary';
import { displayToken } from './token-display';
import type { TokenTextLookup } from '../token-texts';
import { samplingFigure } from './sampling-figure';

export interface GenerateActions {
  step(settings: SamplingSettings, maxTokens: number): void;
  run(settings: SamplingSettings, maxTokens: number): void;
  stop(): void;
  reset(): void;
  insert(): void;
  pick(stepIndex: number, id: number): void;
}

const SHOWN_CANDIDATES = 8;
const MAX_LENGTH = 512;

/** How the panel words each refused setting. */
const PROBLEM_TEXT: Readonly<Record<SamplingProblem['code'] | 'length', MessageKey>> = {
  temperature: 'generate.badTemperature',
  temperatureTooHigh: 'generate.temperatureTooHigh',
  topK: 'generate.badTopK',
  topP: 'generate.badTopP',
  seed: 'generate.badSeed',
  length: 'generate.badLength',
};
export class GenerateView {
  readonly element = el('section', { className: 'generate', attrs: { 'data-view': 'generate' } });
  private readonly status = el('p', { className: 'generate-status muted' });
  private readonly output = el('pre', { className: 'generate-output', attrs: { 'data-name': 'output' } });
  private readonly list = el('ol', { className: 'generate-steps' });
  /** How one step chose its token (the latest, or the one whose label was clicked). */
  private readonly figure = el('div', { className: 'sampling' });
  private shown: { steps: GenerationStep[]; texts: TokenTextLookup; settings?: SamplingSettings } | undefined;
  private figureStep: number | undefined;
  private readonly inputs: Record<'temperature' | 'topK' | 'topP' | 'seed' | 'maxTokens', HTMLInputElement>;
  private readonly greedy: HTMLInputElement;

  constructor(
    private readonly t: Translate,
    private readonly actions: GenerateActions,
  ) {
    const number = (name: string, value: number, step: string) => el('input', { attrs: { type: 'number', step, value: String(value), 'data-control': name, 'aria-label': name } });
    this.inputs = {
      temperature: number('temperature', DEFAULT_SAMPLING.temperature, '0.1'),
      topK: number('topK', DEFAULT_SAMPLING.topK, '1'),
      topP: number('topP', DEFAULT_SAMPLING.topP, '0.05'),
      seed: number('seed', DEFAULT_SAMPLING.seed, '1'),
      maxTokens: number('maxTokens', 20, '1'),
    };
    this.greedy = el('input', { attrs: { type: 'checkbox', 'data-control': 'greedy' } });
    const field = (label: string, input: HTMLElement, term?: 'topK' | 'topP' | 'seed') => {
      const name = el('span', { className: 'stat-label', text: label });
      return el('label', { className: 'stat' }, [term ? explain(name, term, t) : name, input]);
    };
    const button = (label: string, action: string, onClick: () => void) => {
      const b = el('button', { text: label, attrs: { type: 'button', 'data-action': action } });
      b.addEventListener('click', onClick);
      return b;
    };
    const withSettings = (then: (s: SamplingSettings, max: number) => void) => () => {
      const read = this.settings();
      if ('error' in read) this.showStatus(t('generate.invalid', { message: read.error }), true);
      else then(read.settings, read.maxTokens);
    };
    this.element.append(
      el('h2', { className: 'distribution-heading', text: t('generate.title') }),
      el('div', { className: 'generate-settings temperature' }, [
        el('label', { className: 'stat' }, [this.greedy, el('span', { text: t('generate.greedy') })]),
        field(t('generate.temperature'), this.inputs.temperature),
        field(t('generate.topK'), this.inputs.topK, 'topK'),
        field(t('generate.topP'), this.inputs.topP, 'topP'),
        field(t('generate.seed'), this.inputs.seed, 'seed'),
        field(t('generate.maxTokens'), this.inputs.maxTokens),
      ]),
      el('p', { className: 'hint', text: t('generate.topPNote') }),
      el('div', { className: 'generate-buttons temperature' }, [
        button(t('generate.step'), 'step', withSettings((s, m) => actions.step(s, m))),
        button(t('generate.run'), 'run', withSettings((s, m) => actions.run(s, m))),
        button(t('generate.stop'), 'stop', () => actions.stop()),
        button(t('generate.reset'), 'reset', () => actions.reset()),
        button(t('generate.insert'), 'insert', () => actions.insert()),
      ]),
      this.status,
      this.output,
      el('p', { className: 'hint', text: t('generate.pickHint') }),
      this.list,
      this.figure,
    );
    this.showStatus(t('generate.empty'));
  }

  /** The settings as typed (temperature 0 or the greedy box means greedy), or why not, in the panel's language. */
  settings(): { settings: SamplingSettings; maxTokens: number } | { error: string } {
    const temperature = this.greedy.checked ? 0 : Number(this.inputs.temperature.value);
    const checked = validateSampling({ temperature, topK: Number(this.inputs.topK.value), topP: Number(this.inputs.topP.value), seed: Number(this.inputs.seed.value) });
    const say = ({ code, value, max }: { code: keyof typeof PROBLEM_TEXT; value: string; max: number }) => ({ error: this.t(PROBLEM_TEXT[code], { value, max }) });
    if (!checked.ok) return say(checked.problem);
    const maxTokens = Number(this.inputs.maxTokens.value);
    if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_LENGTH) return say({ code: 'length', value: this.inputs.maxTokens.value, max: MAX_LENGTH });
    return { settings: checked.value, maxTokens };
  }

  showStatus(message: string, isError = false): void {
    this.status.textContent = message;
    this.status.classList.toggle('error', isError);
  }

  /** The prompt and the generated text (decoded by the model's tokenizer), and one row per step. */
  render(prompt: string, generated: string, steps: GenerationStep[], texts: TokenTextLookup, settings?: SamplingSettings): void {
    this.output.replaceChildren(el('span', { className: 'muted', text: prompt }), el('span', { className: 'generated', text: generated }));
    this.list.replaceChildren(...steps.map((step, index) => this.row(step, index, texts)));
    this.shown = { steps, texts, settings };
    if (this.figureStep !== undefined && this.figureStep >= steps.length) this.figureStep = undefined;
    this.renderFigure();
  }

  /** Shows how step `index` chose its token. */
  explainStep(index: number): void {
    this.figureStep = index;
    this.renderFigure();
  }

  private renderFigure(): void {
    const shown = this.shown;
    const index = this.figureStep ?? (shown ? shown.steps.length - 1 : -1);
    const step = shown?.steps[index];
    this.figure.replaceChildren(...(shown?.settings && step ? [samplingFigure(step, index, shown.settings, shown.texts, this.t)] : []));
  }

  /** The step's name; a click shows how it chose its token. */
  private stepLabel(step: GenerationStep, index: number): HTMLElement {
    const label = el('button', {
      className: 'stat-label step-label',
      text: this.t('generate.stepLabel', { n: index + 1 }) + (step.picked ? ` (${this.t('generate.picked')})` : ''),
      attrs: { type: 'button', 'data-action': 'explain-step', title: this.t('sampling.show') },
    });
    label.addEventListener('click', () => this.explainStep(index));
    return label;
  }

  private row(step: GenerationStep, index: number, texts: TokenTextLookup): HTMLElement {
    const shown = step.candidates.slice(0, SHOWN_CANDIDATES);
    if (!shown.some((c) => c.id === step.chosen)) {
      const chosen = step.candidates.find((c) => c.id === step.chosen);
      if (chosen) shown.push(chosen);
    }
    return el('li', { className: 'generate-step', attrs: { 'data-step': String(index), 'data-chosen': String(step.chosen) } }, [
      this.stepLabel(step, index),
      el('span', { className: 'chips' }, shown.map((c) => {
        const chip = el('button', {
          className: `chip ${c.id === step.chosen ? 'selected' : c.kept > 0 ? 'tone-odd' : 'tone-even'}`,
          attrs: { type: 'button', 'data-id': String(c.id), 'data-probability': String(c.probability) },
        }, [el('span', { text: displayToken(texts.text(c.id)) }), el('span', { className: 'candidate-prob', text: `${(c.probability * 100).toFixed(1)}%` })]);
        chip.addEventListener('click', () => this.actions.pick(index, c.id));
        return chip;
      })),
    ]);
  }
}
