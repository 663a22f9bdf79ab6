// 8-bit weights (issue 13): the packing the runtime reads, the choice between float32 and 8 bits,
// what the sessions then hold, and the measured error against float32 on the same text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { onnx } from 'onnx-proto';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import { GraphBuilder } from '../../src/engine/onnx-graph';
import { INT8_BLOCK, int8Value, quantizeInputsByOutputs } from '../../src/engine/int8-weights';
import { chooseWeights, INT8_BYTES_PER_PARAMETER, weightFootprint } from '../../src/engine/memory-fit';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { fixtureDir, readReference } from './llama-family-fixtures';

const runtime = ort as unknown as OrtLike;
const reference = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'reference.json'), 'utf8')) as { refs: { ids: number[] }[] };

/** A deterministic pseudo-random stream (xorshift), so a failure can be replayed. */
function randoms(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  };
}

/** Bytes of every initializer a session was made with, by ONNX element type. */
function recordingOrt(bytesByType: Map<number, number>): OrtLike {
  return {
    Tensor: runtime.Tensor,
    env: runtime.env,
    InferenceSession: {
      create(model: Uint8Array, options?: Record<string, unknown>) {
        const external = new Map(((options?.externalData ?? []) as { path: string; data: Uint8Array }[]).map((e) => [e.path, e.data.byteLength]));
        for (const init of onnx.ModelProto.decode(model).graph!.initializer!) {
          const location = init.externalData?.find((e) => e.key === 'location')?.value;
          const bytes = location ? external.get(location)! : init.rawData!.byteLength;
          bytesByType.set(init.dataType!, (bytesByType.get(init.dataType!) ?? 0) + bytes);
        }
        return runtime.InferenceSession.create(model, options);
      },
    },
  };
}

describe('8-bit weights: packing', () => {
  test('each value is within half a step of its block’s scale, and a zero block stays zero', () => {
    const next = randoms(7);
    const inputs = 70; // not a multiple of the block: the last block is padded
    const outputs = 5;
    const weight = Float32Array.from({ length: inputs * outputs }, (_, i) => (i % outputs === 3 ? 0 : next() * (i % 11 === 0 ? 8 : 1)));
    const m = quantizeInputsByOutputs(weight, inputs, outputs);
    assert.equal(m.blocks, 3);
    for (let o = 0; o < outputs; o++) {
      for (let i = 0; i < inputs; i++) {
        const block = Math.floor(i / INT8_BLOCK);
        const scale = m.scales[o * m.blocks + block];
        const original = weight[i * outputs + o];
        assert.ok(Math.abs(int8Value(m, i, o) - original) <= scale / 2 + 1e-12, `(${i}, ${o}): ${int8Value(m, i, o)} vs ${original}`);
        if (o === 3) assert.equal(int8Value(m, i, o), 0);
      }
    }
  });

  test('onnxruntime’s MatMulNBits reads the packing as written: x @ W8 equals the product with the dequantized values', async () => {
    const next = randoms(11);
    const [rows, inputs, outputs] = [3, 96, 40];
    const weight = Float32Array.from({ length: inputs * outputs }, () => next());
    const x = Float32Array.from({ length: rows * inputs }, () => next());
    const m = quantizeInputsByOutputs(weight, inputs, outputs);
    const g = new GraphBuilder('nbits');
    const input = g.input('x', 'float32', [rows, inputs]);
    const packed = g.initializer('w', 'uint8', [outputs, m.blocks, INT8_BLOCK], m.packed);
    const scales = g.initializer('s', 'float32', [outputs * m.blocks], m.scales);
    g.output(g.contribOp('MatMulNBits', [input, packed, scales], { K: inputs, N: outputs, bits: 8, block_size: INT8_BLOCK }), 'y', 'float32', [rows, outputs]);
    const session = await ort.InferenceSession.create(g.toBytes(), { executionProviders: ['wasm'] });
    try {
      const y = (await session.run({ x: new ort.Tensor('float32', x, [rows, inputs]) })).y.data as Float32Array;
      let maxFromFloat32 = 0;
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outputs; o++) {
          let dequantized = 0;
          let exact = 0;
          for (let i = 0; i < inputs; i++) {
            dequantized += x[r * inputs + i] * int8Value(m, i, o);
            exact += x[r * inputs + i] * weight[i * outputs + o];
          }
          assert.ok(Math.abs(y[r * outputs + o] - dequantized) < 1e-4, `(${r}, ${o}): ${y[r * outputs + o]} vs ${dequantized}`);
          maxFromFloat32 = Math.max(maxFromFloat32, Math.abs(y[r * outputs + o] - exact));
        }
      }
      // The quantization itself moves the product (else this test could not tell 8 bits from 32).
      assert.ok(maxFromFloat32 > 1e-4, String(maxFromFloat32));
    } finally {
      await session.release();
    }
  });
});

describe('8-bit weights: when', () => {
  test('the arithmetic: Llama-3.2-1B does not fit in float32 and fits in 8 bits; a 3 B model fits in neither', () => {
    const llama1b = chooseWeights('Llama-3.2-1B', 1_235_814_400, 128_256, 2048, 'auto');
    assert.ok('precision' in llama1b && llama1b.precision === 'int8', JSON.stringify(llama1b));
    assert.equal(weightFootprint(1_235_814_400, 128_256, 2048, undefined, INT8_BYTES_PER_PARAMETER).weightBytes, Math.ceil(1_235_814_400 * (1 + 4 / 32)));
    const qwen = chooseWeights('Qwen2.5-0.5B', 494_032_768, 151_936, 896, 'auto');
    assert.ok('precision' in qwen && qwen.precision === 'float32');
    const big = chooseWeights('Llama-3.2-3B', 3_212_749_824, 128_256, 3072, 'auto');
    assert.ok('refused' in big && /In 8 bits it would still need/.test(big.refused), JSON.stringify(big));
    const asked = chooseWeights('Llama-3.2-1B', 1_235_814_400, 128_256, 2048, 'float32');
    assert.ok('refused' in asked && /8-bit weights would fit/.test(asked.refused), JSON.stringify(asked));
  });

  test('the engine picks 8 bits by itself when float32 would not fit its heap, and says why with the numbers', async () => {
    const checkpoint = await loadCheckpointFromDir(defaultModelDir());
    const { vocabSize: V, nEmbd: d } = checkpoint.config;
    const parameters = checkpoint.parameterCount();
    // A heap between the two needs.
    const heapBytes = Math.round((weightFootprint(parameters, V, d).neededBytes + weightFootprint(parameters, V, d, undefined, INT8_BYTES_PER_PARAMETER).neededBytes) / 2);
    const bytesByType = new Map<number, number>();
    const engine = await LensEngine.create(checkpoint, { ort: recordingOrt(bytesByType), backend: 'wasm', wasmThreads: 1, heapBytes });
    try {
      assert.equal(engine.precision, 'int8');
      assert.deepEqual(engine.backend.weights, {
        precision: 'int8',
        why: 'tooBig',
        float32Bytes: parameters * 4,
        heldBytes: Math.ceil(parameters * (1 + 4 / 32)),
        heapBytes,
      });
      await engine.prepare();
      // What the sessions hold: bytes for the products' weights; float32 only for norms, biases and the embedding's row lengths.
      const uint8 = bytesByType.get(onnx.TensorProto.DataType.UINT8) ?? 0;
      const float32 = bytesByType.get(onnx.TensorProto.DataType.FLOAT) ?? 0;
      const wpe = checkpoint.config.nPositions * d; // learned positions are added in JavaScript, not held by a session
      assert.ok(Math.abs(uint8 - (parameters - wpe)) < 0.05 * parameters, `uint8 ${uint8} for ${parameters} parameters`);
      assert.ok(float32 < 0.25 * (parameters - wpe) * 4, `float32 ${float32} bytes`);
    } finally {
      await engine.dispose();
    }
    await assert.rejects(LensEngine.create(checkpoint, { ort: runtime, backend: 'wasm', heapBytes: 64 * 1024 ** 2 }), /In 8 bits it would still need/);
    checkpoint.close();
  });
});

describe('8-bit weights: measured error against float32 on the same text', () => {
  test('bundled GPT-2: weightError equals a float32 engine’s and an 8-bit engine’s analyses compared directly', async () => {
    const checkpoint = await loadCheckpointFromDir(defaultModelDir());
    const float32 = await LensEngine.create(checkpoint, { ort: runtime, backend: 'wasm', wasmThreads: 1 });
    const int8 = await LensEngine.create(checkpoint, { ort: runtime, backend: 'wasm', wasmThreads: 1, weights: 'int8' });
    try {
      assert.equal(float32.precision, 'float32');
      assert.equal(int8.backend.weights?.why, 'requested');
      await assert.rejects(float32.weightError([1, 2, 3]), /float32 weights/);
      let largest = 0;
      for (const { ids } of reference.refs) {
        const [a, b] = [await float32.analyze(ids), await int8.analyze(ids)];
        let max = 0;
        let sum = 0;
        let same = 0;
        const n = ids.length - 1;
        for (let t = 0; t < n; t++) {
          const diff = Math.abs(a.positions[t].target!.logprob - b.positions[t].target!.logprob);
          max = Math.max(max, diff);
          sum += diff;
          if (a.positions[t].top[0][0] === b.positions[t].top[0][0]) same++;
        }
        // The analysis just run holds the 8-bit rows: the measurement runs only the float32 model.
        const readBefore = int8.trunkTokensRead;
        const measured = await int8.weightError(ids, 1000);
        assert.equal(int8.trunkTokensRead, readBefore, 'the 8-bit blocks ran again');
        assert.equal(measured.positions, n);
        assert.ok(Math.abs(measured.maxLogprobDiff - max) < 2e-3, `${measured.maxLogprobDiff} vs ${max}`);
        assert.ok(Math.abs(measured.meanLogprobDiff - sum / n) < 2e-3, `${measured.meanLogprobDiff} vs ${sum / n}`);
        assert.equal(measured.sameTop1, same);
        // 8 bits move the numbers, by a little: 0.06 nats at most here when this was written.
        assert.ok(max > 1e-4 && max < 0.25, `max |Δ log p| ${max}`);
        largest = Math.max(largest, max);
        // The first 4 positions only, when asked.
        assert.equal((await int8.weightError(ids, 4)).positions, Math.min(4, n));
      }
      assert.ok(largest > 1e-3, String(largest));
      // A text the last analysis did not read: its 8-bit rows are run for the measurement, with the same result.
      const [first, second] = reference.refs.map((r) => r.ids).filter((ids) => ids.length > 5);
      await int8.analyze(second!);
      const warm = await int8.weightError(second!, 4);
      await int8.analyze(first!);
      const readBefore = int8.trunkTokensRead;
      const cold = await int8.weightError(second!, 4);
      assert.equal(int8.trunkTokensRead - readBefore, 5);
      assert.ok(Math.abs(cold.maxLogprobDiff - warm.maxLogprobDiff) < 1e-4 && Math.abs(cold.meanLogprobDiff - warm.meanLogprobDiff) < 1e-4, `${JSON.stringify(cold)} vs ${JSON.stringify(warm)}`);
      assert.equal(cold.sameTop1, warm.sameTop1);
    } finally {
      await float32.dispose();
      await int8.dispose();
      checkpoint.close();
    }
  });

  test('a call made while the error is measured waits for one step of it, not for the whole measurement, and changes neither answer', async () => {
    const checkpoint = await loadCheckpointFromDir(defaultModelDir());
    const int8 = await LensEngine.create(checkpoint, { ort: runtime, backend: 'wasm', wasmThreads: 1, weights: 'int8' });
    try {
      const { ids } = reference.refs.find((r) => r.ids.length > 5)!;
      await int8.analyze(ids);
      const alone = await int8.weightError(ids);
      const expected = await int8.distributionAt(ids, 2, { temperature: 1, topK: 5 });
      const finished: string[] = [];
      const measuring = int8.weightError(ids).then((error) => (finished.push('weightError'), error));
      // Asked after the measurement began (its 8-bit step is already queued).
      const asked = int8.distributionAt(ids, 2, { temperature: 1, topK: 5 }).then((distribution) => (finished.push('distribution'), distribution));
      const [error, distribution] = await Promise.all([measuring, asked]);
      assert.deepEqual(finished, ['distribution', 'weightError']);
      assert.deepEqual(error, alone);
      assert.deepEqual(distribution, expected);
      // Disposed between steps: the measurement stops with a message, and nothing is left queued.
      const stopped = int8.weightError(ids);
      await int8.dispose();
      await assert.rejects(stopped, /disposed/);
    } finally {
      await int8.dispose();
      checkpoint.close();
    }
  });

  test('Qwen3 fixture (rotary, grouped heads, per-head norms): 8-bit weights stay near the float64 reference', async () => {
    const checkpoint = await loadCheckpointFromDir(fixtureDir('tiny-random-qwen3'));
    const int8 = await LensEngine.create(checkpoint, { ort: runtime, backend: 'wasm', wasmThreads: 1, weights: 'int8' });
    try {
      for (const ref of readReference('tiny-random-qwen3').refs) {
        const analysis = await int8.analyze(ref.ids);
        const measured = await int8.weightError(ref.ids, 1000);
        let max = 0;
        for (let t = 0; t < ref.ids.length - 1; t++) max = Math.max(max, Math.abs(analysis.positions[t].target!.logprob - ref.target_logprob[t]));
        // The float32 model is within 2e-3 of the float64 reference, so the 8-bit model's distance to it is the measured error give or take that.
        assert.ok(Math.abs(max - measured.maxLogprobDiff) < 2e-3 + 1e-6, `${max} vs ${measured.maxLogprobDiff}`);
      }
    } finally {
      await int8.dispose();
      checkpoint.close();
    }
  });
});
