// The contract between the panel's page and the worker that runs its model. The model runs in a
// dedicated worker because a webview's main thread is not its own: code-server serves webviews
// as same-origin iframes, so every synchronous stretch of WASM there (seconds for a model load or
// a 512-token analysis on a busy machine) froze the whole workbench — CI saw "Extension host is
// unresponsive" and a 20 s socket timeout. The page only draws; this module is all the two share.
import type { Analysis, AnalyzeOptions, BackendInfo, BackendPreference, Distribution, LensCell, ModelConfig, Neighbour } from '../src/engine/types';
import type { DistributionOptions } from '../src/engine/engine';
import type { ChatMessage, ChatReading } from '../src/engine/chat-template';
import type { ModelFileUris } from '../src/protocol';
import type { PipelineModel, PipelineRequest } from './view/pipeline-model';
import type { TokenEntries } from './token-texts';

/** Where the model and the runtime are (webview URIs of the extension's resources). */
export interface ModelLocation {
  modelName: string;
  model: ModelFileUris;
  wasmUri: string;
}

/** Load progress as data; the page words it in its language. */
export type LoadStage =
  | { stage: 'loading' }
  | { stage: 'fetching'; received: number; total?: number }
  | { stage: 'starting' }
  | { stage: 'preparing' };

/** The model's tokenizer, as the page needs to know it (the tokenizer itself stays in the worker). */
export interface TokenizerInfo {
  /** "r50k_base", or the model's name for its tokenizer.json. */
  name: string;
  /** tokenizer_config.json has a chat template (an instruct model). */
  chatTemplate: boolean;
  /** Time to build it from tokenizer.json (parse included), in ms; 0 for r50k_base. */
  buildMs: number;
}

/**
 * Where a load's time went, in ms (together about loadMs): the model's files fetched, the runtime
 * started (its WebAssembly fetched and compiled), the graphs built (weights read and converted to
 * float32 included), their sessions created, and the first run.
 */
export interface LoadTimings {
  fetchMs: number;
  tokenizerMs: number;
  runtimeMs: number;
  graphsMs: number;
  sessionsMs: number;
  firstRunMs: number;
}

export interface LoadResult {
  config: ModelConfig;
  backend: BackendInfo;
  tokenizer: TokenizerInfo;
  loadMs: number;
  timings: LoadTimings;
}

/** What the page can ask of the worker: the engine's questions, plus the walk-through's numbers. */
export interface EngineCalls {
  load(location: ModelLocation, backend: BackendPreference): Promise<LoadResult>;
  analyze(ids: number[], options: AnalyzeOptions): Promise<Analysis>;
  distributionAt(ids: number[], position: number, options: DistributionOptions): Promise<Distribution>;
  logitLens(ids: number[], cells: { layer: number; position: number }[], topK?: number): Promise<LensCell[]>;
  neighboursOfToken(id: number, k?: number): Promise<Neighbour[]>;
  neighboursOfVector(vector: Float32Array, k?: number): Promise<Neighbour[]>;
  /** Input-embedding rows of `ids`, flat [n, d]. */
  tokenEmbeddings(ids: number[]): Promise<Float32Array>;
  /** The walk-through's numbers for one picked token (analysis and recomputation from the weights). */
  pipeline(request: PipelineRequest): Promise<PipelineModel>;
  /** The text of a sequence of ids, by the model's tokenizer (generated text for the editor). */
  decode(ids: number[]): Promise<string>;
  /** The conversation as the model's chat template writes it, its tokens, and the assistant's first-token distribution. */
  chat(messages: ChatMessage[]): Promise<ChatAnswer>;
}

export interface ChatAnswer extends ChatReading {
  /** The distribution of the assistant's first token (temperature 1). */
  next: Distribution;
}

export type EngineMethod = keyof EngineCalls;

export interface CallMessage<M extends EngineMethod = EngineMethod> {
  kind: 'call';
  id: number;
  method: M;
  args: Parameters<EngineCalls[M]>;
}

export type WorkerMessage =
  /**
   * `backend` is the engine's after the call: WebGPU may have given way to WASM meanwhile.
   * `tokens`: the display entries of the ids in `value` (tokenIdsIn), for the page's TokenTexts.
   */
  | { kind: 'result'; id: number; value: unknown; backend?: BackendInfo; tokens?: TokenEntries }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'progress'; progress: LoadStage };

/** Ids in a list of [id, log-probability] pairs. */
const idsOfTop = (top: readonly (readonly [number, number])[]): number[] => top.map(([id]) => id);

/**
 * The token ids a result holds that the page may show as text: every id of an analysis (its
 * tokens, each position's top-k), a distribution's top-k and actual next token, the logit
 * lens's cells, neighbours. The walk-through and decode answer with their texts already.
 */
export const tokenIdsIn: { [M in EngineMethod]: (value: Awaited<ReturnType<EngineCalls[M]>>) => Iterable<number> } = {
  load: () => [],
  analyze: (analysis) => [...analysis.ids, ...analysis.positions.flatMap((p) => idsOfTop(p.top))],
  distributionAt: (distribution) => [...idsOfTop(distribution.top), ...(distribution.target ? [distribution.target.id] : [])],
  logitLens: (cells) => cells.flatMap((cell) => idsOfTop(cell.top)),
  neighboursOfToken: (neighbours) => neighbours.map(([id]) => id),
  neighboursOfVector: (neighbours) => neighbours.map(([id]) => id),
  tokenEmbeddings: () => [],
  pipeline: () => [],
  decode: () => [],
  chat: (answer) => [...answer.ids, ...idsOfTop(answer.next.top)],
};

/** The buffers of a result that can move instead of being copied (an analysis' attention and residual stream). */
export function transferables(value: unknown): ArrayBuffer[] {
  if (typeof value !== 'object' || value === null) return [];
  const buffers: ArrayBuffer[] = [];
  for (const key of ['attention', 'hidden'] as const) {
    const array = (value as Partial<Record<typeof key, unknown>>)[key];
    // Only an array that owns its whole buffer: moving a shared one would empty its other views.
    if (array instanceof Float32Array && array.byteOffset === 0 && array.buffer instanceof ArrayBuffer && array.byteLength === array.buffer.byteLength) {
      buffers.push(array.buffer);
    }
  }
  return buffers;
}
