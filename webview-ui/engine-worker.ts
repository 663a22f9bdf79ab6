// Entry of dist/webview-engine.js: the panel's model, in a dedicated worker (see engine-rpc.ts
// for why). Answers the page's calls one message at a time; the engine itself queues its runs.
// The worker holds the model's tokenizer: each answer carries the texts of the ids in it.
import { PipelineInspector } from '../src/engine/inspect';
import { tokenEntry } from '../src/engine/model-tokenizer';
import type { Tokenizer } from '../src/engine/tokenizer-interface';
import { loadEngine, type LoadedEngine } from './engine-loader';
import { tokenIdsIn, transferables, type CallMessage, type EngineCalls, type EngineMethod, type WorkerMessage } from './engine-rpc';
import type { TokenEntries } from './token-texts';
import { buildPipeline } from './view/pipeline-model';
import { readChat, type ChatMessage } from '../src/engine/chat-template';

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
    const { engine, tokenizer, tokenizerMs, config, loadMs, timings } = await loading;
    const { chat } = await loading;
    return { config, backend: engine.backend, tokenizer: { name: tokenizer.name, buildMs: tokenizerMs, chatTemplate: chat !== undefined }, loadMs, timings };
  },
  analyze: async (ids, options) => (await loaded()).engine.analyze(ids, options),
  distributionAt: async (ids, position, options) => (await loaded()).engine.distributionAt(ids, position, options),
  logitLens: async (ids, cells, topK) => (await loaded()).engine.logitLens(ids, cells, topK),
  neighboursOfToken: async (id, k) => (await loaded()).engine.neighboursOfToken(id, k),
  neighboursOfVector: async (vector, k) => (await loaded()).engine.neighboursOfVector(vector, k),
  tokenEmbeddings: async (ids) => (await loaded()).engine.tokenEmbeddings(ids),
  async pipeline(request) {
    const { engine, checkpoint, tokenizer } = await loaded();
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
  decode: async (ids) => (await loaded()).tokenizer.decode(ids),
  async chat(messages) {
    const { engine, tokenizer, chat } = await loaded();
    if (!chat) throw new Error('this model has no chat template (tokenizer_config.json has no chat_template): it is a base model');
    const reading = readChat(chat, tokenizer, checkMessages(messages));
    const context = engine.config.nPositions;
    if (reading.ids.length > context) throw new Error(`the conversation is ${reading.ids.length} tokens, longer than the model's context of ${context}`);
    const next = await engine.distributionAt(reading.ids, reading.ids.length - 1, { temperature: 1, topK: 10 });
    return { ...reading, next };
  },
};

/** The display entries of the ids in a result, each once. */
function entriesOf<M extends EngineMethod>(method: M, value: Awaited<ReturnType<EngineCalls[M]>>, tokenizer: Tokenizer): TokenEntries {
  return [...new Set(tokenIdsIn[method](value))].map((id) => [id, tokenEntry(tokenizer, id)]);
}

scope.addEventListener('message', (event) => {
  const { id, method, args } = event.data;
  void (async () => {
    try {
      const value = await (calls[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      const model = await loading?.then((l) => l, () => undefined);
      const tokens = model ? entriesOf(method, value as never, model.tokenizer) : undefined;
      scope.postMessage({ kind: 'result', id, value, backend: model?.engine.backend, tokens }, transferables(value));
    } catch (error) {
      scope.postMessage({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) });
    }
  })();
});

/** The page's messages, checked: a system and/or user message of at most 20,000 characters each. */
function checkMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 2) throw new Error('a conversation here is a system prompt and a user message');
  return messages.map((m) => {
    const { role, content } = (m ?? {}) as Record<string, unknown>;
    if ((role !== 'system' && role !== 'user') || typeof content !== 'string' || content.length > 20_000) throw new Error('each message needs a role (system or user) and at most 20,000 characters of text');
    return { role, content };
  });
}

