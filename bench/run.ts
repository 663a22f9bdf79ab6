// npm run bench: times the engine on one WASM thread and on native onnxruntime-node (one
// intra-op thread), against the runtime's own MatMul ceiling. Writes bench/results.json.
// Method and figures: BENCHMARKS.md.

// onnxruntime-node first: onnxruntime-common 1.30 keeps the FIRST backend registered under a
// name, and both packages register "cpu"; imported the other way round, "native" sessions
// would silently run on onnxruntime-web's WASM backend.
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { LensEngine, type OrtLike } from '../src/engine/engine';
import { buildBlockGraph, buildVocabGraph } from '../src/engine/model-graphs';
import { sessionOptions } from '../src/engine/ort-sessions';
import type { Checkpoint } from '../src/engine/checkpoint';
import { defaultModelDir, loadCheckpointFromDir, readModelConfigFromDir } from '../src/node/load-model';
import { loadTokenizerFromDir } from '../src/node/load-tokenizer';
import { analysisFlops } from './flops';
import { gpt2SmallHover } from './gpt2s-hover';
import { QWEN25_05B, writeGpt2SmallDir, writeRandomDir } from './random-checkpoint';
import { spawnSync } from 'node:child_process';
import { matmulGraph } from './matmul-ceiling';
import { round, timeInterleaved } from './timing';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * V8 first runs WebAssembly in its baseline compiler (Liftoff) and tiers hot functions up to
 * TurboFan in background threads; onnxruntime's kernels are about 2x slower until then, and
 * on a busy 2-core machine the tier-up can take many seconds. The bench therefore compiles
 * WebAssembly with TurboFan directly (BENCH_LIFTOFF=1 keeps V8's default) so that warm-up
 * only has to cover lazy compilation and the allocator's growth.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const KEEP_LIFTOFF = process.env.BENCH_LIFTOFF === '1';
const CEILING_ROWS = 512;

/** Different ids for every call, so that the engine's trunk cache never answers. */
function randomIds(T: number, seed: number, vocab: number): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  return Array.from({ length: T }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % (vocab - 1);
  });
}

/**
 * Graph building and session creation for what every question needs (the vocabulary graph and
 * one graph per block), in a runtime that is already started.
 */
async function sessionCreation(ort: OrtLike, checkpoint: Checkpoint) {
  const buildStart = performance.now();
  const graphs = [buildVocabGraph(checkpoint), ...Array.from({ length: checkpoint.config.nLayer }, (_, layer) => buildBlockGraph(checkpoint, layer))];
  const buildMs = performance.now() - buildStart;
  const createStart = performance.now();
  const sessions = [];
  for (const graph of graphs) sessions.push(await ort.InferenceSession.create(graph.bytes, { ...sessionOptions('wasm'), externalData: graph.externalData }));
  const createMs = performance.now() - createStart;
  for (const s of sessions) await s.release();
  const graphBytes = graphs.reduce((a, g) => a + g.bytes.byteLength + g.externalData.reduce((b, e) => b + e.data.byteLength, 0), 0);
  return { buildMs, createMs, totalMs: buildMs + createMs, graphBytes };
}

/** bench/gpt2s-analysis.ts in a fresh process; its JSON. */
function analysisProcess(dir: string, threads: number, runs: number, weights: 'float32' | 'int8' = 'float32', liftoff = KEEP_LIFTOFF): Record<string, number> {
  const env = { ...process.env, BENCH_LIFTOFF: liftoff ? '1' : '0' };
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'gpt2s-analysis.ts'), dir, String(threads), String(runs), weights], { encoding: 'utf8', maxBuffer: 1 << 20, env });
  if (child.status !== 0) throw new Error(`gpt2s-analysis on ${dir} (${threads} threads) failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

/**
 * The Qwen2.5-0.5B shape (a 988 MB fp16 folder): made ready, then one T = 512 analysis after
 * a first one, on 2 threads, within onnxruntime-web's 4 GiB heap; the process's peak RSS.
 */
function qwen05Analysis(): { figures: Record<string, number>; run: unknown } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-qwen05-'));
  try {
    writeRandomDir(dir, QWEN25_05B);
    const run = analysisProcess(dir, 2, 1);
    // The same model with 8-bit weights (what LLM Lens picks for a model too big for float32).
    const int8 = analysisProcess(dir, 2, 1, 'int8');
    return {
      run: { float32: run, int8 },
      figures: {
        qwen05_parameters: run.parameters!,
        qwen05_fp32_weights_mb: run.fp32_weights_mb!,
        qwen05_ready_ms: run.ready_ms!,
        qwen05_analysis_t512_2threads_ms: run.analysis_t512_ms!,
        qwen05_peak_rss_mb: run.peak_rss_mb!,
        qwen05_peak_rss_ratio: round(run.peak_rss_mb! / run.fp32_weights_mb!, 2),
        qwen05_int8_ready_ms: int8.ready_ms!,
        qwen05_int8_analysis_t512_2threads_ms: int8.analysis_t512_ms!,
        qwen05_int8_peak_rss_mb: int8.peak_rss_mb!,
        qwen05_int8_max_logprob_diff: int8.int8_max_logprob_diff!,
        qwen05_int8_mean_logprob_diff: int8.int8_mean_logprob_diff!,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * bench/gpt2s-analysis.ts on a GPT-2-small-shaped folder, once with 1 WASM thread and once with
 * 2, each in its own process: the ready / read-and-convert, efficiency, threads and
 * peak-RSS figures.
 */
function gpt2SmallAnalysis(): { figures: Record<string, number>; runs: unknown[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-gpt2s-'));
  try {
    writeGpt2SmallDir(dir);
    const runs = [1, 2].map((threads) => analysisProcess(dir, threads, 3));
    const [one, two] = runs as [Record<string, number>, Record<string, number>];
    // The same on 1 thread with V8's default tiering (Liftoff first, TurboFan for hot functions in
    // background threads), as the extension host compiles the runtime: its peak RSS only.
    const tiered = analysisProcess(dir, 1, 1, 'float32', true);
    runs.push(tiered);
    return {
      runs,
      figures: {
        gpt2s_fp32_weights_mb: one.fp32_weights_mb!,
        gpt2s_peak_rss_mb: one.peak_rss_mb!,
        gpt2s_peak_rss_ratio: round(one.peak_rss_mb! / one.fp32_weights_mb!, 2),
        gpt2s_runtime_rss_mb: one.runtime_rss_mb!,
        // The same peak less what the process held before any model (Node, tsx, the runtime).
        gpt2s_peak_rss_above_runtime_ratio: round((one.peak_rss_mb! - one.runtime_rss_mb!) / one.fp32_weights_mb!, 2),
        gpt2s_default_tiering_peak_rss_mb: tiered.peak_rss_mb!,
        gpt2s_default_tiering_runtime_rss_mb: tiered.runtime_rss_mb!,
        gpt2s_default_tiering_peak_rss_ratio: round(tiered.peak_rss_mb! / tiered.fp32_weights_mb!, 2),
        gpt2s_default_tiering_above_runtime_ratio: round((tiered.peak_rss_mb! - tiered.runtime_rss_mb!) / tiered.fp32_weights_mb!, 2),
        gpt2s_read_convert_ms: one.read_convert_ms!,
        gpt2s_ready_ms: one.ready_ms!,
        gpt2s_ready_ratio: round(one.ready_ms! / one.read_convert_ms!, 2),
        gpt2s_analysis_t512_ms: one.analysis_t512_ms!,
        gpt2s_efficiency_t512: one.efficiency_t512!,
        gpt2s_analysis_t512_2threads_ms: two.analysis_t512_ms!,
        wasm_threads_speedup_gpt2s_t512: round(one.analysis_t512_ms! / two.analysis_t512_ms!, 2),
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  // Must run before onnxruntime-web compiles its .wasm (on the first session creation).
  if (!KEEP_LIFTOFF) v8.setFlagsFromString('--no-liftoff');
  ortWeb.env.wasm.numThreads = 1;
  const checkpoint = await loadCheckpointFromDir(defaultModelDir());
  const config = checkpoint.config;
  const { nEmbd: d, vocabSize: V } = config;
  const loadBefore = os.loadavg()[0];
  console.log(`model ${config.name}; ${ROUNDS} timed rounds after ${WARMUP} warm-up calls; load average ${loadBefore.toFixed(2)}`);

  // The first session of a process also compiles and instantiates onnxruntime's .wasm.
  const matmulBytes = matmulGraph(d, V);
  const initStart = performance.now();
  const matmul = await ortWeb.InferenceSession.create(matmulBytes, sessionOptions('wasm'));
  const runtimeInitMs = performance.now() - initStart;
  const creation = await sessionCreation(ortWeb, checkpoint);
  console.log(
    `runtime start + MatMul session ${runtimeInitMs.toFixed(0)} ms; ` +
      `session creation (vocabulary + every block): build ${creation.buildMs.toFixed(0)} ms, create ${creation.createMs.toFixed(0)} ms`,
  );

  // The same MatMul in native code: how far apart the two runtimes are before any graph is involved.
  const nativeMatmul = await ortNode.InferenceSession.create(matmulBytes, sessionOptions('native') as ortNode.InferenceSession.SessionOptions);
  const wasm = await LensEngine.create(checkpoint, { ort: ortWeb, backend: 'wasm' });
  // Today's open families: the tiny random Qwen3 fixture (RMSNorm, RoPE, GQA, q/k norms, SwiGLU,
  // a 151,936-row vocabulary), and how long reading its real tokenizer.json takes.
  const qwen3Dir = path.join(__dirname, '../test/fixtures/models/tiny-random-qwen3');
  const tokenizerStart = performance.now();
  await loadTokenizerFromDir(qwen3Dir, await readModelConfigFromDir(qwen3Dir));
  const qwen3TokenizerMs = performance.now() - tokenizerStart;
  const qwen3 = await LensEngine.create(await loadCheckpointFromDir(qwen3Dir), { ort: ortWeb, backend: 'wasm' });
  const qwen3Vocab = qwen3.config.vocabSize;
  const native = await LensEngine.create(checkpoint, { ort: ortNode, native: true });
  const matmulInput = new Float32Array(CEILING_ROWS * d).map((_, i) => Math.cos(i) * 0.5);
  const full = { topK: 20, attention: true, hidden: true };

  // T=512 first: its warm-up calls are the longest, so every kernel is compiled by the rest.
  const t = await timeInterleaved(
    {
      wasm512: (i) => wasm.analyze(randomIds(512, 2000 + i, V), full),
      matmul: () => matmul.run({ x: new ortWeb.Tensor('float32', matmulInput.slice(), [CEILING_ROWS, d]) }),
      native512: (i) => native.analyze(randomIds(512, 2000 + i, V), full),
      nativeMatmul: () => nativeMatmul.run({ x: new ortNode.Tensor('float32', matmulInput.slice(), [CEILING_ROWS, d]) }),
      wasm128: (i) => wasm.analyze(randomIds(128, 1000 + i, V), full),
      hover256: (i) => wasm.predictLast(randomIds(256, 3000 + i, V), { topK: 20 }),
      qwen3_128: (i) => qwen3.analyze(randomIds(128, 4000 + i, qwen3Vocab), full),
    },
    ROUNDS,
    WARMUP,
  );
  // A generation step: the same context as a hover at T = 256 plus one token, right after the
  // engine read the 256. Its keys and values are cached, so only the new position runs the trunk.
  const stepMs: number[] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const ids = randomIds(257, 5000 + i, V);
    await wasm.predictLast(ids.slice(0, 256), { topK: 20 });
    const started = performance.now();
    await wasm.predictLast(ids, { topK: 20 });
    if (i >= WARMUP) stepMs.push(performance.now() - started);
  }
  const stepMedian = stepMs.sort((a, b) => a - b)[Math.floor(stepMs.length / 2)]!;
  await Promise.all([wasm.dispose(), native.dispose(), qwen3.dispose(), matmul.release(), nativeMatmul.release()]);

  // GPT-2 small's shape (random weights): a hover near an earlier one reuses its keys and values.
  const gpt2s = await gpt2SmallHover(ortWeb);
  // The same shape's full analysis, each thread count in a fresh process (peak RSS is per process).
  const gpt2sAnalysis = gpt2SmallAnalysis();
  // Qwen2.5-0.5B's shape: does it load and run within the 4 GiB heap, and at what peak.
  const qwen05 = qwen05Analysis();

  const matmulFlops = 2 * CEILING_ROWS * d * V;
  const gflops = (flops: number, ms: number) => flops / (ms * 1e6);
  const ceiling = gflops(matmulFlops, t.matmul.median);
  const flops512 = analysisFlops(config, 512);
  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, loadAverageAtStart: round(loadBefore, 2) },
    method:
      `median wall-clock time of ${ROUNDS} interleaved rounds after ${WARMUP} warm-up calls each, fresh random ids per call; ` +
      `WASM = onnxruntime-web ${ortWeb.env.versions.web}, 1 thread${KEEP_LIFTOFF ? '' : ', V8 --no-liftoff'}; native = onnxruntime-node CPU EP, intraOpNumThreads 1`,
    analysis_wasm_t128_ms: round(t.wasm128.median),
    analysis_wasm_t512_ms: round(t.wasm512.median),
    wasm_matmul_gflops: round(ceiling, 2),
    wasm_efficiency_t512: round(gflops(flops512.total, t.wasm512.median) / ceiling, 3),
    analysis_native_t512_ms: round(t.native512.median),
    wasm_vs_native_t512: round(t.wasm512.median / t.native512.median, 2),
    // The runtimes' own ratio on the one MatMul: the floor under wasm_vs_native_t512 for any graph.
    native_matmul_gflops: round(gflops(matmulFlops, t.nativeMatmul.median), 2),
    wasm_vs_native_matmul: round(t.matmul.median / t.nativeMatmul.median, 2),
    hover_engine_t256_ms: round(t.hover256.median),
    session_create_ms: round(creation.totalMs),
    generation_step_t256_ms: round(stepMedian),
    kv_cache_speedup_t256: round(t.hover256.median / stepMedian, 2),
    qwen3_fixture_analysis_t128_ms: round(t.qwen3_128.median),
    qwen3_fixture_tokenizer_load_ms: round(qwen3TokenizerMs),
    ...Object.fromEntries(Object.entries(gpt2s).filter(([k]) => !k.startsWith('details'))),
    ...gpt2sAnalysis.figures,
    ...qwen05.figures,
    details: {
      gpt2s_analysis: gpt2sAnalysis.runs,
      qwen05_analysis: qwen05.run,
      gpt2s_hover: gpt2s.details_gpt2s_hover,
      flops_t512: flops512,
      ceiling_matmul: `[${CEILING_ROWS}x${d}] x [${d}x${V}], ${matmulFlops} FLOPs`,
      analysis_wasm_t512_gflops: round(gflops(flops512.total, t.wasm512.median), 2),
      // The same figures from process CPU time, which other processes on the cores inflate less.
      by_cpu_time: {
        wasm_efficiency_t512: round(gflops(flops512.total, t.wasm512.cpuMedian) / gflops(matmulFlops, t.matmul.cpuMedian), 3),
        wasm_vs_native_t512: round(t.wasm512.cpuMedian / t.native512.cpuMedian, 2),
        median_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.cpuMedian])),
      },
      session_create: {
        build_graphs_ms: round(creation.buildMs),
        create_sessions_ms: round(creation.createMs),
        graph_bytes: creation.graphBytes,
        first_session_of_process_ms: round(runtimeInitMs),
      },
      runs_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.runs])),
      warmup_ms: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.warmup])),
    },
  };
  const out = path.join(__dirname, 'results.json');
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  for (const [k, v] of Object.entries(results)) if (typeof v === 'number') console.log(`${k.padEnd(26)} ${v}`);
  console.log(`by CPU time: efficiency ${results.details.by_cpu_time.wasm_efficiency_t512}, wasm/native ${results.details.by_cpu_time.wasm_vs_native_t512}`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
