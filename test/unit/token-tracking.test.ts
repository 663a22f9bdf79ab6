import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trackChanges, type TrackedToken } from '../../src/decorations/token-tracking';

// "def foo" at offset 10: tokens "def" [10,13) and " foo" [13,17)
const tokens: TrackedToken[] = [
  { start: 10, end: 13, index: 0 },
  { start: 13, end: 17, index: 1, score: { logprob: -1, rank: 2 } },
];

describe('decorated tokens follow edits', () => {
  test('typing before the text shifts every token', () => {
    assert.deepEqual(trackChanges(tokens, [{ offset: 0, length: 0, text: 'abc' }]), [
      { start: 13, end: 16, index: 0 },
      { start: 16, end: 20, index: 1, score: { logprob: -1, rank: 2 } },
    ]);
  });

  test('deleting before the text shifts back; a change after it changes nothing', () => {
    assert.deepEqual(trackChanges(tokens, [{ offset: 2, length: 5, text: '' }])!.map((t) => [t.start, t.end]), [[5, 8], [8, 12]]);
    assert.deepEqual(trackChanges(tokens, [{ offset: 17, length: 0, text: 'xyz' }]), tokens);
  });

  test('an insertion at a token boundary keeps both neighbours', () => {
    assert.deepEqual(trackChanges(tokens, [{ offset: 13, length: 0, text: '!' }])!.map((t) => [t.start, t.end]), [[10, 13], [14, 18]]);
  });

  test('an edit inside a token drops that token only', () => {
    const kept = trackChanges(tokens, [{ offset: 14, length: 1, text: 'F' }]);
    assert.deepEqual(kept, [tokens[0]]);
  });

  test('an edit that covers every token is beyond repair', () => {
    assert.equal(trackChanges(tokens, [{ offset: 0, length: 100, text: 'new text' }]), undefined);
  });

  test('several changes of one edit apply in order (VS Code lists them from the end backwards)', () => {
    const kept = trackChanges(tokens, [
      { offset: 20, length: 0, text: '#' },
      { offset: 0, length: 0, text: '##' },
    ]);
    assert.deepEqual(kept!.map((t) => [t.start, t.end]), [[12, 15], [15, 19]]);
  });
});
