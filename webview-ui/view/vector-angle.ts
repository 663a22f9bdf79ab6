// Cosine similarity and the angle between two vectors, in float64 whatever the input's type, and
// the articles' worked example of word-count vectors: learners check its numbers, so the panel
// shows the arithmetic with the same function it uses on the model's vectors.

export interface Angle {
  dot: number;
  normA: number;
  normB: number;
  /** dot / (|a| |b|), clamped to [-1, 1]; NaN when a vector is all zeros. */
  cosine: number;
  /** The angle in degrees, 0..180; NaN with the cosine. */
  degrees: number;
}

export function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): Angle {
  if (a.length !== b.length) throw new Error(`angleBetween: ${a.length} against ${b.length} components`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  const normA = Math.sqrt(aa);
  const normB = Math.sqrt(bb);
  if (!(normA > 0 && normB > 0)) return { dot, normA, normB, cosine: NaN, degrees: NaN };
  const cosine = Math.min(1, Math.max(-1, dot / (normA * normB)));
  // acos loses digits near 0° and 180°; 2·atan2(|â − b̂|, |â + b̂|) keeps them (â = a / |a|).
  let diff = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! / normA;
    const y = b[i]! / normB;
    diff += (x - y) * (x - y);
    sum += (x + y) * (x + y);
  }
  return { dot, normA, normB, cosine, degrees: (2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum)) * 180) / Math.PI };
}

/**
 * Word counts over eight words in three articles, as a popular Chinese introduction to GPT gives
 * them: V1 a finance article, V2 and V3 computer articles. It states V1–V2 ≈ 82° and V3–V2 = 7.5°.
 */
export const WORKED_EXAMPLE = {
  words: [
    ['金融', 'finance'],
    ['股票', 'stocks'],
    ['交易', 'trading'],
    ['经济', 'economy'],
    ['计算机', 'computer'],
    ['软件', 'software'],
    ['互联网', 'internet'],
    ['半导体', 'semiconductor'],
  ] as const,
  v1: [23, 32, 14, 10, 1, 0, 3, 2],
  v2: [3, 2, 4, 0, 41, 30, 31, 12],
  v3: [1, 3, 0, 2, 25, 23, 14, 10],
  /** The article's figure for V3 and V2, in degrees. */
  statedV3V2: 7.5,
} as const;
