// The one contract between the extension host and the Explain Tokens webview: every message
// type in both directions, and a validator per direction. Both sides treat what they receive
// as untrusted (a webview is a web page; the host could be a newer or older build), so each
// validator checks every field's type and range and returns undefined for anything else.
// This module is pure: it is bundled into both dist/extension.js and dist/webview.js.
import type { BackendInfo, BackendPreference, EncodingName, TokenSpan, WeightPreference } from './engine/types';
import type { LoadStage, TokenEntries } from './engine/model-calls';
import { MODEL_METHODS, type ModelMethod } from './engine/model-methods';

export type HeatMapMode = 'rank' | 'surprisal' | 'off';
export type SourceKind = 'selection' | 'paragraph' | 'document';

export const ENCODINGS: readonly EncodingName[] = ['r50k_base', 'cl100k_base', 'o200k_base'];
/** What the status bar can count with: the model's own tokenizer, or an OpenAI encoding. */
export type CountEncoding = 'model' | EncodingName;
export const COUNT_ENCODINGS: readonly CountEncoding[] = ['model', ...ENCODINGS];
export const HEAT_MAP_MODES: readonly HeatMapMode[] = ['rank', 'surprisal', 'off'];
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm'];
export const WEIGHT_PREFERENCES: readonly WeightPreference[] = ['auto', 'float32', 'int8'];

/** Bounds shared by settings, the slider and the validators. */
export const LIMITS = {
  topKMin: 1,
  topKMax: 100,
  temperatureMin: 0.1,
  temperatureMax: 2,
  /** Longest message text accepted from the other side (chars): errors and logs are truncated before sending. */
  messageChars: 4000,
  notes: 5,
  noteChars: 500,
  /** Most tokens one explain message carries; the host caps what the panel renders to this. */
  tokensPerMessage: 5000,
  /**
   * Most tokens the panel's model reads at once, whatever the model's context: its attention maps
   * are [layers × heads × T × T] (Qwen2.5-0.5B at 1,024: 1.4 GB of float32). Longer text is read
   * from its end, as for a context shorter than the text.
   */
  analysisTokens: 1024,
  /** Longest model name (a folder's name, up to 255 bytes on disk) in a message: the host clips it to this. */
  modelNameChars: 200,
} as const;

export type EncodingCounts = Record<EncodingName, number>;

/** What was explained, for the panel header. */
export interface ExplainSource {
  kind: SourceKind;
  /** E.g. "Selection in sample.py, lines 3–7". */
  label: string;
}

export interface ViewSettings {
  topK: number;
  temperature: number;
  heatMapMode: HeatMapMode;
}

// ---- host → webview ----

/** Webview URIs (asWebviewUri) of the files of a model folder that the panel reads. */
export interface ModelFileUris {
  configUri: string;
  /** model.safetensors, or every shard the index names (`name` as the index lists it). */
  weights: { name: string; uri: string }[];
  /** model.safetensors.index.json, for a sharded checkpoint. */
  shardIndexUri?: string;
  /** tokenizer.json (and tokenizer_config.json); absent for a GPT-2 checkpoint read with r50k_base. */
  tokenizerUri?: string;
  tokenizerConfigUri?: string;
  /** generation_config.json, where the folder has one: the end-of-sequence ids generation stops at. */
  generationConfigUri?: string;
}

/** Sent once after the webview says it is ready: where the model and runtime live. */
export interface InitMessage {
  type: 'init';
  modelName: string;
  model: ModelFileUris;
  /** Webview URI of onnxruntime-web's wasm binary. */
  wasmUri: string;
  /** Webview URI of the bundle the panel runs its model in, as a worker (dist/webview-engine.js). */
  engineUri: string;
  backend: BackendPreference;
  /** float32 or 8-bit weights for the panel's own model (absent: 'auto'). */
  weights?: WeightPreference;
  settings: ViewSettings;
  /** VS Code's display language (vscode.env.language), e.g. "en" or "zh-cn": picks the panel's strings. */
  language?: string;
  /**
   * The extension host's model worker holds (or will load) this same model and answers
   * EngineCallMessages: without a hardware WebGPU adapter the panel asks it instead of loading
   * a second copy on single-threaded WASM.
   */
  hostEngine?: boolean;
}

export interface ExplainMessage {
  type: 'explain';
  runId: number;
  source: ExplainSource;
  /**
   * The tokens the panel shows, offsets relative to the start of the explained text. When the
   * text has more than LIMITS.tokensPerMessage tokens these are its last ones (the ones the
   * model reads), and firstTokenIndex says how many came before.
   */
  tokens: TokenSpan[];
  firstTokenIndex: number;
  totalTokens: number;
  totalChars: number;
  /** The explained text's token count under each OpenAI encoding. */
  counts: EncodingCounts;
  /** And under the model's own tokenizer (its additions, such as BOS, included). */
  modelCount: { tokenizer: string; count: number };
  /** Short remarks the panel shows above the tokens (e.g. that the text looks binary). */
  notes: string[];
  settings: ViewSettings;
}

export interface SettingsMessage {
  type: 'settings';
  settings: ViewSettings;
}

/**
 * Asks the panel to make token `index` (into ExplainMessage.tokens of run `runId`) the query of
 * its Attention view, with the view's current layer and head; the panel answers with an
 * AttentionMessage.
 */
export interface ShowAttentionMessage {
  type: 'showAttention';
  runId: number;
  index: number;
}

/** The answer to an EngineCallMessage: the value, the backend after the call, and the texts of the ids in it. */
export type EngineAnswerMessage =
  | { type: 'engineAnswer'; id: number; ok: true; value: unknown; backend: BackendInfo; tokens: TokenEntries }
  | { type: 'engineAnswer'; id: number; ok: false; message: string };

/** How the host's load of the model goes, while the panel waits for it. */
export interface EngineProgressMessage {
  type: 'engineProgress';
  progress: LoadStage;
}

export type HostMessage = InitMessage | ExplainMessage | SettingsMessage | ShowAttentionMessage | EngineAnswerMessage | EngineProgressMessage;

// ---- webview → host ----

export interface ReadyMessage {
  type: 'ready';
}

/** How likely the model found one token given what precedes it. */
export interface TokenScore {
  /** Index into ExplainMessage.tokens. */
  index: number;
  /** That token's offsets, relative to the start of the explained text (a cross-check). */
  start: number;
  end: number;
  logprob: number;
  rank: number;
}

/** The model's next-token distribution after one token (its top tokens and entropy). */
export interface PositionSummary {
  /** Index into ExplainMessage.tokens of the last token read. */
  index: number;
  /** [token id, log-probability], most likely first. */
  top: [number, number][];
  /** Entropy in nats. */
  entropy: number;
}

export interface AnalysisMessage {
  type: 'analysis';
  runId: number;
  model: string;
  backend: BackendInfo;
  /** One per token the model scored (every token it saw but the first). */
  scores: TokenScore[];
  /** One per token the model read: what it expected next (hovers inside the explained text answer from these). */
  predictions: PositionSummary[];
  /** Tokens the model read (the last ones, up to its context length). */
  keptTokens: number;
  /** Tokens of the text the model did not see (dropped from the start). */
  droppedTokens: number;
  timings: { loadMs: number; analyzeMs: number };
}

/** A run could not finish; the panel shows `message` and the host reports it. */
export interface RunFailedMessage {
  type: 'runFailed';
  runId: number;
  message: string;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogMessage {
  type: 'log';
  level: LogLevel;
  message: string;
}

/** How much one token attends to those before it, for the editor's shading. */
export interface AttentionMessage {
  type: 'attention';
  runId: number;
  /** Index into ExplainMessage.tokens of the attending (query) token. */
  index: number;
  layer: number;
  /** A head index, or the mean over the layer's heads. */
  head: number | 'average';
  /** Index into ExplainMessage.tokens of weights[0]; weights run up to and including `index`. */
  firstIndex: number;
  weights: number[];
}

/** Shape of the model, for checking layer and head indices in messages. */
export interface AttentionShape {
  layers: number;
  heads: number;
}

/** Generated text to insert after the explained range of run `runId`. */
export interface InsertTextMessage {
  type: 'insertText';
  runId: number;
  text: string;
}

/**
 * Scores of tokens before the model's last window (a text longer than its context), from
 * overlapping windows in which each has at least half a context before it; one message per window.
 */
export interface ScoresMessage {
  type: 'scores';
  runId: number;
  scores: TokenScore[];
  /** Earlier tokens scored so far, of `total`. */
  done: number;
  total: number;
}

/**
 * Asks the extension host's model worker one of the model's questions (src/engine/model-calls.ts),
 * or to load the model ('load', no arguments); answered by an EngineAnswerMessage with the same id.
 */
export interface EngineCallMessage {
  type: 'engineCall';
  id: number;
  method: ModelMethod | 'load';
  args: unknown[];
}

export type WebviewMessage = EngineCallMessage | InsertTextMessage | AttentionMessage | ReadyMessage | AnalysisMessage | ScoresMessage | RunFailedMessage | LogMessage;

// ---- validation helpers ----

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isText(value: unknown, maxChars: number): value is string {
  return typeof value === 'string' && value.length <= maxChars;
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

/**
 * An array of at most `maxLength` items that all pass `check`. Indexed, not every(): every()
 * skips the holes of a sparse array (`[1, , 3]`, `Object.assign([], { length: 5 })`), so holes
 * would pass unchecked and reach the code as undefined.
 */
function isListOf<T>(value: unknown, maxLength: number, check: (item: unknown) => item is T): value is T[];
function isListOf(value: unknown, maxLength: number, check: (item: unknown) => boolean): value is unknown[];
function isListOf(value: unknown, maxLength: number, check: (item: unknown) => boolean): boolean {
  if (!Array.isArray(value) || value.length > maxLength) return false;
  for (let i = 0; i < value.length; i++) if (!check(value[i])) return false;
  return true;
}

const isAttentionWeight = (w: unknown): w is number => isNumberIn(w, 0, 1.0001);

const HEX = /^(?:[0-9a-f]{2})*$/;

function isTokenSpan(value: unknown, textLength: number): value is TokenSpan {
  if (!isObject(value)) return false;
  const { id, text, start, end, bytes, partial, special } = value;
  return (
    isInt(id, 0) &&
    typeof text === 'string' &&
    isInt(start, 0, textLength) &&
    isInt(end, start as number, textLength) &&
    typeof bytes === 'string' &&
    HEX.test(bytes) &&
    (partial === undefined || typeof partial === 'boolean') &&
    // A token the tokenizer adds (BOS) stands for no text.
    (special === undefined || (special === true && start === end))
  );
}

function isViewSettings(value: unknown): value is ViewSettings {
  return (
    isObject(value) &&
    isInt(value.topK, LIMITS.topKMin, LIMITS.topKMax) &&
    isNumberIn(value.temperature, LIMITS.temperatureMin, LIMITS.temperatureMax) &&
    isOneOf(value.heatMapMode, HEAT_MAP_MODES)
  );
}

function isCounts(value: unknown): value is EncodingCounts {
  return isObject(value) && ENCODINGS.every((name) => isInt(value[name], 0));
}

function isModelCount(value: unknown): value is ExplainMessage['modelCount'] {
  return isObject(value) && isText(value.tokenizer, LIMITS.modelNameChars) && isInt(value.count, 0);
}

/** The most shards a checkpoint may have (Llama 3.1 405B has 191). */
const MAX_SHARDS = 1000;

function isModelFileUris(value: unknown): value is ModelFileUris {
  if (!isObject(value)) return false;
  const { configUri, weights, shardIndexUri, tokenizerUri, tokenizerConfigUri, generationConfigUri } = value;
  const optionalUri = (uri: unknown) => uri === undefined || isResourceUri(uri);
  return (
    isResourceUri(configUri) &&
    isListOf(weights, MAX_SHARDS, (w) => isObject(w) && isText(w.name, 200) && isResourceUri(w.uri)) &&
    (weights as unknown[]).length > 0 &&
    optionalUri(shardIndexUri) &&
    optionalUri(tokenizerUri) &&
    optionalUri(tokenizerConfigUri) &&
    optionalUri(generationConfigUri)
  );
}

function isBackendInfo(value: unknown): value is BackendInfo {
  return (
    isObject(value) &&
    isOneOf(value.name, ['webgpu', 'wasm', 'native'] as const) &&
    isText(value.reason, LIMITS.messageChars) &&
    (value.threads === undefined || isInt(value.threads, 1, 1024)) &&
    (value.adapter === undefined || isText(value.adapter, LIMITS.messageChars)) &&
    (value.host === undefined || typeof value.host === 'boolean') &&
    (value.weights === undefined || isInt8WeightsInfo(value.weights))
  );
}

function isInt8WeightsInfo(value: unknown): boolean {
  const bytes = (n: unknown) => isNumberIn(n, 0, 2 ** 53);
  return isObject(value) && value.precision === 'int8' && isOneOf(value.why, ['tooBig', 'requested'] as const) && bytes(value.float32Bytes) && bytes(value.heldBytes) && bytes(value.heapBytes);
}

function isTokenScore(value: unknown, textLimit: number): value is TokenScore {
  return (
    isObject(value) &&
    isInt(value.index, 0, LIMITS.tokensPerMessage - 1) &&
    isInt(value.start, 0, textLimit) &&
    isInt(value.end, value.start as number, textLimit) &&
    // A log-probability is ≤ 0; -Infinity cannot cross JSON, so it must be finite.
    isNumberIn(value.logprob, -1e6, 0) &&
    isInt(value.rank, 1)
  );
}

function isPositionSummary(value: unknown): value is PositionSummary {
  return (
    isObject(value) &&
    isInt(value.index, 0, LIMITS.tokensPerMessage - 1) &&
    isNumberIn(value.entropy, 0, 1e6) &&
    isListOf(value.top, LIMITS.topKMax, (pair) => Array.isArray(pair) && pair.length === 2 && isInt(pair[0], 0, 1e7) && isNumberIn(pair[1], -1e6, 0))
  );
}

const ENGINE_CALL_METHODS: readonly (ModelMethod | 'load')[] = [...MODEL_METHODS, 'load'];

/** Most token texts one answer carries: an analysis of 1,024 tokens with 100 candidates each. */
const MAX_ANSWER_TOKENS = 110_000;

function isTokenEntry(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 2 || !isInt(value[0], 0)) return false;
  const entry = value[1] as unknown;
  return isObject(entry) && typeof entry.text === 'string' && typeof entry.bytes === 'string' && typeof entry.partial === 'boolean';
}

function isLoadStage(value: unknown): value is LoadStage {
  if (!isObject(value)) return false;
  switch (value.stage) {
    case 'loading':
    case 'starting':
    case 'preparing':
      return true;
    case 'fetching':
      return isInt(value.received, 0) && (value.total === undefined || isInt(value.total, 0));
    default:
      return false;
  }
}

// Webview URIs are https://*.vscode-cdn.net/... in desktop VS Code and served by the
// workbench's own origin in code-server; either way http(s) and nothing else.
function isResourceUri(value: unknown): value is string {
  return isText(value, 8192) && /^https?:\/\//.test(value);
}

// ---- validators ----

/** The webview's check of what the host sends. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'init':
      return isText(value.modelName, LIMITS.modelNameChars) &&
        isModelFileUris(value.model) &&
        isResourceUri(value.wasmUri) &&
        isResourceUri(value.engineUri) &&
        isOneOf(value.backend, BACKEND_PREFERENCES) &&
        (value.weights === undefined || isOneOf(value.weights, WEIGHT_PREFERENCES)) &&
        isViewSettings(value.settings) &&
        (value.language === undefined || isText(value.language, 35)) &&
        (value.hostEngine === undefined || typeof value.hostEngine === 'boolean')
        ? (value as unknown as InitMessage)
        : undefined;
    case 'explain': {
      const { runId, source, tokens, firstTokenIndex, totalTokens, totalChars, counts, modelCount, notes, settings } = value;
      if (!isInt(runId, 1) || !isInt(totalChars, 0) || !isInt(totalTokens, 0) || !isInt(firstTokenIndex, 0)) return undefined;
      if (!isObject(source) || !isOneOf(source.kind, ['selection', 'paragraph', 'document'] as const)) return undefined;
      if (!isText(source.label, 1000) || !isCounts(counts) || !isModelCount(modelCount) || !isViewSettings(settings)) return undefined;
      if (!isListOf(notes, LIMITS.notes, (note) => isText(note, LIMITS.noteChars))) return undefined;
      if (!isListOf(tokens, LIMITS.tokensPerMessage, (token) => isTokenSpan(token, totalChars))) return undefined;
      if (firstTokenIndex + tokens.length !== totalTokens) return undefined;
      return value as unknown as ExplainMessage;
    }
    case 'settings':
      return isViewSettings(value.settings) ? (value as unknown as SettingsMessage) : undefined;
    case 'showAttention':
      return isInt(value.runId, 1) && isInt(value.index, 0, LIMITS.tokensPerMessage - 1)
        ? { type: 'showAttention', runId: value.runId, index: value.index }
        : undefined;
    case 'engineAnswer':
      if (!isInt(value.id, 1)) return undefined;
      if (value.ok === false) return isText(value.message, LIMITS.messageChars) ? { type: 'engineAnswer', id: value.id, ok: false, message: value.message } : undefined;
      return value.ok === true && 'value' in value && isBackendInfo(value.backend) && isListOf(value.tokens, MAX_ANSWER_TOKENS, isTokenEntry)
        ? (value as unknown as EngineAnswerMessage)
        : undefined;
    case 'engineProgress':
      return isLoadStage(value.progress) ? { type: 'engineProgress', progress: value.progress } : undefined;
    default:
      return undefined;
  }
}

/** The run in progress, which bounds what an analysis may hold. */
export interface RunBounds {
  /** Length of its text: scores' offsets lie inside it. */
  chars: number;
  /** Tokens it sent (ExplainMessage.tokens): the model reads no more, so no more scores or predictions. */
  tokens: number;
}

/** The host's check of what the webview sends; `run` is the run in progress (zeros when there is none). */
export function parseWebviewMessage(value: unknown, run: RunBounds): WebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'engineCall':
      // The arguments' shapes are the engine's to check (each method refuses what it cannot use).
      return isInt(value.id, 1) && isOneOf(value.method, ENGINE_CALL_METHODS) && isListOf(value.args, 4, (arg) => arg !== undefined)
        ? { type: 'engineCall', id: value.id, method: value.method, args: value.args }
        : undefined;
    case 'analysis': {
      const { runId, model, backend, scores, keptTokens, droppedTokens, timings } = value;
      if (!isInt(runId, 1) || !isText(model, LIMITS.modelNameChars) || !isBackendInfo(backend)) return undefined;
      if (!isInt(keptTokens, 0, run.tokens) || !isInt(droppedTokens, 0)) return undefined;
      if (!isObject(timings) || !isNumberIn(timings.loadMs, 0, 1e9) || !isNumberIn(timings.analyzeMs, 0, 1e9)) return undefined;
      // The first token read has nothing before it to be scored against.
      if (!isListOf(scores, Math.max(0, keptTokens - 1), (score) => isTokenScore(score, run.chars))) return undefined;
      if (!isListOf(value.predictions, keptTokens, isPositionSummary)) return undefined;
      return value as unknown as AnalysisMessage;
    }
    case 'scores': {
      const { runId, scores, done, total } = value;
      if (!isInt(runId, 1) || !isInt(total, 1, run.tokens) || !isInt(done, 1, total as number)) return undefined;
      if (!isListOf(scores, total as number, (score) => isTokenScore(score, run.chars))) return undefined;
      return value as unknown as ScoresMessage;
    }
    case 'attention':
      // Shape checks need the model (attentionMessageProblem); here: the fields' types only.
      return isInt(value.runId, 1) && isInt(value.index, 0, LIMITS.tokensPerMessage - 1) && isInt(value.layer, 0) &&
        (value.head === 'average' || isInt(value.head, 0)) && isInt(value.firstIndex, 0) &&
        isListOf(value.weights, LIMITS.tokensPerMessage, isAttentionWeight)
        ? (value as unknown as AttentionMessage)
        : undefined;
    case 'insertText':
      return isInt(value.runId, 1) && typeof value.text === 'string' && value.text.length > 0 && value.text.length <= LIMITS.messageChars * 10
        ? { type: 'insertText', runId: value.runId, text: value.text }
        : undefined;
    case 'runFailed':
      return isInt(value.runId, 1) && isText(value.message, LIMITS.messageChars)
        ? { type: 'runFailed', runId: value.runId, message: value.message }
        : undefined;
    case 'log':
      return isOneOf(value.level, ['info', 'warn', 'error'] as const) && isText(value.message, LIMITS.messageChars)
        ? { type: 'log', level: value.level, message: value.message }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Checks an attention message against the model's shape and the run's token count; returns a
 * sentence saying what is wrong (a stale layer or head index, weights that do not fit), or
 * undefined when it is valid.
 */
export function attentionMessageProblem(value: unknown, shape: AttentionShape, tokenCount: number): string | undefined {
  if (!isObject(value) || value.type !== 'attention') return 'not an attention message';
  const { runId, index, layer, head, firstIndex, weights } = value;
  if (!isInt(runId, 1)) return 'the run id is missing';
  if (!isInt(layer, 0) || layer >= shape.layers) return `layer ${String(layer)} does not exist: the model has layers 0–${shape.layers - 1}`;
  if (head !== 'average' && (!isInt(head, 0) || head >= shape.heads)) return `head ${String(head)} does not exist: each layer has heads 0–${shape.heads - 1}`;
  if (!isInt(index, 0) || index >= tokenCount) return `token ${String(index)} is not in the explained text (${tokenCount} tokens)`;
  if (!isInt(firstIndex, 0, index)) return 'the weights start after the query token';
  if (!Array.isArray(weights) || weights.length !== index - firstIndex + 1) return 'there must be one weight per token up to the query token';
  if (!isListOf(weights, weights.length, isAttentionWeight)) return 'attention weights must lie between 0 and 1';
  return undefined;
}

/** Why an analysis's scores do not fit the run it answers (an index or offsets that are not that token's), or undefined when they fit. */
export function analysisMismatch(analysis: Pick<AnalysisMessage, 'scores'>, run: ExplainMessage): string | undefined {
  for (const score of analysis.scores) {
    const token = run.tokens[score.index];
    if (!token) return `score for token ${score.index} of ${run.tokens.length}`;
    if (token.start !== score.start || token.end !== score.end) {
      return `token ${score.index} spans ${token.start}–${token.end}, the score says ${score.start}–${score.end}`;
    }
  }
  return undefined;
}

/** Shortens text for a message so that the other side's validator accepts it. */
export function clipMessage(text: string): string {
  return text.length <= LIMITS.messageChars ? text : text.slice(0, LIMITS.messageChars - 1) + '…';
}
