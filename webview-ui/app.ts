// The Explain Tokens panel: shows a run's tokens at once, loads the model (once per panel) and
// fills in its numbers, answers chip clicks with the next-token distribution, and reports the
// analysis back to the host for the editor's heat map. A newer run makes older ones stale:
// their late results are dropped, never shown.
import type { Analysis, BackendInfo, BackendPreference, Distribution, WeightError } from '../src/engine/types';
import { clippedText } from '../src/untrusted-text';
import { LIMITS, clipMessage, type ExplainMessage, type HostMessage, type InitMessage, type ShowAttentionMessage, type TokenScore, type ViewSettings } from '../src/protocol';
import { el } from './dom';
import { HostEngine, loadHostEngine, loadWorkerEngine, progressLabel, type LoadedEngine } from './engine-client';
import { hostWorkerWhy, probeWebGpu } from '../src/engine/backend';
import { panelContext } from './context-window';
import type { LoadStage, ModelLocation } from './engine-rpc';
import type { HostBridge } from './host-bridge';
import { ChipsView } from './view/chips-view';
import { DistributionView, type DistributionRequest } from './view/distribution-view';
import { FooterView, loadSplit, type FooterInfo } from './view/footer-view';
import { formatCount } from './view/format';
import { ProgressView } from './view/progress-view';
import { runStats, tooltipLines, type ChipScore } from './view/stats';
import { SummaryView } from './view/summary-view';
import { AttentionView, type AttentionSelection } from './view/attention-view';
import { AttentionData } from './view/attention-data';
import { EmbeddingView } from './view/embedding-view';
import { VectorsView } from './view/vectors-view';
import { earlierWindows } from './view/earlier-windows';
import { ChatTab } from './view/chat-tab';
import type { LensRun } from './view/lens-run';
import { LogitLensView } from './view/logit-lens-view';
import { Tabs } from './view/tabs';
import { bundleFor, english, translator, type Translate } from './i18n';
import { PipelineTab } from './view/pipeline-tab';
import { GenerateTab } from './view/generate-tab';
import { Tooltip } from './view/tooltip';

interface RunState {
  run: ExplainMessage;
  /** Index (in run.tokens) of the first token the model reads. */
  keptFrom: number;
  keptIds: number[];
  /** Scores by index in run.tokens; filled when the model answers. */
  scores: Map<number, TokenScore>;
  analyzed: boolean;
}

interface EngineSlot {
  backend: BackendPreference;
  loading: Promise<LoadedEngine>;
}

export class App {
  private readonly summary = new SummaryView();
  private readonly progress = new ProgressView();
  private readonly chips: ChipsView;
  private readonly distribution: DistributionView;
  private readonly footer = new FooterView();
  private readonly tooltip = new Tooltip();
  private readonly tabs = new Tabs();
  private pipeline: PipelineTab | undefined;
  private generate: GenerateTab | undefined;
  private readonly attention = new AttentionView((selection) => this.attentionSelected(selection));
  private readonly embeddings = new EmbeddingView((index) => this.highlightKept(index));
  private readonly logitLens = new LogitLensView();
  private readonly vectors = new VectorsView();
  private readonly empty = el('p', { className: 'empty', text: english('panel.empty') });
  /** The panel's language; English until init says otherwise. */
  private t: Translate = english;

  private location: ModelLocation | undefined;
  /** Webview URI of the engine worker's bundle (dist/webview-engine.js). */
  private engineUri: string | undefined;
  private backend: BackendPreference = 'auto';
  /** The extension host offers its model worker (InitMessage.hostEngine). */
  private hostOffered = false;
  /** The engine asking the host's worker, when that is where the model runs: host answers go to it. */
  private hostEngine: HostEngine | undefined;
  /** Shows the host's load progress while the panel waits for it. */
  private hostProgress: ((stage: LoadStage) => void) | undefined;
  private settings: ViewSettings = { topK: 20, temperature: 1, heatMapMode: 'rank' };
  private engineSlot: EngineSlot | undefined;
  private state: RunState | undefined;
  private footerInfo: FooterInfo = { model: '…' };
  /** The last measured error of 8-bit weights: the engine and the ids it was measured on. */
  private lastWeightError: { engine: object; key: string; value: WeightError } | undefined;
  /** Set when WebGPU failed at run time and the panel moved to WASM. */
  private backendOverride: BackendInfo | undefined;
  private selected: number | undefined;
  /** Distribution requests: only the latest one's answer is shown. */
  private distributionSeq = 0;
  private distributionBusy = false;
  private distributionAgain = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostBridge,
  ) {
    this.chips = new ChipsView({
      onSelect: (index) => this.select(index),
      onHover: (index, chip) => this.hover(index, chip),
    });
    this.distribution = new DistributionView(() => this.requestDistribution());
    this.tabs.add('tokens', english('tab.tokens'), { element: el('div', { className: 'tokens-tab' }, [this.empty, this.chips.legend, this.chips.element, this.distribution.element]) });
    this.tabs.add('attention', english('tab.attention'), this.attention);
    this.tabs.add('embeddings', english('tab.embeddings'), this.embeddings);
    this.tabs.add('logit-lens', english('tab.logitLens'), this.logitLens);
    this.tabs.add('vectors', english('tab.vectors'), this.vectors);
    root.replaceChildren(this.summary.element, this.progress.element, this.tabs.element, this.footer.element, this.tooltip.element);
    this.summary.element.hidden = true;
    window.addEventListener('error', (event) => this.fatal(this.t('panel.error', { message: event.message })));
    window.addEventListener('unhandledrejection', (event) => this.fatal(this.t('panel.error', { message: errorText(event.reason) })));
    window.addEventListener('scroll', () => this.tooltip.hide(), { passive: true });
  }

  start(): void {
    this.host.listen((message) => this.receive(message));
    this.host.post({ type: 'ready' });
  }

  private receive(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        this.init(message);
        break;
      case 'explain':
        void this.explain(message);
        break;
      case 'settings':
        this.applySettings(message.settings);
        break;
      case 'showAttention':
        this.showAttention(message);
        break;
      case 'engineAnswer':
        this.hostEngine?.receive(message);
        break;
      case 'engineProgress':
        this.hostProgress?.(message.progress);
        break;
    }
  }

  private init(message: InitMessage): void {
    const { modelName, model, wasmUri, engineUri } = message;
    const hostOffered = message.hostEngine === true;
    const weights = message.weights ?? 'auto';
    const changed =
      this.engineSlot &&
      (this.engineSlot.backend !== message.backend || this.location?.model.configUri !== model.configUri || this.hostOffered !== hostOffered || (this.location?.weights ?? 'auto') !== weights);
    this.location = { modelName, model, wasmUri, weights };
    this.hostOffered = hostOffered;
    this.engineUri = engineUri;
    this.backend = message.backend;
    this.footerInfo = { model: modelName };
    this.applySettings(message.settings);
    this.mountLanguageTabs(message.language);
    this.footer.render(this.footerInfo);
    if (changed) void this.dropEngine();
  }

  /** VS Code's display language, chosen once per panel: words the existing views and adds the walk-through and generation tabs in it. */
  private mountLanguageTabs(language: string | undefined): void {
    if (this.pipeline) return;
    const { language: chosen, bundle } = bundleFor(language);
    document.documentElement.lang = chosen;
    const t = translator(bundle);
    this.localize(t);
    this.pipeline = new PipelineTab(t, () => this.engine());
    this.generate = new GenerateTab(t, () => this.engine(), (text) => {
      if (this.state) this.host.post({ type: 'insertText', runId: this.state.run.runId, text });
    });
    this.tabs.add('pipeline', t('tab.pipeline'), this.pipeline);
    this.tabs.add('generate', t('tab.generate'), this.generate);
    this.tabs.add('chat', t('tab.chat'), new ChatTab(t, () => this.engine()));
  }

  /** Words the views built before init, and the tab labels, in the panel's language. */
  private localize(t: Translate): void {
    this.t = t;
    this.empty.textContent = t('panel.empty');
    for (const view of [this.summary, this.chips, this.distribution, this.footer, this.attention, this.embeddings, this.logitLens, this.vectors]) view.localize(t);
    this.tabs.setStripLabel(t('tabs.label'));
    this.tabs.setLabel('tokens', t('tab.tokens'));
    this.tabs.setLabel('attention', t('tab.attention'));
    this.tabs.setLabel('embeddings', t('tab.embeddings'));
    this.tabs.setLabel('logit-lens', t('tab.logitLens'));
    this.tabs.setLabel('vectors', t('tab.vectors'));
  }

  private applySettings(settings: ViewSettings): void {
    const modeChanged = settings.heatMapMode !== this.settings.heatMapMode;
    const topKChanged = settings.topK !== this.settings.topK;
    this.settings = settings;
    this.distribution.setTemperature(settings.temperature);
    if (this.state && modeChanged) {
      this.chips.recolor((i) => this.scoreOf(i), settings.heatMapMode);
      this.summary.renderLegend(settings.heatMapMode);
    }
    if (this.selected !== undefined && (topKChanged || modeChanged)) this.requestDistribution();
  }

  private async dropEngine(): Promise<void> {
    const slot = this.engineSlot;
    this.engineSlot = undefined;
    this.backendOverride = undefined;
    if (!slot) return;
    try {
      await (await slot.loading).engine.dispose();
    } catch {
      // It never loaded: nothing to release.
    }
  }

  /** The engine for the current backend, loading it on first use. */
  private engine(backend: BackendPreference = this.backend): Promise<LoadedEngine> {
    if (this.engineSlot?.backend === backend) return this.engineSlot.loading;
    const location = this.location;
    const engineUri = this.engineUri;
    if (!location || !engineUri) return Promise.reject(new Error('the panel has not been told where the model is'));
    // The slot exists before loading starts: the loader reports progress synchronously at once.
    const slot = { backend } as EngineSlot;
    this.engineSlot = slot;
    const onProgress = (stage: LoadStage) => {
      if (this.engineSlot !== slot) return;
      const { label, fraction } = progressLabel(stage, this.t);
      this.progress.working(label, fraction);
    };
    const loading = this.load(engineUri, location, backend, onProgress);
    slot.loading = loading;
    loading.then(
      (loaded) => {
        const { tokenizer } = loaded.engine;
        const shared = loaded.sharedLoadMs === undefined ? '' : ` (the extension host's worker loaded it in ${loaded.sharedLoadMs.toFixed(0)} ms)`;
        this.host.log('info', `model ${location.modelName} ready on ${loaded.engine.backend.name} in ${loaded.loadMs.toFixed(0)} ms${shared} (${loadSplit(loaded.timings)}; tokenizer ${tokenizer.name}): ${loaded.engine.backend.reason}`);
      },
      // A failed load is not kept: the next run tries again.
      () => {
        if (this.engineSlot === slot) this.engineSlot = undefined;
      },
    );
    return loading;
  }

  /**
   * Loads the model where it runs fastest: on a hardware WebGPU adapter in the panel's own
   * worker; otherwise, when the host offers it, in the extension host's model worker (threaded
   * WASM, the model the hover already holds), the panel only drawing; else in the panel on WASM.
   */
  private async load(engineUri: string, location: ModelLocation, backend: BackendPreference, onProgress: (stage: LoadStage) => void): Promise<LoadedEngine> {
    onProgress({ stage: 'loading' });
    const why = this.hostOffered ? hostWorkerWhy(backend, backend === 'auto' ? await probeWebGpu() : { available: false }) : undefined;
    if (!why) return loadWorkerEngine(engineUri, location, backend, onProgress);
    const engine = new HostEngine((message) => this.host.post(message), why);
    this.hostEngine = engine;
    this.hostProgress = onProgress;
    return loadHostEngine(engine).finally(() => {
      if (this.hostProgress === onProgress) this.hostProgress = undefined;
    });
  }

  private scoreOf(index: number): ChipScore {
    const state = this.state;
    if (!state) return { kind: 'pending' };
    const score = state.scores.get(index);
    if (score) return { kind: 'scored', logprob: score.logprob, rank: score.rank };
    if (index < state.keptFrom) return { kind: 'outside' };
    if (index === state.keptFrom) return { kind: 'first' };
    return state.analyzed ? { kind: 'outside' } : { kind: 'pending' };
  }

  private async explain(run: ExplainMessage): Promise<void> {
    // The context length is known once the model is loaded; until then assume the whole run fits.
    const state: RunState = { run, keptFrom: 0, keptIds: run.tokens.map((t) => t.id), scores: new Map(), analyzed: false };
    this.state = state;
    this.selected = undefined;
    this.tooltip.hide();
    this.distribution.hide();
    this.empty.hidden = true;
    this.summary.element.hidden = false;
    this.summary.render(run, undefined, this.settings.heatMapMode);
    this.chips.render(run.tokens, (i) => this.scoreOf(i), this.settings.heatMapMode);
    this.chips.mark(undefined);
    this.setLensRun(undefined);
    const stale = () => this.state !== state;
    try {
      let loaded = await this.engine();
      if (stale()) return;
      const context = panelContext(loaded.engine.config);
      state.keptFrom = Math.max(0, run.tokens.length - context);
      state.keptIds = state.keptIds.slice(state.keptFrom);
      this.progress.working(this.t('panel.analysing', { count: formatCount(state.keptIds.length), backend: loaded.engine.backend.name === 'webgpu' ? 'WebGPU' : 'WASM' }));
      const started = performance.now();
      let analysis: Analysis;
      try {
        analysis = await loaded.engine.analyze(state.keptIds, { topK: this.settings.topK, hidden: true });
      } catch (error) {
        if (loaded.engine.backend.name !== 'webgpu' || stale()) throw error;
        // WebGPU can fail mid-run (device lost, out of memory): run the same text on WASM.
        const reason = `WebGPU failed (${errorText(error)}); switched to WASM.`;
        this.host.log('warn', reason);
        await this.dropEngine();
        this.backend = 'wasm';
        loaded = await this.engine('wasm');
        this.backendOverride = { ...loaded.engine.backend, reason, why: { code: 'webgpuFailed', detail: errorText(error) } };
        if (stale()) return;
        analysis = await loaded.engine.analyze(state.keptIds, { topK: this.settings.topK, hidden: true });
      }
      if (stale()) return;
      const analyzeMs = performance.now() - started;
      this.finish(state, analysis, loaded, analyzeMs);
      if (state.keptFrom > 0) await this.scoreEarlier(state, loaded);
      if (loaded.engine.backend.weights && !stale()) await this.measureWeightError(state, loaded, stale);
    } catch (error) {
      if (stale()) return;
      const message = this.t('panel.runFailed', { message: errorText(error) });
      this.progress.error(message);
      this.host.post({ type: 'runFailed', runId: run.runId, message: clipMessage(errorText(error)) });
    }
  }

  /** 8-bit weights: the footer says how far they move this text's numbers from float32's, once measured. */
  private async measureWeightError(state: RunState, loaded: LoadedEngine, stale: () => boolean): Promise<void> {
    // The same text on the same model again (a re-run, a settings change): its float32 run is not repeated.
    const key = state.keptIds.join(',');
    const known = this.lastWeightError;
    if (known && known.engine === loaded.engine && known.key === key) {
      this.footerInfo = { ...this.footerInfo, weightError: known.value };
      this.footer.render(this.footerInfo);
      return;
    }
    this.footerInfo = { ...this.footerInfo, weightError: 'measuring' };
    this.footer.render(this.footerInfo);
    let measured: FooterInfo['weightError'];
    try {
      const error = await loaded.engine.weightError(state.keptIds);
      const finite = [error?.maxLogprobDiff, error?.meanLogprobDiff, error?.positions, error?.sameTop1].every((n) => typeof n === 'number' && Number.isFinite(n));
      measured = finite ? error : { failed: 'the comparison gave no numbers' };
      if (finite) this.lastWeightError = { engine: loaded.engine, key, value: error };
      if (finite) this.host.log('info', `8-bit weights vs float32 on ${error.positions} positions: max |Δ log p| ${error.maxLogprobDiff.toFixed(4)}, mean ${error.meanLogprobDiff.toFixed(4)}, same top-1 at ${error.sameTop1}`);
    } catch (error) {
      measured = { failed: errorText(error) };
      this.host.log('warn', `8-bit weights could not be compared with float32: ${errorText(error)}`);
    }
    if (stale()) return;
    this.footerInfo = { ...this.footerInfo, weightError: measured };
    this.footer.render(this.footerInfo);
  }

  private finish(state: RunState, analysis: Analysis, loaded: LoadedEngine, analyzeMs: number): void {
    const { run } = state;
    analysis.positions.forEach((position, t) => {
      if (!position.target) return;
      const index = state.keptFrom + t + 1;
      const token = run.tokens[index]!;
      state.scores.set(index, { index, start: token.start, end: token.end, logprob: position.target.logprob, rank: position.target.rank });
    });
    state.analyzed = true;
    this.setLensRun(lensRun(state, analysis, loaded));
    const scores = [...state.scores.values()];
    this.progress.done();
    this.summary.render(run, runStats(scores), this.settings.heatMapMode);
    this.chips.recolor((i) => this.scoreOf(i), this.settings.heatMapMode);
    const backend = this.backendOverride ?? loaded.engine.backend;
    this.footerInfo = { backend, model: analysis.model, loadMs: loaded.loadMs, loadTimings: loaded.timings, sharedLoadMs: loaded.sharedLoadMs, analyzeMs };
    this.footer.render(this.footerInfo);
    this.host.post({
      type: 'analysis',
      runId: run.runId,
      // The host's worker names the model by its whole folder name (up to 255 bytes); messages carry at most LIMITS.modelNameChars.
      model: clippedText(analysis.model, LIMITS.modelNameChars),
      backend: { ...backend, reason: clipMessage(backend.reason) },
      scores,
      predictions: analysis.positions.map((position, t) => ({ index: state.keptFrom + t, top: position.top, entropy: position.entropy })),
      keptTokens: state.keptIds.length,
      droppedTokens: run.totalTokens - state.keptIds.length,
      timings: { loadMs: loaded.loadMs, analyzeMs },
    });
    this.pipeline?.setRun(state.keptIds, state.run.firstTokenIndex + state.keptFrom, state.run.totalTokens);
    this.generate?.setRun(state.keptIds);
    if (this.tabs.selected === 'pipeline') this.pipeline?.shown();
    // A chip clicked while the model was loading gets its distribution now.
    if (this.selected !== undefined) this.select(this.selected);
  }

  /**
   * A text longer than the model's context: after the last window (every view), the tokens
   * before it are scored in overlapping windows (earlier-windows.ts), each painted in the chips
   * and sent to the editor's heat map as it finishes. The user can stop it; a new run stops it.
   */
  private async scoreEarlier(state: RunState, loaded: LoadedEngine): Promise<void> {
    const { run } = state;
    const windows = earlierWindows(state.keptFrom, state.keptIds.length);
    const total = state.keptFrom;
    const ids = run.tokens.map((token) => token.id);
    let stopped = false;
    let done = 0;
    const stop = { label: this.t('panel.stop'), run: () => (stopped = true) };
    for (const [n, window] of windows.entries()) {
      if (this.state !== state || stopped) break;
      const label = this.t('panel.scoringEarlier', { window: n + 1, windows: windows.length, done: formatCount(done), total: formatCount(total), context: formatCount(state.keptIds.length) });
      this.progress.working(label, done / total, stop);
      let analysis: Analysis;
      try {
        analysis = await loaded.engine.analyze(ids.slice(window.start, window.end), { topK: 1 });
      } catch (error) {
        if (this.state !== state) return;
        this.host.log('warn', `scoring tokens ${window.scoreFrom}–${window.end - 1} failed: ${errorText(error)}`);
        this.progress.error(this.t('panel.earlierFailed', { done: formatCount(done), total: formatCount(total), message: errorText(error) }));
        return;
      }
      if (this.state !== state) return;
      const scores: TokenScore[] = [];
      for (let index = window.scoreFrom; index < window.end; index++) {
        const target = analysis.positions[index - window.start - 1]!.target!;
        const token = run.tokens[index]!;
        const score: TokenScore = { index, start: token.start, end: token.end, logprob: target.logprob, rank: target.rank };
        state.scores.set(index, score);
        scores.push(score);
      }
      done += scores.length;
      this.chips.recolor((i) => this.scoreOf(i), this.settings.heatMapMode);
      this.host.post({ type: 'scores', runId: run.runId, scores, done, total });
    }
    if (this.state !== state) return;
    this.summary.render(run, runStats([...state.scores.values()]), this.settings.heatMapMode);
    if (done < total) this.progress.note(this.t('panel.earlierStopped', { done: formatCount(done), total: formatCount(total) }));
    else this.progress.done();
  }

  private setLensRun(run: LensRun | undefined): void {
    this.attention.setRun(run);
    this.embeddings.setRun(run);
    this.logitLens.setRun(run);
    this.vectors.setRun(run);
  }

  /** A query token was chosen in the Attention tab (or by a chip click): shade the editor. */
  private attentionSelected(selection: AttentionSelection): void {
    const state = this.state;
    if (!state) return;
    this.host.post({
      type: 'attention',
      runId: state.run.runId,
      index: state.keptFrom + selection.query,
      layer: selection.layer,
      head: selection.head,
      firstIndex: state.keptFrom,
      weights: selection.weights,
    });
  }

  /**
   * The editor asks for token `index`'s attention ("Show Attention From Here"): selecting it in
   * the Attention view (its current layer and head) posts the row through attentionSelected.
   */
  private showAttention(message: ShowAttentionMessage): void {
    const state = this.state;
    let problem: string | undefined;
    if (!state || state.run.runId !== message.runId) problem = `the panel shows run ${state?.run.runId ?? 'none'}`;
    else if (!state.analyzed) problem = 'the model has not finished reading the text yet';
    else if (message.index < state.keptFrom || message.index >= state.run.tokens.length) problem = `the model did not read token ${message.index}`;
    else if (!this.attention.selectQuery(message.index - state.keptFrom)) problem = 'the Attention view has no attention for this run';
    if (problem) this.host.post({ type: 'log', level: 'warn', message: clipMessage(`attention request for run ${message.runId}, token ${message.index}: ${problem}`) });
  }

  /** Highlights the chip of token `index` of the kept tokens (PCA hover); undefined clears. */
  private highlightKept(index: number | undefined): void {
    for (const chip of Array.from(this.chips.element.querySelectorAll('.chip.pointed'))) chip.classList.remove('pointed');
    if (index === undefined || !this.state) return;
    this.chips.element.querySelector(`.chip[data-index="${this.state.keptFrom + index}"]`)?.classList.add('pointed');
  }

  private hover(index: number | undefined, chip: HTMLElement | undefined): void {
    const state = this.state;
    if (index === undefined || !chip || !state) {
      this.tooltip.hide();
      return;
    }
    const token = state.run.tokens[index];
    if (!token) return;
    this.tooltip.show(tooltipLines(token, state.run.firstTokenIndex + index, state.run.totalTokens, this.scoreOf(index), this.t), chip);
  }

  private select(index: number): void {
    const state = this.state;
    if (!state || !state.run.tokens[index]) return;
    this.selected = index;
    this.chips.mark(index);
    this.tooltip.hide();
    this.distribution.begin(this.distributionRequest(state, index));
    // The walk-through follows the picked chip, and says so when it lies outside the context.
    if (state.analyzed) this.pipeline?.pickToken(state.run.firstTokenIndex + index);
    if (index < state.keptFrom) {
      this.distribution.showError(this.t('panel.outsideContext'));
      return;
    }
    if (!state.analyzed) {
      this.distribution.showError(this.t('panel.notReadYet'));
      return;
    }
    this.requestDistribution();
    this.attention.selectQuery(index - state.keptFrom);
    this.embeddings.selectToken(index - state.keptFrom);
    this.vectors.selectToken(index - state.keptFrom);
  }

  private distributionRequest(state: RunState, index: number): DistributionRequest {
    return { index: state.run.firstTokenIndex + index, after: state.run.tokens[index]!, actual: state.run.tokens[index + 1] };
  }

  /** Computes the distribution for the selection at the slider's temperature; coalesces slider bursts. */
  private requestDistribution(): void {
    if (this.distributionBusy) {
      this.distributionAgain = true;
      return;
    }
    void this.computeDistribution();
  }

  private async computeDistribution(): Promise<void> {
    const state = this.state;
    const index = this.selected;
    if (!state || index === undefined || !state.analyzed || index < state.keptFrom) return;
    const seq = ++this.distributionSeq;
    this.distributionBusy = true;
    const temperature = this.distribution.temperature;
    const request = this.distributionRequest(state, index);
    this.distribution.setBusy(true);
    try {
      const loaded = await this.engine();
      const started = performance.now();
      const result: Distribution = await loaded.engine.distributionAt(state.keptIds, index - state.keptFrom, { temperature, topK: this.settings.topK });
      const elapsed = performance.now() - started;
      if (seq === this.distributionSeq && this.state === state && this.selected === index) {
        this.distribution.show(request, result, elapsed, { vocabSize: loaded.engine.config.vocabSize, texts: loaded.engine.texts });
        this.footerInfo = { ...this.footerInfo, distributionMs: elapsed };
        this.footer.render(this.footerInfo);
      }
    } catch (error) {
      this.distribution.showError(this.t('panel.distributionFailed', { message: errorText(error) }));
      this.host.log('error', `distribution failed: ${errorText(error)}`);
    } finally {
      this.distributionBusy = false;
      if (this.distributionAgain) {
        this.distributionAgain = false;
        this.requestDistribution();
      }
    }
  }

  /** An error nothing else caught: say so in the panel (never a silent spinner) and in the log. */
  private fatal(message: string): void {
    this.progress.error(message);
    this.host.log('error', message);
    const state = this.state;
    if (state && !state.analyzed) this.host.post({ type: 'runFailed', runId: state.run.runId, message: clipMessage(message) });
  }
}

function lensRun(state: RunState, analysis: Analysis, loaded: LoadedEngine): LensRun | undefined {
  const { hidden } = analysis;
  if (!hidden) return undefined;
  const config = loaded.engine.config;
  const T = analysis.ids.length;
  return {
    runId: state.run.runId,
    tokens: state.run.tokens.slice(state.keptFrom, state.keptFrom + T),
    ids: analysis.ids,
    keptFrom: state.run.firstTokenIndex + state.keptFrom,
    totalTokens: state.run.totalTokens,
    config,
    // Each layer's attention is computed when a view first shows it, not with the analysis.
    attention: new AttentionData((layer) => loaded.engine.attentionLayer(analysis.ids, layer), config.nLayer, config.nHead, T),
    hidden,
    engine: loaded.engine,
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
