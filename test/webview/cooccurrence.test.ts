import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooccurrence, wordOf } from '../../webview-ui/view/cooccurrence';
import { pca2, svd2 } from '../../webview-ui/view/pca';

const words = (text: string) => text.split(' ').map((w, i) => ({ text: i === 0 ? w : ` ${w}` }));

test('the articles’ example with a window of 1: each word counts its neighbours', () => {
  // Two sentences, counted separately and added, as the articles do.
  const a = cooccurrence([...words('all that glitters is not gold'), { text: '.' }], 1);
  const b = cooccurrence(words('all is well that ends well'), 1);
  const at = (c: ReturnType<typeof cooccurrence>, w: string, v: string) => c.counts[c.words.indexOf(w)]![c.words.indexOf(v)]!;
  assert.deepEqual(a.words, ['all', 'that', 'glitters', 'is', 'not', 'gold'], 'punctuation is not a word');
  assert.equal(at(a, 'all', 'that'), 1);
  assert.equal(at(a, 'all', 'glitters'), 0, 'two apart: outside a window of 1');
  assert.equal(at(b, 'well', 'that'), 1);
  assert.equal(at(b, 'well', 'ends'), 1, 'only the second “well” is next to “ends”');
  assert.equal(at(b, 'well', 'well'), 0, 'a word is not its own neighbour three apart');
  assert.equal(at(b, 'well', 'is'), 1);
  // Symmetric, and a window of 2 sees more.
  for (const c of [a, b]) c.counts.forEach((row, i) => row.forEach((n, j) => assert.equal(n, c.counts[j]![i])));
  assert.equal(at(cooccurrence(words('all that glitters is not gold'), 2), 'all', 'glitters'), 1);
  assert.equal(wordOf(' Hello'), 'hello');
  assert.equal(wordOf(' 42'), undefined);
  assert.equal(wordOf('\ufffd'), undefined);
});

test('svd2: the coordinates are σu of the top two singular vectors (checked on a matrix with known ones)', () => {
  // Rows on two orthogonal directions with singular values 6 and √2 (a rank-2 3×3 matrix).
  const rows = [[3, 3, 0], [3, 3, 0], [1, -1, 0]];
  const { points, variances, explained } = svd2(rows);
  assert.ok(Math.abs(variances[0] - 36) < 1e-9 && Math.abs(variances[1] - 2) < 1e-9, `${variances}`);
  assert.ok(Math.abs(explained - 1) < 1e-12);
  const s = Math.SQRT2;
  [[3 * s, 0], [3 * s, 0], [0, s]].forEach(([x, y], i) => {
    assert.ok(Math.abs(points[i]![0] - x!) < 1e-9 && Math.abs(Math.abs(points[i]![1]) - y!) < 1e-9, `row ${i}: ${points[i]}`);
  });
  // Not centred: PCA of the same rows differs.
  assert.notDeepEqual(pca2(rows).points, points);
});
