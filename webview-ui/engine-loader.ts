// Loads the model inside the panel's engine worker: fetches the files the init message names
// (config.json; model.safetensors, or the shard index and every shard; tokenizer.json and
// tokenizer_config.json when the folder has them) from the extension's resource origin, with one
// download progress over all of them, then builds the engine on onnxruntime-web (WebGPU when it
// can, WASM otherwise) and the model's own tokenizer.
import { chatTemplateOf, type ChatTemplate } from '../src/engine/chat-template';
import * as ort from 'onnxruntime-web/webgpu';
import { Checkpoint, MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, type ShardBytes } from '../src/engine/checkpoint';
import { LensEngine, type OrtLike } from '../src/engine/engine';
import { GENERATION_CONFIG_FILE, withGenerationConfig } from '../src/engine/generation-config';
import { MAX_TOKENIZER_BYTES, modelTokenizer, tokenEntry, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from '../src/engine/model-tokenizer';
import type { Tokenizer } from '../src/engine/tokenizer-interface';
import type { BackendPreference, ModelConfig } from '../src/engine/types';
import { MAX_SHARD_INDEX_BYTES, parseShardIndex, SHARD_INDEX_FILE } from '../src/engine/weight-files';
import type { ModelFileUris } from '../src/protocol';
import type { LoadStage, LoadTimings, ModelLocation } from './engine-rpc';
import { startRuntime } from '../src/engine/ort-sessions';

const CONFIG_FILE = 'config.json';
const WEIGHTS_FILE = 'model.safetensors';

export interface LoadedEngine {
  engine: LensEngine;
  /** The weights, for the walk-through's recomputation of one token's numbers. */
  checkpoint: Checkpoint;
  /** The model's own tokenizer: token texts and decoding for the page. */
  tokenizer: Tokenizer;
  /** Time to build the tokenizer (tokenizer.json parsed included), in ms. */
  tokenizerMs: number;
  /** The engine's config, with generation_config.json's end-of-sequence ids where the folder has one. */
  config: ModelConfig;
  /** tokenizer_config.json's chat template, for instruct models. */
  chat?: ChatTemplate;
  loadMs: number;
  timings: LoadTimings;
}

/** One file of the model folder, as the init message gives it. */
interface ModelFile {
  /** Its name in messages ("config.json", a shard's name). */
  name: string;
  uri: string;
  maxBytes: number;
}

async function fetchOk(file: ModelFile): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(file.uri);
  } catch (error) {
    throw new Error(`could not fetch the model's ${file.name} (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`could not fetch the model's ${file.name}: HTTP ${response.status}`);
  return response;
}

const tooLarge = (file: ModelFile, size: number) =>
  new Error(`the model's ${file.name} is too large: ${size.toLocaleString('en-US')} bytes or more, and at most ${file.maxBytes.toLocaleString('en-US')} are read`);

/** The size a response declares, or undefined. */
function declaredSize(response: Response): number | undefined {
  return Number(response.headers.get('content-length')) || undefined;
}

/**
 * Reads a response body of at most `file.maxBytes`, reporting each chunk. The host checked the
 * file before giving its URI (a regular file within the limit), but it may have changed since:
 * the limit holds here too, so that a file grown huge, or a path now leading to /dev/zero, stops.
 */
async function readWithProgress(
  response: Response,
  file: ModelFile,
  onBytes: (received: number, total: number | undefined) => void = () => undefined,
): Promise<Uint8Array> {
  const total = declaredSize(response);
  if (total !== undefined && total > file.maxBytes) throw tooLarge(file, total);
  onBytes(0, total);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > file.maxBytes) throw tooLarge(file, bytes.byteLength);
    onBytes(bytes.byteLength, total);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > file.maxBytes) {
      await reader.cancel();
      throw tooLarge(file, received);
    }
    chunks.push(value);
    onBytes(received, total);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function fetchText(file: ModelFile): Promise<string> {
  return new TextDecoder().decode(await readWithProgress(await fetchOk(file), file));
}

/**
 * One progress figure over several downloads running at once: bytes received by all of them,
 * out of their total once every one has said its size.
 */
class DownloadProgress {
  private readonly received: number[] = [];
  private readonly totals: (number | undefined)[] = [];

  constructor(private readonly report: (received: number, total: number | undefined) => void) {}

  /** The progress callback of one more download. */
  track(): (received: number, total: number | undefined) => void {
    const slot = this.received.push(0) - 1;
    this.totals.push(undefined);
    return (received, total) => {
      this.received[slot] = received;
      this.totals[slot] = total;
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const known = this.totals.every((t) => t !== undefined);
      this.report(sum(this.received), known ? sum(this.totals as number[]) : undefined);
    };
  }
}

/**
 * The weights' files: model.safetensors, or every shard model.safetensors.index.json names (each
 * must be among the files the host gave). The index is read here; the shards are not.
 */
async function weightFiles(model: ModelFileUris): Promise<{ index?: ReturnType<typeof parseShardIndex>; files: ModelFile[] }> {
  if (!model.shardIndexUri) {
    const single = model.weights[0]!;
    return { files: [{ name: single.name || WEIGHTS_FILE, uri: single.uri, maxBytes: MAX_WEIGHTS_BYTES }] };
  }
  const index = parseShardIndex(await fetchText({ name: SHARD_INDEX_FILE, uri: model.shardIndexUri, maxBytes: MAX_SHARD_INDEX_BYTES }), SHARD_INDEX_FILE);
  const files = index.shards.map((shard): ModelFile => {
    const given = model.weights.find((w) => w.name === shard);
    if (!given) throw new Error(`${SHARD_INDEX_FILE} names ${shard}, which is not among the model's files`);
    return { name: shard, uri: given.uri, maxBytes: MAX_WEIGHTS_BYTES };
  });
  return { index, files };
}

/** Fetches every file at once under one progress; the weights together stay within MAX_WEIGHTS_BYTES. */
async function fetchAll(weights: ModelFile[], others: ModelFile[], onProgress: (progress: LoadStage) => void): Promise<{ weights: Uint8Array[]; others: Uint8Array[] }> {
  const progress = new DownloadProgress((received, total) => onProgress({ stage: 'fetching', received, total }));
  const responses = await Promise.all([...weights, ...others].map((file) => fetchOk(file)));
  // Shards are capped one by one as they are read; their sum is checked before any is read.
  const declared = responses.slice(0, weights.length).reduce((sum, r) => sum + (declaredSize(r) ?? 0), 0);
  if (declared > MAX_WEIGHTS_BYTES) {
    throw new Error(`the model's weights are ${declared.toLocaleString('en-US')} bytes, over the ${MAX_WEIGHTS_BYTES.toLocaleString('en-US')} a model can run with`);
  }
  const files = [...weights, ...others];
  const bodies = await Promise.all(responses.map((response, i) => readWithProgress(response, files[i]!, progress.track())));
  return { weights: bodies.slice(0, weights.length), others: bodies.slice(weights.length) };
}

/** The model's tokenizer from the files' texts; an error names the file that is wrong. */
function buildTokenizer(checkpoint: Checkpoint, tokenizerJson: string | undefined, tokenizerConfig: string | undefined): Tokenizer {
  try {
    return modelTokenizer(checkpoint.config, { tokenizerJson, tokenizerConfig, tokenizerFileName: TOKENIZER_FILE });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.startsWith(TOKENIZER_FILE) || message.startsWith(TOKENIZER_CONFIG_FILE) ? message : `${TOKENIZER_FILE}: ${message}`);
  }
}

export async function loadEngine(location: ModelLocation, backend: BackendPreference, onProgress: (progress: LoadStage) => void): Promise<LoadedEngine> {
  const started = performance.now();
  // onnxruntime-web fetches its binary from here; the CSP's connect-src allows only this origin.
  ort.env.wasm.wasmPaths = { wasm: location.wasmUri };
  // This already is the worker: onnxruntime's own proxy worker would only add a hop. Webviews are
  // not cross-origin isolated, so WASM threads are unavailable (numThreads falls back to 1).
  ort.env.wasm.proxy = false;
  // onnxruntime's warnings (e.g. shape ops placed on the CPU) mean nothing to users; errors still show.
  ort.env.logLevel = 'error';
  onProgress({ stage: 'loading' });
  const { model } = location;
  const timings: LoadTimings = { fetchMs: 0, tokenizerMs: 0, runtimeMs: 0, graphsMs: 0, sessionsMs: 0, firstRunMs: 0 };
  const configJson = await fetchText({ name: CONFIG_FILE, uri: model.configUri, maxBytes: MAX_CONFIG_BYTES });
  const { index, files } = await weightFiles(model);
  const tokenizerFiles: ModelFile[] = [];
  if (model.tokenizerUri) {
    tokenizerFiles.push({ name: TOKENIZER_FILE, uri: model.tokenizerUri, maxBytes: MAX_TOKENIZER_BYTES });
    if (model.tokenizerConfigUri) tokenizerFiles.push({ name: TOKENIZER_CONFIG_FILE, uri: model.tokenizerConfigUri, maxBytes: MAX_TOKENIZER_BYTES });
  }
  const generationJson = model.generationConfigUri ? await fetchText({ name: GENERATION_CONFIG_FILE, uri: model.generationConfigUri, maxBytes: MAX_CONFIG_BYTES }) : undefined;
  const fetched = await fetchAll(files, tokenizerFiles, onProgress);
  timings.fetchMs = performance.now() - started;
  const checkpoint = index
    ? Checkpoint.load({ name: location.modelName, configJson, configFileName: CONFIG_FILE, shards: { index, files: files.map((f, i): ShardBytes => ({ name: f.name, bytes: fetched.weights[i]! })) } })
    : Checkpoint.load({ name: location.modelName, configJson, configFileName: CONFIG_FILE, weights: fetched.weights[0]!, weightsFileName: files[0]!.name });
  const tokenizerStarted = performance.now();
  const [tokenizerJson, tokenizerConfig] = fetched.others.map((bytes) => new TextDecoder().decode(bytes));
  const tokenizer = buildTokenizer(checkpoint, tokenizerJson, tokenizerConfig);
  const tokenizerMs = performance.now() - tokenizerStarted;
  timings.tokenizerMs = tokenizerMs;
  onProgress({ stage: 'starting' });
  const engine = await LensEngine.create(checkpoint, {
    ort: ort as unknown as OrtLike,
    backend,
    weights: location.weights ?? 'auto',
    // Asking for WebGPU explicitly means "even a software adapter": that is how it is tested.
    allowFallbackAdapter: backend === 'webgpu',
    // Neighbours carry their texts: the model's tokenizer's, "<id>" for an id without a token.
    tokenText: (id) => tokenEntry(tokenizer, id).text,
    // Stages repeat per graph (build, create session), so their fractions are not overall progress.
    onProgress: () => onProgress({ stage: 'preparing' }),
    onSessionCreated: (_name, buildMs, createMs) => {
      timings.graphsMs += buildMs;
      timings.sessionsMs += createMs;
    },
  });
  timings.runtimeMs = await startRuntime(ort as unknown as OrtLike, engine.backend.name);
  // One token through the model builds the sessions now, so that load time is reported as load
  // time and the first analysis is as fast as the next ones.
  const firstRun = performance.now();
  await engine.analyze([engine.config.eosTokenId], { topK: 1 });
  timings.firstRunMs = performance.now() - firstRun - timings.graphsMs - timings.sessionsMs;
  // The page stops generation at every end-of-sequence id, generation_config.json's included.
  const config = generationJson === undefined ? engine.config : withGenerationConfig(engine.config, generationJson, GENERATION_CONFIG_FILE);
  return { engine, checkpoint, tokenizer, tokenizerMs, config, chat: chatTemplateOf(tokenizerConfig), loadMs: performance.now() - started, timings };
}
