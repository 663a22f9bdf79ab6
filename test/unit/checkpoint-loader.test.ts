// Checkpoint loading from synthetic safetensors files built here: dtypes, name variants,
// and every kind of broken file giving an error that names the file and the problem.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpoint, MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES } from '../../src/engine/checkpoint';
import { gpt2 } from '../../src/engine/families/gpt2';
import { parseModelConfig } from '../../src/engine/families';
import { float16ToFloat32, bfloat16ToFloat32, SUPPORTED_DTYPES } from '../../src/engine/safetensors';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { safetensors, type Dtype, type TensorSpec } from './synthetic-safetensors';

const CONFIG = {
  model_type: 'gpt2',
  vocab_size: 11,
  n_positions: 8,
  n_embd: 4,
  n_layer: 2,
  n_head: 2,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  eos_token_id: 10,
};
const configJson = (overrides: Record<string, unknown> = {}) => JSON.stringify({ ...CONFIG, ...overrides });

/** Values exactly representable in float16 and bfloat16: small multiples of 1/8. */
function exactValues(count: number, seed: number): number[] {
  return Array.from({ length: count }, (_, i) => (((i * 7 + seed * 13) % 33) - 16) / 8);
}

/** The same file with its JSON header edited (the data section is kept as it is). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + bytes.byteLength - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.byteLength);
  return out;
}

/** A file that starts with a header length of `length` bytes (little-endian) and then `rest`. */
function withHeaderLength(length: bigint, rest: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + rest.byteLength);
  new DataView(out.buffer).setBigUint64(0, length, true);
  out.set(rest, 8);
  return out;
}

/** Every tensor the synthetic config needs, in `dtype`, optionally renamed. */
function modelTensors(dtype: Dtype, rename: (name: string) => string = (n) => n): Record<string, TensorSpec> {
  const shapes = gpt2.expectedTensors(loadConfigOnly());
  const out: Record<string, TensorSpec> = {};
  let seed = 0;
  for (const [name, shape] of shapes) {
    out[rename(name)] = { dtype, shape, values: exactValues(shape.reduce((a, b) => a * b, 1), seed++) };
  }
  return out;
}

function loadConfigOnly() {
  return parseModelConfig(configJson(), 'config.json', 'synthetic');
}

const load = (weights: Uint8Array, config = configJson()) =>
  loadCheckpoint({ name: 'synthetic', configJson: config, weights, weightsFileName: 'model.safetensors' });

describe('checkpoint loader', () => {
  test('the loader reads F32, F16 and BF16 and refuses other dtypes, naming the ones it reads', () => {
    const accepted: string[] = [];
    for (const dtype of ['F32', 'F16', 'BF16', 'F64', 'I4'] as const) {
      const tensors = modelTensors('F32');
      tensors['ln_f.bias'] = { dtype, shape: [4], values: [1, -2, 0.5, 3] };
      let ckpt;
      try {
        ckpt = load(safetensors(tensors));
      } catch (error) {
        assert.match(String(error), new RegExp(`unsupported dtype ${dtype} \\(supported: F32, F16, BF16\\)`));
        continue;
      }
      assert.deepEqual(Array.from(ckpt.tensor('ln_f.bias')), [1, -2, 0.5, 3], dtype);
      accepted.push(dtype);
    }
    assert.deepEqual(accepted, ['F32', 'F16', 'BF16']);
    // The exported list (the extension's messages quote it) says what the loader does.
    assert.deepEqual([...SUPPORTED_DTYPES], accepted);
  });

  test('F32, F16 and BF16 files give the values written, aligned or not', () => {
    for (const dtype of ['F16', 'BF16', 'F32'] as const) {
      for (const pad of [0, 1]) {
        const written = modelTensors(dtype);
        const ckpt = load(safetensors(written, pad));
        for (const [name, spec] of Object.entries(written)) {
          assert.deepEqual(Array.from(ckpt.tensor(name)), spec.values, `${dtype} (pad ${pad}) ${name}`);
        }
        assert.deepEqual(Array.from(ckpt.embeddingRow(3)), written['wte.weight'].values.slice(12, 16));
      }
    }
  });

  test('embed adds position rows to token rows, reading only those rows', () => {
    const ckpt = load(safetensors(modelTensors('F16')));
    const wte = ckpt.tensor('wte.weight');
    const wpe = ckpt.tensor('wpe.weight');
    const expected = [1, 3, 1].flatMap((id, t) => Array.from({ length: 4 }, (_, c) => Math.fround(wte[id * 4 + c] + wpe[t * 4 + c])));
    assert.deepEqual(Array.from(ckpt.embed([1, 3, 1])), expected);
    assert.throws(() => ckpt.embed(new Array(9).fill(0)), /9 tokens exceed the context of 8/);
  });

  test('float16 conversion covers zeros, subnormals, infinities and NaN', () => {
    const halves = Uint16Array.of(0x0000, 0x8000, 0x0001, 0x03ff, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00);
    const f = float16ToFloat32(halves);
    assert.ok(Object.is(f[0], 0) && Object.is(f[1], -0));
    assert.equal(f[2], 2 ** -24);
    assert.equal(f[3], 1023 * 2 ** -24);
    assert.deepEqual(Array.from(f.slice(4, 9)), [1, -2, 65504, Infinity, -Infinity]);
    assert.ok(Number.isNaN(f[9]));
    assert.deepEqual(Array.from(bfloat16ToFloat32(Uint16Array.of(0x3f80, 0xc040, 0x0000))), [1, -3, 0]);
  });

  test('config.json is normalised into ModelConfig', () => {
    const ckpt = load(safetensors(modelTensors('F32')));
    const { architecture, ...sizes } = ckpt.config;
    assert.deepEqual(sizes, { name: 'synthetic', vocabSize: 11, nPositions: 8, nEmbd: 4, nLayer: 2, nHead: 2, nInner: 16, layerNormEpsilon: 1e-5, eosTokenId: 10 });
    assert.deepEqual(architecture, {
      family: 'gpt2',
      headDim: 2,
      kvHeads: 2,
      kvHeadOf: [0, 1],
      norm: 'layer',
      positions: { kind: 'learned' },
      attention: { qkvBias: true, outBias: true, qkNorm: false, scaleBySqrtHeadDim: true, scaleByInverseLayer: false, slidingWindow: null },
      mlp: { kind: 'gelu', activation: 'gelu_tanh', bias: true },
      tiedEmbeddings: true,
      bosTokenId: 10,
      eosTokenIds: [10],
    });
    const viaNCtx = load(safetensors(modelTensors('F32')), configJson({ n_positions: undefined, n_ctx: 8, activation_function: 'gelu' }));
    assert.equal(viaNCtx.config.nPositions, 8);
    assert.deepEqual(viaNCtx.config.architecture.mlp, { kind: 'gelu', activation: 'gelu_erf', bias: true });
  });

  test('a transformer. prefix, a tied lm_head.weight and attention buffers are accepted', () => {
    const tensors = modelTensors('F16', (n) => `transformer.${n}`);
    tensors['lm_head.weight'] = { ...tensors['transformer.wte.weight'] };
    tensors['transformer.h.0.attn.bias'] = { dtype: 'F32', shape: [1, 1, 8, 8], values: new Array(64).fill(1) };
    tensors['transformer.h.0.attn.masked_bias'] = { dtype: 'F32', shape: [], values: [-1e4] };
    const ckpt = load(safetensors(tensors));
    assert.equal(ckpt.tiedUnembedding, true);
    assert.deepEqual(ckpt.unembedding(), ckpt.tensor('wte.weight'));
    assert.deepEqual(Array.from(ckpt.tensor('h.1.mlp.c_fc.weight')), tensors['transformer.h.1.mlp.c_fc.weight'].values);
  });

  test('a distinct lm_head.weight becomes the unembedding', () => {
    const tensors = modelTensors('F32');
    const values = exactValues(44, 5).map((v) => v + 0.25);
    tensors['lm_head.weight'] = { dtype: 'F32', shape: [11, 4], values };
    const ckpt = load(safetensors(tensors));
    assert.equal(ckpt.tiedUnembedding, false);
    assert.deepEqual(Array.from(ckpt.unembedding()), values);
  });

  describe('broken files name the file and the problem', () => {
    const good = () => safetensors(modelTensors('F32'));

    test('shorter than the header length', () => {
      assert.throws(() => load(new Uint8Array(5)), /^Error: model\.safetensors: file is too short to be safetensors \(5 bytes/);
    });

    test('header length beyond the file', () => {
      const bytes = good().slice(0, 40);
      assert.throws(() => load(bytes), /^Error: model\.safetensors: header length \d+ exceeds the file \(40 bytes\)/);
    });

    test('header that is not JSON', () => {
      const bytes = good();
      bytes[8] = 0x7e; // '~' where '{' was
      assert.throws(() => load(bytes), /^Error: model\.safetensors: header is not valid JSON/);
    });

    test('truncated data: data_offsets exceed the file', () => {
      const bytes = good();
      assert.throws(() => load(bytes.slice(0, bytes.byteLength - 10)), /^Error: model\.safetensors: tensor \S+: data_offsets \[\d+, \d+\] exceed the file's data section \(\d+ bytes\)/);
    });

    test('lying data_offsets: the range does not match the shape', () => {
      const tensors = modelTensors('F32');
      tensors['wpe.weight'] = { dtype: 'F32', shape: [8, 4], values: exactValues(30, 1) }; // 30 values for 32
      assert.throws(() => load(safetensors(tensors)), /^Error: model\.safetensors: tensor wpe\.weight: data_offsets \[\d+, \d+\] hold 120 bytes but shape \[8, 4\] of F32 needs 128/);
    });

    test('unsupported dtypes (I4, F64)', () => {
      for (const dtype of ['I4', 'F64'] as const) {
        const tensors = modelTensors('F32');
        tensors['ln_f.bias'] = { dtype, shape: [4], values: [1, 2, 3, 4] };
        assert.throws(() => load(safetensors(tensors)), new RegExp(`^Error: model\\.safetensors: tensor ln_f\\.bias: unsupported dtype ${dtype} \\(supported: F32, F16, BF16\\)`));
      }
    });

    test('a shape that disagrees with config.json names tensor, actual and expected shape', () => {
      const tensors = modelTensors('F32');
      tensors['h.1.attn.c_attn.weight'] = { dtype: 'F32', shape: [12, 4], values: exactValues(48, 3) };
      assert.throws(() => load(safetensors(tensors)), /^Error: model\.safetensors: tensor h\.1\.attn\.c_attn\.weight has shape \[12, 4\] but config\.json implies \[4, 12\]/);
    });

    test('a missing tensor', () => {
      const tensors = modelTensors('F32');
      delete tensors['h.1.ln_2.bias'];
      assert.throws(() => load(safetensors(tensors)), /^Error: model\.safetensors: missing tensor h\.1\.ln_2\.bias \(expected shape \[4\]/);
    });

    test('header lengths below 2 ({}) or over 100,000,000 bytes are refused before the header is looked at', () => {
      assert.throws(() => load(withHeaderLength(0n, new Uint8Array(64))), /^Error: model\.safetensors: header length 0 is too short for a JSON header/);
      assert.throws(() => load(withHeaderLength(100_000_001n, new Uint8Array(64))), /^Error: model\.safetensors: header length 100000001 is over the limit of 100,000,000 bytes/);
      assert.throws(() => load(withHeaderLength(2n ** 64n - 1n, new Uint8Array(64))), /header length \d+ is over the limit/);
    });

    test('overlapping data_offsets are refused, naming both tensors', () => {
      const same = withHeader(good(), (header) => {
        header['ln_f.bias'].data_offsets = header['ln_f.weight'].data_offsets; // both [4] F32
      });
      assert.throws(() => load(same), /^Error: model\.safetensors: tensors ln_f\.(weight|bias) \[(\d+), (\d+)\] and ln_f\.(weight|bias) \[\2, \3\] overlap/);
      const shifted = withHeader(good(), (header) => {
        const [begin, end] = header['h.0.ln_1.weight'].data_offsets;
        header['h.0.ln_1.bias'].data_offsets = [begin + 4, end + 4]; // starts inside h.0.ln_1.weight
      });
      assert.throws(() => load(shifted), /tensors h\.0\.ln_1\.weight \[\d+, \d+\] and h\.0\.ln_1\.bias \[\d+, \d+\] overlap/);
      const empty = withHeader(good(), (header) => {
        header['empty'] = { dtype: 'F32', shape: [0, 4], data_offsets: header['wte.weight'].data_offsets.map(() => header['wte.weight'].data_offsets[0] + 8) };
      });
      assert.equal(load(empty).config.nLayer, 2, 'an empty tensor holds no bytes, so it overlaps nothing');
    });

    test('values from the header are quoted short', () => {
      const bytes = withHeader(good(), (header) => {
        header['ln_f.bias'].shape = Array.from({ length: 100_000 }, (_, i) => -i);
      });
      assert.throws(() => load(bytes), /^Error: model\.safetensors: tensor ln_f\.bias: shape \[0,-1,-2,-3,-4,-5,-6,-7,-8,-9,-10,-11,-1… is not a list of non-negative integers$/);
    });

    test('a header that is not JSON is described by position only, never quoted', () => {
      const secret = new TextEncoder().encode('{"api_key": sk-live-0123456789abcdef}');
      const bytes = withHeaderLength(BigInt(secret.byteLength), secret);
      assert.throws(() => load(bytes), (error: Error) => {
        assert.equal(error.message, 'model.safetensors: header is not valid JSON');
        return true;
      });
    });
  });

  describe('config.json problems', () => {
    const weights = safetensors(modelTensors('F32'));
    const cases: [Record<string, unknown> | string, RegExp][] = [
      ['{not json', /^Error: config\.json: not valid JSON \(line 1, column 2\)$/],
      ['{"model_type": "gpt2",\n "n_embd": 4,,\n}', /^Error: config\.json: not valid JSON \(line 2, column 14\)$/],
      ['{"model_type": ', /^Error: config\.json: not valid JSON \(it ends too early\)$/],
      [{ model_type: 'gemma3' }, /config\.json: model_type "gemma3" is not supported \(supported: gpt2, llama, mistral, qwen2, qwen3\)/],
      [{ model_type: 'x'.repeat(10_000) }, /config\.json: model_type "x{39}… is not supported/],
      [{ activation_function: 'relu' }, /config\.json: activation_function "relu" is not supported \(supported: gelu_new, gelu_pytorch_tanh, gelu\)/],
      [{ n_embd: undefined }, /config\.json: missing n_embd/],
      [{ n_layer: 0 }, /config\.json: n_layer must be a positive integer, got 0/],
      [{ n_head: 3 }, /config\.json: n_embd 4 is not divisible by n_head 3/],
      [{ eos_token_id: 11 }, /config\.json: eos_token_id 11 is outside the vocabulary/],
      [{ n_inner: 8 }, /model\.safetensors: tensor h\.0\.mlp\.c_fc\.weight has shape \[4, 16\] but config\.json implies \[4, 8\]/],
    ];
    test('a config.json that is not JSON is never quoted in the error (it may be any file: a key, a password)', () => {
      for (const secret of ['API_KEY=sk-live-0123456789abcdef', 'sk-live-0123456789abcdef\n', '{"password": hunter2}']) {
        assert.throws(() => load(weights, secret), (error: Error) => {
          assert.match(error.message, /^config\.json: not valid JSON/);
          for (const fragment of ['API', 'sk-', 'live', 'hunter', 'password']) assert.ok(!error.message.includes(fragment), `${JSON.stringify(fragment)} in: ${error.message}`);
          return true;
        });
      }
    });

    test('n_layer 1,000,000,000 is refused at the first missing layer, naming config.json and the tensor count', () => {
      const before = process.memoryUsage().heapUsed;
      assert.throws(() => load(weights, configJson({ n_layer: 1e9 })), /^Error: model\.safetensors: missing tensor h\.2\.ln_1\.weight \(expected shape \[4\] from config\.json, whose layer count is 1000000000; the weights hold 28 tensors\)$/);
      // Building the expected shapes of every layer first took 24-47 s and ~3 GB before failing with "Map maximum size exceeded".
      assert.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20, 'no structure as large as n_layer was built');
    });

    for (const [change, message] of cases) {
      test(`${typeof change === 'string' ? change : JSON.stringify(change)} -> ${message.source.slice(0, 50)}`, () => {
        const json = typeof change === 'string' ? change : configJson(change);
        assert.throws(() => load(weights, json), message);
      });
    }
  });

  describe('loading from a folder (Node)', () => {
    test('the bundled model loads from defaultModelDir()', async () => {
      const dir = defaultModelDir();
      assert.equal(path.basename(dir), 'tiny-gpt2-software');
      const ckpt = await loadCheckpointFromDir(dir);
      assert.equal(ckpt.config.name, 'tiny-gpt2-software');
      assert.deepEqual([ckpt.config.nLayer, ckpt.config.nHead, ckpt.config.nEmbd, ckpt.config.vocabSize], [6, 6, 192, 50257]);
      assert.equal(ckpt.tiedUnembedding, true);
    });

    test('missing folder and missing files are named with their paths', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-ckpt-'));
      try {
        await assert.rejects(loadCheckpointFromDir(path.join(dir, 'nope')), /model folder .*nope does not exist/);
        fs.writeFileSync(path.join(dir, 'config.json'), configJson());
        await assert.rejects(loadCheckpointFromDir(dir), new RegExp(`missing ${dir}/model\\.safetensors`));
        fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensors(modelTensors('F32')).slice(0, 100));
        await assert.rejects(loadCheckpointFromDir(dir), new RegExp(`^Error: ${dir}/model\\.safetensors: `));
        fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensors(modelTensors('BF16')));
        assert.equal((await loadCheckpointFromDir(dir)).config.nLayer, 2);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  // The folder is the user's choice and its files may lead anywhere. Each case is refused with a
  // message naming the file, having read nothing it should not: the evidence is the process's
  // memory (sampled every millisecond while the load runs, and after it), never the time taken.
  describe('a model folder whose files lead anywhere (Node)', () => {
    const MiB = 2 ** 20;
    let dir: string;
    let folder: string;
    let n = 0;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-untrusted-'));
    });
    beforeEach(() => {
      folder = path.join(dir, `model-${n++}`);
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'config.json'), configJson());
      fs.writeFileSync(path.join(folder, 'model.safetensors'), safetensors(modelTensors('F32')));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const file = (name: string) => path.join(folder, name);
    const replaceWithLink = (name: string, target: string) => {
      fs.rmSync(file(name));
      fs.symlinkSync(target, file(name));
    };
    /** A sparse file of `size` bytes that starts with `start`. */
    const sparse = (name: string, size: number, start: Uint8Array = new Uint8Array(0)) => {
      fs.writeFileSync(file(name), start);
      fs.truncateSync(file(name), size);
    };

    /** Loads the folder; resolves to the error and how far memory grew above where it started. */
    async function refusal(): Promise<{ message: string; rss: number; arrayBuffers: number }> {
      const start = process.memoryUsage();
      let rss = 0;
      let arrayBuffers = 0;
      const sample = () => {
        const now = process.memoryUsage();
        rss = Math.max(rss, now.rss - start.rss);
        arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - start.arrayBuffers);
      };
      const sampler = setInterval(sample, 1);
      try {
        await loadCheckpointFromDir(folder);
        return assert.fail('the folder was loaded');
      } catch (error) {
        return { message: (error as Error).message, rss, arrayBuffers };
      } finally {
        clearInterval(sampler);
        sample();
      }
    }
    const assertFlat = (r: { rss: number; arrayBuffers: number }) => {
      assert.ok(r.arrayBuffers < 16 * MiB, `buffers grew by ${(r.arrayBuffers / MiB).toFixed(1)} MiB`);
      assert.ok(r.rss < 128 * MiB, `memory grew by ${(r.rss / MiB).toFixed(1)} MiB`);
    };

    for (const name of ['config.json', 'model.safetensors']) {
      test(`${name} linked to /dev/zero is not read`, async () => {
        replaceWithLink(name, '/dev/zero');
        const r = await refusal();
        assert.equal(r.message, `${file(name)} is not a regular file (it is a device, a pipe or a socket), so it is not read`);
        assertFlat(r);
      });

      test(`${name} as a FIFO is not opened`, async () => {
        fs.rmSync(file(name));
        execFileSync('mkfifo', [file(name)]);
        // A writer waits for a reader, so that a loader that opens the FIFO gets '{}' and an end
        // instead of waiting forever; a loader that refuses it leaves the writer waiting.
        const writer = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(file(name))}, '{}')`], { stdio: 'ignore' });
        try {
          const r = await refusal();
          assert.equal(r.message, `${file(name)} is not a regular file (it is a device, a pipe or a socket), so it is not read`);
        } finally {
          writer.kill();
        }
      });

      test(`${name} as a folder is named as one`, async () => {
        fs.rmSync(file(name));
        fs.mkdirSync(file(name));
        assert.equal((await refusal()).message, `${file(name)} is a folder, not a file`);
      });
    }

    test('a config.json over 1 MiB is refused unread', async () => {
      sparse('config.json', MAX_CONFIG_BYTES + 1, new TextEncoder().encode(configJson()));
      const r = await refusal();
      assert.equal(r.message, `${file('config.json')} is too large: 1,048,577 bytes, and at most 1,048,576 are read from it`);
    });

    test('weights over 2 GiB (sparse) are refused unread', async () => {
      sparse('model.safetensors', MAX_WEIGHTS_BYTES + 1);
      const r = await refusal();
      assert.equal(r.message, `${file('model.safetensors')} is too large: 2,147,483,649 bytes, and at most 2,147,483,648 are read from it`);
      assertFlat(r);
    });

    test('a 2 GiB file (sparse) with a bad header: only its first 8 bytes are read', async () => {
      sparse('model.safetensors', 2 * 1024 * MiB - MiB);
      const r = await refusal();
      assert.equal(r.message, `${file('model.safetensors')}: header length 0 is too short for a JSON header; the file is not safetensors`);
      assertFlat(r);
    });

    test('a good header over a 1.5 GiB body that config.json does not match: the body is never read', async () => {
      sparse('model.safetensors', 1536 * MiB, safetensors(modelTensors('F32')));
      fs.writeFileSync(file('config.json'), configJson({ n_layer: 3 }));
      const r = await refusal();
      assert.match(r.message, /model\.safetensors: missing tensor h\.2\.ln_1\.weight \(expected shape \[4\] from \S+config\.json, whose layer count is 3; the weights hold 28 tensors\)$/);
      assertFlat(r);
    });

    test('n_layer 1,000,000,000: refused at once, naming config.json and the tensor count, memory flat', async () => {
      fs.writeFileSync(file('config.json'), configJson({ n_layer: 1e9 }));
      const r = await refusal();
      assert.equal(r.message, `${file('model.safetensors')}: missing tensor h.2.ln_1.weight (expected shape [4] from ${file('config.json')}, whose layer count is 1000000000; the weights hold 28 tensors)`);
      assertFlat(r);
    });

    test("a secret linked as config.json: the error never shows the secret's contents", async () => {
      const secret = path.join(dir, `secret-${n}.env`);
      fs.writeFileSync(secret, 'API_KEY=sk-live-0123456789abcdef\nDB_PASSWORD=hunter2\n');
      replaceWithLink('config.json', secret);
      const { message } = await refusal();
      assert.equal(message, `${file('config.json')}: not valid JSON`);
    });
  });
});
