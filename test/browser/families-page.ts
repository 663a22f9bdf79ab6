// Browser side of families.browser.test.ts: loads one tiny fixture of test/fixtures/models/ with
// the panel worker's own loader (webview-ui/engine-loader.ts: its files over HTTP, the model's
// tokenizer.json), tokenizes every reference prompt with that tokenizer, runs it through the
// engine on the backend named in the query (?fixture=…&backend=webgpu|wasm&prompts=a,b) and
// leaves the raw results on window.__pageResult (page-report.ts) for the test to compare in Node.
import { loadEngine } from '../../webview-ui/engine-loader';
import type { LoadStage } from '../../webview-ui/engine-rpc';
import type { BackendInfo, BackendPreference, Neighbour, PositionPrediction } from '../../src/engine/types';
import { report, violations } from './page-report';

export interface FamilyPromptResult {
  name: string;
  /** The page's tokenizer's ids for the prompt's text. */
  ids: number[];
  positions: PositionPrediction[];
  /** Flat [layers, heads, T, T]. */
  attention: number[];
  /** Flat [layers + 1, T, d]. */
  hidden: number[];
  ms: number;
}

export interface FamiliesPageResult {
  ok: boolean;
  error?: string;
  backend?: BackendInfo;
  loadMs?: number;
  tokenizerMs?: number;
  /** The last download progress the loader reported. */
  lastFetch?: Extract<LoadStage, { stage: 'fetching' }>;
  prompts: FamilyPromptResult[];
  /** By the reference's ids: the engine's neighbours (the token itself first). */
  neighbours: Record<string, Neighbour[]>;
  violations: string[];
}

interface ReferenceFile {
  refs: { name: string; text: string }[];
  neighbours: Record<string, [number, number][]>;
}

async function run(): Promise<FamiliesPageResult> {
  const query = new URLSearchParams(location.search);
  const fixture = query.get('fixture')!;
  const backend = (query.get('backend') ?? 'wasm') as BackendPreference;
  const wanted = query.get('prompts')?.split(',');
  const folder = new URL(`/test/fixtures/models/${fixture}/`, location.href);
  const at = (file: string) => new URL(file, folder).href;
  let lastFetch: FamiliesPageResult['lastFetch'];
  const loaded = await loadEngine(
    {
      modelName: fixture,
      model: { configUri: at('config.json'), weights: [{ name: 'model.safetensors', uri: at('model.safetensors') }], tokenizerUri: at('tokenizer.json'), tokenizerConfigUri: at('tokenizer_config.json') },
      wasmUri: new URL('/dist/ort/ort-wasm-simd-threaded.asyncify.wasm', location.href).href,
    },
    backend,
    (stage) => {
      if (stage.stage === 'fetching') lastFetch = stage;
    },
  );
  const { engine, tokenizer } = loaded;
  const response = await fetch(at('reference.json'));
  if (!response.ok) throw new Error(`reference.json: HTTP ${response.status}`);
  const reference = (await response.json()) as ReferenceFile;

  const prompts: FamilyPromptResult[] = [];
  for (const ref of reference.refs.filter((r) => !wanted || wanted.includes(r.name))) {
    const started = performance.now();
    const ids = tokenizer.encode(ref.text);
    const analysis = await engine.analyze(ids, { topK: 6, attention: true, hidden: true });
    prompts.push({ name: ref.name, ids, positions: analysis.positions, attention: Array.from(analysis.attention!), hidden: Array.from(analysis.hidden!), ms: performance.now() - started });
  }
  const neighbours: Record<string, Neighbour[]> = {};
  for (const [id, expected] of Object.entries(reference.neighbours)) neighbours[id] = await engine.neighboursOfToken(Number(id), expected.length - 1);
  const result: FamiliesPageResult = { ok: true, backend: engine.backend, loadMs: loaded.loadMs, tokenizerMs: loaded.tokenizerMs, lastFetch, prompts, neighbours, violations };
  await engine.dispose();
  return result;
}

report(
  run(),
  (result) => `${result.backend?.name}, ${result.prompts.length} prompts`,
  (error): FamiliesPageResult => ({ ok: false, error, prompts: [], neighbours: {}, violations }),
);
