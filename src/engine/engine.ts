// LensEngine: runs a checkpoint of any supported family through onnxruntime and answers the questions
// the extension asks (analysis, one distribution, the hover prediction, logit lens,
// embedding neighbours). One instance owns its sessions, its cache and its run queue.
import type {
  Analysis,
  AnalyzeOptions,
  BackendInfo,
  BackendPreference,
  Distribution,
  LastPrediction,
  LensCell,
  ModelConfig,
  Neighbour,
  PositionPrediction,
  TargetScore,
  TokenLogprob,
  Truncation,
  WeightError,
  WeightPrecision,
  WeightPreference,
} from './types';
import type { Checkpoint } from './checkpoint';
import { chooseBackend, currentEnvironment, probeWebGpu, wasmThreads } from './backend';
import {
  BLOCK_INPUTS,
  BLOCK_OUTPUTS,
  buildBlockGraph,
  buildLogitsSliceGraph,
  buildVocabGraph,
  LAST_ROWS,
  LOGITS_OUTPUT,
  VOCAB_INPUTS,
  VOCAB_OUTPUTS,
} from './model-graphs';
import { inverseFrequencies, rotaryTables } from './rope';
import { KeyValueCache, type PastKeyValues } from './kv-cache';
import { ResidualCache, type ResidualCell, type StreamRun } from './residual-cache';
import { SessionPool, type OrtLike, type OrtSessionLike, type OrtTensorLike, type ProviderKind } from './ort-sessions';
import { openAiTokenizer } from './tokenizer';
import { chooseWeights, WASM_HEAP_BYTES } from './memory-fit';
import { tokenEntry } from './model-tokenizer';

export type { OrtLike, OrtSessionLike, OrtTensorLike } from './ort-sessions';

export interface EngineOptions {
  /** The onnxruntime module: onnxruntime-web, onnxruntime-web/webgpu or onnxruntime-node. */
  ort: OrtLike;
  /** Default 'auto': WebGPU when a hardware adapter exists, else WASM. */
  backend?: BackendPreference;
  /** Accept a software WebGPU adapter such as SwiftShader (tests). */
  allowFallbackAdapter?: boolean;
  /**
   * `ort` is onnxruntime-node: use its CPU provider with one intra-op thread. Where a process
   * also loads onnxruntime-web, import onnxruntime-node first: onnxruntime-common 1.30 keeps
   * the first backend registered as "cpu", so the other order runs "native" on WASM.
   */
  native?: boolean;
  onProgress?: (stage: string, fraction: number) => void;
  /**
   * WASM threads, where the caller knows better than the page's isolation (a Node worker can run
   * threads); by default 1 unless the page is cross-origin isolated.
   */
  wasmThreads?: number;
  /** Each session made: its graph's build time (weights read and converted included) and its creation, in ms. */
  onSessionCreated?: (name: string, buildMs: number, createMs: number) => void;
  /** The runtime heap a model must fit in (default: onnxruntime-web's 4 GiB); tests make it small. */
  heapBytes?: number;
  /** Default 'auto': float32 weights where they fit the heap, else 8-bit (int8-weights.ts). */
  weights?: WeightPreference;
  /** Display text of a token id, for neighbours (default: GPT-2's r50k_base). */
  tokenText?: (id: number) => string;
}

export interface DistributionOptions {
  /** Softmax temperature, > 0 and finite. Callers map "temperature 0" to greedy themselves. */
  temperature: number;
  /** Default 20, clamped to [1, vocabulary size]. */
  topK?: number;
}

type GraphName = `block.${number}` | 'vocab';

/**
 * Groups of questions whose sessions `prepare` can create ahead of use. Every path runs the same
 * sessions (each block, then the vocabulary graph); the names stay for callers that say why.
 */
export type EnginePath = 'hover' | 'analysis' | 'neighbours';

const DEFAULT_TOP_K = 20;
const DEFAULT_LENS_TOP_K = 10;
const DEFAULT_NEIGHBOURS = 10;
/** Rows per head run: bounds the [rows x vocab] logits held in the runtime's memory. */
const HEAD_ROWS_PER_RUN = 64;
/** Positions weightError compares by default: enough for a mean, few enough to take seconds. */
const DEFAULT_ERROR_POSITIONS = 64;
/** Vocabulary rows per float32 logits session in weightError: at most this many float32 values of the table at once. */
const LOGITS_SLICE_VALUES = 16 * 1024 ** 2;
const HEAD_FETCHES = [VOCAB_OUTPUTS.topIds, VOCAB_OUTPUTS.topLogprobs, VOCAB_OUTPUTS.targetLogprob, VOCAB_OUTPUTS.targetRank, VOCAB_OUTPUTS.entropy];

/** Per-row results of the head graph, flat. */
interface HeadRows {
  k: number;
  topIds: number[];
  topLogprobs: Float32Array;
  targetLogprob: Float32Array;
  targetRank: Float32Array;
  entropy: Float32Array;
}

const now = (): number => performance.now();

export class LensEngine {
  readonly config: ModelConfig;
  private backendInfo: BackendInfo;
  private readonly sessions: SessionPool<GraphName>;
  private readonly tokenText: (id: number) => string;
  private readonly cache: ResidualCache;
  private readonly keyValues: KeyValueCache;
  /** Rotary families: the inverse frequencies of the position tables fed to the trunk. */
  private readonly rotaryFrequencies?: Float64Array;
  private queueTail: Promise<unknown> = Promise.resolve();
  private tokensRead = 0;
  private disposed = false;

  private constructor(
    private readonly checkpoint: Checkpoint,
    private readonly ort: OrtLike,
    backend: BackendInfo,
    options: EngineOptions,
    /** How the sessions hold the weights of products (backend.weights says why, when 8-bit). */
    readonly precision: WeightPrecision,
  ) {
    this.config = checkpoint.config;
    this.backendInfo = backend;
    this.cache = new ResidualCache(checkpoint.config.nLayer, checkpoint.config.nEmbd);
    this.keyValues = new KeyValueCache(checkpoint.config.architecture.kvHeads, checkpoint.config.architecture.headDim);
    this.tokenText = options.tokenText ?? defaultTokenText(checkpoint.config);
    const { positions, headDim } = checkpoint.config.architecture;
    if (positions.kind === 'rope') this.rotaryFrequencies = inverseFrequencies(positions, headDim);
    const provider: ProviderKind = backend.name;
    this.sessions = new SessionPool<GraphName>(
      ort,
      provider,
      (name) => (name === 'vocab' ? buildVocabGraph(checkpoint, precision) : buildBlockGraph(checkpoint, Number(name.slice('block.'.length)), precision)),
      {
        onProgress: options.onProgress,
        onCreated: options.onSessionCreated,
        onFallback: (reason, detail) => {
          const threads = wasmThreads(currentEnvironment(false));
          const { adapter, weights } = this.backendInfo;
          this.backendInfo = { name: 'wasm', reason, threads, adapter, why: { code: 'webgpuFailed', detail }, ...(weights ? { weights } : {}) };
        },
      },
    );
  }

  /** Picks the backend and prepares the engine; sessions are created on first use. */
  static async create(checkpoint: Checkpoint, options: EngineOptions): Promise<LensEngine> {
    if (!options?.ort?.InferenceSession || !options.ort.Tensor) {
      throw new Error('LensEngine.create needs options.ort: the onnxruntime module (onnxruntime-web or onnxruntime-node)');
    }
    let precision: WeightPrecision = 'float32';
    let weights: BackendInfo['weights'];
    if (!options.native) {
      const { vocabSize: V, nEmbd: d } = checkpoint.config;
      const preference = options.weights ?? 'auto';
      const heapBytes = options.heapBytes ?? WASM_HEAP_BYTES;
      const choice = chooseWeights(checkpoint.name, checkpoint.parameterCount(), V, d, preference, heapBytes);
      if ('refused' in choice) throw new Error(choice.refused);
      precision = choice.precision;
      if (precision === 'int8') {
        weights = {
          precision,
          why: preference === 'int8' ? 'requested' : 'tooBig',
          float32Bytes: choice.float32.weightBytes,
          heldBytes: choice.footprint.weightBytes,
          heapBytes,
        };
      }
    }
    let backend: BackendInfo;
    if (options.native) {
      backend = { name: 'native', reason: 'onnxruntime-node CPU execution provider, one intra-op thread.', threads: 1, why: { code: 'native' } };
    } else {
      const env = currentEnvironment(options.allowFallbackAdapter ?? false);
      const preference = options.backend ?? 'auto';
      const probe = preference === 'wasm' ? { available: false } : await probeWebGpu();
      backend = chooseBackend(preference, probe, env);
      // WASM runs single-threaded unless SharedArrayBuffer is allowed (cross-origin isolation).
      const threads = options.wasmThreads ?? wasmThreads(env);
      if (backend.name === 'wasm') backend = { ...backend, threads };
      if (options.ort.env.wasm) options.ort.env.wasm.numThreads = threads;
    }
    if (weights) backend = { ...backend, weights };
    return new LensEngine(checkpoint, options.ort, backend, options, precision);
  }

  /**
   * Creates the sessions that `paths` need now instead of on first use: 'hover' (predictLast,
   * distributionAt), 'analysis' (analyze, logitLens), 'neighbours'. Runs nothing.
   */
  async prepare(paths: EnginePath[] = ['hover']): Promise<void> {
    void paths;
    // The vocabulary graph first: it holds the largest table, and the heap it frees after
    // prepacking that table is reused by the blocks' weights that come after.
    await this.serialize(() => this.sessions.warm(['vocab', ...this.blockNames()]));
  }

  /**
   * Token positions the trunks have run the model on since the engine was created: what the
   * key/value cache saves shows here (generation reads one new token per step).
   */
  get trunkTokensRead(): number {
    return this.tokensRead;
  }

  /** Which execution provider runs the model and why (changes if WebGPU fails and WASM takes over). */
  get backend(): BackendInfo {
    return this.backendInfo;
  }

  /** Next-token predictions at every position, optionally with attention and the residual stream. */
  async analyze(ids: number[], options: AnalyzeOptions = {}): Promise<Analysis> {
    const topK = this.topK(options.topK, DEFAULT_TOP_K);
    const { kept, truncated } = this.prepareIds(ids);
    const withAttention = options.attention === true;
    return this.serialize(async () => {
      const start = now();
      const trunk = this.cache.fullRun(kept, withAttention) ?? (await this.runFullTrunk(kept, withAttention));
      const trunkDone = now();
      const targets = [...kept.slice(1), 0]; // the last position has no next token; its target is ignored
      const head = await this.runHead(this.finalLayer(trunk), targets, 1, topK);
      const end = now();
      const positions: PositionPrediction[] = kept.map((_, t) => ({
        top: topOf(head, t),
        target: t + 1 < kept.length ? targetOf(head, t, kept[t + 1]) : null,
        entropy: head.entropy[t],
      }));
      const analysis: Analysis = {
        model: this.config.name,
        backend: this.backendInfo,
        ids: kept,
        positions,
        timings: { totalMs: end - start, trunkMs: trunkDone - start, headMs: end - trunkDone },
      };
      // The caller may modify or transfer what it gets: hidden is copied because the cache keeps
      // it for logit lens; attention (the large one) is handed over and dropped from the cache.
      if (withAttention) analysis.attention = this.cache.takeAttention(trunk);
      if (options.hidden) analysis.hidden = trunk.hidden.slice();
      if (truncated) analysis.truncated = truncated;
      return analysis;
    });
  }

  /**
   * The exact next-token distribution after ids[0..position] at a temperature. `ids` are
   * truncated as in analyze (the last nPositions kept) and `position` indexes the kept ids.
   */
  async distributionAt(ids: number[], position: number, options: DistributionOptions): Promise<Distribution> {
    const temperature = checkTemperature(options?.temperature);
    const topK = this.topK(options?.topK, DEFAULT_TOP_K);
    const { kept } = this.prepareIds(ids);
    checkIndex('position', position, kept.length);
    return this.serialize(async () => {
      const row = await this.finalRows(kept, [position]);
      const hasNext = position + 1 < kept.length;
      const head = await this.runHead(row, [hasNext ? kept[position + 1] : 0], temperature, topK);
      return distributionOf(head, 0, position, temperature, hasNext ? kept[position + 1] : null);
    });
  }

  /**
   * Hover path: how likely the last token was, and the distribution after it. The last token is
   * always scored at temperature 1 (the model's own probability and surprisal); only the next
   * token's distribution is at `options.temperature`.
   */
  async predictLast(ids: number[], options: { temperature?: number; topK?: number } = {}): Promise<LastPrediction> {
    const temperature = checkTemperature(options.temperature ?? 1);
    const topK = this.topK(options.topK, DEFAULT_TOP_K);
    const { kept } = this.prepareIds(ids);
    return this.serialize(async () => {
      const start = now();
      const T = kept.length;
      const positions = T > 1 ? [T - 2, T - 1] : [T - 1];
      const rows = await this.finalRows(kept, positions);
      let lastToken: TargetScore | null = null;
      let next: Distribution;
      if (temperature === 1 || T === 1) {
        const targets = T > 1 ? [kept[T - 1], 0] : [0];
        const head = await this.runHead(rows, targets, temperature, topK);
        if (T > 1) lastToken = targetOf(head, 0, kept[T - 1]);
        next = distributionOf(head, positions.length - 1, T - 1, temperature, null);
      } else {
        // Two head runs, one row each: the score at temperature 1, the distribution at T.
        const d = this.config.nEmbd;
        lastToken = targetOf(await this.runHead(rows.subarray(0, d), [kept[T - 1]], 1, 1), 0, kept[T - 1]);
        next = distributionOf(await this.runHead(rows.subarray(d, 2 * d), [0], temperature, topK), 0, T - 1, temperature, null);
      }
      return { lastToken, next, timings: { totalMs: now() - start } };
    });
  }

  /** Logit lens: the top tokens read from the residual stream at (layer, position); layer 0 is the embedding. */
  async logitLens(ids: number[], cells: { layer: number; position: number }[], topK = DEFAULT_LENS_TOP_K): Promise<LensCell[]> {
    const k = this.topK(topK, DEFAULT_LENS_TOP_K);
    const { kept } = this.prepareIds(ids);
    if (!Array.isArray(cells)) throw new Error('logitLens: cells must be a list of { layer, position }');
    const L = this.config.nLayer;
    for (const cell of cells) {
      checkIndex('layer', cell?.layer, L + 1);
      checkIndex('position', cell?.position, kept.length);
    }
    if (cells.length === 0) return [];
    return this.serialize(async () => {
      let rows = this.cache.rows(kept, cells);
      if (!rows) {
        await this.runFullTrunk(kept, false);
        rows = this.cache.rows(kept, cells)!;
      }
      const head = await this.runHead(rows, cells.map(() => 0), 1, k);
      return cells.map((cell, i) => ({ layer: cell.layer, position: cell.position, top: topOf(head, i) }));
    });
  }

  /**
   * One layer's attention probabilities of `ids` (truncated as in analyze), [heads, T, T]: the
   * residual entering that block comes from the last full run of the same ids (run now if there
   * is none), so one layer costs one block, and no run keeps every layer's maps.
   */
  async attentionLayer(ids: number[], layer: number): Promise<Float32Array> {
    const { kept } = this.prepareIds(ids);
    checkIndex('layer', layer, this.config.nLayer);
    return this.serialize(async () => {
      const T = kept.length;
      const d = this.config.nEmbd;
      const run = this.cache.fullRun(kept, false) ?? (await this.runFullTrunk(kept, false));
      const residual = run.hidden.slice(layer * T * d, (layer + 1) * T * d);
      const out = await this.runBlock(layer, residual, undefined, T, this.rotaryFeeds(0, T), [BLOCK_OUTPUTS.attention]);
      return floats(out[BLOCK_OUTPUTS.attention]);
    });
  }

  /** The k nearest tokens to `id` in the input embedding by cosine, preceded by the token itself. */
  async neighboursOfToken(id: number, k = DEFAULT_NEIGHBOURS): Promise<Neighbour[]> {
    this.checkTokenId(id, 'token id');
    const count = this.neighbourCount(k, 1);
    return this.serialize(async () => {
      const found = await this.runNeighbours(this.checkpoint.embeddingRow(id), count + 1);
      const self = found.find(([other]) => other === id);
      const others = found.filter(([other]) => other !== id).slice(0, count);
      return [[id, this.textOf(id), self ? self[2] : 1] as Neighbour, ...others];
    });
  }

  /** The k tokens whose input embeddings are nearest to `vector` by cosine. */
  async neighboursOfVector(vector: Float32Array | number[], k = DEFAULT_NEIGHBOURS): Promise<Neighbour[]> {
    const d = this.config.nEmbd;
    if (!vector || vector.length !== d) throw new Error(`neighboursOfVector: the vector must have ${d} components, got ${vector?.length}`);
    const values = Float32Array.from(vector);
    if (!values.every(Number.isFinite)) throw new Error('neighboursOfVector: the vector has a non-finite component');
    const count = this.neighbourCount(k, 0);
    return this.serialize(() => this.runNeighbours(values, count));
  }

  /**
   * Rows of the input embedding (wte / embed_tokens) for `ids`, flat [n, d]: what a one-hot
   * vector times the embedding matrix gives, before any position or layer. At most 64 ids.
   */
  async tokenEmbeddings(ids: number[]): Promise<Float32Array> {
    if (!Array.isArray(ids) || ids.length > 64) throw new Error('tokenEmbeddings: give a list of at most 64 token ids');
    ids.forEach((id, i) => this.checkTokenId(id, `token id at index ${i}`));
    const d = this.config.nEmbd;
    const rows = new Float32Array(ids.length * d);
    ids.forEach((id, i) => rows.set(this.checkpoint.embeddingRow(id), i * d));
    return rows;
  }

  /**
   * 8-bit weights only: how far they move the log-probabilities of this text's first
   * `maxPositions` next tokens from float32 weights. The float32 model is run once, one block's
   * session at a time and the vocabulary a slice at a time, each released before the next, so
   * that a model whose float32 weights do not fit can still be measured. Each of those steps is
   * its own turn in the engine's queue: a call made meanwhile (a hover, a click on a token) waits
   * for one step, not for the whole measurement (for a 1 B model, about as long as its load).
   */
  async weightError(ids: number[], maxPositions = DEFAULT_ERROR_POSITIONS): Promise<WeightError> {
    if (this.precision !== 'int8') throw new Error('weightError: this model runs with float32 weights; there is nothing to compare');
    const { kept } = this.prepareIds(ids);
    if (kept.length < 2) throw new Error('weightError: the text needs at least two tokens');
    const count = Math.max(1, Math.min(kept.length - 1, Math.floor(Number.isFinite(maxPositions) ? maxPositions : DEFAULT_ERROR_POSITIONS)));
    const read = kept.slice(0, count + 1);
    const targets = read.slice(1);
    const int8Head = await this.serialize(async () => {
      const d = this.config.nEmbd;
      // Causal attention: the analysis just before, over the whole text, holds these rows already.
      const cells = Array.from({ length: count }, (_, position) => ({ layer: this.config.nLayer, position }));
      const int8Final = this.cache.rows(read, cells) ?? (await this.finalResidual(read));
      return this.runHead(int8Final.subarray(0, count * d), targets, 1, 1);
    });
    const float32 = await this.float32Logprobs(read, count);
    let max = 0;
    let sum = 0;
    let sameTop1 = 0;
    for (let t = 0; t < count; t++) {
      const diff = Math.abs(int8Head.targetLogprob[t] - float32.targetLogprob[t]);
      max = Math.max(max, diff);
      sum += diff;
      if (int8Head.topIds[t] === float32.top1[t]) sameTop1++;
    }
    return { positions: count, maxLogprobDiff: max, meanLogprobDiff: sum / count, sameTop1 };
  }

  /** The residual after the last block for every row of `ids`, from this engine's sessions, without touching the caches. */
  private async finalResidual(ids: number[]): Promise<Float32Array> {
    let final: Float32Array = new Float32Array(0);
    await this.runBlocks(ids, undefined, ids.length, {
      residual: (layer, rows) => {
        if (layer === this.config.nLayer) final = rows;
      },
    });
    return final;
  }

  /**
   * float32 weights' log-probability of each next token of ids[0..count] and their most likely
   * token; each block and each vocabulary slice is one turn of the queue. They touch no cache,
   * so whatever runs between them cannot change the result.
   */
  private async float32Logprobs(ids: number[], count: number): Promise<{ targetLogprob: Float64Array; top1: number[] }> {
    const { nLayer: L, nEmbd: d, vocabSize: V } = this.config;
    const T = ids.length;
    const shared = this.rotaryFeeds(0, T);
    let residual = this.checkpoint.embed(ids, 0);
    for (let layer = 0; layer < L; layer++) {
      const input = residual;
      const out = await this.measurementStep(() =>
        this.sessions.once(buildBlockGraph(this.checkpoint, layer, 'float32'), (session) =>
          this.runBlock(layer, input, undefined, T, shared, [BLOCK_OUTPUTS.residual], session),
        ),
      );
      residual = floats(out[BLOCK_OUTPUTS.residual]);
    }
    // log p(target) = z_target - log sum exp z, accumulated over slices of the vocabulary.
    const hidden = residual.slice(0, count * d);
    const table = this.checkpoint.tiedUnembedding ? this.checkpoint.embeddingTable() : this.checkpoint.unembedding();
    const maxLogit = new Float64Array(count).fill(-Infinity);
    const sumExp = new Float64Array(count);
    const targetLogit = new Float64Array(count);
    const top1 = new Array<number>(count).fill(0);
    const sliceRows = Math.max(1, Math.floor(LOGITS_SLICE_VALUES / d));
    for (let first = 0; first < V; first += sliceRows) {
      const rows = Math.min(sliceRows, V - first);
      const out = await this.measurementStep(() =>
        this.sessions.once(buildLogitsSliceGraph(this.checkpoint, table, first, rows), (session) =>
          session.run({ [VOCAB_INPUTS.hidden]: new this.ort.Tensor('float32', hidden, [count, d]) }, [LOGITS_OUTPUT]),
        ),
      );
      const logits = floats(out[LOGITS_OUTPUT]);
      for (let t = 0; t < count; t++) {
        const row = logits.subarray(t * rows, (t + 1) * rows);
        let sliceMax = -Infinity;
        let sliceArg = 0;
        for (let v = 0; v < rows; v++) if (row[v] > sliceMax) (sliceMax = row[v]), (sliceArg = v);
        if (sliceMax > maxLogit[t]) {
          sumExp[t] *= Math.exp(maxLogit[t] - sliceMax);
          maxLogit[t] = sliceMax;
          top1[t] = first + sliceArg;
        }
        for (let v = 0; v < rows; v++) sumExp[t] += Math.exp(row[v] - maxLogit[t]);
        const target = ids[t + 1];
        if (target >= first && target < first + rows) targetLogit[t] = row[target - first];
      }
    }
    const targetLogprob = new Float64Array(count);
    for (let t = 0; t < count; t++) targetLogprob[t] = targetLogit[t] - maxLogit[t] - Math.log(sumExp[t]);
    return { targetLogprob, top1 };
  }

  /** Releases every session; later calls fail with a clear error. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.keyValues.clear();
    await this.queueTail; // let queued jobs finish before their sessions go
    await this.sessions.releaseAll();
  }

  // ------------------------------------------------------------ running graphs

  /**
   * One step of a long measurement, queued after whatever was asked meanwhile. The wait for a
   * timer first lets messages that arrived during the last step (a worker's requests) queue
   * their calls: WASM runs each step without returning to the event loop.
   */
  private async measurementStep<R>(job: () => Promise<R>): Promise<R> {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    return this.serialize(job);
  }

  /** Runs one job at a time: ORT sessions on WASM do not allow concurrent runs. */
  private serialize<R>(job: () => Promise<R>): Promise<R> {
    if (this.disposed) return Promise.reject(new Error('the engine has been disposed'));
    const result = this.queueTail.then(job);
    this.queueTail = result.catch(() => undefined);
    return result;
  }

  private blockNames(): GraphName[] {
    return Array.from({ length: this.config.nLayer }, (_, layer) => `block.${layer}` as const);
  }

  /** Every layer's residual (and the attention maps) of `ids`; remembered for follow-up questions. */
  private async runFullTrunk(ids: number[], withAttention: boolean): Promise<StreamRun> {
    const { nLayer: L, nHead: H, nEmbd: d } = this.config;
    const T = ids.length;
    const hidden = new Float32Array((L + 1) * T * d);
    const attention = withAttention ? new Float32Array(L * H * T * T) : undefined;
    await this.runBlocks(ids, undefined, T, {
      residual: (layer, rows) => hidden.set(rows, layer * T * d),
      attention: attention && ((layer, probs) => attention.set(probs, layer * H * T * T)),
    });
    const run: StreamRun = { ids: ids.slice(), hidden, attention };
    this.cache.rememberStream(run);
    return run;
  }

  /**
   * The final residual at `positions` (at most LAST_ROWS apart, ending anywhere in `ids`): from
   * the residual cache, or from the blocks over ids[0..max position], which read only the
   * tokens after the start that the key/value cache shares with them (at least the rows asked
   * for) and skip the other rows' work in the last block.
   */
  private async finalRows(ids: number[], positions: number[]): Promise<Float32Array> {
    const cells: ResidualCell[] = positions.map((position) => ({ layer: this.config.nLayer, position }));
    const cached = this.cache.rows(ids, cells);
    if (cached) return cached;
    const prefix = ids.slice(0, Math.max(...positions) + 1);
    if (positions.some((p) => p < prefix.length - LAST_ROWS)) throw new Error(`internal: rows ${positions} are not among the last ${LAST_ROWS}`);
    const rows = await this.runStep(prefix, this.keyValues.past(prefix, Math.min(...positions)));
    this.cache.rememberLastRows({ ids: prefix, rows });
    return this.cache.rows(ids, cells)!;
  }

  /** Runs the blocks on the ids after the cached `past` ones; remembers the keys and values of all of `ids`. */
  private async runStep(ids: number[], past: PastKeyValues | undefined): Promise<Float32Array> {
    const L = this.config.nLayer;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    let last: Float32Array = new Float32Array(0);
    const fresh = ids.length - (past?.length ?? 0);
    await this.runBlocks(ids, past, Math.min(fresh, LAST_ROWS), {
      residual: (layer, rows) => {
        if (layer === L) last = rows;
      },
      keyValues: (layer, key, value) => {
        keys[layer] = key;
        values[layer] = value;
      },
    });
    this.keyValues.remember({ ids: ids.slice(), keys, values });
    return last;
  }

  /**
   * Runs every block in turn over ids after the `past` ones, handing each output to `take` as it
   * comes: the residual entering each block and after the last (`layer` 0..L), and where asked,
   * each block's attention probabilities and keys and values. The last block computes its last
   * `lastRows` rows only; the others all rows.
   */
  private async runBlocks(
    ids: number[],
    past: PastKeyValues | undefined,
    lastRows: number,
    take: {
      residual: (layer: number, rows: Float32Array) => void;
      attention?: (layer: number, probs: Float32Array) => void;
      keyValues?: (layer: number, key: Float32Array, value: Float32Array) => void;
    },
  ): Promise<void> {
    const L = this.config.nLayer;
    const reused = past?.length ?? 0;
    const fresh = ids.slice(reused);
    const N = fresh.length;
    this.tokensRead += N;
    const shared = this.rotaryFeeds(reused, N);
    const fetches: string[] = [BLOCK_OUTPUTS.residual];
    if (take.keyValues) fetches.push(BLOCK_OUTPUTS.presentKey, BLOCK_OUTPUTS.presentValue);
    if (take.attention) fetches.push(BLOCK_OUTPUTS.attention);
    let residual = this.checkpoint.embed(fresh, reused);
    take.residual(0, residual);
    for (let layer = 0; layer < L; layer++) {
      const out = await this.runBlock(layer, residual, past, layer === L - 1 ? lastRows : N, shared, fetches);
      residual = floats(out[BLOCK_OUTPUTS.residual]);
      take.residual(layer + 1, residual);
      take.keyValues?.(layer, floats(out[BLOCK_OUTPUTS.presentKey]), floats(out[BLOCK_OUTPUTS.presentValue]));
      take.attention?.(layer, floats(out[BLOCK_OUTPUTS.attention]));
    }
  }

  /** The rotary tables of positions reused..reused+N, shared by every block of a run (none for learned positions). */
  private rotaryFeeds(reused: number, N: number): Record<string, OrtTensorLike> {
    if (!this.rotaryFrequencies) return {};
    const { cos, sin } = rotaryTables(this.rotaryFrequencies, reused, N);
    const half = this.rotaryFrequencies.length;
    return {
      [BLOCK_INPUTS.ropeCos]: new this.ort.Tensor('float32', cos, [N, half]),
      [BLOCK_INPUTS.ropeSin]: new this.ort.Tensor('float32', sin, [N, half]),
    };
  }

  /**
   * Block `layer` on `residual` (the rows after the `past` ones), computing its last `rows` rows,
   * in `session`: the engine's own block session unless given another (weightError's float32 one).
   */
  private async runBlock(
    layer: number,
    residual: Float32Array,
    past: PastKeyValues | undefined,
    rows: number,
    shared: Record<string, OrtTensorLike>,
    fetches: string[],
    session?: OrtSessionLike,
  ): Promise<Record<string, OrtTensorLike>> {
    const { nEmbd: d, architecture: a } = this.config;
    const pastShape = [a.kvHeads, past?.length ?? 0, a.headDim];
    const empty = new Float32Array(0);
    return (session ?? (await this.sessions.get(`block.${layer}`))).run(
      {
        ...shared,
        [BLOCK_INPUTS.residual]: new this.ort.Tensor('float32', residual, [residual.length / d, d]),
        [BLOCK_INPUTS.pastKey]: new this.ort.Tensor('float32', past?.keys[layer] ?? empty, pastShape),
        [BLOCK_INPUTS.pastValue]: new this.ort.Tensor('float32', past?.values[layer] ?? empty, pastShape),
        [BLOCK_INPUTS.outputRows]: this.int64([rows]),
      },
      fetches,
    );
  }

  /** [T, d]: the residual after the last block, from a full run. */
  private finalLayer(run: StreamRun): Float32Array {
    const { nLayer: L, nEmbd: d } = this.config;
    return run.hidden.subarray(L * run.ids.length * d);
  }

  /** The final norm and the unembedding on `rows` [P, d], in chunks that bound the logits' memory. */
  private async runHead(rows: Float32Array, targets: number[], temperature: number, k: number): Promise<HeadRows> {
    const d = this.config.nEmbd;
    const P = targets.length;
    const session = await this.sessions.get('vocab');
    // The other half of the graph gets one zero row: onnxruntime-web's kernels divide by zero on empty tensors.
    const noVectors = new this.ort.Tensor('float32', new Float32Array(d), [1, d]);
    const result: HeadRows = {
      k,
      topIds: new Array<number>(P * k),
      topLogprobs: new Float32Array(P * k),
      targetLogprob: new Float32Array(P),
      targetRank: new Float32Array(P),
      entropy: new Float32Array(P),
    };
    for (let start = 0; start < P; start += HEAD_ROWS_PER_RUN) {
      const end = Math.min(P, start + HEAD_ROWS_PER_RUN);
      const out = await session.run({
        [VOCAB_INPUTS.hidden]: new this.ort.Tensor('float32', rows.slice(start * d, end * d), [end - start, d]),
        [VOCAB_INPUTS.targets]: this.int64(targets.slice(start, end)),
        [VOCAB_INPUTS.temperature]: new this.ort.Tensor('float32', Float32Array.of(temperature), [1]),
        [VOCAB_INPUTS.k]: this.int64([k]),
        [VOCAB_INPUTS.vectors]: noVectors,
      }, HEAD_FETCHES);
      const ids = out[VOCAB_OUTPUTS.topIds].data as BigInt64Array;
      for (let i = 0; i < ids.length; i++) result.topIds[start * k + i] = Number(ids[i]);
      result.topLogprobs.set(floats(out[VOCAB_OUTPUTS.topLogprobs]), start * k);
      result.targetLogprob.set(floats(out[VOCAB_OUTPUTS.targetLogprob]), start);
      result.targetRank.set(floats(out[VOCAB_OUTPUTS.targetRank]), start);
      result.entropy.set(floats(out[VOCAB_OUTPUTS.entropy]), start);
    }
    return result;
  }

  private async runNeighbours(vector: Float32Array, k: number): Promise<Neighbour[]> {
    const d = this.config.nEmbd;
    const session = await this.sessions.get('vocab');
    const out = await session.run(
      {
        // One zero row for the head's half (see runHead).
        [VOCAB_INPUTS.hidden]: new this.ort.Tensor('float32', new Float32Array(d), [1, d]),
        [VOCAB_INPUTS.targets]: this.int64([0]),
        [VOCAB_INPUTS.temperature]: new this.ort.Tensor('float32', Float32Array.of(1), [1]),
        [VOCAB_INPUTS.k]: this.int64([k]),
        [VOCAB_INPUTS.vectors]: new this.ort.Tensor('float32', vector, [1, d]),
      },
      [VOCAB_OUTPUTS.neighbourIds, VOCAB_OUTPUTS.neighbourCosines],
    );
    const ids = out[VOCAB_OUTPUTS.neighbourIds].data as BigInt64Array;
    const cosines = floats(out[VOCAB_OUTPUTS.neighbourCosines]);
    return Array.from(ids, (id, i) => [Number(id), this.textOf(Number(id)), cosines[i]] as Neighbour);
  }

  // ------------------------------------------------------------ inputs

  /** Validates ids and keeps the last nPositions of them. */
  private prepareIds(ids: number[]): { kept: number[]; truncated?: Truncation } {
    if (!Array.isArray(ids)) throw new Error('ids must be a list of token ids');
    if (ids.length === 0) throw new Error('nothing to analyse: the text has no tokens');
    ids.forEach((id, i) => this.checkTokenId(id, `token id at index ${i}`));
    const n = this.config.nPositions;
    if (ids.length <= n) return { kept: ids.slice() };
    return {
      kept: ids.slice(ids.length - n),
      truncated: { totalTokens: ids.length, droppedTokens: ids.length - n, keptTokens: n },
    };
  }

  /** Ids beyond the embedding's rows come from a tokenizer that does not match the model. */
  private checkTokenId(id: unknown, what: string): asserts id is number {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= this.config.vocabSize) {
      throw new Error(`${what} is ${JSON.stringify(id)}, ${this.checkpoint.outsideEmbedding()}`);
    }
  }

  private topK(requested: number | undefined, fallback: number): number {
    const k = requested === undefined || !Number.isFinite(requested) ? fallback : Math.floor(requested);
    return Math.min(this.config.vocabSize, Math.max(1, k));
  }

  private neighbourCount(requested: number, reserved: number): number {
    const k = Number.isFinite(requested) ? Math.floor(requested) : DEFAULT_NEIGHBOURS;
    return Math.min(this.config.vocabSize - reserved, Math.max(1, k));
  }

  private int64(values: number[]): OrtTensorLike {
    return new this.ort.Tensor('int64', BigInt64Array.from(values, BigInt), [values.length]);
  }

  /** The id's text, or "<id>" for an id the tokenizer has no token for (padded embedding rows). */
  private textOf(id: number): string {
    try {
      return this.tokenText(id);
    } catch {
      return `<${id}>`;
    }
  }
}

// ------------------------------------------------------------ helpers (pure)

/** Token texts where the caller gave none: a GPT-2 checkpoint's are r50k_base's (see model-tokenizer.ts); other families' are their ids. */
function defaultTokenText(config: ModelConfig): (id: number) => string {
  if (config.architecture.family !== 'gpt2') return (id) => `<${id}>`;
  const r50k = openAiTokenizer('r50k_base');
  return (id) => tokenEntry(r50k, id).text;
}

function floats(tensor: OrtTensorLike | undefined): Float32Array {
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error('the runtime returned no float32 tensor where one was expected');
  return tensor.data;
}

function checkIndex(what: string, value: unknown, length: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= length) {
    throw new Error(`${what} ${JSON.stringify(value)} is out of range (0..${length - 1})`);
  }
}

function checkTemperature(temperature: unknown): number {
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new Error(`temperature must be a finite number > 0 (use greedy decoding for 0), got ${JSON.stringify(temperature)}`);
  }
  return temperature;
}

function topOf(head: HeadRows, row: number): TokenLogprob[] {
  const out: TokenLogprob[] = [];
  for (let j = 0; j < head.k; j++) out.push([head.topIds[row * head.k + j], head.topLogprobs[row * head.k + j]]);
  return out;
}

function targetOf(head: HeadRows, row: number, id: number): TargetScore {
  return { id, logprob: head.targetLogprob[row], rank: head.targetRank[row] };
}

function distributionOf(head: HeadRows, row: number, position: number, temperature: number, target: number | null): Distribution {
  return {
    position,
    temperature,
    top: topOf(head, row),
    target: target === null ? null : targetOf(head, row, target),
    entropy: head.entropy[row],
  };
}
