// Issue 13: closing mid-load leaves nothing behind. The real model worker (bundled as
// scripts/build.mjs bundles it) starts loading a GPT-2-small-shaped model (124 M parameters,
// seconds of work on this machine); once the process has grown by 150 MB (the weights are going
// into the worker's heap, long before the load ends) the client is disposed, as the extension
// does when its window closes. Then: the load is refused, no worker thread is left (the
// process's own thread list, which counts the worker and the runtime's threads) and the memory
// the load took is given back.
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

before(async () => {
  await bundleModelWorker(workerPath);
  // In another process, so that this one's memory is not moved by the file's 249 MB.
  const write = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'write-random-model.ts'), modelDir, 'gpt2-small'], { encoding: 'utf8' });
  assert.equal(write.status, 0, write.stderr);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('closing mid-load (issue 13)', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  test('stops the worker and gives the memory back', { timeout: 120_000 }, async () => {
    const client = new ModelWorkerClient({ workerPath, modelDir: async () => modelDir, wasmDir: path.join(root, 'node_modules', 'onnxruntime-web', 'dist') });
    const threadsBefore = threads();
    const rssBefore = rssMb();

    const load = client.load();
    const outcome = load.then(
      () => 'loaded',
      (error: Error) => error.message,
    );
    let peak = rssBefore;
    while (rssMb() < rssBefore + 150) {
      assert.notEqual(await Promise.race([outcome, sleep(20).then(() => 'loading')]), 'loaded', 'the load ended before it could be interrupted');
      peak = Math.max(peak, rssMb());
    }
    assert.equal(client.liveWorkers, 1);
    assert.ok(threads() > threadsBefore, 'the worker is a thread of this process');
    await client.dispose();

    assert.equal(await outcome, 'the model worker was shut down');
    assert.equal(client.liveWorkers, 0);
    // terminate() resolves once the worker's thread has stopped; its isolate, the runtime's heap
    // and the runtime's own threads go with it.
    for (let i = 0; i < 100 && threads() > threadsBefore; i++) await sleep(50);
    assert.equal(threads(), threadsBefore, 'no thread is left behind');
    for (let i = 0; i < 100 && rssMb() > rssBefore + 60; i++) await sleep(50);
    const left = rssMb() - rssBefore;
    assert.ok(left < 60, `the process holds ${left.toFixed(0)} MB more than before the load (${(peak - rssBefore).toFixed(0)} MB at its height)`);
    await assert.rejects(client.load(), /shut down/);
  });
});
