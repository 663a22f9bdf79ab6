// One process, one thread count: a GPT-2-small-shaped checkpoint read from its folder, the
// engine made ready for a full analysis, then T = 512 analyses as the panel asks (every layer's
// hidden states; then the attention of the layer the Attention tab shows first, one block's
// work: no analysis computes every layer's attention any more), with the runtime's MatMul ceiling at the same thread count and
// the process's peak RSS. bench/run.ts runs it in a fresh process per thread count and prints
// the JSON this writes to stdout. Also the Qwen-0.5B shape, with fewer runs.
// Usage: [BENCH_LIFTOFF=1] node --import tsx bench/gpt2s-analysis.ts DIR THREADS [RUNS] [float32|int8]
// With int8 (8-bit weights) it also measures their error against float32 on the first 64 positions.
import v8 from 'node:v8';
import * as ort from 'onnxruntime-web';
import { LensEngine, type OrtLike } from '../src/engine/engine';
import { sessionOptions } from '../src/engine/ort-sessions';
import { loadCheckpointFromDir } from '../src/node/load-model';
import { analysisFlops } from './flops';
import { matmulGraph } from './matmul-ceiling';
import { median, round } from './timing';

const T = 512;

function randomIds(seed: number, vocab: number): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  return Array.from({ length: T }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % vocab;
  });
}

async function main(): Promise<void> {
  const [dir, threadArg, runsArg, weightsArg] = process.argv.slice(2);
  const weights = weightsArg === 'int8' ? 'int8' : 'float32';
  const threads = Number(threadArg);
  const RUNS = Number(runsArg ?? 3);
  if (!dir || !Number.isInteger(threads) || threads < 1) throw new Error('usage: gpt2s-analysis.ts DIR THREADS');
  // As bench/run.ts: TurboFan only, unless BENCH_LIFTOFF=1 asks for V8's default tiering (the extension host's).
  const liftoff = process.env.BENCH_LIFTOFF === '1';
  if (!liftoff) v8.setFlagsFromString('--no-liftoff');
  ort.env.wasm.numThreads = threads;
  // The runtime's own start (compiling its .wasm) is not the model's: a tiny session first.
  await (await ort.InferenceSession.create(matmulGraph(8, 8), sessionOptions('wasm'))).release();
  // What the process holds before any model: Node, tsx, the runtime's compiled code and heap.
  const runtimeRssMb = process.memoryUsage().rss / 1e6;

  // Request to "analysis can start": read, engine, the analysis sessions created.
  const readyStart = performance.now();
  const checkpoint = await loadCheckpointFromDir(dir);
  const engine = await LensEngine.create(checkpoint, { ort: ort as unknown as OrtLike, backend: 'wasm', wasmThreads: threads, weights });
  await engine.prepare(['analysis']);
  const readyMs = performance.now() - readyStart;

  const config = checkpoint.config;
  const runs: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const ids = randomIds(100 + i, config.vocabSize);
    await engine.analyze(ids, { topK: 20, hidden: true });
    if (i > 0) runs.push(performance.now() - started); // the first allocates
    await engine.attentionLayer(ids, 0);
  }
  const analysisMs = median(runs)!;
  // The high-water mark of this process so far: load and analyses only (the figures below come after).
  // maxRSS is in KiB; every figure here is in MB (1e6 bytes), as the weights' size is.
  const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
  const errorStart = performance.now();
  const weightError = weights === 'int8' ? await engine.weightError(randomIds(100, config.vocabSize), 64) : undefined;
  const weightErrorMs = performance.now() - errorStart;
  await engine.dispose();

  // Reading and converting the file alone: every tensor read and turned into float32 once.
  const readStart = performance.now();
  const probe = await loadCheckpointFromDir(dir);
  let floats = 0;
  for (const name of probe.tensorNames()) floats += probe.tensor(name).length;
  const readConvertMs = performance.now() - readStart;

  // The ceiling: the unembedding's MatMul alone, same threads.
  const matmul = await ort.InferenceSession.create(matmulGraph(config.nEmbd, config.vocabSize), sessionOptions('wasm'));
  const input = new Float32Array(T * config.nEmbd).map((_, i) => Math.cos(i) * 0.5);
  const matmulRuns: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    await matmul.run({ x: new ort.Tensor('float32', input.slice(), [T, config.nEmbd]) });
    if (i > 0) matmulRuns.push(performance.now() - started);
  }
  await matmul.release();
  const matmulMs = median(matmulRuns)!;
  const gflops = (flops: number, ms: number) => flops / (ms * 1e6);
  const flops = analysisFlops(config, T).total;
  const parameters = floats;
  process.stdout.write(JSON.stringify({
    threads,
    parameters,
    fp32_weights_mb: round((parameters * 4) / 1e6),
    read_convert_ms: round(readConvertMs),
    ready_ms: round(readyMs),
    analysis_t512_ms: round(analysisMs),
    analysis_t512_runs_ms: runs.map((r) => round(r)),
    analysis_gflops: round(gflops(flops, analysisMs), 2),
    matmul_gflops: round(gflops(2 * T * config.nEmbd * config.vocabSize, matmulMs), 2),
    efficiency_t512: round(gflops(flops, analysisMs) / gflops(2 * T * config.nEmbd * config.vocabSize, matmulMs), 3),
    peak_rss_mb: round(peakRssMb),
    runtime_rss_mb: round(runtimeRssMb),
    weights,
    liftoff,
    ...(weightError
      ? { int8_max_logprob_diff: round(weightError.maxLogprobDiff, 4), int8_mean_logprob_diff: round(weightError.meanLogprobDiff, 4), int8_same_top1: weightError.sameTop1, int8_error_positions: weightError.positions, int8_error_ms: round(weightErrorMs) }
      : {}),
  }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
