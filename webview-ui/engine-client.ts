// The page's side of the engine worker (see engine-rpc.ts): starts the worker, forwards the
// engine's questions to it and hands back its answers. The page keeps drawing meanwhile.
import type { Analysis, AnalyzeOptions, BackendInfo, BackendPreference, Distribution, LensCell, ModelConfig, Neighbour } from '../src/engine/types';
import type { DistributionOptions } from '../src/engine/engine';
import type { Translate } from './i18n';
import type { CallMessage, ChatAnswer, EngineCalls, EngineMethod, LoadStage, LoadTimings, ModelLocation, TokenizerInfo, WorkerMessage } from './engine-rpc';
import type { ChatMessage } from '../src/engine/chat-template';
import { TokenTexts, type TokenTextLookup } from './token-texts';
import type { PipelineModel, PipelineRequest } from './view/pipeline-model';

/** The engine as the panel's views use it. */
export interface PanelEngine {
  readonly config: ModelConfig;
  /** Which backend runs the model and why; changes if WebGPU fails and WASM takes over. */
  readonly backend: BackendInfo;
  /** The model's tokenizer (it lives in the worker). */
  readonly tokenizer: TokenizerInfo;
  /**
   * Texts of the ids this engine's answers held: every id a view shows comes from an answer, so
   * views look texts up here while they draw.
   */
  readonly texts: TokenTextLookup;
  analyze(ids: number[], options?: AnalyzeOptions): Promise<Analysis>;
  distributionAt(ids: number[], position: number, options: DistributionOptions): Promise<Distribution>;
  logitLens(ids: number[], cells: { layer: number; position: number }[], topK?: number): Promise<LensCell[]>;
  neighboursOfToken(id: number, k?: number): Promise<Neighbour[]>;
  neighboursOfVector(vector: Float32Array | number[], k?: number): Promise<Neighbour[]>;
  /** Input-embedding rows of `ids` (at most 64), flat [n, d]. */
  tokenEmbeddings(ids: number[]): Promise<Float32Array>;
  pipeline(request: PipelineRequest): Promise<PipelineModel>;
  /** The text of `ids` by the model's tokenizer. */
  decode(ids: number[]): Promise<string>;
  /** How the model's chat template writes the conversation, and what the assistant would say first. */
  chat(messages: ChatMessage[]): Promise<ChatAnswer>;
  /** Stops the worker and frees the model; later calls fail. */
  dispose(): Promise<void>;
}

export interface LoadedEngine {
  engine: PanelEngine;
  loadMs: number;
  timings: LoadTimings;
}

/** The progress sentence for a load stage, in the panel's language, and its share of the load. */
export function progressLabel(progress: LoadStage, t: Translate): { label: string; fraction?: number } {
  switch (progress.stage) {
    case 'loading':
      return { label: t('loader.loading'), fraction: 0 };
    case 'fetching': {
      const { received, total } = progress;
      const megabytes = (received / 1e6).toFixed(1);
      return total
        ? { label: t('loader.loadingBytes', { received: megabytes, total: (total / 1e6).toFixed(1) }), fraction: (received / total) * 0.8 }
        : { label: t('loader.loadingBytesUnknown', { received: megabytes }) };
    }
    case 'starting':
      return { label: t('loader.starting'), fraction: 0.8 };
    case 'preparing':
      return { label: t('loader.preparing') };
  }
}

/**
 * A worker from the bundle at `uri`. Workers must come from the page's own origin and webview
 * resources are served from another, so the script is fetched and started from a blob: URL
 * (the CSP's worker-src allows blob: and nothing else).
 */
async function startWorker(uri: string): Promise<Worker> {
  let source: string;
  try {
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    source = await response.text();
  } catch (error) {
    throw new Error(`could not fetch the model's worker script (${error instanceof Error ? error.message : String(error)})`);
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module', name: 'llm-lens-engine' });
  // Once the worker speaks (or fails) it has read its script: the URL can go.
  const revoke = () => URL.revokeObjectURL(url);
  worker.addEventListener('message', revoke, { once: true });
  worker.addEventListener('error', revoke, { once: true });
  return worker;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class WorkerEngine implements PanelEngine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: string | undefined;
  private backendInfo: BackendInfo;
  readonly texts = new TokenTexts();
  config!: ModelConfig;
  tokenizer!: TokenizerInfo;

  constructor(
    private readonly worker: Worker,
    private readonly onProgress: (progress: LoadStage) => void,
  ) {
    this.backendInfo = { name: 'wasm', reason: '' };
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => this.receive(event.data));
    // A worker that dies (out of memory, a crash in the runtime) must not leave calls hanging.
    worker.addEventListener('error', (event) => this.stop(`the model's worker stopped: ${event.message || 'unknown error'}`));
    worker.addEventListener('messageerror', () => this.stop("the model's worker sent a message that could not be read"));
  }

  get backend(): BackendInfo {
    return this.backendInfo;
  }

  async load(location: ModelLocation, backend: BackendPreference): Promise<{ loadMs: number; timings: LoadTimings }> {
    const result = await this.call('load', location, backend);
    this.config = result.config;
    this.tokenizer = result.tokenizer;
    this.backendInfo = result.backend;
    return { loadMs: result.loadMs, timings: result.timings };
  }

  analyze(ids: number[], options: AnalyzeOptions = {}): Promise<Analysis> {
    return this.call('analyze', ids, options);
  }

  distributionAt(ids: number[], position: number, options: DistributionOptions): Promise<Distribution> {
    return this.call('distributionAt', ids, position, options);
  }

  logitLens(ids: number[], cells: { layer: number; position: number }[], topK?: number): Promise<LensCell[]> {
    return this.call('logitLens', ids, cells, topK);
  }

  neighboursOfToken(id: number, k?: number): Promise<Neighbour[]> {
    return this.call('neighboursOfToken', id, k);
  }

  neighboursOfVector(vector: Float32Array | number[], k?: number): Promise<Neighbour[]> {
    return this.call('neighboursOfVector', Float32Array.from(vector), k);
  }

  tokenEmbeddings(ids: number[]): Promise<Float32Array> {
    return this.call('tokenEmbeddings', ids);
  }

  chat(messages: ChatMessage[]): Promise<ChatAnswer> {
    return this.call('chat', messages);
  }

  pipeline(request: PipelineRequest): Promise<PipelineModel> {
    return this.call('pipeline', request);
  }

  decode(ids: number[]): Promise<string> {
    return this.call('decode', ids);
  }

  async dispose(): Promise<void> {
    this.stop('the engine has been disposed');
  }

  private call<M extends EngineMethod>(method: M, ...args: Parameters<EngineCalls[M]>): ReturnType<EngineCalls[M]> {
    if (this.stopped) return Promise.reject(new Error(this.stopped)) as ReturnType<EngineCalls[M]>;
    const id = this.nextId++;
    const result = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const message: CallMessage<M> = { kind: 'call', id, method, args };
    this.worker.postMessage(message);
    return result as ReturnType<EngineCalls[M]>;
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'progress') {
      this.onProgress(message.progress);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.kind === 'error') {
      pending.reject(new Error(message.message));
      return;
    }
    if (message.backend) this.backendInfo = message.backend;
    if (message.tokens) this.texts.add(message.tokens);
    pending.resolve(message.value);
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.worker.terminate();
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
  }
}

/** Starts a worker from `workerUri` and loads the model there; the page's thread only waits. */
export async function loadWorkerEngine(
  workerUri: string,
  location: ModelLocation,
  backend: BackendPreference,
  onProgress: (progress: LoadStage) => void,
): Promise<LoadedEngine> {
  // Sessions made later, on first use (neighbours, generation's step trunk), also report
  // progress; only the load's belongs in the panel's progress line, which the run then replaces.
  let loading = true;
  const engine = new WorkerEngine(await startWorker(workerUri), (progress) => {
    if (loading) onProgress(progress);
  });
  try {
    const { loadMs, timings } = await engine.load(location, backend);
    loading = false;
    return { engine, loadMs, timings };
  } catch (error) {
    await engine.dispose();
    throw error;
  }
}
