// The page's side of the engine worker (see engine-rpc.ts): starts the worker, forwards the
// engine's questions to it and hands back its answers. The page keeps drawing meanwhile.
import type { Analysis, AnalyzeOptions, BackendInfo, BackendPreference, Distribution, LensCell, ModelConfig, Neighbour, WeightError } from '../src/engine/types';
import type { DistributionOptions } from '../src/engine/engine';
import { english, type Translate } from './i18n';
import type { CallMessage, ChatAnswer, EngineCalls, EngineMethod, LoadStage, LoadTimings, ModelLocation, TokenizerInfo, WorkerMessage } from './engine-rpc';
import type { LoadResult, ModelCalls, TokenEntries } from '../src/engine/model-calls';
import type { HostWorkerWhy } from '../src/engine/backend';
import type { EngineAnswerMessage, EngineCallMessage } from '../src/protocol';
import type { ChatMessage } from '../src/engine/chat-template';
import { TokenTexts, type TokenTextLookup } from './token-texts';
import type { PipelineModel, PipelineRequest } from '../src/engine/pipeline-model';

/** The engine as the panel's views use it: the model's questions (model-calls.ts) and what it is. */
export interface PanelEngine extends ModelCalls {
  readonly config: ModelConfig;
  /** Which backend runs the model and why; changes if WebGPU fails and WASM takes over. */
  readonly backend: BackendInfo;
  /** The model's tokenizer (it lives with the model, not in the page). */
  readonly tokenizer: TokenizerInfo;
  /**
   * Texts of the ids this engine's answers held: every id a view shows comes from an answer, so
   * views look texts up here while they draw.
   */
  readonly texts: TokenTextLookup;
  /** Stops the worker (or forgets the host's model) and frees the model; later calls fail. */
  dispose(): Promise<void>;
}

export interface LoadedEngine {
  engine: PanelEngine;
  loadMs: number;
  timings: LoadTimings;
  /** The host worker's own load time, when the model is the host's (LoadResult.sharedLoadMs). */
  sharedLoadMs?: number;
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

/** An answer to one call, from wherever the model runs. */
type Answer = { ok: true; value: unknown; backend?: BackendInfo; tokens?: TokenEntries } | { ok: false; message: string };

/** The panel's engine over a channel of calls and answers: the page's worker, or the extension host. */
abstract class RemoteEngine implements PanelEngine {
  private readonly pending = new Map<number, Pending>();
  /** Ids are unique across the page's engines: a late answer for a dropped engine never matches a new one's call. */
  private static lastId = 0;
  private stopped: string | undefined;
  protected backendInfo: BackendInfo = { name: 'wasm', reason: '' };
  readonly texts = new TokenTexts();
  config!: ModelConfig;
  tokenizer!: TokenizerInfo;

  get backend(): BackendInfo {
    return this.backendInfo;
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
    // A plain list crosses every channel (VS Code's webview messages included) unchanged.
    return this.call('neighboursOfVector', Array.from(vector), k);
  }

  tokenEmbeddings(ids: number[]): Promise<Float32Array> {
    return this.call('tokenEmbeddings', ids).then(toFloats);
  }

  attentionLayer(ids: number[], layer: number): Promise<Float32Array> {
    return this.call('attentionLayer', ids, layer).then(toFloats);
  }

  chat(messages: ChatMessage[]): Promise<ChatAnswer> {
    return this.call('chat', messages);
  }

  weightError(ids: number[], maxPositions?: number): Promise<WeightError> {
    return this.call('weightError', ids, maxPositions);
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

  protected abstract send(id: number, method: EngineMethod, args: unknown[]): void;

  protected call<M extends EngineMethod>(method: M, ...args: Parameters<EngineCalls[M]>): ReturnType<EngineCalls[M]> {
    return this.request(method, args) as ReturnType<EngineCalls[M]>;
  }

  protected request(method: EngineMethod, args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(new Error(this.stopped));
    const id = ++RemoteEngine.lastId;
    const result = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send(id, method, args);
    return result;
  }

  protected answer(id: number, answer: Answer): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (!answer.ok) {
      pending.reject(new Error(answer.message));
      return;
    }
    if (answer.backend) this.backendInfo = this.describe(answer.backend);
    if (answer.tokens) this.texts.add(answer.tokens);
    pending.resolve(answer.value);
  }

  /** The backend as the page shows it. */
  protected describe(backend: BackendInfo): BackendInfo {
    return backend;
  }

  /** Fails every call in flight and every later one with `reason`. */
  protected stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.release();
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
  }

  /** Releases the channel (terminates a worker). */
  protected abstract release(): void;
}

/** Float32Array from what arrived: the array itself, or its values where a channel made them a list or an object. */
function toFloats(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (Array.isArray(value)) return Float32Array.from(value as number[]);
  if (typeof value === 'object' && value !== null) return Float32Array.from(Object.values(value as Record<string, number>));
  throw new Error('the model answered with no numbers where some were expected');
}

class WorkerEngine extends RemoteEngine {
  constructor(
    private readonly worker: Worker,
    private readonly onProgress: (progress: LoadStage) => void,
  ) {
    super();
    worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => this.receive(event.data));
    // A worker that dies (out of memory, a crash in the runtime) must not leave calls hanging.
    worker.addEventListener('error', (event) => this.stop(`the model's worker stopped: ${event.message || 'unknown error'}`));
    worker.addEventListener('messageerror', () => this.stop("the model's worker sent a message that could not be read"));
  }

  async load(location: ModelLocation, backend: BackendPreference): Promise<{ loadMs: number; timings: LoadTimings }> {
    const result = await this.call('load', location, backend);
    this.config = result.config;
    this.tokenizer = result.tokenizer;
    this.backendInfo = result.backend;
    return { loadMs: result.loadMs, timings: result.timings };
  }

  protected send(id: number, method: EngineMethod, args: unknown[]): void {
    this.worker.postMessage({ kind: 'call', id, method, args } as CallMessage);
  }

  protected release(): void {
    this.worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'progress') this.onProgress(message.progress);
    else if (message.kind === 'error') this.answer(message.id, { ok: false, message: message.message });
    else this.answer(message.id, { ok: true, value: message.value, backend: message.backend, tokens: message.tokens });
  }
}


/**
 * The model loaded in the extension host's model worker (the hover's), asked through the host:
 * the page loads nothing and only draws.
 */
export class HostEngine extends RemoteEngine {
  constructor(
    private readonly post: (message: EngineCallMessage) => void,
    private readonly why: HostWorkerWhy,
  ) {
    super();
  }

  async load(): Promise<{ loadMs: number; timings: LoadTimings; sharedLoadMs?: number }> {
    // The host knows the model (the panel's, which is the worker's): the load has no arguments.
    const result = (await this.request('load', [])) as LoadResult;
    this.config = result.config;
    this.tokenizer = result.tokenizer;
    this.backendInfo = this.describe(result.backend);
    return { loadMs: result.loadMs, timings: result.timings, sharedLoadMs: result.sharedLoadMs };
  }

  /** An answer the host sent (app.ts routes engineAnswer messages here). */
  receive(message: EngineAnswerMessage): void {
    this.answer(message.id, message.ok ? { ok: true, value: message.value, backend: message.backend, tokens: message.tokens } : { ok: false, message: message.message });
  }

  protected override describe(backend: BackendInfo): BackendInfo {
    // The English of the footer's own sentence (the footer words it in the panel's language from `why`).
    const detail = this.why.code === 'hostWorker' ? this.why.detail : '';
    const reason = english(`backend.${this.why.code}`, { detail, threads: backend.threads ?? 1 });
    return { ...backend, host: true, reason, why: this.why };
  }

  protected send(id: number, method: EngineMethod, args: unknown[]): void {
    // An optional argument left out travels as nothing, not as a hole or a null.
    const given = args.slice();
    while (given.length > 0 && given.at(-1) === undefined) given.pop();
    this.post({ type: 'engineCall', id, method: method as EngineCallMessage['method'], args: given });
  }

  protected release(): void {
    // Nothing to release here: the model is the extension host's, shared with the hover.
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

/**
 * Asks the extension host to load the model in its worker (a no-op when the hover already has it)
 * and returns the panel's engine over it. Progress arrives as engineProgress messages.
 */
export async function loadHostEngine(engine: HostEngine): Promise<LoadedEngine> {
  try {
    return { engine, ...(await engine.load()) };
  } catch (error) {
    await engine.dispose();
    throw error;
  }
}
