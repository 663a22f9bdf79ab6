// Browser side of engine.browser.test.ts: loads the bundled model over HTTP, runs the reference
// prompts through LensEngine with the backend named in the query (?backend=webgpu|wasm&prompts=a,b)
// and leaves the result on window.__pageResult for the test to read (page-report.ts). Built by scripts/build-tests.mjs
// into out/test/browser/, served from the repository root.
import * as ort from 'onnxruntime-web/webgpu';
import { loadCheckpoint } from '../../src/engine/checkpoint';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import type { BackendInfo, BackendPreference, PositionPrediction } from '../../src/engine/types';
import { report, violations } from './page-report';

export interface PromptResult {
  name: string;
  ids: number[];
  positions: Pick<PositionPrediction, 'top' | 'target'>[];
  ms: number;
}

export interface EnginePageResult {
  ok: boolean;
  error?: string;
  /** The backend after the runs (a WebGPU failure would have switched it to WASM). */
  backend?: BackendInfo;
  prompts: PromptResult[];
  violations: string[];
  loadMs?: number;
}

interface ReferenceFile {
  refs: { name: string; ids: number[] }[];
}

const MODEL_DIR = '/media/models/tiny-gpt2-software/';

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return response;
}

async function run(): Promise<EnginePageResult> {
  const query = new URLSearchParams(location.search);
  const backend = (query.get('backend') ?? 'wasm') as BackendPreference;
  const wanted = query.get('prompts')?.split(',');
  // The bundle carries its JS glue but fetches the .wasm, which build.mjs copies to dist/ort/. Only the
  // .wasm is redirected: a string prefix would also make ort import the glue from there.
  ort.env.wasm.wasmPaths = { wasm: new URL('/dist/ort/ort-wasm-simd-threaded.asyncify.wasm', location.href).href };

  const started = performance.now();
  const [configJson, weights, reference] = await Promise.all([
    fetchOk(MODEL_DIR + 'config.json').then((r) => r.text()),
    fetchOk(MODEL_DIR + 'model.safetensors').then(async (r) => new Uint8Array(await r.arrayBuffer())),
    fetchOk('/test/fixtures/reference.json').then((r) => r.json() as Promise<ReferenceFile>),
  ]);
  const checkpoint = loadCheckpoint({ name: 'tiny-gpt2-software', configJson, weights });
  const engine = await LensEngine.create(checkpoint, { ort: ort as unknown as OrtLike, backend, allowFallbackAdapter: true });
  const loadMs = performance.now() - started;

  const prompts: PromptResult[] = [];
  for (const ref of reference.refs.filter((r) => !wanted || wanted.includes(r.name))) {
    const t0 = performance.now();
    const analysis = await engine.analyze(ref.ids, { topK: 5 });
    prompts.push({ name: ref.name, ids: analysis.ids, positions: analysis.positions.map(({ top, target }) => ({ top, target })), ms: performance.now() - t0 });
  }
  const result: EnginePageResult = { ok: true, backend: engine.backend, prompts, violations, loadMs };
  await engine.dispose();
  return result;
}

report(
  run(),
  (result) => `${result.backend?.name}, ${result.prompts.length} prompts`,
  (error): EnginePageResult => ({ ok: false, error, prompts: [], violations }),
);
