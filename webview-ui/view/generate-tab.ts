// Wires generation to the panel: one session per prompt, step / run / stop / pick, and the
// request to insert the generated text into the editor.
import { decode } from '../../src/engine/tokenizer';
import type { SamplingSettings } from '../../src/engine/sampling';
import type { Translate } from '../i18n';
import { GenerationSession, type NextTokenSource } from './generate-session';
import { GenerateView } from './generate-view';
import { textOrId } from '../../src/engine/vocabulary-text';

export class GenerateTab {
  readonly view: GenerateView;
  private prompt: number[] | undefined;
  private session: GenerationSession | undefined;
  private running = false;
  private stopRequested = false;

  constructor(
    private readonly t: Translate,
    private readonly loadEngine: () => Promise<{ engine: NextTokenSource }>,
    /** Hands the generated text to the host, which inserts it after the explained range. */
    private readonly insert: (text: string) => void,
  ) {
    this.view = new GenerateView(t, {
      step: (s, max) => void this.advance(s, max, 1),
      run: (s, max) => void this.advance(s, max, Infinity),
      stop: () => (this.stopRequested = true),
      reset: () => this.reset(),
      insert: () => this.insertGenerated(),
      pick: (index, id) => this.pick(index, id),
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
    if (this.prompt) this.view.render(decode(this.prompt), [], (id) => textOrId(id));
    this.view.showStatus(this.prompt ? '' : this.t('generate.empty'));
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
        this.show(session, engine.config.nPositions);
      }
      this.show(session, engine.config.nPositions);
    } catch (error) {
      this.view.showStatus(this.t('generate.error', { message: error instanceof Error ? error.message : String(error) }), true);
    } finally {
      this.running = false;
    }
  }

  private show(session: GenerationSession, context: number): void {
    this.view.render(decode(session.prompt), session.steps, (id) => textOrId(id));
    const stopped = session.stopped;
    const slid = session.steps.some((s) => s.slid > 0);
    this.view.showStatus(
      [
        session.settings.temperature === 0 ? this.t('generate.greedyNote') : '',
        stopped === 'eos' ? this.t('generate.stoppedEos') : stopped === 'limit' ? this.t('generate.stoppedLimit', { limit: session.maxTokens }) : '',
        slid ? this.t('generate.slid', { context }) : '',
      ].filter(Boolean).join(' '),
    );
  }

  private pick(index: number, id: number): void {
    if (!this.session || this.running) return;
    this.session.pick(index, id);
    this.view.render(decode(this.session.prompt), this.session.steps, (i) => textOrId(i));
  }

  private insertGenerated(): void {
    const generated = this.session?.generated.filter((id) => id !== this.session!.source.config.eosTokenId) ?? [];
    if (generated.length === 0) return;
    const text = decode(generated);
    this.insert(text);
    this.view.showStatus(this.t('generate.inserted', { count: text.length }));
  }
}
