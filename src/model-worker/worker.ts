// Entry point of the model worker thread (bundled to dist/model-worker.js). It owns one
// engine on WASM and answers requests one at a time, so a queued hover that the editor no
// longer wants can be dropped before it costs a forward pass.
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../engine/engine';
import { tokenize } from '../engine/tokenizer';
import { contextInWindow } from '../hover/hover-context';
import { loadCheckpointFromDir } from '../node/load-model';
import type { WorkerRequest, WorkerResponse, WorkerResult } from './messages';
import { lowerThisThreadPriority, type ThreadPriority } from './thread-priority';

type Job = Exclude<WorkerRequest, { kind: 'cancel' }>;

class ModelWorker {
  private engine: LensEngine | undefined;
  private readonly queue: Job[] = [];
  private readonly cancelled = new Set<number>();
  private running = false;

  constructor(
    private readonly send: (response: WorkerResponse) => void,
    private readonly priority: ThreadPriority,
  ) {}

  receive(request: WorkerRequest): void {
    if (request.kind === 'cancel') {
      const index = this.queue.findIndex((job) => job.id === request.id);
      if (index >= 0) {
        this.queue.splice(index, 1);
        this.send({ id: request.id, ok: false, error: 'cancelled', cancelled: true });
      } else {
        this.cancelled.add(request.id);
      }
      return;
    }
    this.queue.push(request);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        let response: WorkerResponse;
        try {
          response = { id: job.id, ok: true, result: await this.run(job) };
        } catch (error) {
          response = { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        if (this.cancelled.delete(job.id)) response = { id: job.id, ok: false, error: 'cancelled', cancelled: true };
        this.send(response);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(job: Job): Promise<WorkerResult> {
    switch (job.kind) {
      case 'load': {
        ort.env.wasm.numThreads = 1;
        ort.env.wasm.wasmPaths = pathToFileURL(job.wasmDir).href.replace(/\/?$/, '/');
        ort.env.logLevel = 'error';
        await this.engine?.dispose();
        const engine = await LensEngine.create(await loadCheckpointFromDir(job.modelDir), { ort, backend: 'wasm' });
        // Sessions are created on first use (seconds); pay that here, not in the first hover.
        await engine.predictLast([engine.config.eosTokenId, engine.config.eosTokenId]);
        await engine.neighboursOfToken(engine.config.eosTokenId, 1);
        this.engine = engine;
        return { config: engine.config, backend: engine.backend, priority: this.priority };
      }
      case 'neighbours':
        return this.requireEngine().neighboursOfToken(job.tokenId, job.k);
      case 'hoverAt': {
        const engine = this.requireEngine();
        const context = contextInWindow(job.text, job.offset, job.contextTokens, (text) => tokenize(text));
        if (!context || context.token.start === context.token.end) return { token: context?.token ?? null };
        return { token: context.token, prediction: await engine.predictLast(context.ids, { topK: job.topK, temperature: job.temperature }) };
      }
    }
  }

  private requireEngine(): LensEngine {
    if (!this.engine) throw new Error('the model is not loaded yet');
    return this.engine;
  }
}

if (parentPort) {
  const port = parentPort;
  // Before any work: every forward pass runs behind the extension host's main thread.
  const priority = lowerThisThreadPriority();
  const worker = new ModelWorker((response) => port.postMessage(response), priority);
  port.on('message', (message: WorkerRequest) => worker.receive(message));
}
