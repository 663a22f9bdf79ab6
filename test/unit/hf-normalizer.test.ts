// Normalizers with alignment: src[j] is where output unit j's share of the input begins;
// `joined` marks units that continue what one stretch of input became.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedNormalizer } from '../../src/engine/hf-normalizer';

const run = (config: unknown, input: string) => {
  const { text, src, joined } = alignedNormalizer(config)(input);
  return { text, src: src ? [...src] : null, joined: joined ? [...joined] : null };
};

describe('aligned normalizers', () => {
  test('Prepend: the inserted unit takes no text, so nothing after it moves', () => {
    assert.deepEqual(run({ type: 'Prepend', prepend: '▁' }, 'ab'), { text: '▁ab', src: [0, 0, 1, 2], joined: null });
    assert.deepEqual(run({ type: 'Prepend', prepend: '▁' }, ''), { text: '', src: null, joined: null });
  });

  test('Replace: one unit for one unit keeps the identity; longer matches map to their whole stretch', () => {
    assert.deepEqual(run({ type: 'Replace', pattern: { String: ' ' }, content: '▁' }, 'a b'), { text: 'a▁b', src: null, joined: null });
    assert.deepEqual(run({ type: 'Replace', pattern: { String: '  ' }, content: '_' }, 'a  b'), { text: 'a_b', src: [0, 1, 3, 4], joined: null });
    assert.deepEqual(run({ type: 'Replace', pattern: { Regex: ' +' }, content: '▁' }, 'a   b'), { text: 'a▁b', src: [0, 1, 4, 5], joined: null });
  });

  test('Replace with nothing: deleted text belongs to the unit before it (the first unit at the start)', () => {
    assert.deepEqual(run({ type: 'Replace', pattern: { String: 'x' }, content: '' }, 'axb'), { text: 'ab', src: [0, 2, 3], joined: null });
    assert.deepEqual(run({ type: 'Replace', pattern: { String: 'x' }, content: '' }, 'xab'), { text: 'ab', src: [0, 2, 3], joined: null });
  });

  test('NFC composes e + U+0301 into one unit over both; unchanged text stays unit for unit', () => {
    assert.deepEqual(run({ type: 'NFC' }, 'e\u0301x'), { text: '\u00e9x', src: [0, 2, 3], joined: null });
    assert.deepEqual(run({ type: 'NFC' }, 'a\ne\u0301'), { text: 'a\n\u00e9', src: [0, 1, 2, 4], joined: null });
    assert.deepEqual(run({ type: 'NFC' }, '\u1100\u1161'), { text: '\uac00', src: [0, 2], joined: null });
    assert.deepEqual(run({ type: 'NFC' }, 'plain'), { text: 'plain', src: null, joined: null });
  });

  test('a character that normalizes to two: the first unit takes it, the second is joined to it', () => {
    assert.deepEqual(run({ type: 'NFC' }, 'x\u0958'), { text: 'x\u0915\u093c', src: [0, 1, 2, 2], joined: [0, 0, 1] });
    assert.deepEqual(run({ type: 'NFD' }, '\u00e9'), { text: 'e\u0301', src: [0, 1, 1], joined: [0, 1] });
  });

  test('NFKC over a surrogate pair', () => {
    assert.deepEqual(run({ type: 'NFKC' }, '\u{1d538}b'), { text: 'Ab', src: [0, 2, 3], joined: null });
  });

  test('Sequence composes the alignments', () => {
    const sequence = (...normalizers: unknown[]) => ({ type: 'Sequence', normalizers });
    assert.deepEqual(run(sequence({ type: 'NFC' }, { type: 'Prepend', prepend: '▁' }), 'e\u0301'), { text: '▁\u00e9', src: [0, 0, 2], joined: null });
    assert.deepEqual(run(sequence({ type: 'NFD' }, { type: 'Prepend', prepend: '▁' }), '\u00e9'), { text: '▁e\u0301', src: [0, 0, 1, 1], joined: [0, 0, 1] });
    assert.deepEqual(run(sequence({ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }), 'a b'), { text: '▁a▁b', src: [0, 0, 1, 2, 3], joined: null });
    assert.deepEqual(run(sequence(), 'x'), { text: 'x', src: null, joined: null });
  });

  test('normalizers whose offsets cannot be mapped are refused by name', () => {
    assert.throws(() => alignedNormalizer({ type: 'BertNormalizer' }), /cannot map token offsets through a "BertNormalizer" normalizer/);
    assert.throws(() => alignedNormalizer({ type: 'Sequence', normalizers: [{ type: 'Lowercase' }] }), /"Lowercase"/);
    assert.throws(() => alignedNormalizer('NFC'), /not an object with a "type"/);
  });
});
