// Messages between the extension host and the model worker thread. The worker runs the
// engine on WASM so that no forward pass ever runs on the extension host's main thread.
import type { BackendInfo, LastPrediction, ModelConfig, Neighbour, TokenSpan } from '../engine/types';
import type { ThreadPriority } from './thread-priority';

export type WorkerRequest =
  | { kind: 'load'; id: number; modelDir: string; wasmDir: string }
  | { kind: 'neighbours'; id: number; tokenId: number; k: number }
  /** Tokenizes a hover's window and predicts after the token at `offset` (window-relative). */
  | { kind: 'hoverAt'; id: number; text: string; offset: number; contextTokens: number; topK: number; temperature: number }
  /** Drops a queued request; a forward pass already running finishes but its result is discarded. */
  | { kind: 'cancel'; id: number };

export interface LoadResult {
  config: ModelConfig;
  backend: BackendInfo;
  /** The worker thread's CPU priority (lowered on Linux, see thread-priority.ts). */
  priority: ThreadPriority;
}

/** The hovered token (offsets relative to the window; null where there is none) and what the model predicts after it. */
export interface HoverAtResult {
  token: TokenSpan | null;
  /** Absent when the token's span is empty (a continuation byte of the previous character). */
  prediction?: LastPrediction;
}

export type WorkerResult = LoadResult | Neighbour[] | HoverAtResult;

export type WorkerResponse =
  | { id: number; ok: true; result: WorkerResult }
  | { id: number; ok: false; error: string; cancelled?: boolean };

export function isWorkerResponse(value: unknown): value is WorkerResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'number' || typeof v.ok !== 'boolean') return false;
  return v.ok ? 'result' in v : typeof v.error === 'string';
}
