// Messages between the extension host and the model worker thread. The worker owns the model's
// tokenizer and engine (WASM), so that neither tokenizing a large text nor any forward pass runs
// on the extension host's main thread.
import type { TokenEntry } from '../engine/model-tokenizer';
import type { LoadResult as ModelLoadResult, TokenEntries as TokenEntryList } from '../engine/model-calls';
import type { BackendInfo, LastPrediction, ModelConfig, Neighbour, TokenSpan, WeightPreference } from '../engine/types';
import type { ThreadPriority } from './thread-priority';

export type WorkerRequest =
  /** Reads config.json and the tokenizer of `modelDir` (no weights): enough to tokenize. */
  | { kind: 'open'; id: number; modelDir: string }
  /** Also loads the weights and builds the engine. */
  | { kind: 'load'; id: number; modelDir: string; wasmDir: string; weights: WeightPreference }
  /** The model's tokens of `text`: how many, and the spans of the last `tail`. */
  | { kind: 'tokenize'; id: number; text: string; tail: number }
  | { kind: 'count'; id: number; text: string }
  /** What ids show as (text and bytes, or "<id>"). */
  | { kind: 'entries'; id: number; ids: number[] }
  | { kind: 'neighbours'; id: number; tokenId: number; k: number }
  /** Tokenizes a hover's window and predicts after the token at `offset` (window-relative). */
  | { kind: 'hoverAt'; id: number; text: string; offset: number; contextTokens: number; topK: number; temperature: number }
  /** The loaded model as the panel needs to know it (loads nothing: ask 'load' first). */
  | { kind: 'panelLoad'; id: number }
  /** One of the panel's questions (src/engine/model-calls.ts) to the loaded model. */
  | { kind: 'panelCall'; id: number; method: string; args: unknown[] }
  /** Drops a queued request; a forward pass already running finishes but its result is discarded. */
  | { kind: 'cancel'; id: number };

export interface OpenResult {
  config: ModelConfig;
  /** The tokenizer's name ("r50k_base", or the model's folder for a tokenizer.json) and whether it adds BOS. */
  tokenizer: { name: string; addsBos: boolean };
}

export interface LoadResult extends OpenResult {
  backend: BackendInfo;
  /** The worker thread's CPU priority (lowered on Linux, see thread-priority.ts). */
  priority: ThreadPriority;
}

export interface TokenizeResult {
  /** Tokens of the whole text (BOS included where the model adds it). */
  total: number;
  /** The last `tail` of them. */
  tail: TokenSpan[];
}

/** Display entries of ids, as [id, entry] pairs: the same shape for the hover and the panel. */
export type TokenEntries = TokenEntryList;

/** The hovered token (offsets relative to the window; null where there is none) and what the model predicts after it. */
export interface HoverAtResult {
  token: TokenSpan | null;
  /** Absent when the token's span is empty (a continuation byte of the previous character). */
  prediction?: LastPrediction;
  /** What the ids in `prediction` show as. */
  entries?: TokenEntries;
}

/** The panel's view of the loaded model: its folder (the panel checks it is its own), config, tokenizer and load. */
export interface PanelLoadResult extends ModelLoadResult {
  modelDir: string;
}

/** A panel question's answer, the backend after it, and the texts of the ids in it. */
export interface PanelAnswer {
  value: unknown;
  backend: BackendInfo;
  tokens: TokenEntryList;
}

export type WorkerResult = PanelLoadResult | PanelAnswer | OpenResult | LoadResult | TokenizeResult | number | TokenEntries | Neighbour[] | HoverAtResult;

export type WorkerResponse =
  | { id: number; ok: true; result: WorkerResult }
  | { id: number; ok: false; error: string; cancelled?: boolean };

export function isWorkerResponse(value: unknown): value is WorkerResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'number' || typeof v.ok !== 'boolean') return false;
  return v.ok ? 'result' in v : typeof v.error === 'string';
}
