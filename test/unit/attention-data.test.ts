import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttentionData, formatWeight, kvSharing, topAttended } from '../../webview-ui/view/attention-data';
import { bundleFor, english, translator } from '../../webview-ui/i18n';

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

test('kvSharing: which key/value head a query head reads under grouped-query and multi-query attention, in both languages', () => {
  // Qwen3's fixture: 4 query heads, 2 key/value heads; Llama's: 4 query heads, 1 key/value head.
  const gqa = { kvHeads: 2, kvHeadOf: [0, 0, 1, 1] };
  assert.equal(kvSharing(gqa, 3, english), 'Grouped-query attention: the 4 query heads share 2 key/value heads. Head 3 reads the keys and values of key/value head 1, which heads 2–3 share.');
  assert.equal(kvSharing(gqa, 'average', english), 'Grouped-query attention: the 4 query heads share 2 key/value heads.');
  assert.equal(kvSharing({ kvHeads: 1, kvHeadOf: [0, 0, 0, 0] }, 1, english), 'Multi-query attention: the 4 query heads share one key/value head. Head 1 reads the keys and values of key/value head 0, which heads 0–3 share.');
  const zh = translator(bundleFor('zh-cn').bundle);
  assert.equal(kvSharing(gqa, 1, zh), '分组查询注意力 (grouped-query attention)：4 个查询头共用 2 个键/值头。头 1 读取键/值头 0 的键和值，头 0–1 共用这个键/值头。');
  // Plain multi-head attention (GPT-2): every head has its own keys and values, nothing to say.
  assert.equal(kvSharing({ kvHeads: 6, kvHeadOf: [0, 1, 2, 3, 4, 5] }, 2, english), undefined);
});

test('a layer is computed when first asked for, once, and only that layer', async () => {
  const all = fixture();
  const asked: number[] = [];
  const lazy = new AttentionData(async (layer) => {
    asked.push(layer);
    return Float32Array.from(all.layer(layer));
  }, 2, 2, 3);
  assert.deepEqual(lazy.loadedLayers, []);
  assert.throws(() => lazy.row(1, 0, 2), /layer 1's attention has not been computed yet/);
  await Promise.all([lazy.load(1), lazy.load(1)]);
  assert.deepEqual(asked, [1], 'two views asking at once share one computation');
  assert.deepEqual(lazy.loadedLayers, [1]);
  assert.deepEqual([...lazy.row(1, 'average', 1)].map((x) => +x.toFixed(6)), [0.3, 0.7, 0]);
  await lazy.loadAll();
  assert.deepEqual(asked, [1, 0]);
  assert.deepEqual([...lazy.matrix(0, 1)], [...all.matrix(0, 1)]);
  await assert.rejects(lazy.load(2), /layer 2 does not exist/);
  const wrong = new AttentionData(async () => new Float32Array(4), 2, 2, 3);
  await assert.rejects(wrong.load(0), /layer 0's attention has 4 values; 2 heads × 3² tokens need 18/);
  assert.equal(wrong.has(0), false, 'a failed layer is asked for again next time');
});
