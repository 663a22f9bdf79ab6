import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from '../../src/engine/tokenizer';
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

  test('the limit sits where tokenizing takes about a second or two', () => {
    const limitRun = Math.floor(Math.sqrt(MAX_BPE_COST));
    assert.equal(tooSlowToTokenize('y'.repeat(limitRun)), undefined);
    assert.ok(tooSlowToTokenize('y'.repeat(limitRun + 1)));
    const started = performance.now();
    countTokens('y'.repeat(Math.floor(limitRun / 2)));
    // A quarter of the budget: well under a second on a slow machine.
    assert.ok(performance.now() - started < 2_000);
  });

  test('scanning a 2 MB text is fast', () => {
    const text = 'word '.repeat(400_000);
    const started = performance.now();
    tokenizeCost(text);
    assert.ok(performance.now() - started < 500);
  });
});
