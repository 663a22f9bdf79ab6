import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pca2 } from '../../webview-ui/view/pca';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('pca2 of 2D data equals the closed-form eigen-decomposition of its 2×2 covariance', () => {
  const data = [[2, 0], [0, 1], [3, 1], [-1, -2], [1, 3], [4, 2]];
  const n = data.length;
  const mx = data.reduce((s, p) => s + p[0]!, 0) / n;
  const my = data.reduce((s, p) => s + p[1]!, 0) / n;
  const sxx = data.reduce((s, p) => s + (p[0]! - mx) ** 2, 0) / n;
  const syy = data.reduce((s, p) => s + (p[1]! - my) ** 2, 0) / n;
  const sxy = data.reduce((s, p) => s + (p[0]! - mx) * (p[1]! - my), 0) / n;
  const mid = (sxx + syy) / 2;
  const r = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy ** 2);
  const { points, variances, explained } = pca2(data);
  close(variances[0], mid + r);
  close(variances[1], mid - r);
  close(explained, 1);
  // Projections onto the top eigenvector, up to sign.
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const proj = data.map((p) => (p[0]! - mx) * Math.cos(angle) + (p[1]! - my) * Math.sin(angle));
  const sign = Math.sign(proj[0]!) === Math.sign(points[0]![0]) ? 1 : -1;
  points.forEach((p, i) => close(p[0], sign * proj[i]!));
  // The two coordinates are uncorrelated.
  close(points.reduce((s, p) => s + p[0] * p[1], 0), 0);
});

test('pca2 finds a plane hidden in 5 dimensions and is deterministic', () => {
  const u = [1, 2, 0, -1, 1].map((x) => x / Math.sqrt(7));
  const v = [0, 1, 1, 2, 0].map((x) => x / Math.sqrt(6));
  const dotuv = u.reduce((s, x, j) => s + x * v[j]!, 0);
  const w = v.map((x, j) => x - dotuv * u[j]!);
  const nw = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
  const vectors = Array.from({ length: 12 }, (_, i) => {
    const a = 3 * Math.sin(i * 1.3) + 0.5 * i;
    const b = Math.cos(i * 0.7);
    return u.map((x, j) => 10 + a * x + (b * w[j]!) / nw);
  });
  const one = pca2(vectors);
  close(one.explained, 1, 1e-9);
  assert.ok(one.variances[0] >= one.variances[1]);
  assert.deepEqual(pca2(vectors), one);
});

test('pca2 handles no vectors, one vector and identical vectors, and rejects ragged input', () => {
  assert.deepEqual(pca2([]).points, []);
  assert.deepEqual(pca2([[1, 2, 3]]).points, [[0, 0]]);
  assert.deepEqual(pca2([[1, 2], [1, 2]]).points, [[0, 0], [0, 0]]);
  assert.throws(() => pca2([[1, 2], [1]]), /same length/);
});
