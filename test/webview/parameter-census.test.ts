import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GPT3, parameterCensus } from '../../webview-ui/view/parameter-census';
import { defaultModelDir, readModelConfigFromDir } from '../../src/node/load-model';
import { repoRoot } from '../harness/paths';

/** Every tensor's element count in a safetensors file, read from its header alone. */
function headerCounts(file: string): Map<string, number> {
  const bytes = fs.readFileSync(file);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<string, { shape?: number[] }>;
  return new Map(Object.entries(header).filter(([name]) => name !== '__metadata__').map(([name, entry]) => [name, entry.shape!.reduce((a, b) => a * b, 1)]));
}

const models = [
  defaultModelDir(),
  ...['tiny-random-llama', 'tiny-random-qwen2', 'tiny-random-qwen3'].map((name) => path.join(repoRoot, 'test/fixtures/models', name)),
];

for (const dir of models) {
  test(`${path.basename(dir)}: the census adds up to the parameters in the weights file, matrices and vectors apart`, async () => {
    const config = await readModelConfigFromDir(dir);
    const census = parameterCensus(config);
    const counts = headerCounts(path.join(dir, 'model.safetensors'));
    // A tied checkpoint may still store lm_head.weight (a copy of the embedding): it is not a parameter of its own.
    const stored = [...counts].filter(([name]) => !(config.architecture.tiedEmbeddings && /lm_head\.weight$/.test(name)));
    const inFile = stored.reduce((sum, [, n]) => sum + n, 0);
    assert.equal(census.total, inFile, `${path.basename(dir)}: ${census.total} vs ${inFile} in the file`);
    const vectorsInFile = stored.filter(([name]) => /(norm|ln_\d|ln_f)\.(weight|bias)$|\.bias$/.test(name)).reduce((sum, [, n]) => sum + n, 0);
    assert.equal(census.vectors, vectorsInFile, 'norm weights and biases');
  });
}

test('GPT-3 counted the articles’ way: 27,938 matrices (query, key and value per head) and 174.6 billion parameters', () => {
  const census = parameterCensus(GPT3);
  assert.equal(census.perHeadMatrices, 96 * (3 * 96 + 3) + 2);
  assert.equal((census.total / 1e9).toFixed(1), '174.6');
  assert.deepEqual(census.rows.map((r) => r.kind), ['embedding', 'position', 'query', 'key', 'value', 'output', 'up', 'down', 'unembedding']);
});
