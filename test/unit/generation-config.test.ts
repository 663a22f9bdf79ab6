// generation_config.json's end-of-sequence ids join config.json's, so generation stops at each.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelConfig } from '../../src/engine/families';
import { withGenerationConfig } from '../../src/engine/generation-config';
import { readFixtureFiles } from './llama-family-fixtures';

const config = parseModelConfig(JSON.stringify(readFixtureFiles('tiny-random-llama').config), 'config.json', 'llama');

describe('generation_config.json', () => {
  test('a list of end-of-sequence ids is added to config.json\'s, once each', () => {
    assert.deepEqual(config.architecture.eosTokenIds, [1]);
    const merged = withGenerationConfig(config, JSON.stringify({ bos_token_id: 0, eos_token_id: [1, 7, 9], temperature: 0.6 }), 'generation_config.json');
    assert.deepEqual(merged.architecture.eosTokenIds, [1, 7, 9]);
    assert.deepEqual(withGenerationConfig(config, '{"eos_token_id": 5}', 'g.json').architecture.eosTokenIds, [1, 5]);
    assert.equal(withGenerationConfig(config, '{"do_sample": true}', 'g.json'), config, 'nothing to add');
  });

  test('ids outside the vocabulary and a file that is not JSON are errors naming the file', () => {
    assert.throws(() => withGenerationConfig(config, `{"eos_token_id": [1, ${config.vocabSize}]}`, 'm/generation_config.json'), /^Error: m\/generation_config\.json: eos_token_id \[1,129280\] is outside the vocabulary \(0\.\.129279\)$/);
    assert.throws(() => withGenerationConfig(config, '{"eos_token_id": ', 'm/generation_config.json'), /^Error: m\/generation_config\.json: not valid JSON/);
  });
});
