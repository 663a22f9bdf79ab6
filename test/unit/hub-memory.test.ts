// The memory estimate that refuses or warns before a model is downloaded or loaded: parameters
// counted from config.json against the fixtures' own tensors and the published sizes of the
// curated models, and the verdicts with their numbers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseModelConfig } from '../../src/engine/families';
import { chooseWeights } from '../../src/engine/memory-fit';
import { countParameters, estimateMemory, extensionMemoryEstimates, MAX_GRAPH_BYTES, MAX_WASM_BYTES, memoryVerdict, type MemoryEstimate } from '../../src/hub/memory-estimate';
import { CURATED_MODELS, curatedConfig } from '../../src/model-choice/curated-models';

const root = path.resolve(__dirname, '..', '..');
const GB = 1e9;

/** Elements of every tensor in a safetensors file, read from its header here (not by the engine). */
function tensorElements(file: string): number {
  const bytes = fs.readFileSync(file);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, { shape?: number[] }>;
  return Object.entries(header).filter(([name]) => name !== '__metadata__').reduce((sum, [, t]) => sum + t.shape!.reduce((a, b) => a * b, 1), 0);
}

describe('counting parameters from config.json', () => {
  for (const folder of ['media/models/tiny-gpt2-software', 'test/fixtures/models/tiny-random-qwen3', 'test/fixtures/models/tiny-random-qwen2', 'test/fixtures/models/tiny-random-llama']) {
    test(`${path.basename(folder)}: as many as its model.safetensors holds`, () => {
      const config = parseModelConfig(fs.readFileSync(path.join(root, folder, 'config.json'), 'utf8'), 'config.json', 'fixture');
      assert.equal(countParameters(config).total, tensorElements(path.join(root, folder, 'model.safetensors')));
    });
  }

  test('the curated models: the sizes their model cards publish', () => {
    const published: Record<string, number> = {
      'openai-community/gpt2': 124_439_808,
      'distilbert/distilgpt2': 81_912_576,
      'openai-community/gpt2-medium': 354_823_168,
      'HuggingFaceTB/SmolLM2-135M': 134_515_008,
      'HuggingFaceTB/SmolLM2-360M': 361_821_120,
      'Qwen/Qwen2.5-0.5B': 494_032_768,
      'Qwen/Qwen2.5-0.5B-Instruct': 494_032_768,
      'Qwen/Qwen3-0.6B': 596_049_920,
      'meta-llama/Llama-3.2-1B': 1_235_814_400,
    };
    assert.deepEqual(Object.fromEntries(CURATED_MODELS.map((m) => [m.id, countParameters(curatedConfig(m)).total])), published);
  });
});

describe('the verdict', () => {
  const machine = { totalBytes: 16 * GB, freeBytes: 12 * GB };
  const curated = (id: string) => CURATED_MODELS.find((m) => m.id === id)!;
  const verdictFor = (id: string, memory = machine) => memoryVerdict(id, extensionMemoryEstimates(curatedConfig(curated(id)), curated(id).downloadBytes), memory);

  test('GPT-2 fits a 16 GB machine', () => {
    assert.deepEqual(verdictFor('openai-community/gpt2'), { fits: 'yes' });
  });

  test('Llama 3.2 1B: its float32 weights alone are over the 4 GiB WebAssembly heap, so it runs with 8-bit weights; asked for float32, it is refused with the numbers', () => {
    const config = curatedConfig(curated('meta-llama/Llama-3.2-1B'));
    const roomy = { totalBytes: 64 * GB, freeBytes: 60 * GB };
    const estimates = extensionMemoryEstimates(config, curated('meta-llama/Llama-3.2-1B').downloadBytes);
    assert.deepEqual(estimates.map((e) => e.precision), ['int8', 'int8']);
    // 1,235,814,400 parameters × 1.125 bytes = 1.39 GB, and the [V, d] table dequantized while the head runs (1.05 GB).
    assert.ok(estimates[0]!.wasmBytes > 2.4 * GB && estimates[0]!.wasmBytes < MAX_WASM_BYTES, String(estimates[0]!.wasmBytes));
    assert.deepEqual(memoryVerdict('meta-llama/Llama-3.2-1B', estimates, roomy), { fits: 'yes' });
    // 1,235,814,400 parameters × 4 bytes = 4.94 GB before its vocabulary table's prepacked copy
    // (128,256 × 2,048 × 4 = 1.05 GB) and a forward pass.
    const float32 = extensionMemoryEstimates(config, curated('meta-llama/Llama-3.2-1B').downloadBytes, 'float32');
    const verdict = memoryVerdict('meta-llama/Llama-3.2-1B', float32, roomy);
    assert.equal(verdict.fits, 'no');
    assert.equal('message' in verdict && verdict.message, 'meta-llama/Llama-3.2-1B is too large for LLM Lens: it needs 6.5 GB in the WebAssembly runtime, which addresses at most 4.3 GB');
    // Models that fit in float32 stay float32 unless 8 bits are asked for.
    const gpt2 = curatedConfig(curated('openai-community/gpt2'));
    assert.deepEqual(extensionMemoryEstimates(gpt2, 548e6).map((e) => e.precision), ['float32', 'float32']);
    assert.deepEqual(extensionMemoryEstimates(gpt2, 548e6, 'int8').map((e) => e.precision), ['int8', 'int8']);
  });

  test('near the boundary the picker takes the engine\'s own choice of precision, and refuses what the engine would refuse', () => {
    // Qwen2.5-0.5B's shape with 45 layers: 807 M parameters. float32 would need 3.23 GB of
    // weights, 0.54 GB for the table's prepacked copy and the engine's 0.54 GB reserve: 4.31 GB,
    // over the 4.29 GB heap by 16 MB, so the engine loads it in 8 bits. (The picker's own
    // estimate of a hover in float32, 4.23 GB, would fit: before, it said float32.)
    const config = { ...curatedConfig(curated('Qwen/Qwen2.5-0.5B')), nLayer: 45 };
    const parameters = countParameters(config).total;
    const engine = chooseWeights(config.name, parameters, config.vocabSize, config.nEmbd, 'auto');
    assert.equal('precision' in engine && engine.precision, 'int8');
    const float32Hover = estimateMemory(config, parameters * 2, 512, false, 'float32');
    assert.ok(float32Hover.wasmBytes <= MAX_WASM_BYTES && float32Hover.engineNeedBytes > MAX_WASM_BYTES, `${float32Hover.wasmBytes} ${float32Hover.engineNeedBytes}`);
    assert.deepEqual(extensionMemoryEstimates(config, parameters * 2).map((e) => e.precision), ['int8', 'int8']);
    // Asked for float32, the engine refuses it; so does the picker, with the engine's numbers.
    const forced = memoryVerdict('wide', extensionMemoryEstimates(config, parameters * 2, 'float32'), { totalBytes: 64 * GB, freeBytes: 60 * GB });
    assert.deepEqual(forced, { fits: 'no', message: 'wide is too large for LLM Lens: it needs 4.31 GB in the WebAssembly runtime, which addresses at most 4.29 GB' });
    // One layer fewer fits in float32 for both.
    const fewer = { ...config, nLayer: 44 };
    assert.deepEqual(extensionMemoryEstimates(fewer, parameters * 2).map((e) => e.precision), ['float32', 'float32']);
    const fewerChoice = chooseWeights(fewer.name, countParameters(fewer).total, fewer.vocabSize, fewer.nEmbd, 'auto');
    assert.equal('precision' in fewerChoice && fewerChoice.precision, 'float32');
  });

  test('Qwen3 0.6B fits the WebAssembly heap at 1,024 tokens (one block\'s attention at a time), and warns when free memory is short', () => {
    const config = curatedConfig(curated('Qwen/Qwen3-0.6B'));
    for (const estimate of extensionMemoryEstimates(config, curated('Qwen/Qwen3-0.6B').downloadBytes)) {
      // 596 M parameters: 2.38 GB of float32 weights, 0.62 GB for the table's prepacked copy.
      assert.ok(estimate.wasmBytes > 3.0 * GB && estimate.wasmBytes < MAX_WASM_BYTES, `${estimate.wasmBytes}`);
    }
    assert.deepEqual(verdictFor('Qwen/Qwen3-0.6B', { totalBytes: 64 * GB, freeBytes: 60 * GB }), { fits: 'yes' });
    const tight = verdictFor('Qwen/Qwen3-0.6B');
    assert.equal(tight.fits, 'tight');
    assert.match('message' in tight ? tight.message : '', /^Qwen\/Qwen3-0\.6B needs about [\d.]+ GB of memory and 12\.0 GB is free now: it may be slow or fail to load$/);
  });

  test('short of free memory: a warning; short of memory altogether: refused', () => {
    const small = { totalBytes: 3 * GB, freeBytes: 1 * GB };
    const tight = verdictFor('openai-community/gpt2', { totalBytes: 8 * GB, freeBytes: 2 * GB });
    assert.equal(tight.fits, 'tight');
    assert.match('message' in tight ? tight.message : '', /^openai-community\/gpt2 needs about [\d.]+ GB of memory and 2\.0 GB is free now: it may be slow or fail to load$/);
    const refused = verdictFor('openai-community/gpt2-medium', small);
    assert.equal(refused.fits, 'no');
    assert.match('message' in refused ? refused.message : '', /^openai-community\/gpt2-medium needs about [\d.]+ GB of memory, and this machine has 3\.0 GB$/);
  });

  test('the estimate grows with the context and the attention maps; the limits are the runtime\'s', () => {
    const config = curatedConfig(curated('openai-community/gpt2'));
    const short = estimateMemory(config, 548e6, 16, true);
    const long = estimateMemory(config, 548e6, 1024, true);
    const hover = estimateMemory(config, 548e6, 1024, false);
    // 12 layers × 12 heads × 1024² float32 attention probabilities copied out for the panel: 604 MB
    // (in the runtime, one block's maps are in flight with or without them).
    assert.equal(long.totalBytes - hover.totalBytes, 12 * 12 * 1024 ** 2 * 4);
    assert.ok(short.totalBytes < hover.totalBytes);
    // The vocabulary graph is the largest: the tied [d, V] table and the final norm, against a
    // block's 7 M parameters.
    assert.equal(long.largestGraphBytes, (50_257 * 768 + 2 * 768) * 4);
    assert.equal(MAX_GRAPH_BYTES, 2 ** 31);
    assert.equal(MAX_WASM_BYTES, 2 ** 32);
    const none: MemoryEstimate[] = [];
    assert.deepEqual(memoryVerdict('x', none, machine), { fits: 'yes' });
  });
});
