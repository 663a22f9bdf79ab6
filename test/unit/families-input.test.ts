// Reading checkpoints of the Llama-layout families: config.json normalisation, rotary tables,
// sharded weights, sliding windows, and every kind of bad input giving an error that names
// the file and the problem.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { Checkpoint, loadCheckpoint } from '../../src/engine/checkpoint';
import { LensEngine } from '../../src/engine/engine';
import { parseModelConfig } from '../../src/engine/families';
import { inverseFrequencies, rotaryTables } from '../../src/engine/rope';
import type { Analysis, PositionEncoding } from '../../src/engine/types';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { fixtureDir, readFixtureFiles, readReference, SHARDS, writeShardedQwen2 } from './llama-family-fixtures';
import { decodeSafetensors, encodeSafetensors } from './safetensors-writer';

const llama = readFixtureFiles('tiny-random-llama');
const qwen2 = readFixtureFiles('tiny-random-qwen2');

const load = (files: { config: Record<string, unknown>; weights: Uint8Array }, overrides: Record<string, unknown> = {}) =>
  loadCheckpoint({ name: 'variant', configJson: JSON.stringify({ ...files.config, ...overrides }), weights: files.weights });
const parse = (config: Record<string, unknown>) => parseModelConfig(JSON.stringify(config), 'config.json', 'x');

describe('config.json of the Llama-layout families', () => {
  test('each fixture config is normalised: sizes, GQA, rope, biases, norms, tokens', () => {
    const l = parse(llama.config);
    assert.deepEqual(
      [l.vocabSize, l.nEmbd, l.nLayer, l.nHead, l.nInner, l.nPositions, l.layerNormEpsilon, l.eosTokenId],
      [129280, 48, 2, 4, 128, 131072, 1e-6, 1],
    );
    assert.deepEqual(l.architecture, {
      family: 'llama',
      headDim: 16,
      kvHeads: 1,
      kvHeadOf: [0, 0, 0, 0],
      norm: 'rms',
      positions: { kind: 'rope', theta: 500000, scaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 8192 } },
      attention: { qkvBias: false, outBias: false, qkNorm: false, scaleBySqrtHeadDim: true, scaleByInverseLayer: false, slidingWindow: null },
      mlp: { kind: 'gated', activation: 'silu', bias: false },
      tiedEmbeddings: false,
      bosTokenId: 0,
      eosTokenIds: [1],
    });
    const q2 = parse(qwen2.config).architecture;
    assert.deepEqual([q2.family, q2.headDim, q2.kvHeads, q2.attention.qkvBias, q2.attention.outBias, q2.attention.qkNorm, q2.tiedEmbeddings], ['qwen2', 16, 2, true, false, false, true]);
    const q3 = parse(readFixtureFiles('tiny-random-qwen3').config).architecture;
    assert.deepEqual([q3.family, q3.headDim, q3.kvHeadOf, q3.attention.qkvBias, q3.attention.qkNorm, q3.eosTokenIds], ['qwen3', 32, [0, 0, 1, 1], false, true, [151645]]);
  });

  test('defaults: head_dim from hidden/heads (Qwen3: 128), kv heads = heads, rope_theta 10000, a list of eos ids', () => {
    const minimal = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2 };
    const c = parse({ ...minimal, eos_token_id: [3, 4, 5] });
    assert.deepEqual([c.architecture.headDim, c.architecture.kvHeads, c.eosTokenId, c.architecture.eosTokenIds, c.nPositions], [4, 2, 3, [3, 4, 5], 2048]);
    assert.deepEqual(c.architecture.positions, { kind: 'rope', theta: 10000, scaling: null });
    assert.equal(parse({ ...minimal, model_type: 'qwen3', eos_token_id: 1 }).architecture.headDim, 128);
    assert.deepEqual(parse({ ...minimal, model_type: 'mistral' }).architecture.attention.slidingWindow, { size: 4096, layers: [0] });
    assert.equal(parse({ ...minimal, model_type: 'mistral', sliding_window: null }).architecture.attention.slidingWindow, null);
    const qwen = { ...minimal, model_type: 'qwen2', num_hidden_layers: 3, eos_token_id: 1, use_sliding_window: true };
    assert.deepEqual(parse({ ...qwen, sliding_window: 8, max_window_layers: 0 }).architecture.attention.slidingWindow, { size: 8, layers: [0, 1, 2] });
    assert.deepEqual(parse(qwen).architecture.attention.slidingWindow, { size: 4096, layers: [] });
    assert.equal(parse({ ...qwen, sliding_window: null }).architecture.attention.slidingWindow, null);
    assert.throws(() => parse({ ...qwen, max_window_layers: -1 }), /max_window_layers must be a whole number >= 0, got -1/);
    const biased = parse({ ...minimal, attention_bias: true, mlp_bias: true }).architecture;
    assert.deepEqual([biased.attention.qkvBias, biased.attention.outBias, biased.mlp.bias], [true, true, true]);
  });

  test("transformers 5's rope_parameters reads like rope_theta + rope_scaling", () => {
    const { rope_theta: theta, rope_scaling: scaling, ...rest } = llama.config;
    const v5 = parse({ ...rest, rope_parameters: { ...(scaling as object), rope_theta: theta } });
    assert.deepEqual(v5.architecture.positions, parse(llama.config).architecture.positions);
    const plain = parse({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 1234 } });
    assert.deepEqual(plain.architecture.positions, { kind: 'rope', theta: 1234, scaling: null });
  });

  const problems: [string, Record<string, unknown>, RegExp][] = [
    ['Gemma 3', { model_type: 'gemma3' }, /^Error: config\.json: model_type "gemma3" is not supported \(supported: gpt2, llama, mistral, qwen2, qwen3\)$/],
    ['Mixtral (mixture of experts)', { model_type: 'mixtral' }, /model_type "mixtral" is not supported \(supported: gpt2, llama, mistral, qwen2, qwen3\)/],
    ['Qwen3 MoE', { model_type: 'qwen3_moe' }, /model_type "qwen3_moe" is not supported \(supported: gpt2, llama, mistral, qwen2, qwen3\)/],
    ['no model_type', { model_type: undefined }, /model_type undefined is not supported/],
    ['yarn rope scaling', { rope_scaling: { rope_type: 'yarn', factor: 4 } }, /^Error: config\.json: rope_scaling type "yarn" is not supported \(supported: none, default, linear, llama3\)$/],
    ['dynamic rope scaling (old "type" key)', { rope_scaling: { type: 'dynamic', factor: 2 } }, /rope_scaling type "dynamic" is not supported/],
    ['longrope in rope_parameters', { rope_scaling: undefined, rope_parameters: { rope_type: 'longrope', rope_theta: 1e4 } }, /rope_parameters type "longrope" is not supported/],
    ['llama3 scaling without its fields', { rope_scaling: { rope_type: 'llama3', factor: 8 } }, /rope_scaling of type "llama3" needs low_freq_factor/],
    ['a GELU llama', { hidden_act: 'gelu' }, /config\.json: hidden_act "gelu" is not supported for llama \(supported: silu\)/],
    ['heads not a multiple of kv heads', { num_key_value_heads: 3 }, /num_attention_heads 4 is not a multiple of num_key_value_heads 3/],
    ['odd head_dim', { head_dim: 15 }, /head_dim 15 must be even/],
    ['eos outside the vocabulary', { eos_token_id: 129280 }, /eos_token_id 129280 is outside the vocabulary \(0\.\.129279\)/],
    ['missing hidden_size', { hidden_size: undefined }, /config\.json: missing hidden_size/],
  ];
  for (const [what, change, message] of problems) {
    test(`${what} is a clear error`, () => assert.throws(() => parse({ ...llama.config, ...change }), message));
  }

  test('Qwen without eos_token_id (no Hugging Face default) is an error', () => {
    assert.throws(() => parse({ ...qwen2.config, eos_token_id: undefined }), /config\.json: missing eos_token_id/);
  });
});

describe('rotary tables', () => {
  const rope = parse(llama.config).architecture.positions as Extract<PositionEncoding, { kind: 'rope' }>;

  test("llama3 scaling follows transformers' _compute_llama3_parameters", () => {
    // Transcribed from transformers (the torch.where form), independently of rope.ts.
    const [factor, low, high, old] = [32, 1, 4, 8192];
    const expected = Array.from({ length: 8 }, (_, i) => {
      const invFreq = 1 / 500000 ** ((2 * i) / 16);
      const wavelen = (2 * Math.PI) / invFreq;
      const invFreqLlama = wavelen > old / low ? invFreq / factor : invFreq;
      const smooth = (old / wavelen - low) / (high - low);
      const smoothed = ((1 - smooth) * invFreqLlama) / factor + smooth * invFreqLlama;
      const medium = !(wavelen < old / high) && !(wavelen > old / low);
      return medium ? smoothed : invFreqLlama;
    });
    const actual = inverseFrequencies(rope, 16);
    expected.forEach((f, i) => assert.ok(Math.abs(actual[i] - f) <= 1e-15 * f, `frequency ${i}: ${actual[i]} vs ${f}`));
    // The three bands are all present at head_dim 16: kept, blended, divided.
    const unscaled = inverseFrequencies({ ...rope, scaling: null }, 16);
    assert.equal(actual[0], unscaled[0]);
    assert.ok(actual[4] < unscaled[4] && actual[4] > unscaled[4] / 32);
    assert.ok(Math.abs(actual[7] - unscaled[7] / 32) < 1e-20);
  });

  test('linear scaling divides every frequency; tables hold cos and sin of position * frequency from any start', () => {
    const linear = inverseFrequencies({ kind: 'rope', theta: 10000, scaling: { type: 'linear', factor: 4 } }, 8);
    const plain = inverseFrequencies({ kind: 'rope', theta: 10000, scaling: null }, 8);
    assert.deepEqual(Array.from(linear), Array.from(plain, (f) => f / 4));
    assert.deepEqual(Array.from(plain), [1, 0.1, 0.01, 0.001].map((f, i) => (i === 0 ? 1 : 10000 ** (-(2 * i) / 8))));
    const { cos, sin } = rotaryTables(plain, 5000, 3);
    assert.equal(cos.length, 12);
    for (let t = 0; t < 3; t++) {
      for (let i = 0; i < 4; i++) {
        assert.equal(cos[t * 4 + i], Math.fround(Math.cos((5000 + t) * plain[i])));
        assert.equal(sin[t * 4 + i], Math.fround(Math.sin((5000 + t) * plain[i])));
      }
    }
  });
});

describe('checkpoint problems name the file and the problem', () => {
  test('a tensor whose shape disagrees with config.json', () => {
    assert.throws(
      () => load(llama, { num_key_value_heads: 2 }),
      /^Error: model\.safetensors: tensor model\.layers\.0\.self_attn\.k_proj\.weight has shape \[16, 48\] but config\.json implies \[32, 48\]$/,
    );
    assert.throws(() => load(qwen2, { intermediate_size: 64 }), /model\.safetensors: tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[96, 32\] but config\.json implies \[64, 32\]/);
    assert.throws(() => load(llama, { head_dim: 8 }), /tensor model\.layers\.0\.self_attn\.q_proj\.weight has shape \[64, 48\] but config\.json implies \[32, 48\]/);
  });

  test('missing tensors: a Qwen3 config over Qwen2 weights lacks q_norm; an untied model needs lm_head', () => {
    assert.throws(() => load(qwen2, { model_type: 'qwen3' }), /^Error: model\.safetensors: missing tensor model\.layers\.0\.self_attn\.q_norm\.weight \(expected shape \[16\] from config\.json, whose layer count is 2; the weights hold 26 tensors\)$/);
    assert.throws(() => load(qwen2, { tie_word_embeddings: false }), /model\.safetensors: missing tensor lm_head\.weight \(config\.json sets tie_word_embeddings to false/);
  });

  test('a tied config uses the embedding even where a lm_head.weight is present', () => {
    const tied = load(llama, { tie_word_embeddings: true });
    assert.equal(tied.tiedUnembedding, true);
    assert.deepEqual(tied.unembedding(), tied.tensor('model.embed_tokens.weight'));
    assert.notDeepEqual(load(llama).unembedding().subarray(0, 48), tied.unembedding().subarray(0, 48));
  });

  test('token ids beyond the embedding rows', async () => {
    const checkpoint = load(qwen2);
    const V = checkpoint.config.vocabSize;
    const engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
    try {
      const outside = /outside the vocabulary \(0\.\.151935\): the embedding in model\.safetensors has 151936 rows/;
      await assert.rejects(engine.analyze([0, V]), new RegExp(`token id at index 1 is ${V}, ${outside.source}`));
      await assert.rejects(engine.predictLast([V + 5]), outside);
      await assert.rejects(engine.neighboursOfToken(V), outside);
      assert.throws(() => checkpoint.embeddingRow(V), new RegExp(`token id ${V} is ${outside.source}`));
      assert.throws(() => checkpoint.embed([1, -1]), /token id -1 is outside the vocabulary/);
    } finally {
      await engine.dispose();
    }
  });
});

describe('sharded checkpoints (model.safetensors.index.json)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-shards-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('shards load as one checkpoint holding exactly the single file’s tensors', async () => {
    const folder = path.join(dir, 'qwen2-sharded');
    fs.mkdirSync(folder);
    writeShardedQwen2(folder);
    const sharded = await loadCheckpointFromDir(folder);
    const single = await loadCheckpointFromDir(fixtureDir('tiny-random-qwen2'));
    assert.deepEqual(sharded.config, { ...single.config, name: 'qwen2-sharded' });
    // The graphs read weights only through Checkpoint: equal tensors make equal predictions.
    for (const { name } of decodeSafetensors(qwen2.weights)) assert.deepEqual(sharded.tensor(name), single.tensor(name), name);
    assert.deepEqual(sharded.embed([5, 151935]), single.embed([5, 151935]));
  });

  test('an index naming a missing shard names the index and the missing file', async () => {
    const folder = path.join(dir, 'missing-shard');
    fs.mkdirSync(folder);
    writeShardedQwen2(folder);
    fs.rmSync(path.join(folder, SHARDS[1]));
    const index = path.join(folder, 'model.safetensors.index.json');
    await assert.rejects(loadCheckpointFromDir(folder), (error: Error) => {
      assert.equal(error.message, `${index}: names ${SHARDS[1]}, but ${path.join(folder, SHARDS[1])} is missing`);
      return true;
    });
  });

  test('an index that points outside the folder, misplaces a tensor, or is not an index', async () => {
    const folder = path.join(dir, 'bad-index');
    fs.mkdirSync(folder);
    const weightMap = writeShardedQwen2(folder);
    const index = path.join(folder, 'model.safetensors.index.json');
    const writeIndex = (content: unknown) => fs.writeFileSync(index, typeof content === 'string' ? content : JSON.stringify(content));

    writeIndex({ weight_map: { ...weightMap, 'model.norm.weight': '../model.safetensors' } });
    await assert.rejects(loadCheckpointFromDir(folder), /model\.safetensors\.index\.json: weight_map puts model\.norm\.weight in "\.\.\/model\.safetensors", which is not a \.safetensors file name in the model's folder/);
    writeIndex({ weight_map: { ...weightMap, 'model.norm.weight': '/etc/passwd.safetensors' } });
    await assert.rejects(loadCheckpointFromDir(folder), /weight_map puts model\.norm\.weight in "\/etc\/passwd\.safetensors"/);
    writeIndex({ weight_map: { ...weightMap, 'model.norm.weight': SHARDS[0] } });
    await assert.rejects(loadCheckpointFromDir(folder), new RegExp(`index\\.json: lists model\\.norm\\.weight in ${SHARDS[0]}, but .*${SHARDS[0]} has no such tensor`));
    writeIndex('{"metadata": {}}');
    await assert.rejects(loadCheckpointFromDir(folder), /model\.safetensors\.index\.json: has no weight_map object/);
    writeIndex('{not json');
    await assert.rejects(loadCheckpointFromDir(folder), /model\.safetensors\.index\.json: not valid JSON/);
  });

  test('a tensor the shards lack is named with the index', async () => {
    const folder = path.join(dir, 'lacking');
    fs.mkdirSync(folder);
    const weightMap = writeShardedQwen2(folder);
    const tensors = decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(folder, SHARDS[1]))));
    fs.writeFileSync(path.join(folder, SHARDS[1]), encodeSafetensors(tensors.filter(({ name }) => name !== 'model.norm.weight')));
    delete weightMap['model.norm.weight'];
    fs.writeFileSync(path.join(folder, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    await assert.rejects(loadCheckpointFromDir(folder), /model\.safetensors\.index\.json: missing tensor model\.norm\.weight \(expected shape \[32\] from .*config\.json, whose layer count is \d+; the weights hold \d+ tensors\)/);
  });
});

describe('sliding-window attention', () => {
  const ids = readReference('tiny-random-llama').refs[1].ids.slice(0, 20);
  const T = ids.length;

  async function analyse(checkpoint: Checkpoint, text = ids) {
    const engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm' });
    try {
      return await engine.analyze(text, { topK: 5, attention: true });
    } finally {
      await engine.dispose();
    }
  }

  /** attention[layer][head][query][key] of a flat [L, H, T, T] array. */
  const at = (a: Analysis, H: number, length: number, layer: number, head: number, q: number, k: number) => a.attention![((layer * H + head) * length + q) * length + k];

  test('Mistral: a query sees only the window latest keys; with rotary positions the last prediction depends only on the receptive field', async () => {
    const window = 3;
    const mistral = load(llama, { model_type: 'mistral', sliding_window: window });
    const { nLayer: L, nHead: H } = mistral.config;
    const windowed = await analyse(mistral);
    for (let layer = 0; layer < L; layer++) {
      for (let q = 0; q < T; q++) {
        let mass = 0;
        for (let k = 0; k < T; k++) {
          const p = at(windowed, H, T, layer, 0, q, k);
          if (k > q || k <= q - window) assert.equal(p, 0, `layer ${layer} query ${q} key ${k}`);
          mass += p;
        }
        assert.ok(Math.abs(mass - 1) < 1e-5);
      }
    }
    // Two layers of a 3-token window reach back 2 * (3 - 1) tokens, and rotary scores depend only
    // on relative positions: the last 5 tokens alone give the same last prediction.
    const receptive = L * (window - 1) + 1;
    const alone = await analyse(mistral, ids.slice(T - receptive));
    windowed.positions[T - 1].top.forEach(([id, lp], j) => {
      assert.equal(id, alone.positions[receptive - 1].top[j][0]);
      assert.ok(Math.abs(lp - alone.positions[receptive - 1].top[j][1]) < 1e-4, `logprob ${j}`);
    });
    const unwindowed = await analyse(load(llama, { model_type: 'mistral', sliding_window: null }));
    assert.notDeepEqual(unwindowed.positions[T - 1].top, windowed.positions[T - 1].top, 'the window changes the prediction');
  });

  test('Qwen2: use_sliding_window applies from max_window_layers on (or where layer_types says)', async () => {
    const window = 4;
    const full = await analyse(load(qwen2), ids);
    const { nHead: H } = load(qwen2).config;
    for (const variant of [
      { use_sliding_window: true, sliding_window: window, max_window_layers: 1 },
      { use_sliding_window: true, sliding_window: window, layer_types: ['full_attention', 'sliding_attention'] },
    ]) {
      const checkpoint = load(qwen2, variant);
      assert.deepEqual(checkpoint.config.architecture.attention.slidingWindow, { size: window, layers: [1] });
      const windowed = await analyse(checkpoint, ids);
      for (let q = 0; q < T; q++) {
        for (let k = 0; k <= q; k++) {
          assert.equal(at(windowed, H, T, 0, 1, q, k), at(full, H, T, 0, 1, q, k), `layer 0 is unchanged at ${q}, ${k}`);
          if (k <= q - window) assert.equal(at(windowed, H, T, 1, 1, q, k), 0, `layer 1 hides key ${k} from query ${q}`);
        }
      }
    }
    assert.equal(load(qwen2, { sliding_window: 4 }).config.architecture.attention.slidingWindow, null, 'no window without use_sliding_window');
  });
});
