// Wires the walk-through to the panel: knows the current run's ids and the engine, recomputes
// the model's numbers when the user picks another token, layer, head or temperature.
import type { PanelEngine } from '../engine-client';
import type { Translate } from '../i18n';
import { panelContext } from '../context-window';
import { checkRequest, type PipelineProblem, type PipelineRequest } from '../../src/engine/pipeline-model';
import { PipelineView } from './pipeline-view';

export interface PipelineEngine {
  engine: Pick<PanelEngine, 'config' | 'pipeline'>;
}

export class PipelineTab {
  readonly view: PipelineView;
  private request: PipelineRequest | undefined;
  private seq = 0;
  /** The document token number of ids[0]: messages and pickers count tokens the way the chips do. */
  private firstIndex = 0;
  /** Tokens in the whole explained text (the model may have read only the last ones). */
  private totalTokens = 0;
  /** The request the steps on screen show. */
  private rendered: PipelineRequest | undefined;
  /** Why the user's last pick was refused; stays above the steps until a pick is accepted. */
  private notice: string | undefined;

  constructor(
    private readonly t: Translate,
    private readonly loadEngine: () => Promise<PipelineEngine>,
  ) {
    this.view = new PipelineView(t, { onChange: (change) => this.update(change) });
  }

  get element(): HTMLElement {
    return this.view.element;
  }

  /**
   * A new run's ids (those the model read, the first being token `firstIndex` of the
   * `totalTokens` in the text); the walk-through starts at its last token.
   */
  setRun(ids: number[], firstIndex = 0, totalTokens = firstIndex + ids.length): void {
    this.request = { ids, position: ids.length - 1, layer: 0, head: 0, temperature: 1, seed: 1 };
    this.firstIndex = firstIndex;
    this.totalTokens = totalTokens;
    this.notice = undefined;
  }

  shown(): void {
    if (this.request && this.request !== this.rendered) void this.refresh();
  }

  /** The user picked token `index` (a document token number) elsewhere in the panel, e.g. a chip; shown when the tab is. */
  pickToken(index: number): void {
    this.apply({ position: index - this.firstIndex });
  }

  update(change: Partial<PipelineRequest>): void {
    if (this.apply(change)) void this.refresh();
  }

  /** Adopts the change if it can be walked through; returns whether it did. */
  private apply(change: Partial<PipelineRequest>): boolean {
    if (!this.request) return false;
    const next = { ...this.request, ...change };
    // The ids are the tokens the model read, so they are the context window: a pick outside it is
    // refused with a message and the walk-through keeps showing the last valid token.
    const problem = checkRequest(next, next.ids.length);
    this.notice = problem ? this.problemText(next, problem) : undefined;
    if (this.notice) {
      this.view.showMessage(this.notice, true);
      return false;
    }
    this.request = next;
    return true;
  }

  private problemText(request: PipelineRequest, problem: NonNullable<PipelineProblem>): string {
    if (problem.kind === 'temperature') return this.t('pipeline.temperatureRange');
    const at = (position: number) => position + this.firstIndex;
    return this.t('pipeline.outsideContext', { index: at(request.position), first: at(problem.first), last: at(problem.last) });
  }

  private async refresh(): Promise<void> {
    const request = this.request!;
    const seq = ++this.seq;
    try {
      const { engine } = await this.loadEngine();
      const problem = checkRequest(request, panelContext(engine.config));
      if (problem) return this.view.showMessage(this.problemText(request, problem), true);
      this.view.busy();
      const model = await engine.pipeline(request);
      if (seq !== this.seq) return;
      this.view.render(model, engine.config.nLayer, engine.config.nHead, this.firstIndex, this.totalTokens);
      this.view.renderCensus(engine.config);
      this.rendered = request;
      if (this.notice) this.view.showMessage(this.notice, true);
    } catch (error) {
      if (seq === this.seq) this.view.showMessage(error instanceof Error ? error.message : String(error), true);
    }
  }
}
