// Loads the model inside the panel's engine worker: fetches config.json and model.safetensors
// from the extension's resource origin (with download progress), then builds the engine on
// onnxruntime-web (WebGPU when it can, WASM otherwise).
import * as ort from 'onnxruntime-web/webgpu';
import { loadCheckpoint, MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, type Checkpoint } from '../src/engine/checkpoint';
import { LensEngine, type OrtLike } from '../src/engine/engine';
import type { BackendPreference } from '../src/engine/types';
import type { LoadStage, ModelLocation } from './engine-rpc';

export interface LoadedEngine {
  engine: LensEngine;
  /** The weights, for the walk-through's recomputation of one token's numbers. */
  checkpoint: Checkpoint;
  loadMs: number;
}

async function fetchOk(uri: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(uri);
  } catch (error) {
    throw new Error(`could not fetch the model's ${what} (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`could not fetch the model's ${what}: HTTP ${response.status}`);
  return response;
}

/**
 * Reads a response body of at most `maxBytes`, reporting each chunk. The host checked the file
 * before giving its URI (a regular file within the limit), but it may have changed since: the
 * limit holds here too, so that a file grown huge, or a path now leading to /dev/zero, stops.
 */
async function readWithProgress(
  response: Response,
  what: string,
  maxBytes: number,
  onBytes: (received: number, total: number | undefined) => void = () => undefined,
): Promise<Uint8Array> {
  const tooLarge = (size: number) => new Error(`the model's ${what} is too large: ${size.toLocaleString('en-US')} bytes or more, and at most ${maxBytes.toLocaleString('en-US')} are read`);
  const total = Number(response.headers.get('content-length')) || undefined;
  if (total !== undefined && total > maxBytes) throw tooLarge(total);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(received);
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
  const configJson = new TextDecoder().decode(await readWithProgress(await fetchOk(location.model.configUri, 'config.json'), 'config.json', MAX_CONFIG_BYTES));
  const weights = await readWithProgress(await fetchOk(location.model.weights[0]!.uri, 'weights (model.safetensors)'), 'weights (model.safetensors)', MAX_WEIGHTS_BYTES, (received, total) =>
    onProgress({ stage: 'fetching', received, total }),
  );
  const checkpoint = loadCheckpoint({ name: location.modelName, configJson, weights, configFileName: 'config.json', weightsFileName: 'model.safetensors' });
  onProgress({ stage: 'starting' });
  const engine = await LensEngine.create(checkpoint, {
    ort: ort as unknown as OrtLike,
    backend,
    // Asking for WebGPU explicitly means "even a software adapter": that is how it is tested.
    allowFallbackAdapter: backend === 'webgpu',
    // Stages repeat per graph (build, create session), so their fractions are not overall progress.
    onProgress: () => onProgress({ stage: 'preparing' }),
  });
  // One token through the model builds the sessions now, so that load time is reported as load
  // time and the first analysis is as fast as the next ones.
  await engine.analyze([engine.config.eosTokenId], { topK: 1 });
  return { engine, checkpoint, loadMs: performance.now() - started };
}
