import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/engine/tokenizer';
import { chipColorClass } from '../../webview-ui/view/chips-view';
import { runStats, tooltipLines } from '../../webview-ui/view/stats';
import { bundleFor, translator } from '../../webview-ui/i18n';

describe('summary numbers', () => {
  test('mean surprisal in bits and perplexity 2^bits', () => {
    const stats = runStats([{ logprob: Math.log(0.5), start: 0, end: 3 }, { logprob: Math.log(0.125), start: 3, end: 4 }]);
    assert.ok(Math.abs(stats.meanBits! - 2) < 1e-12);
    assert.ok(Math.abs(stats.perplexity! - 4) < 1e-12);
  });

  test('bits per character: the scored tokens\' total surprisal over the characters they hold', () => {
    // 1 + 3 bits over "abc" + "d" after an unscored first token of 5 characters: 4 bits / 4 characters.
    const stats = runStats([{ logprob: Math.log(0.5), start: 5, end: 8 }, { logprob: Math.log(0.125), start: 8, end: 9 }]);
    assert.ok(Math.abs(stats.bitsPerChar! - 1) < 1e-12, String(stats.bitsPerChar));
    // A character split over two tokens: the second holds no character of its own (an empty span).
    const split = runStats([{ logprob: Math.log(0.5), start: 0, end: 1 }, { logprob: Math.log(0.5), start: 1, end: 1 }]);
    assert.ok(Math.abs(split.bitsPerChar! - 2) < 1e-12, String(split.bitsPerChar));
  });

  test('nothing scored: no numbers rather than NaN', () => {
    assert.deepEqual(runStats([]), { meanBits: null, perplexity: null, bitsPerChar: null });
    assert.equal(runStats([{ logprob: -1, start: 2, end: 2 }]).bitsPerChar, null, 'no characters: no ratio');
  });
});

describe('chip colours', () => {
  test('GLTR rank buckets', () => {
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: -0.1, rank: 1 }, 'rank'), 'heat-top10');
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: -3, rank: 11 }, 'rank'), 'heat-top100');
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: -6, rank: 1000 }, 'rank'), 'heat-top1000');
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: -9, rank: 1001 }, 'rank'), 'heat-rest');
  });

  test('surprisal buckets by bits', () => {
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: Math.log(0.9), rank: 1 }, 'surprisal'), 'heat-s0');
    assert.equal(chipColorClass(0, { kind: 'scored', logprob: Math.log(2 ** -12), rank: 1 }, 'surprisal'), 'heat-s4');
  });

  test('unscored chips and heat map off alternate two tones', () => {
    assert.equal(chipColorClass(0, { kind: 'first' }, 'rank'), 'tone-even');
    assert.equal(chipColorClass(1, { kind: 'pending' }, 'rank'), 'tone-odd');
    assert.equal(chipColorClass(3, { kind: 'scored', logprob: -1, rank: 1 }, 'off'), 'tone-odd');
  });
});

describe('chip tooltip', () => {
  const [token] = tokenize(' function');
  test('id, text, bytes, probability and rank', () => {
    const lines = tooltipLines(token!, 4, 10, { kind: 'scored', logprob: Math.log(0.25), rank: 3 });
    assert.equal(lines[0], '" function" · token 5 of 10');
    assert.equal(lines[1], `id ${token!.id} · UTF-8 bytes 20 66 75 6e 63 74 69 6f 6e`);
    assert.equal(lines[2], 'p = 25.0% · rank 3 · 2.00 bits');
  });

  test('says why a token has no score', () => {
    assert.match(tooltipLines(token!, 0, 1, { kind: 'first' }).join('\n'), /nothing before it/);
    assert.match(tooltipLines(token!, 0, 1, { kind: 'outside' }).join('\n'), /context window/);
  });

  test('a special token (BOS) the model reads first: added by the tokenizer, never scored, the text scored from it', () => {
    const bos = { id: 0, text: '<｜begin▁of▁sentence｜>', start: 0, end: 0, bytes: '3cefbd9c', special: true };
    const lines = tooltipLines(bos, 0, 5, { kind: 'first' });
    assert.equal(lines[0], '"<｜begin▁of▁sentence｜>" · token 1 of 5');
    assert.equal(lines[1], 'id 0 · a special token: it stands for no text');
    assert.match(lines[2]!, /^The tokenizer adds this token and the model reads it first: it is never scored/);
    assert.doesNotMatch(lines.join('\n'), /UTF-8 bytes|nothing before it to predict/);
    const zh = tooltipLines(bos, 0, 5, { kind: 'first' }, translator(bundleFor('zh-cn').bundle));
    assert.match(zh[2]!, /^这个词元是分词器自动加上的，模型最先读到它/);
  });

  test('partial tokens say they hold part of a character', () => {
    const [first] = tokenize('🦜');
    assert.match(tooltipLines(first!, 0, 2, { kind: 'first' }).join('\n'), /^Part of a character[\s\S]*f0 9f/);
  });

  test('in Chinese with the zh-cn translator, numbers unchanged', () => {
    const zh = translator(bundleFor('zh-cn').bundle);
    const lines = tooltipLines(token!, 4, 10, { kind: 'scored', logprob: Math.log(0.25), rank: 3 }, zh);
    assert.equal(lines[0], '" function" · 第 5 个词元（共 10 个）');
    assert.equal(lines[1], `编号 ${token!.id} · UTF-8 字节 20 66 75 6e 63 74 69 6f 6e`);
    assert.equal(lines[2], '概率 p = 25.0% · 排名 3 · 2.00 比特');
    assert.match(lines.at(-1)!, /^单击/);
  });
});
