// Projection of vectors onto their first two principal components, for the embeddings scatter
// plot. Deterministic (fixed start vectors, power iteration with deflation) so the same text
// always gives the same picture; signs are fixed so the largest |coordinate| is positive.

export interface Projection {
  /** [x, y] per input vector. */
  points: [number, number][];
  /** Variance along each component. */
  variances: [number, number];
  /** Share of the total variance the two components explain (0..1). */
  explained: number;
}

const ITERATIONS = 200;

export function pca2(vectors: ArrayLike<number>[]): Projection {
  const n = vectors.length;
  if (n === 0) return { points: [], variances: [0, 0], explained: 0 };
  const d = vectors[0]!.length;
  if (vectors.some((v) => v.length !== d)) throw new Error('pca2: every vector must have the same length');
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j]! += v[j]! / n;
  const centred = vectors.map((v) => Float64Array.from({ length: d }, (_, j) => v[j]! - mean[j]!));
  // The covariance is XᵀX / n of the centred rows.
  return topTwoAxes(centred, 1 / n);
}

/**
 * Truncated SVD to two dimensions of the rows as they are (not centred, as for a co-occurrence
 * matrix): each row's coordinates on the two top right-singular vectors, i.e. σ₁u₁ and σ₂u₂.
 * `explained`: the share of the squared Frobenius norm the two singular values hold.
 */
export function svd2(rows: ArrayLike<number>[]): Projection {
  const n = rows.length;
  if (n === 0) return { points: [], variances: [0, 0], explained: 0 };
  const d = rows[0]!.length;
  if (rows.some((r) => r.length !== d)) throw new Error('svd2: every row must have the same length');
  // The eigenvalues of XᵀX are the squared singular values.
  return topTwoAxes(rows.map((r) => Float64Array.from(r)), 1);
}

/**
 * The rows' coordinates on the top two eigenvectors of scale·XᵀX (power iteration with deflation,
 * never forming the d×d matrix), signs fixed so the largest |coordinate| is positive; `explained`
 * is the two eigenvalues' share of its trace.
 */
function topTwoAxes(rows: Float64Array[], scale: number): Projection {
  const d = rows[0]!.length;
  const total = rows.reduce((sum, r) => sum + dot(r, r), 0) * scale;
  const gramTimes = (x: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (const r of rows) {
      const s = dot(r, x) * scale;
      for (let j = 0; j < d; j++) out[j]! += s * r[j]!;
    }
    return out;
  };
  const first = powerIteration(gramTimes, d, []);
  const second = powerIteration(gramTimes, d, [first.vector]);
  const axes = [first, second].map(({ vector }) => {
    const coords = rows.map((r) => dot(r, vector));
    const largest = coords.reduce((best, c) => (Math.abs(c) > Math.abs(best) ? c : best), 0);
    return largest < 0 ? coords.map((c) => -c) : coords;
  });
  const variances: [number, number] = [first.value, second.value];
  return { points: rows.map((_, i) => [axes[0]![i]!, axes[1]![i]!]), variances, explained: total > 0 ? (variances[0] + variances[1]) / total : 0 };
}

function powerIteration(covTimes: (x: Float64Array) => Float64Array, d: number, found: Float64Array[]): { vector: Float64Array; value: number } {
  // A fixed, non-symmetric start so it is unlikely to be orthogonal to the top component.
  let x: Float64Array = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 7919) % 13) / 13);
  orthogonalise(x, found);
  if (!normalise(x)) return { vector: new Float64Array(d), value: 0 };
  let value = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const next = covTimes(x);
    orthogonalise(next, found);
    value = dot(next, x);
    if (!normalise(next)) return { vector: new Float64Array(d), value: 0 };
    x = next;
  }
  return { vector: x, value: Math.max(0, value) };
}

function orthogonalise(x: Float64Array, basis: Float64Array[]): void {
  for (const b of basis) {
    const s = dot(x, b);
    for (let j = 0; j < x.length; j++) x[j]! -= s * b[j]!;
  }
}

function normalise(x: Float64Array): boolean {
  const norm = Math.sqrt(dot(x, x));
  if (norm < 1e-12) return false;
  for (let j = 0; j < x.length; j++) x[j]! /= norm;
  return true;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}
