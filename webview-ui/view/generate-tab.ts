// Wires generation to the panel: one session per prompt, step / run / stop / pick, and the
// request to insert the generated text into the editor. Texts come from the model's tokenizer,
// which lives in the engine worker: candidates' texts from its answers, whole texts by decode.
import type { SamplingSettings } from '../../src/engine/sampling';
import type { Translate } from '../i18n';
import type { PanelEngine } from '../engine-client';
import { panelContext } from '../context-window';
import { GenerationSession, isEndOfText, type NextTokenSource } from './generate-session';
import { GenerateView } from './generate-view';

/** What generation needs of the panel's engine. */
export type GenerateEngine = NextTokenSource & Pick<PanelEngine, 'texts' | 'decode'>;

export class GenerateTab {
  readonly view: GenerateView;
  private prompt: number[] | undefined;
  private session: GenerationSession | undefined;
  private running = false;
  private stopRequested = false;
  /** Renders in flight: only the latest one's texts are drawn. */
  private renderSeq = 0;

  constructor(
    private readonly t: Translate,
    private readonly loadEngine: () => Promise<{ engine: GenerateEngine }>,
    /** Hands the generated text to the host, which inserts it after the explained range. */
    private readonly insert: (text: string) => void,
  ) {
    this.view = new GenerateView(t, {
      step: (s, max) => void this.advance(s, max, 1),
      run: (s, max) => void this.advance(s, max, Infinity),
      stop: () => (this.stopRequested = true),
      reset: () => this.reset(),
      insert: () => void this.insertGenerated(),
      pick: (index, id) => void this.pick(index, id),
    });
  }

  get element(): HTMLElement {
    return this.view.element;
  }

  setRun(ids: number[]): void {
    this.prompt = ids;
    this.reset();
  }

  private reset(): void {
    this.session = undefined;
    this.stopRequested = true;
    this.view.showStatus(this.prompt ? '' : this.t('generate.empty'));
    if (this.prompt) void this.render(this.prompt, []);
  }

  /** Draws the prompt and the steps, their texts by the model's tokenizer; a newer render wins. */
  private async render(prompt: number[], steps: GenerationSession['steps']): Promise<void> {
    const seq = ++this.renderSeq;
    try {
      const { engine } = await this.loadEngine();
      const [promptText, generatedText] = await Promise.all([engine.decode(prompt), engine.decode(steps.map((s) => s.chosen))]);
      if (seq === this.renderSeq) this.view.render(promptText, generatedText, steps, engine.texts, this.session?.settings);
    } catch (error) {
      if (seq === this.renderSeq) this.showError(error);
    }
  }

  private sessionFor(engine: NextTokenSource, settings: SamplingSettings, maxTokens: number): GenerationSession {
    const same = this.session && JSON.stringify(this.session.settings) === JSON.stringify(settings) && this.session.maxTokens === maxTokens;
    if (!same) {
      // New settings continue from the tokens chosen so far, as a new prompt.
      const prompt = this.session ? [...this.session.prompt, ...this.session.generated] : this.prompt!;
      this.session = new GenerationSession(engine, prompt, settings, maxTokens);
      this.prompt = prompt;
    }
    return this.session!;
  }

  private async advance(settings: SamplingSettings, maxTokens: number, count: number): Promise<void> {
    if (!this.prompt || this.running) return;
    this.running = true;
    this.stopRequested = false;
    try {
      const { engine } = await this.loadEngine();
      const session = this.sessionFor(engine, settings, maxTokens);
      for (let i = 0; i < count && !this.stopRequested; i++) {
        const step = await session.step();
        if (!step) break;
        await this.show(session, engine);
      }
      await this.show(session, engine);
    } catch (error) {
      this.showError(error);
    } finally {
      this.running = false;
    }
  }

  private async show(session: GenerationSession, engine: GenerateEngine): Promise<void> {
    await this.render(session.prompt, session.steps);
    const stopped = session.stopped;
    const slid = session.steps.some((s) => s.slid > 0);
    const context = panelContext(engine.config);
    const last = session.steps.at(-1)?.chosen;
    this.view.showStatus(
      [
        session.settings.temperature === 0 ? this.t('generate.greedyNote') : '',
        stopped === 'eos' && last !== undefined ? this.t('generate.stoppedEos', { token: engine.texts.text(last) }) : stopped === 'limit' ? this.t('generate.stoppedLimit', { limit: session.maxTokens }) : '',
        slid ? this.t('generate.slid', { context }) : '',
      ].filter(Boolean).join(' '),
    );
  }

  private async pick(index: number, id: number): Promise<void> {
    if (!this.session || this.running) return;
    this.session.pick(index, id);
    await this.render(this.session.prompt, this.session.steps);
  }

  private async insertGenerated(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const { engine } = await this.loadEngine();
      // End-of-text tokens end the generation; they are not text to insert.
      const generated = session.generated.filter((id) => !isEndOfText(engine.config, id));
      if (generated.length === 0) return;
      const text = await engine.decode(generated);
      this.insert(text);
      this.view.showStatus(this.t('generate.inserted', { count: text.length }));
    } catch (error) {
      this.showError(error);
    }
  }

  private showError(error: unknown): void {
    this.view.showStatus(this.t('generate.error', { message: error instanceof Error ? error.message : String(error) }), true);
  }
}
