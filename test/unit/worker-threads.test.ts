// The model worker's WASM threads: every core but one, and the engine takes the count it is given.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { workerThreads } from '../../src/model-worker/worker-threads';

describe('model worker threads', () => {
  test('every core but one, at least one', () => {
    assert.deepEqual([0, 1, 2, 4, 16].map(workerThreads), [1, 1, 1, 3, 15]);
  });

  test('LensEngine runs WASM on the threads it is given and says so', async () => {
    const ort = { InferenceSession: { create: async () => { throw new Error('no session in this test'); } }, Tensor: class {}, env: { wasm: { numThreads: 0 } } } as unknown as OrtLike;
    const engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm', wasmThreads: 3 });
    assert.equal(ort.env.wasm!.numThreads, 3);
    assert.equal(engine.backend.threads, 3);
    const single = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' });
    assert.equal(ort.env.wasm!.numThreads, 1, 'not cross-origin isolated: one thread');
    assert.equal(single.backend.threads, 1);
  });
});
