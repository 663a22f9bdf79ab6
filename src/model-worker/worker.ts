// Entry point of the model worker thread (bundled to dist/model-worker.mjs). It owns the model's
// tokenizer and one engine on WASM. Two lanes: the tokenizer's requests (open, tokenize, count,
// entries) answer as soon as the tokenizer is read, without waiting for the weights; the engine's
// (load, hoverAt, neighbours, the panel's calls) run one at a time, so a queued hover that the
// editor no longer wants can be dropped before it costs a forward pass. The one exception is the
// 8-bit error measurement, which runs beside them and takes its turns in the engine's own queue.
import os from 'node:os';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { LensEngine, type OrtLike } from '../engine/engine';
import { callModel, entriesOf as answerEntries, entriesOfIds, modelCalls, transferables, type LoadTimings, type ModelCalls, type ModelMethod } from '../engine/model-calls';
import { startRuntime } from '../engine/ort-sessions';
import type { Checkpoint } from '../engine/checkpoint';
import { tokenEntry, TOKENIZER_FILE } from '../engine/model-tokenizer';
import type { Tokenizer } from '../engine/tokenizer-interface';
import type { ModelConfig } from '../engine/types';
import { contextInWindow } from '../hover/hover-context';
import { CONFIG_FILE, loadCheckpointFromDir, readModelConfigFromDir } from '../node/load-model';
import { loadTokenizerFromDir, readChatTemplate, readGenerationConfig } from '../node/load-tokenizer';
import type { PanelAnswer, PanelLoadResult, OpenResult, WorkerRequest, WorkerResponse, WorkerResult } from './messages';
import { lowerThisThreadPriority, type ThreadPriority } from './thread-priority';
import { workerThreads } from './worker-threads';

type Job = Exclude<WorkerRequest, { kind: 'cancel' }>;
type EngineJob = Extract<Job, { kind: 'load' | 'hoverAt' | 'neighbours' | 'panelLoad' | 'panelCall' }>;
type TokenizerJob = Exclude<Job, EngineJob>;

interface OpenModel {
  dir: string;
  config: ModelConfig;
  tokenizer: Tokenizer;
  /** Time to read the tokenizer (tokenizer.json parsed included), in ms. */
  tokenizerMs: number;
}

/** The loaded model as the panel asks it: its calls, and the load's numbers. */
interface PanelModel {
  calls: ModelCalls;
  /** The tokenizer the calls use, for the texts of the ids in their answers. */
  tokenizer: Tokenizer;
  result: PanelLoadResult;
}

/** Jobs run one at a time, in order; a job cancelled while queued never runs. */
class Lane<J extends Job> {
  private readonly queue: J[] = [];
  private running = false;

  constructor(
    private readonly run: (job: J) => Promise<WorkerResult>,
    private readonly send: (response: WorkerResponse) => void,
    private readonly cancelled: Set<number>,
  ) {}

  push(job: J): void {
    this.queue.push(job);
    void this.drain();
  }

  /**
   * Runs a job now, beside the queue: for a long call that takes its own turns in the engine's
   * queue (weightError, one step at a time), so that the jobs queued here run between its steps
   * instead of after all of them.
   */
  runBeside(job: J): void {
    void this.answer(job);
  }

  /** Removes a queued job; false when it is not queued here. */
  drop(id: number): boolean {
    const index = this.queue.findIndex((job) => job.id === id);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) await this.answer(job);
    } finally {
      this.running = false;
    }
  }

  private async answer(job: J): Promise<void> {
    let response: WorkerResponse;
    try {
      response = { id: job.id, ok: true, result: await this.run(job) };
    } catch (error) {
      response = { id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (this.cancelled.delete(job.id)) response = { id: job.id, ok: false, error: 'cancelled', cancelled: true };
    this.send(response);
  }
}

class ModelWorker {
  private opened: Promise<OpenModel> | undefined;
  private engine: LensEngine | undefined;
  private checkpoint: Checkpoint | undefined;
  /** Where the current engine's load spent its time. */
  private loaded: { loadMs: number; timings: LoadTimings } | undefined;
  private panel: Promise<PanelModel> | undefined;
  private readonly cancelled = new Set<number>();
  private readonly tokenizerLane: Lane<TokenizerJob>;
  private readonly engineLane: Lane<EngineJob>;

  constructor(
    private readonly send: (response: WorkerResponse) => void,
    private readonly priority: ThreadPriority,
  ) {
    this.tokenizerLane = new Lane((job) => this.runTokenizerJob(job), send, this.cancelled);
    this.engineLane = new Lane((job) => this.runEngineJob(job), send, this.cancelled);
  }

  receive(request: WorkerRequest): void {
    switch (request.kind) {
      case 'cancel':
        if (this.tokenizerLane.drop(request.id) || this.engineLane.drop(request.id)) {
          this.send({ id: request.id, ok: false, error: 'cancelled', cancelled: true });
        } else {
          this.cancelled.add(request.id);
        }
        return;
      case 'load':
      case 'hoverAt':
      case 'neighbours':
      case 'panelLoad':
      case 'panelCall':
        if (request.kind === 'panelCall' && request.method === 'weightError') this.engineLane.runBeside(request);
        else this.engineLane.push(request);
        return;
      default:
        this.tokenizerLane.push(request);
    }
  }

  /** config.json and the tokenizer of `dir`, read once per folder. */
  private open(dir: string): Promise<OpenModel> {
    const current = this.opened;
    if (current) {
      return current.then(
        (model) => (model.dir === dir ? model : this.reopen(dir)),
        () => this.reopen(dir),
      );
    }
    return this.reopen(dir);
  }

  private reopen(dir: string): Promise<OpenModel> {
    const opening = (async () => {
      const config = await readModelConfigFromDir(dir);
      const started = performance.now();
      const tokenizer = await loadTokenizerFromDir(dir, config);
      const tokenizerMs = performance.now() - started;
      // Ids past the embedding's rows would fail in every forward pass: refuse the folder now.
      if (tokenizer.vocabSize > config.vocabSize) {
        throw new Error(`${path.join(dir, TOKENIZER_FILE)} has ${tokenizer.vocabSize} tokens, but the embedding in ${path.join(dir, CONFIG_FILE)} has ${config.vocabSize} rows`);
      }
      return { dir, config, tokenizer, tokenizerMs };
    })();
    this.opened = opening;
    return opening;
  }

  private async openedModel(): Promise<OpenModel> {
    if (!this.opened) throw new Error('no model is open yet');
    return this.opened;
  }

  private async runTokenizerJob(job: TokenizerJob): Promise<WorkerResult> {
    switch (job.kind) {
      case 'open':
        return describe(await this.open(job.modelDir));
      case 'tokenize': {
        const { tokenizer } = await this.openedModel();
        const spans = tokenizer.tokenize(job.text);
        return { total: spans.length, tail: spans.slice(Math.max(0, spans.length - job.tail)) };
      }
      case 'count':
        return (await this.openedModel()).tokenizer.count(job.text);
      case 'entries': {
        const { tokenizer } = await this.openedModel();
        return entriesOfIds(job.ids, tokenizer);
      }
    }
  }

  private async runEngineJob(job: EngineJob): Promise<WorkerResult> {
    switch (job.kind) {
      case 'load': {
        const started = performance.now();
        const model = await this.open(job.modelDir);
        ort.env.wasm.wasmPaths = pathToFileURL(job.wasmDir).href.replace(/\/?$/, '/');
        ort.env.logLevel = 'error';
        await this.engine?.dispose();
        this.engine = undefined;
        this.panel = undefined;
        // The previous model's weights file, read for embedding rows while its engine lived.
        this.checkpoint?.close();
        const { tokenizer } = model;
        const timings: LoadTimings = { fetchMs: 0, tokenizerMs: model.tokenizerMs, runtimeMs: 0, graphsMs: 0, sessionsMs: 0, firstRunMs: 0 };
        // The runtime's WebAssembly compiled and started first (a one-node session), on its own clock.
        timings.runtimeMs = await startRuntime(ort as unknown as OrtLike, 'wasm');
        const read = performance.now();
        const checkpoint = await loadCheckpointFromDir(job.modelDir);
        timings.fetchMs = performance.now() - read;
        this.checkpoint = checkpoint;
        const engine = await LensEngine.create(checkpoint, {
          ort,
          backend: 'wasm',
          weights: job.weights,
          wasmThreads: workerThreads(os.availableParallelism()),
          tokenText: (id) => tokenEntry(tokenizer, id).text,
          onSessionCreated: (_name, buildMs, createMs) => {
            timings.graphsMs += buildMs;
            timings.sessionsMs += createMs;
          },
        });
        // Sessions are created on first use (seconds); pay that here, not in the first hover.
        const firstRun = performance.now();
        const warmId = tokenizer.eosId ?? engine.config.eosTokenId;
        await engine.predictLast([warmId, warmId]);
        await engine.neighboursOfToken(warmId, 1);
        timings.firstRunMs = performance.now() - firstRun - timings.graphsMs - timings.sessionsMs;
        this.engine = engine;
        this.loaded = { loadMs: performance.now() - started, timings };
        return { ...describe(model), backend: engine.backend, priority: this.priority };
      }
      case 'panelLoad':
        return (await this.panelModel()).result;
      case 'panelCall': {
        const { calls, tokenizer } = await this.panelModel();
        const value = await callModel(calls, job.method, job.args);
        const answer: PanelAnswer = { value, backend: this.requireEngine().backend, tokens: answerEntries(job.method as ModelMethod, value as never, tokenizer) };
        return answer;
      }
      case 'neighbours':
        return this.requireEngine().neighboursOfToken(job.tokenId, job.k);
      case 'hoverAt': {
        const engine = this.requireEngine();
        const { tokenizer } = await this.openedModel();
        const context = contextInWindow(job.text, job.offset, job.contextTokens, (text) => tokenizer.tokenize(text));
        if (!context || context.token.start === context.token.end) return { token: context?.token ?? null };
        const prediction = await engine.predictLast(context.ids, { topK: job.topK, temperature: job.temperature });
        const ids = prediction.next.top.map(([id]) => id);
        if (prediction.lastToken) ids.push(prediction.lastToken.id);
        return { token: context.token, prediction, entries: entriesOfIds(ids, tokenizer) };
      }
    }
  }

  /** The loaded model's calls for the panel: its chat template and generation config are read on the first. */
  private panelModel(): Promise<PanelModel> {
    const engine = this.requireEngine();
    const checkpoint = this.checkpoint!;
    const loaded = this.loaded!;
    this.panel ??= (async () => {
      const model = await this.openedModel();
      const config = await readGenerationConfig(model.dir, engine.config);
      const chat = await readChatTemplate(model.dir);
      const calls = modelCalls({ engine, checkpoint, tokenizer: model.tokenizer, config, chat });
      const result: PanelLoadResult = {
        modelDir: model.dir,
        config,
        backend: engine.backend,
        tokenizer: { name: model.tokenizer.name, chatTemplate: chat !== undefined, buildMs: model.tokenizerMs },
        loadMs: loaded.loadMs,
        timings: loaded.timings,
      };
      return { calls, tokenizer: model.tokenizer, result };
    })();
    const panel = this.panel;
    // A failed read is not kept: the next call tries again.
    panel.catch(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    return panel;
  }

  private requireEngine(): LensEngine {
    if (!this.engine) throw new Error('the model is not loaded yet');
    return this.engine;
  }
}

function describe(model: OpenModel): OpenResult {
  return { config: model.config, tokenizer: { name: model.tokenizer.name, addsBos: model.tokenizer.addsBos } };
}

if (parentPort) {
  const port = parentPort;
  // Before any work: every forward pass runs behind the extension host's main thread.
  const priority = lowerThisThreadPriority();
  // An answer's attention maps and residual stream move to the host instead of being copied.
  const worker = new ModelWorker((response) => port.postMessage(response, response.ok ? transferables((response.result as Partial<PanelAnswer>)?.value) : []), priority);
  port.on('message', (message: WorkerRequest) => worker.receive(message));
}
