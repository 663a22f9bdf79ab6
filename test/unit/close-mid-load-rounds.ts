// The rounds of worker-close-mid-load.test.ts, run in a process of their own (see there for why):
// a first worker loads and closes the bundled model (the runtime's compiled WebAssembly stays, once
// per process), then ROUNDS workers each start loading the GPT-2-small shape and are disposed once
// the process has grown by GROWTH_MB. Prints one JSON line: what each round saw and left.
// Usage: node --import tsx test/unit/close-mid-load-rounds.ts WORKER_PATH MODEL_DIR BUNDLED_MODEL_DIR WASM_DIR
import fs from 'node:fs';
import { ModelWorkerClient } from '../../src/model-worker/client';

const ROUNDS = 3;
const GROWTH_MB = 150;
const threads = () => fs.readdirSync('/proc/self/task').length;
const rssMb = () => process.memoryUsage().rss / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Round {
  /** How the interrupted load ended, and a load asked of the disposed client. */
  outcome: string;
  loadAfterDispose: string;
  /** Worker threads alive while loading and after disposal. */
  workersWhileLoading: number;
  workersAfter: number;
  /** Threads of this process above the baseline: while loading, and once disposed (after waiting up to 5 s). */
  threadsWhileLoading: number;
  threadsAfter: number;
  /** What the load had grown the process by when it was interrupted, and what is left of it after. */
  grownMb: number;
  leftMb: number;
}

async function main(): Promise<void> {
  const [workerPath, modelDir, bundledDir, wasmDir] = process.argv.slice(2);
  const warm = new ModelWorkerClient({ workerPath, modelDir: async () => bundledDir, wasmDir });
  await warm.load();
  await warm.dispose();
  // The warm worker's runtime threads stop a moment after it: the baseline is the count once it holds still for 1 s.
  let threadsBefore = threads();
  for (let still = 0, i = 0; still < 20 && i < 200; i++) {
    await sleep(50);
    const now = threads();
    still = now === threadsBefore ? still + 1 : 0;
    threadsBefore = now;
  }
  const rssBefore = rssMb();
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const client = new ModelWorkerClient({ workerPath, modelDir: async () => modelDir, wasmDir });
    const start = rssMb();
    const outcome = client.load().then(
      () => 'loaded',
      (error: Error) => error.message,
    );
    while (rssMb() < start + GROWTH_MB && (await Promise.race([outcome, sleep(20).then(() => 'loading')])) === 'loading');
    const grownMb = rssMb() - start;
    const workersWhileLoading = client.liveWorkers;
    const threadsWhileLoading = threads() - threadsBefore;
    await client.dispose();
    const ended = await outcome;
    // terminate() resolves once the worker's thread has stopped; the runtime's threads go with it.
    for (let i = 0; i < 100 && threads() > threadsBefore; i++) await sleep(50);
    const loadAfterDispose = await client.load().then(
      () => 'loaded',
      (error: Error) => error.message,
    );
    for (let i = 0; i < 40 && rssMb() > rssBefore + 20; i++) await sleep(50);
    rounds.push({ outcome: ended, loadAfterDispose, workersWhileLoading, workersAfter: client.liveWorkers, threadsWhileLoading, threadsAfter: threads() - threadsBefore, grownMb, leftMb: rssMb() - rssBefore });
  }
  process.stdout.write(JSON.stringify({ rounds }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
