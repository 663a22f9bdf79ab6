// Entry of dist/webview-engine.js: the panel's model, in a dedicated worker (see engine-rpc.ts
// for why). Answers the page's calls one message at a time; the engine itself queues its runs.
import { PipelineInspector } from '../src/engine/inspect';
import { vocabularyEntry } from '../src/engine/vocabulary-text';
import { loadEngine, type LoadedEngine } from './engine-loader';
import { transferables, type CallMessage, type EngineCalls, type WorkerMessage } from './engine-rpc';
import { buildPipeline } from './view/pipeline-model';

interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<CallMessage>) => void): void;
}
const scope = self as unknown as WorkerScope;

let loading: Promise<LoadedEngine> | undefined;
let inspector: PipelineInspector | undefined;

function loaded(): Promise<LoadedEngine> {
  if (!loading) throw new Error('the model is not loaded');
  return loading;
}

const calls: EngineCalls = {
  async load(location, backend) {
    if (loading) throw new Error('this worker already holds a model');
    loading = loadEngine(location, backend, (progress) => scope.postMessage({ kind: 'progress', progress }));
    const { engine, loadMs } = await loading;
    return { config: engine.config, backend: engine.backend, loadMs };
  },
  analyze: async (ids, options) => (await loaded()).engine.analyze(ids, options),
  distributionAt: async (ids, position, options) => (await loaded()).engine.distributionAt(ids, position, options),
  logitLens: async (ids, cells, topK) => (await loaded()).engine.logitLens(ids, cells, topK),
  neighboursOfToken: async (id, k) => (await loaded()).engine.neighboursOfToken(id, k),
  neighboursOfVector: async (vector, k) => (await loaded()).engine.neighboursOfVector(vector, k),
  async pipeline(request) {
    const { engine, checkpoint } = await loaded();
    inspector ??= new PipelineInspector(checkpoint);
    const analysis = await engine.analyze(request.ids, { topK: 1, hidden: true });
    return buildPipeline(request, {
      inspector,
      stream: { hidden: analysis.hidden!, tokens: analysis.ids.length },
      neighbours: (id) => engine.neighboursOfToken(id, 5),
      tokenText: (id) => vocabularyEntry(id).text,
      tokenBytes: (id) => vocabularyEntry(id).bytes,
    });
  },
};

scope.addEventListener('message', (event) => {
  const { id, method, args } = event.data;
  void (async () => {
    try {
      const value = await (calls[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      const backend = await loading?.then((l) => l.engine.backend, () => undefined);
      scope.postMessage({ kind: 'result', id, value, backend }, transferables(value));
    } catch (error) {
      scope.postMessage({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
