// What the panel may ask of a loaded model, and the answers, wherever the model runs: in the
// panel's own worker (WebGPU) or in the extension host's model worker (threaded WASM, shared with
// the hover). Both answer through answerCall, so the two paths cannot drift apart.
import { readChat, type ChatMessage, type ChatReading, type ChatTemplate } from './chat-template';
import type { Checkpoint } from './checkpoint';
import type { DistributionOptions, LensEngine } from './engine';
import { PipelineInspector } from './inspect';
import { tokenEntry, type TokenEntry } from './model-tokenizer';
import { buildPipeline, type PipelineModel, type PipelineRequest } from './pipeline-model';
import type { Tokenizer } from './tokenizer-interface';
import { MODEL_METHODS, type ModelMethod } from './model-methods';
import type { Analysis, AnalyzeOptions, BackendInfo, Distribution, LensCell, ModelConfig, Neighbour, WeightError } from './types';

/** [id, entry] pairs, as an answer carries them (plain data: structured-clone and JSON safe). */
export type TokenEntries = [number, TokenEntry][];

/** The model's tokenizer, as the page needs to know it (the tokenizer itself stays with the model). */
export interface TokenizerInfo {
  /** "r50k_base", or the model's name for its tokenizer.json. */
  name: string;
  /** tokenizer_config.json has a chat template (an instruct model). */
  chatTemplate: boolean;
  /** Time to build it from tokenizer.json (parse included), in ms; 0 for r50k_base. */
  buildMs: number;
}

/**
 * Where a load's time went, in ms (together about the load's time): the model's files fetched
 * (read, in the extension host), the runtime started (its WebAssembly compiled), the graphs built
 * (weights read and converted to float32 included), their sessions created, and the first run.
 */
export interface LoadTimings {
  fetchMs: number;
  tokenizerMs: number;
  runtimeMs: number;
  graphsMs: number;
  sessionsMs: number;
  firstRunMs: number;
}

/** Load progress as data; the page words it in its language. */
export type LoadStage =
  | { stage: 'loading' }
  | { stage: 'fetching'; received: number; total?: number }
  | { stage: 'starting' }
  | { stage: 'preparing' };

/** What a load answers: the model as the page needs to know it, and where the time went. */
export interface LoadResult {
  config: ModelConfig;
  backend: BackendInfo;
  tokenizer: TokenizerInfo;
  loadMs: number;
  timings: LoadTimings;
  /**
   * When the extension host's worker holds the model: how long its own load took (the timings'
   * total), once, shared with the hover; loadMs is then how long the panel waited for it.
   */
  sharedLoadMs?: number;
}

export interface ChatAnswer extends ChatReading {
  /** The distribution of the assistant's first token (temperature 1). */
  next: Distribution;
}

/** The model's questions the panel asks, each answered from one loaded model. */
export interface ModelCalls {
  analyze(ids: number[], options: AnalyzeOptions): Promise<Analysis>;
  distributionAt(ids: number[], position: number, options: DistributionOptions): Promise<Distribution>;
  logitLens(ids: number[], cells: { layer: number; position: number }[], topK?: number): Promise<LensCell[]>;
  neighboursOfToken(id: number, k?: number): Promise<Neighbour[]>;
  neighboursOfVector(vector: Float32Array | number[], k?: number): Promise<Neighbour[]>;
  /** Input-embedding rows of `ids`, flat [n, d]. */
  tokenEmbeddings(ids: number[]): Promise<Float32Array>;
  /** One layer's attention probabilities of `ids`, [heads, T, T]: computed when asked, one block's work. */
  attentionLayer(ids: number[], layer: number): Promise<Float32Array>;
  /** The walk-through's numbers for one picked token (analysis and recomputation from the weights). */
  pipeline(request: PipelineRequest): Promise<PipelineModel>;
  /** The text of a sequence of ids, by the model's tokenizer (generated text for the editor). */
  decode(ids: number[]): Promise<string>;
  /** The conversation as the model's chat template writes it, its tokens, and the assistant's first-token distribution. */
  chat(messages: ChatMessage[]): Promise<ChatAnswer>;
  /** 8-bit weights only: how far they move this text's log-probabilities from float32's (LensEngine.weightError). */
  weightError(ids: number[], maxPositions?: number): Promise<WeightError>;
}

export type { ModelMethod } from './model-methods';

/** A loaded model, with what the panel's questions need besides the engine. */
export interface CallableModel {
  engine: LensEngine;
  /** The weights, for the walk-through's recomputation of one token's numbers. */
  checkpoint: Checkpoint;
  tokenizer: Tokenizer;
  /** The engine's config, with generation_config.json's end-of-sequence ids where the folder has one. */
  config: ModelConfig;
  /** tokenizer_config.json's chat template, for instruct models. */
  chat?: ChatTemplate;
}

/** Ids in a list of [id, log-probability] pairs. */
const idsOfTop = (top: readonly (readonly [number, number])[]): number[] => top.map(([id]) => id);

/**
 * The token ids a result holds that the page may show as text: every id of an analysis (its
 * tokens, each position's top-k), a distribution's top-k and actual next token, the logit
 * lens's cells, neighbours. The walk-through and decode answer with their texts already.
 */
export const tokenIdsIn: { [M in ModelMethod]: (value: Awaited<ReturnType<ModelCalls[M]>>) => Iterable<number> } = {
  analyze: (analysis) => [...analysis.ids, ...analysis.positions.flatMap((p) => idsOfTop(p.top))],
  distributionAt: (distribution) => [...idsOfTop(distribution.top), ...(distribution.target ? [distribution.target.id] : [])],
  logitLens: (cells) => cells.flatMap((cell) => idsOfTop(cell.top)),
  neighboursOfToken: (neighbours) => neighbours.map(([id]) => id),
  neighboursOfVector: (neighbours) => neighbours.map(([id]) => id),
  tokenEmbeddings: () => [],
  attentionLayer: () => [],
  pipeline: () => [],
  decode: () => [],
  chat: (answer) => [...answer.ids, ...idsOfTop(answer.next.top)],
  weightError: () => [],
};

/** The display entries of `ids`, each once (ids that are not token ids are left out). */
export function entriesOfIds(ids: Iterable<number>, tokenizer: Tokenizer): TokenEntries {
  return [...new Set(ids)].filter((id) => Number.isInteger(id) && id >= 0).map((id) => [id, tokenEntry(tokenizer, id)]);
}

/** The display entries of the ids in a result, each once. */
export function entriesOf<M extends ModelMethod>(method: M, value: Awaited<ReturnType<ModelCalls[M]>>, tokenizer: Tokenizer): TokenEntries {
  return entriesOfIds(tokenIdsIn[method](value), tokenizer);
}

/** The buffers of a result that can move instead of being copied (attention maps, the residual stream). */
export function transferables(value: unknown): ArrayBuffer[] {
  if (typeof value !== 'object' || value === null) return [];
  const arrays = value instanceof Float32Array ? [value] : (['attention', 'hidden'] as const).map((key) => (value as Partial<Record<typeof key, unknown>>)[key]);
  const buffers: ArrayBuffer[] = [];
  for (const array of arrays) {
    // Only an array that owns its whole buffer: moving a shared one would empty its other views.
    if (array instanceof Float32Array && array.byteOffset === 0 && array.buffer instanceof ArrayBuffer && array.byteLength === array.buffer.byteLength) {
      buffers.push(array.buffer);
    }
  }
  return buffers;
}

/** The calls of one loaded model; the walk-through's inspector is made on its first use. */
export function modelCalls(model: CallableModel): ModelCalls {
  const { engine, checkpoint, tokenizer } = model;
  let inspector: PipelineInspector | undefined;
  return {
    analyze: (ids, options) => engine.analyze(ids, options),
    distributionAt: (ids, position, options) => engine.distributionAt(ids, position, options),
    logitLens: (ids, cells, topK) => engine.logitLens(ids, cells, topK),
    neighboursOfToken: (id, k) => engine.neighboursOfToken(id, k),
    neighboursOfVector: (vector, k) => engine.neighboursOfVector(vector, k),
    tokenEmbeddings: (ids) => engine.tokenEmbeddings(ids),
    attentionLayer: (ids, layer) => engine.attentionLayer(ids, layer),
    weightError: (ids, maxPositions) => engine.weightError(ids, maxPositions),
    async pipeline(request) {
      inspector ??= new PipelineInspector(checkpoint);
      const analysis = await engine.analyze(request.ids, { topK: 1, hidden: true });
      return buildPipeline(request, {
        inspector,
        stream: { hidden: analysis.hidden!, tokens: analysis.ids.length },
        neighbours: (id) => engine.neighboursOfToken(id, 5),
        tokenText: (id) => tokenEntry(tokenizer, id).text,
        tokenBytes: (id) => tokenEntry(tokenizer, id).bytes,
      });
    },
    decode: async (ids) => {
      if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0)) throw new Error('decode: give a list of token ids');
      return tokenizer.decode(ids);
    },
    async chat(messages) {
      if (!model.chat) throw new Error('this model has no chat template (tokenizer_config.json has no chat_template): it is a base model');
      const reading = readChat(model.chat, tokenizer, checkMessages(messages));
      const context = engine.config.nPositions;
      if (reading.ids.length > context) throw new Error(`the conversation is ${reading.ids.length} tokens, longer than the model's context of ${context}`);
      const next = await engine.distributionAt(reading.ids, reading.ids.length - 1, { temperature: 1, topK: 10 });
      return { ...reading, next };
    },
  };
}

/** Calls `method` with arguments that came in a message; unknown methods are refused. */
export function callModel(calls: ModelCalls, method: string, args: unknown[]): Promise<unknown> {
  if (!(MODEL_METHODS as readonly string[]).includes(method)) return Promise.reject(new Error(`unknown call ${JSON.stringify(method).slice(0, 40)}`));
  if (!Array.isArray(args) || args.length > 4) return Promise.reject(new Error(`${method}: its arguments must be a short list`));
  return (calls[method as ModelMethod] as (...a: unknown[]) => Promise<unknown>)(...args);
}

/** The page's messages, checked: a system and/or user message of at most 20,000 characters each. */
function checkMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 2) throw new Error('a conversation here is a system prompt and a user message');
  return messages.map((m) => {
    const { role, content } = (m ?? {}) as Record<string, unknown>;
    if ((role !== 'system' && role !== 'user') || typeof content !== 'string' || content.length > 20_000) throw new Error('each message needs a role (system or user) and at most 20,000 characters of text');
    return { role, content };
  });
}
