import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BPE_COST, tokenizeCost, tokenizeCostProblem, tooSlowToTokenize } from '../../src/tokenize-cost';

/** The longest run of one-byte characters the guard lets through. */
const LIMIT_BYTES = Math.floor(Math.sqrt(MAX_BPE_COST));

describe('tokenize cost guard', () => {
  test('a megabyte of ordinary code, prose, base64 or Chinese costs a small fraction of the limit', () => {
    const texts = {
      code: 'def f(x):\n    return x * 2  # double\n'.repeat(28_000),
      prose: 'The tokenizer splits the text into pieces, then merges bytes. '.repeat(17_000),
      base64: Array.from({ length: 1_000_000 }, (_, i) => 'ABCxyz0123+/'[(i * 7) % 12]).join(''),
      chinese: '分词器把文字切成词元，模型再逐个读取。'.repeat(18_000),
    };
    for (const [name, text] of Object.entries(texts)) {
      assert.ok(Buffer.byteLength(text) >= 1_000_000, name);
      assert.ok(tokenizeCost(text).cost < MAX_BPE_COST / 20, `${name}: ${tokenizeCost(text).cost}`);
    }
  });

  test('one huge word is refused, with its length in the message', () => {
    const text = `start ${'x'.repeat(2_000_001)} end`;
    const cost = tokenizeCost(text);
    assert.equal(cost.longestRun, 2_000_001);
    assert.equal(cost.longestRunStart, 6);
    assert.match(tooSlowToTokenize(text)!, /^the text holds a run of 2,000,001 characters of one kind/);
  });

  // How long tokenizing takes at the limit, and how long the scan takes, is measured by
  // `npm run bench` (bench/tokenizer.ts): wall-clock bounds do not belong in unit tests.
  test('the cost is in UTF-8 bytes: a run of U+FFFD (3 bytes each) costs nine times its length squared', () => {
    assert.equal(tokenizeCost('\uFFFD'.repeat(1000)).cost, 3000 ** 2);
    assert.equal(tooSlowToTokenize('a'.repeat(20_000)), undefined);
    // 20,000 U+FFFD take 4-7 s per encoding; counted in UTF-16 units they looked like 20,000 letters.
    assert.ok(tooSlowToTokenize('\uFFFD'.repeat(20_000)));
    const limitChars = Math.floor(LIMIT_BYTES / 3);
    assert.equal(tooSlowToTokenize('\uFFFD'.repeat(limitChars)), undefined);
    assert.ok(tooSlowToTokenize('\uFFFD'.repeat(limitChars + 1)));
  });

  test('the limit: one run of sqrt(MAX_BPE_COST) one-byte characters passes, one more is refused', () => {
    for (const character of ['y', '7', '-', ' ']) {
      assert.equal(tooSlowToTokenize(character.repeat(LIMIT_BYTES)), undefined, JSON.stringify(character));
      assert.ok(tooSlowToTokenize(character.repeat(LIMIT_BYTES + 1)), JSON.stringify(character));
    }
  });

  test('every class the pre-tokenizers keep in one piece is counted', () => {
    const refused = {
      'spaces (one piece in cl100k_base and o200k_base)': `x${' '.repeat(100_000)}x`,
      newlines: `x${'\n'.repeat(100_000)}x`,
      digits: '1'.repeat(100_000),
      punctuation: '-'.repeat(100_000),
      'combining marks after a letter (o200k_base: one letter piece)': 'a' + '\u0301'.repeat(100_000),
      'marks, then symbols (r50k_base: one piece)': 'a' + '\u0301'.repeat(99) + '.'.repeat(40_000),
      'ZWJ emoji families': '👨‍👩‍👧‍👦'.repeat(10_000),
      'CJK letters without punctuation': '词'.repeat(20_000),
    };
    for (const [name, text] of Object.entries(refused)) {
      assert.ok(tokenizeCostProblem(text), name);
    }
  });

  test('every run counts, short ones too: many runs just under any threshold still add up', () => {
    assert.equal(tokenizeCost('ab cd').cost, 2 ** 2 + 1 + 2 ** 2);
    assert.ok(tooSlowToTokenize(('\uFFFD'.repeat(42) + ' ').repeat(45_000)), '45,000 runs of 126 bytes');
    const run = 'x'.repeat(15_000);
    assert.equal(tokenizeCost(`${run} ${run}`).cost, 2 * 15_000 ** 2 + 1);
    assert.equal(tooSlowToTokenize(`${run} ${run}`), undefined);
    assert.ok(tooSlowToTokenize(`${run} ${run} ${run}`));
  });

  test('the costliest run is reported in UTF-16 units from its UTF-16 offset', () => {
    const text = '🙂 ' + 'b'.repeat(150) + ' ' + '\uFFFD'.repeat(120);
    const cost = tokenizeCost(text);
    assert.equal(cost.cost, 4 ** 2 + 1 + 150 ** 2 + 1 + 360 ** 2);
    assert.equal(cost.longestRun, 120, 'the U+FFFD run: 360 bytes against 150');
    assert.equal(cost.longestRunStart, 3 + 150 + 1);
    const astral = '𝐚'.repeat(100); // MATHEMATICAL BOLD SMALL A: a letter, 2 UTF-16 units, 4 bytes
    assert.deepEqual(tokenizeCost(astral), { cost: 400 ** 2, longestRun: 200, longestRunStart: 0 });
    assert.deepEqual(tokenizeCost('\uD800'.repeat(100)), { cost: 300 ** 2, longestRun: 100, longestRunStart: 0 }, 'a lone surrogate is U+FFFD: 3 bytes');
  });
});
