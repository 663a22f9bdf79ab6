// Runs in its own process (node --test isolates files), so nothing else has loaded an encoding yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens, isEncodingLoaded, loadEncoding, openAiTokenizer, tokenize } from '../../src/engine/tokenizer';

test('importing the tokenizer loads only GPT-2, on first use', () => {
  assert.equal(isEncodingLoaded('cl100k_base'), false);
  assert.equal(isEncodingLoaded('o200k_base'), false);
  assert.deepEqual(tokenize('Hello').map((t) => t.id), [15496]);
  assert.throws(() => tokenize('Hello', 'cl100k_base'), /encoding cl100k_base is not loaded yet: await loadEncoding\('cl100k_base'\) first/);
  assert.throws(() => countTokens('Hello', 'o200k_base'), /encoding o200k_base is not loaded yet/);
  assert.throws(() => openAiTokenizer('o200k_base'), /encoding o200k_base is not loaded yet/);
});

test('concurrent loads share one table and then the synchronous API accepts the encoding', async () => {
  await Promise.all([loadEncoding('cl100k_base'), loadEncoding('cl100k_base')]);
  assert.equal(isEncodingLoaded('cl100k_base'), true);
  assert.equal(isEncodingLoaded('o200k_base'), false);
  assert.deepEqual(tokenize('Hello world', 'cl100k_base').map((t) => t.id), [9906, 1917]);
  await loadEncoding('cl100k_base'); // already loaded: resolves at once
});
