import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RANK_BUCKETS, SURPRISAL_BUCKETS, bucketColorId, rankBucket, surprisalBits, surprisalBucket, themeColorCssVariable } from '../../src/heat-scale';

describe('heat scale', () => {
  test('GLTR rank buckets at their edges', () => {
    assert.deepEqual([1, 10, 11, 100, 101, 1000, 1001, 50000].map(rankBucket), ['top10', 'top10', 'top100', 'top100', 'top1000', 'top1000', 'rest', 'rest']);
  });

  test('surprisal buckets in bits', () => {
    const bucketOfBits = (bits: number) => surprisalBucket(-bits * Math.LN2);
    assert.deepEqual([0, 0.99, 1, 2.99, 3, 5.99, 6, 9.99, 10, 30].map(bucketOfBits), ['s0', 's0', 's1', 's1', 's2', 's2', 's3', 's3', 's4', 's4']);
    assert.equal(surprisalBits(0), 0);
    assert.ok(Math.abs(surprisalBits(Math.log(0.25)) - 2) < 1e-12);
  });

  test('every bucket has a theme colour with light, dark and high-contrast defaults in package.json', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    const colors = new Map<string, { defaults: Record<string, string> }>(manifest.contributes.colors.map((c: { id: string }) => [c.id, c]));
    for (const bucket of [...RANK_BUCKETS, ...SURPRISAL_BUCKETS]) {
      const color = colors.get(bucketColorId(bucket));
      assert.ok(color, bucketColorId(bucket));
      for (const theme of ['light', 'dark', 'highContrast', 'highContrastLight']) assert.match(color.defaults[theme]!, /^#[0-9a-f]{8}$/i);
    }
  });

  test('colour ids keep to one dot: VS Code 1.100 names webview variables by replacing only the first', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    for (const { id } of manifest.contributes.colors as { id: string }[]) assert.match(id, /^llmLens\.[A-Za-z0-9]+$/);
  });

  test('the webview CSS uses the same colours through VS Code\'s variables', () => {
    const css = fs.readFileSync(path.join(__dirname, '../../media/lens.css'), 'utf8');
    for (const bucket of [...RANK_BUCKETS, ...SURPRISAL_BUCKETS]) {
      assert.ok(css.includes(`.heat-${bucket} { background: var(${themeColorCssVariable(bucketColorId(bucket))},`), bucket);
    }
  });
});
