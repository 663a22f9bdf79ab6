import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttentionData, formatWeight, topAttended } from '../../webview-ui/view/attention-data';

// 2 layers × 2 heads × 3 tokens, causal rows summing to 1.
function fixture(): AttentionData {
  const rows = [
    [[1, 0, 0], [0.3, 0.7, 0], [0.2, 0.5, 0.3]],
    [[1, 0, 0], [0.9, 0.1, 0], [0.6, 0.1, 0.3]],
    [[1, 0, 0], [0.5, 0.5, 0], [0.1, 0.1, 0.8]],
    [[1, 0, 0], [0.1, 0.9, 0], [0.3, 0.3, 0.4]],
  ];
  return new AttentionData(Float32Array.from(rows.flat(2)), 2, 2, 3);
}

test('row and matrix read one head, or the mean over heads', () => {
  const a = fixture();
  assert.deepEqual([...a.row(0, 1, 2)].map((x) => +x.toFixed(6)), [0.6, 0.1, 0.3]);
  assert.deepEqual([...a.row(1, 'average', 1)].map((x) => +x.toFixed(6)), [0.3, 0.7, 0]);
  assert.deepEqual([...a.matrix(1, 0)].map((x) => +x.toFixed(6)), [1, 0, 0, 0.5, 0.5, 0, 0.1, 0.1, 0.8]);
  const avg = a.matrix(0, 'average');
  assert.equal(+avg[2 * 3 + 1]!.toFixed(6), 0.3);
});

test('stale or wrong layer, head and token indices are rejected with a clear message', () => {
  const a = fixture();
  assert.throws(() => a.row(2, 0, 0), /layer 2 does not exist: the model has layers 0–1/);
  assert.throws(() => a.matrix(0, 5), /head 5 does not exist: each layer has heads 0–1/);
  assert.throws(() => a.row(0, 0, 3), /token 3 is outside/);
  assert.throws(() => a.row(0, 1.5, 0), /head 1.5/);
  assert.throws(() => new AttentionData(new Float32Array(5), 2, 2, 3), /need 36/);
});

test('topAttended orders keys up to the query by weight and formatWeight shows 4 decimals', () => {
  assert.deepEqual(topAttended([0.2, 0.5, 0.3, 0.9], 2, 2), [1, 2]);
  assert.deepEqual(topAttended([0.5, 0.5], 1, 5), [0, 1]);
  assert.equal(formatWeight(0.123456), '0.1235');
});
