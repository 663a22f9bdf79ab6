// Issue 13: closing mid-load leaves nothing behind. The real model worker (bundled as
// scripts/build.mjs bundles it) starts loading a GPT-2-small-shaped model (124 M parameters,
// seconds of work on this machine); once the process has grown by 150 MB (the weights are going
// into the worker's heap, long before the load ends) the client is disposed, as the extension
// does when its window closes. Then: the load is refused, no worker thread is left (the
// process's own thread list, which counts the worker and the runtime's threads) and the memory
// the load took is given back.
//
// Memory given back is memory the process can use again, not always memory the OS gets back:
// the worker's buffers are freed with it, but glibc keeps freed blocks under its dynamic mmap
// threshold (up to 32 MB: a block's weights are 9.4 MB) in the dead thread's arena for the next
// allocation. Measured: 65–98 MB of RSS stayed after 2 of 4 single rounds, and none in 4 of 4
// with MALLOC_MMAP_THRESHOLD_=131072 (every large block mmapped, so unmapped when freed). So the
// test interrupts three loads in a row: after each, the process holds less than one interrupted
// load took, so the rounds do not add up (the next load reuses what the last one left). The baseline is
// taken after a first worker has loaded and closed the bundled model: the first onnxruntime-web
// start in a process leaves V8's compiled WebAssembly there for good (92 MB before, then 301,
// 332, 328 MB after three load/dispose rounds), the runtime's, paid once per process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleModelWorker } from './model-worker-bundle';
import { ModelWorkerClient } from '../../src/model-worker/client';
import { spawnSync } from 'node:child_process';

const root = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-close-mid-load-'));
const workerPath = path.join(root, 'test-results', 'close-mid-load', 'model-worker.mjs');
const modelDir = path.join(scratch, 'gpt2-small-shape');

const threads = () => fs.readdirSync('/proc/self/task').length;
const rssMb = () => process.memoryUsage().rss / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wasmDir = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
const ROUNDS = 3;

before(async () => {
  await bundleModelWorker(workerPath);
  // In another process, so that this one's memory is not moved by the file's 249 MB.
  const write = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'write-random-model.ts'), modelDir, 'gpt2-small'], { encoding: 'utf8' });
  assert.equal(write.status, 0, write.stderr);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('closing mid-load (issue 13)', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  test('stops the worker and gives the memory back', { timeout: 180_000 }, async () => {
    const warm = new ModelWorkerClient({ workerPath, modelDir: async () => path.join(root, 'media', 'models', 'tiny-gpt2-software'), wasmDir });
    await warm.load();
    await warm.dispose();
    const threadsBefore = threads();
    const rssBefore = rssMb();
    const left: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const client = new ModelWorkerClient({ workerPath, modelDir: async () => modelDir, wasmDir });
      const start = rssMb();
      const outcome = client.load().then(
        () => 'loaded',
        (error: Error) => error.message,
      );
      while (rssMb() < start + 150) {
        assert.notEqual(await Promise.race([outcome, sleep(20).then(() => 'loading')]), 'loaded', 'the load ended before it could be interrupted');
      }
      assert.equal(client.liveWorkers, 1);
      assert.ok(threads() > threadsBefore, 'the worker is a thread of this process');
      await client.dispose();

      assert.equal(await outcome, 'the model worker was shut down');
      assert.equal(client.liveWorkers, 0);
      // terminate() resolves once the worker's thread has stopped; its isolate, the runtime's heap
      // and the runtime's own threads go with it.
      for (let i = 0; i < 100 && threads() > threadsBefore; i++) await sleep(50);
      assert.equal(threads(), threadsBefore, `round ${round}: no thread is left behind`);
      await assert.rejects(client.load(), /shut down/);
      for (let i = 0; i < 40 && rssMb() > rssBefore + 60; i++) await sleep(50);
      left.push(rssMb() - rssBefore);
    }
    const shown = left.map((mb) => mb.toFixed(0)).join(', ');
    // What glibc keeps of the freed buffers (see above) stays below what one interrupted load took
    // (150 MB), after every round: had a round kept its memory, three would hold 3 × 150 MB.
    // Measured: 71, 32, 33 MB in one run, 99, 61, 101 MB in another.
    assert.ok(left.every((mb) => mb < 150), `the process holds ${shown} MB more than before, after each round`);
  });
});
