// Host side of the model worker: starts the worker thread on first use, matches responses to
// requests, forwards VS Code cancellation, and restarts the worker after a crash.
import { Worker } from 'node:worker_threads';
import type { Neighbour, WeightPreference } from '../engine/types';
import { isWorkerResponse, type HoverAtResult, type LoadResult, type PanelAnswer, type PanelLoadResult, type OpenResult, type TokenEntries, type TokenizeResult, type WorkerRequest, type WorkerResponse } from './messages';

/** The part of vscode.CancellationToken the client needs (keeps this module free of `vscode`). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface ModelWorkerOptions {
  /** dist/model-worker.js */
  workerPath: string;
  /** Folder with config.json and model.safetensors, asked for at each (re)load. */
  modelDir: () => Promise<string>;
  /** Folder with onnxruntime-web's ort-wasm-simd-threaded.{mjs,wasm}. */
  wasmDir: string;
  /** float32 or 8-bit weights, asked for at each (re)load (default 'auto'). */
  weights?: () => WeightPreference;
  log?: (message: string) => void;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class ModelWorkerClient {
  private worker: Worker | undefined;
  private opening: Promise<OpenResult> | undefined;
  private loading: Promise<LoadResult> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;

  constructor(private readonly options: ModelWorkerOptions) {}

  /** Worker threads alive right now (0 or 1): the soak test counts them. */
  get liveWorkers(): number {
    return this.worker ? 1 : 0;
  }

  get pendingRequests(): number {
    return this.pending.size;
  }

  /** Starts the worker and reads the model's config and tokenizer once (no weights); later calls share the same promise. */
  open(): Promise<OpenResult> {
    if (this.disposed) return Promise.reject(new Error('the model worker was shut down'));
    if (!this.opening) {
      const opening = this.options.modelDir().then((modelDir) => this.request<OpenResult>({ kind: 'open', modelDir }));
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined; // the next call tries again
      });
    }
    return this.opening;
  }

  /** Reads the config and tokenizer of `dir` in the worker (kept there: a second call for the same folder costs nothing). */
  openFolder(dir: string): Promise<OpenResult> {
    if (this.disposed) return Promise.reject(new Error('the model worker was shut down'));
    return this.request<OpenResult>({ kind: 'open', modelDir: dir });
  }

  /** Starts the worker and loads the model once; later calls share the same promise. */
  load(): Promise<LoadResult> {
    if (this.disposed) return Promise.reject(new Error('the model worker was shut down'));
    if (!this.loading) {
      const { wasmDir } = this.options;
      const weights = this.options.weights?.() ?? 'auto';
      const loading = this.options.modelDir().then((modelDir) => this.request<LoadResult>({ kind: 'load', modelDir, wasmDir, weights }));
      this.loading = loading;
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined; // the next call tries again
      });
    }
    return this.loading;
  }

  /** The model changed: the next request opens and loads it (the worker replaces its tokenizer and engine). */
  reload(): void {
    this.opening = undefined;
    this.loading = undefined;
  }

  /** The model's tokens of `text`: their number, and the spans of the last `tail`. Off the extension host's thread. */
  async tokenize(text: string, tail: number): Promise<TokenizeResult> {
    await this.open();
    return this.request<TokenizeResult>({ kind: 'tokenize', text, tail });
  }

  /** How many tokens the model reads for `text` (its BOS included). */
  async count(text: string, token?: Cancellation): Promise<number> {
    await this.open();
    return this.request<number>({ kind: 'count', text }, token);
  }

  /** What ids show as in the model's vocabulary. */
  async entries(ids: number[]): Promise<TokenEntries> {
    await this.open();
    return this.request<TokenEntries>({ kind: 'entries', ids });
  }

  /** Tokenizes `text` in the worker, finds the token at `offset` and predicts what follows it. */
  async hoverAt(
    window: { text: string; offset: number },
    opts: { contextTokens: number; topK: number; temperature: number },
    token?: Cancellation,
  ): Promise<HoverAtResult> {
    await this.load();
    return this.request<HoverAtResult>({ kind: 'hoverAt', ...window, ...opts }, token);
  }

  /** Loads the model (once, shared with the hover) and describes it for the panel. */
  async panelLoad(): Promise<PanelLoadResult> {
    await this.load();
    return this.request<PanelLoadResult>({ kind: 'panelLoad' });
  }

  /** One of the panel's questions to the loaded model (src/engine/model-calls.ts); the engine checks the arguments. */
  async panelCall(method: string, args: unknown[]): Promise<PanelAnswer> {
    await this.load();
    return this.request<PanelAnswer>({ kind: 'panelCall', method, args });
  }

  async neighbours(tokenId: number, k: number, token?: Cancellation): Promise<Neighbour[]> {
    await this.load();
    return this.request<Neighbour[]>({ kind: 'neighbours', tokenId, k }, token);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.opening = undefined;
    this.loading = undefined;
    this.rejectAll(new Error('the model worker was shut down'));
    if (worker) await worker.terminate();
  }

  private request<T>(body: RequestBody, token?: Cancellation): Promise<T> {
    if (token?.isCancellationRequested) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const subscription = token?.onCancellationRequested(() => worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest));
      this.pending.set(id, {
        resolve: (value) => {
          subscription?.dispose();
          resolve(value as T);
        },
        reject: (error) => {
          subscription?.dispose();
          reject(error);
        },
      });
      worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.workerPath);
    worker.on('message', (message: unknown) => this.settle(message));
    worker.on('error', (error) => this.crashed(worker, `the model worker failed: ${error.message}`));
    worker.on('exit', (code) => this.crashed(worker, `the model worker exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(message: unknown): void {
    if (!isWorkerResponse(message)) {
      this.options.log?.(`model worker: ignored a malformed message`);
      return;
    }
    const response: WorkerResponse = message;
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (response.ok) pending.resolve(response.result);
    else pending.reject(response.cancelled ? new CancelledError() : new Error(response.error));
  }

  private crashed(worker: Worker, reason: string): void {
    if (this.worker !== worker) return; // already replaced or disposed
    this.worker = undefined;
    this.opening = undefined;
    this.loading = undefined;
    this.options.log?.(reason);
    this.rejectAll(new Error(reason));
  }

  private rejectAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
