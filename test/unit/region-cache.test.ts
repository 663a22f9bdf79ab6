import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegionCache, type AnalysedRegion } from '../../src/hover/region-cache';
import { tokenize } from '../../src/engine/tokenizer';

function region(text: string, offset = 0): AnalysedRegion {
  const tokens = tokenize(text).map((t) => ({ ...t, start: t.start + offset, end: t.end + offset }));
  return {
    tokens,
    predictions: tokens.map((t, i) => ({ top: [[i, -0.5]], target: i + 1 < tokens.length ? { id: tokens[i + 1].id, logprob: -1, rank: 2 } : null, entropy: 1 })),
    topK: 20,
  };
}

test('a hover inside an analysed region is answered from it', () => {
  const cache = new RegionCache();
  cache.add(region('The quick brown fox', 100));
  const hit = cache.lookup(100 + 'The quick'.length - 1, 10, 256)!;
  assert.equal(hit.token.text, ' quick');
  assert.deepEqual(hit.next.top, [[1, -0.5]]);
  assert.equal(hit.lastToken?.rank, 2);
  assert.equal(cache.lookup(99, 10, 256), undefined);
  assert.equal(cache.lookup(105, 50, 256), undefined, 'asked for more top tokens than the region holds');
});

test('edits before a region shift it; edits inside keep only the predictions before the edit', () => {
  const cache = new RegionCache();
  cache.add(region('The quick brown fox', 100));
  cache.edit([{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
  assert.equal(cache.lookup(103 + 5, 10, 256)!.token.text, ' quick');
  // Type inside " brown": " The", " quick" survive; " brown" and after are gone.
  cache.edit([{ rangeOffset: 103 + 'The quick br'.length, rangeLength: 0, text: 'X' }]);
  assert.equal(cache.lookup(103 + 5, 10, 256)!.token.text, ' quick');
  assert.equal(cache.lookup(103 + 'The quick br'.length + 3, 10, 256), undefined);
  // The last surviving prediction pointed at the token that changed.
  assert.equal(cache.lookup(103 + 5, 10, 256)!.next.target, null);
  cache.edit([{ rangeOffset: 500, rangeLength: 3, text: '' }]);
  assert.equal(cache.regionCount, 1, 'edits after a region leave it alone');
  cache.edit([{ rangeOffset: 0, rangeLength: 200, text: '' }]);
  assert.equal(cache.regionCount, 0);
});
