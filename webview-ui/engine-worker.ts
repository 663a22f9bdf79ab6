// Entry of dist/webview-engine.js: the panel's model, in a dedicated worker (see engine-rpc.ts
// for why). Answers the page's calls one message at a time; the engine itself queues its runs.
// The worker holds the model's tokenizer: each answer carries the texts of the ids in it.
import { callModel, entriesOf, modelCalls, transferables, type ModelCalls, type ModelMethod } from '../src/engine/model-calls';
import { loadEngine, type LoadedEngine } from './engine-loader';
import type { CallMessage, WorkerMessage } from './engine-rpc';
import type { BackendPreference } from '../src/engine/types';
import type { ModelLocation } from './engine-rpc';

interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<CallMessage>) => void): void;
}
const scope = self as unknown as WorkerScope;

let loading: Promise<{ loaded: LoadedEngine; calls: ModelCalls }> | undefined;

async function load(location: ModelLocation, backend: BackendPreference) {
  if (loading) throw new Error('this worker already holds a model');
  loading = loadEngine(location, backend, (progress) => scope.postMessage({ kind: 'progress', progress })).then((loaded) => ({ loaded, calls: modelCalls(loaded) }));
  const { loaded } = await loading;
  const { engine, tokenizer, tokenizerMs, config, loadMs, timings, chat } = loaded;
  return { config, backend: engine.backend, tokenizer: { name: tokenizer.name, buildMs: tokenizerMs, chatTemplate: chat !== undefined }, loadMs, timings };
}

scope.addEventListener('message', (event) => {
  const { id, method, args } = event.data;
  void (async () => {
    try {
      let value: unknown;
      if (method === 'load') {
        value = await load(...(args as [ModelLocation, BackendPreference]));
      } else {
        if (!loading) throw new Error('the model is not loaded');
        value = await callModel((await loading).calls, method, args);
      }
      const model = await loading?.then((l) => l.loaded, () => undefined);
      const tokens = model && method !== 'load' ? entriesOf(method as ModelMethod, value as never, model.tokenizer) : undefined;
      scope.postMessage({ kind: 'result', id, value, backend: model?.engine.backend, tokens }, transferables(value));
    } catch (error) {
      scope.postMessage({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
