// The contract between the panel's page and the worker that runs its model. The model runs in a
// dedicated worker because a webview's main thread is not its own: code-server serves webviews
// as same-origin iframes, so every synchronous stretch of WASM there (seconds for a model load or
// a 512-token analysis on a busy machine) froze the whole workbench — CI saw "Extension host is
// unresponsive" and a 20 s socket timeout. The page only draws. The questions themselves are the
// engine's (src/engine/model-calls.ts), the same the extension host's model worker answers.
import type { BackendInfo, BackendPreference, WeightPreference } from '../src/engine/types';
import type { LoadResult, LoadStage, ModelCalls, TokenEntries } from '../src/engine/model-calls';
import type { ModelFileUris } from '../src/protocol';

export type { ChatAnswer, LoadResult, LoadStage, LoadTimings, TokenizerInfo } from '../src/engine/model-calls';

/** Where the model and the runtime are (webview URIs of the extension's resources). */
export interface ModelLocation {
  modelName: string;
  model: ModelFileUris;
  wasmUri: string;
  /** float32 or 8-bit weights (absent: 'auto'). */
  weights?: WeightPreference;
}

/** What the page can ask of its worker: a load, then the model's questions. */
export interface EngineCalls extends ModelCalls {
  load(location: ModelLocation, backend: BackendPreference): Promise<LoadResult>;
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
