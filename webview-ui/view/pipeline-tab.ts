// Wires the walk-through to the panel: knows the current run's ids and the engine, recomputes
// the model's numbers when the user picks another token, layer, head or temperature.
import type { Checkpoint } from '../../src/engine/checkpoint';
import type { LensEngine } from '../../src/engine/engine';
import { PipelineInspector } from '../../src/engine/inspect';
import { tokenBytesHex, tokenText } from '../../src/engine/tokenizer';
import type { Translate } from '../i18n';
import { buildPipeline, checkRequest, type PipelineRequest } from './pipeline-model';
import { PipelineView } from './pipeline-view';

export interface PipelineEngine {
  engine: LensEngine;
  checkpoint: Checkpoint;
}

export class PipelineTab {
  readonly view: PipelineView;
  private request: PipelineRequest | undefined;
  private inspector: { checkpoint: Checkpoint; inspector: PipelineInspector } | undefined;
  private seq = 0;

  constructor(
    private readonly t: Translate,
    private readonly loadEngine: () => Promise<PipelineEngine>,
  ) {
    this.view = new PipelineView(t, { onChange: (change) => this.update(change) });
  }

  get element(): HTMLElement {
    return this.view.element;
  }

  /** A new run's ids (those the model read); the walk-through starts at its last token. */
  setRun(ids: number[]): void {
    this.request = { ids, position: ids.length - 1, layer: 0, head: 0, temperature: 1, seed: 1 };
  }

  shown(): void {
    if (this.request) void this.refresh();
  }

  update(change: Partial<PipelineRequest>): void {
    if (!this.request) return;
    this.request = { ...this.request, ...change };
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const request = this.request!;
    const seq = ++this.seq;
    try {
      const { engine, checkpoint } = await this.loadEngine();
      const problem = checkRequest(request, engine.config.nPositions);
      if (problem?.kind === 'outsideContext') return this.view.showMessage(this.t('pipeline.outsideContext', { index: request.position, first: problem.first, last: problem.last }), true);
      if (problem?.kind === 'temperature') return this.view.showMessage(this.t('pipeline.temperatureRange'), true);
      this.view.busy();
      if (this.inspector?.checkpoint !== checkpoint) this.inspector = { checkpoint, inspector: new PipelineInspector(checkpoint) };
      const analysis = await engine.analyze(request.ids, { topK: 1, hidden: true });
      const model = await buildPipeline(request, {
        inspector: this.inspector.inspector,
        stream: { hidden: analysis.hidden!, tokens: analysis.ids.length },
        neighbours: (id) => engine.neighboursOfToken(id, 5),
        tokenText: (id) => tokenText(id),
        tokenBytes: (id) => tokenBytesHex(id),
      });
      if (seq === this.seq) this.view.render(model, engine.config.nLayer, engine.config.nHead);
    } catch (error) {
      if (seq === this.seq) this.view.showMessage(error instanceof Error ? error.message : String(error), true);
    }
  }
}
