// How many WASM threads the model worker's forward passes use: every core but one, which stays
// the editor's (the threads run at the worker's low priority too). onnxruntime-web's threaded
// build runs them as Node worker threads; on this project's 2-core machine 2 threads ran a
// 512-token GPT-2 analysis about 2.2 times as fast as 1 (see BENCHMARKS.md).
export function workerThreads(cores: number): number {
  return Math.max(1, Math.floor(cores) - 1);
}
