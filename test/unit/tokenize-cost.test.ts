import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BPE_COST, tokenizeCost, tooSlowToTokenize } from '../../src/tokenize-cost';

describe('tokenize cost guard', () => {
  test('ordinary text, code and base64 cost nothing', () => {
    const code = 'def f(x):\n    return x * 2  # double\n'.repeat(20_000);
    assert.equal(tokenizeCost(code).cost, 0);
    const base64 = Array.from({ length: 200_000 }, (_, i) => 'ABCxyz0123+/'[(i * 7) % 12]).join('');
    assert.equal(tooSlowToTokenize(base64), undefined, 'digits and symbols break the runs');
  });

  test('one huge word is refused, with its length in the message', () => {
    const text = `start ${'x'.repeat(2_000_001)} end`;
    const cost = tokenizeCost(text);
    assert.equal(cost.longestRun, 2_000_001);
    assert.equal(cost.longestRunStart, 6);
    assert.match(tooSlowToTokenize(text)!, /^the text holds 2,000,001 characters in a row/);
  });

  // How long tokenizing takes at the limit, and how long the scan takes, is measured by
  // `npm run bench` (bench/tokenizer.ts): wall-clock bounds do not belong in unit tests.
  test('the limit: a run of √MAX_BPE_COST characters passes, one more is refused', () => {
    const limitRun = Math.floor(Math.sqrt(MAX_BPE_COST));
    assert.equal(tooSlowToTokenize('y'.repeat(limitRun)), undefined);
    assert.ok(tooSlowToTokenize('y'.repeat(limitRun + 1)));
  });

  test('the cost of a 2 MB text sums every long run', () => {
    const run = 'x'.repeat(150);
    const text = `${'word '.repeat(100)}${`${run} `.repeat(14_000)}`;
    assert.ok(text.length > 2_000_000);
    assert.deepEqual(tokenizeCost(text), { cost: 14_000 * 150 ** 2, longestRun: 150, longestRunStart: 500 });
  });
});
