// Issue 13: closing mid-load leaves nothing behind. The real model worker (bundled as
// scripts/build.mjs bundles it) starts loading a GPT-2-small-shaped model (124 M parameters,
// seconds of work on this machine); once the process has grown by 150 MB (the weights are going
// into the worker's heap, long before the load ends) the client is disposed, as the extension
// does when its window closes. Then: the load is refused, no worker thread is left (the
// process's own thread list, which counts the worker and the runtime's threads) and the memory
// the load took is given back.
//
// Memory given back is memory the process can use again, not always memory the OS gets back:
// glibc keeps freed blocks under its dynamic mmap threshold (which rises to 32 MB as large blocks
// are freed: a block's weights are 9.4 MB) in the dead thread's arena for the next allocation.
// Measured in one process without a fixed threshold, the rounds left 87, 143 and 175 MB in one run
// and -11, 28 MB in another, so a bound on that is a bet on glibc. The rounds therefore run in a
// child process (close-mid-load-rounds.ts) with MALLOC_MMAP_THRESHOLD_=131072: every large block
// is mmapped and unmapped when freed, so what stays is what is still held. Measured so: 75, 27,
// 16 MB and 56, -32, 11 MB (the first interrupted load of a process keeps some for good, as the
// runtime's first start does: the baseline is taken after a first worker has loaded and closed the
// bundled model, which leaves V8's compiled WebAssembly there, 92 MB before, ~300 MB after).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { bundleModelWorker } from './model-worker-bundle';
import type { Round } from './close-mid-load-rounds';

const root = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-close-mid-load-'));
const workerPath = path.join(root, 'test-results', 'close-mid-load', 'model-worker.mjs');
const modelDir = path.join(scratch, 'gpt2-small-shape');
const wasmDir = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');

before(async () => {
  await bundleModelWorker(workerPath);
  // In another process, so that the rounds' process is not moved by the file's 249 MB.
  const write = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'write-random-model.ts'), modelDir, 'gpt2-small'], { encoding: 'utf8' });
  assert.equal(write.status, 0, write.stderr);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('closing mid-load (issue 13)', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  test('stops the worker and gives the memory back', { timeout: 180_000 }, () => {
    const bundled = path.join(root, 'media', 'models', 'tiny-gpt2-software');
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'close-mid-load-rounds.ts'), workerPath, modelDir, bundled, wasmDir], {
      encoding: 'utf8',
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
      timeout: 170_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const { rounds } = JSON.parse(child.stdout) as { rounds: Round[] };
    assert.equal(rounds.length, 3);
    rounds.forEach((round, i) => {
      const at = `round ${i}: ${JSON.stringify(round)}`;
      // Interrupted while loading: the worker was a thread of this process with the runtime's threads.
      assert.equal(round.workersWhileLoading, 1, at);
      assert.ok(round.threadsWhileLoading > 0, at);
      assert.ok(round.grownMb >= 150, `${at}: the load ended before it could be interrupted`);
      assert.equal(round.outcome, 'the model worker was shut down', at);
      assert.match(round.loadAfterDispose, /shut down/, at);
      // No worker and no thread left behind.
      assert.equal(round.workersAfter, 0, at);
      assert.equal(round.threadsAfter, 0, at);
      // The load's memory went back: far less than it had taken stays.
      assert.ok(round.leftMb < round.grownMb / 2 + 25, at);
    });
    // And the rounds do not add up: after three, less than half of one load's growth is left.
    assert.ok(rounds[2]!.leftMb < 75, `the process holds ${rounds.map((r) => r.leftMb.toFixed(0)).join(', ')} MB more than before, after each round`);
  });
});
