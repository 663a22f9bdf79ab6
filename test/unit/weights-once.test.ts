// Issue 13: the weights live in the runtime once. The engine's sessions are recorded as they are
// created (the graph and the external data handed to onnxruntime), and the float32 bytes of
// every initializer they hold are counted against the checkpoint's own tensors: each weight in
// exactly one session, none in two, and no session made after prepare().
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { onnx } from 'onnx-proto';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import type { Checkpoint } from '../../src/engine/checkpoint';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { FIXTURES, fixtureDir } from './llama-family-fixtures';
import { weightFootprint } from '../../src/engine/memory-fit';

interface Created {
  /** Initializer name -> float32 bytes, wherever the bytes travel (inside the protobuf or beside it). */
  floats: Map<string, number>;
  /** Bytes handed to the runtime beside the protobuf. */
  externalBytes: number;
  /** The largest initializer inside the protobuf. */
  largestInline: number;
}

/** onnxruntime-web, with every InferenceSession.create recorded. */
function recordingOrt(created: Created[]): OrtLike {
  const real = ort as unknown as OrtLike;
  return {
    Tensor: real.Tensor,
    env: real.env,
    InferenceSession: {
      create(model: Uint8Array, options?: Record<string, unknown>) {
        const external = (options?.externalData ?? []) as { path: string; data: Uint8Array }[];
        const sizes = new Map(external.map((e) => [e.path, e.data.byteLength]));
        const floats = new Map<string, number>();
        let largestInline = 0;
        for (const init of onnx.ModelProto.decode(model).graph!.initializer!) {
          if (init.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
          const location = init.externalData?.find((e) => e.key === 'location')?.value;
          if (location === undefined || location === null) largestInline = Math.max(largestInline, init.rawData!.byteLength);
          floats.set(init.name!, location !== undefined && location !== null ? sizes.get(location)! : init.rawData!.byteLength);
        }
        created.push({ floats, externalBytes: [...sizes.values()].reduce((a, b) => a + b, 0), largestInline });
        return real.InferenceSession.create(model, options);
      },
    },
  };
}

/** float32 bytes of the tensors the graphs should hold: all but the learned positions (added in JavaScript). */
function expectedWeightBytes(checkpoint: Checkpoint): number {
  let bytes = 0;
  for (const name of checkpoint.tensorNames()) {
    if (name === 'wpe.weight') continue;
    bytes += checkpoint.tensor(name).length * 4;
  }
  return bytes;
}

const cases = [
  { label: 'bundled GPT-2 (tied)', dir: defaultModelDir() },
  ...FIXTURES.map((name) => ({ label: name, dir: fixtureDir(name) })),
];

describe('weights in the runtime once (issue 13)', () => {
  for (const { label, dir } of cases) {
    test(`${label}: every weight in exactly one session; the hover, analysis and neighbours need no other`, async () => {
      const created: Created[] = [];
      const checkpoint = await loadCheckpointFromDir(dir);
      const engine = await LensEngine.create(checkpoint, { ort: recordingOrt(created), backend: 'wasm' });
      try {
        await engine.prepare(['hover', 'analysis', 'neighbours']);
        const { nLayer: L, vocabSize: V, nEmbd: d } = checkpoint.config;
        assert.equal(created.length, L + 1, 'one session per block and one for the vocabulary');

        const ids = [1, 2, 3, 4, 5].map((i) => i % V);
        await engine.analyze(ids, { attention: true, hidden: true });
        await engine.predictLast(ids);
        await engine.neighboursOfToken(ids[0]!);
        assert.equal(created.length, L + 1, 'no session was created after prepare()');

        // No initializer name is in two sessions (each graph's names are prefixed by its block).
        const total = created.reduce((sum, c) => sum + [...c.floats.values()].reduce((a, b) => a + b, 0), 0);
        // Beside the weights the graphs hold the embedding rows' lengths (V floats, for cosines)
        // and a few float scalars (eps, 0.5, ...): under 64 bytes per graph.
        const extra = total - expectedWeightBytes(checkpoint) - V * 4;
        assert.ok(extra >= 0 && extra < 64 * created.length, `${total} float32 bytes in the sessions; ${extra} beyond the weights`);

        // The [V, d] table is the largest tensor and sits in the vocabulary session only.
        const tableBytes = V * d * 4;
        const holding = created.filter((c) => [...c.floats.values()].some((b) => b === tableBytes));
        assert.equal(holding.length, 1, 'one session holds a [V, d] table');
        // The weights travel beside the protobuf (external data), not inside it.
        for (const c of created) assert.ok(c.largestInline < 16 * 1024, `an initializer of ${c.largestInline} bytes inside a protobuf`);
        assert.ok(created.some((c) => c.externalBytes > 0));
      } finally {
        await engine.dispose();
        checkpoint.close();
      }
    });
  }
});

describe('a model that will not fit is refused before loading (issue 13)', () => {
  test('the arithmetic: Qwen2.5-0.5B fits the 4 GiB WebAssembly heap in float32, Llama-3.2-1B does not', () => {
    // Parameter counts as Hugging Face lists them (both tie their embeddings).
    const qwen = weightFootprint(494_032_768, 151_936, 896);
    assert.ok(qwen.fits, JSON.stringify(qwen));
    assert.equal(qwen.weightBytes, 1_976_131_072);
    const llama = weightFootprint(1_235_814_400, 128_256, 2048);
    assert.equal(llama.fits, false);
    assert.equal(llama.neededBytes, 1_235_814_400 * 4 + 128_256 * 2048 * 4 + 512 * 1024 ** 2);
  });

  test('the engine refuses with the numbers before it creates any session', async () => {
    const created: Created[] = [];
    const checkpoint = await loadCheckpointFromDir(defaultModelDir());
    const parameters = checkpoint.parameterCount();
    try {
      await assert.rejects(
        LensEngine.create(checkpoint, { ort: recordingOrt(created), backend: 'wasm', heapBytes: 256 * 1024 ** 2 }),
        (error: Error) => {
          assert.match(error.message, /does not fit/);
          assert.ok(error.message.includes(parameters.toLocaleString('en-US')), error.message);
          assert.match(error.message, /over the 0\.27 GB heap/);
          return true;
        },
      );
      assert.equal(created.length, 0);
      // The bundled model itself fits the real heap.
      assert.ok(weightFootprint(parameters, checkpoint.config.vocabSize, checkpoint.config.nEmbd).fits);
    } finally {
      checkpoint.close();
    }
  });
});
