import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earlierWindows } from '../../webview-ui/view/earlier-windows';

test('every token before the last context is scored once, with at least half a context before it', () => {
  for (const [keptFrom, context] of [[1, 512], [300, 512], [511, 512], [512, 512], [4488, 512], [1000, 7], [97, 2]] as const) {
    const windows = earlierWindows(keptFrom, context);
    const scored: number[] = [];
    for (const w of windows) {
      assert.ok(w.end - w.start <= context, 'no window is longer than the context');
      assert.ok(w.start <= w.scoreFrom && w.scoreFrom < w.end);
      for (let i = w.scoreFrom; i < w.end; i++) {
        scored.push(i);
        assert.ok(i - w.start >= Math.min(i, Math.floor(context / 2)), `token ${i} has ${i - w.start} tokens before it in its window`);
      }
    }
    assert.deepEqual(scored, Array.from({ length: keptFrom }, (_, i) => i + 1), `keptFrom ${keptFrom}, context ${context}`);
  }
  // 4,488 earlier tokens at context 512: one window of 511 scores, then 256 new scores per window.
  assert.equal(earlierWindows(4488, 512).length, 1 + Math.ceil((4488 - 511) / 256));
  assert.deepEqual(earlierWindows(0, 512), []);
});
