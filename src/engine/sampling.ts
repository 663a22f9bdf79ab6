// Choosing the next token from a distribution: greedy, or sampling with temperature, top-k and
// top-p, driven by a seeded PRNG so that a run can be repeated exactly. Pure: no engine calls.
import type { TokenLogprob } from './types';

/**
 * The engine reports at most this many candidates per step (distributionAt's topK). Top-k is
 * clamped to it and top-p works within it: the candidates outside it hold the tail's mass, which
 * is treated as not reachable (they would be cut by any top-p below the cap's cumulative mass).
 */
export const CANDIDATE_CAP = 200;
export const MAX_TEMPERATURE = 2;

export interface SamplingSettings {
  /** 0 means greedy (argmax); otherwise in (0, MAX_TEMPERATURE]. */
  temperature: number;
  /** Keep the k most likely tokens, 1..CANDIDATE_CAP. */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p, in (0, 1]. */
  topP: number;
  /** PRNG seed (an unsigned 32-bit integer). */
  seed: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 1, topK: 40, topP: 0.95, seed: 1 };

/**
 * Which setting is wrong, its value and the largest allowed value: the panel words it in its
 * language (temperatureTooHigh: a number above `max`; temperature: not a number from 0 to `max`).
 */
export interface SamplingProblem {
  code: 'temperature' | 'temperatureTooHigh' | 'topK' | 'topP' | 'seed';
  value: string;
  max: number;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problem: SamplingProblem };

/**
 * Checks settings typed or messaged by a user. Defined behaviour: temperature 0 = greedy;
 * negative, non-finite or above 2 is rejected; top-k above the cap is rejected with the cap named.
 */
export function validateSampling(raw: Partial<Record<keyof SamplingSettings, unknown>>): Validated<SamplingSettings> {
  const { temperature, topK, topP, seed } = { ...DEFAULT_SAMPLING, ...raw };
  const refuse = (code: SamplingProblem['code'], value: unknown, max: number): Validated<SamplingSettings> => ({ ok: false, problem: { code, value: String(value), max } });
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) return refuse('temperature', temperature, MAX_TEMPERATURE);
  if (temperature > MAX_TEMPERATURE) return refuse('temperatureTooHigh', temperature, MAX_TEMPERATURE);
  if (!Number.isInteger(topK) || (topK as number) < 1 || (topK as number) > CANDIDATE_CAP) return refuse('topK', topK, CANDIDATE_CAP);
  if (typeof topP !== 'number' || !(topP > 0) || topP > 1) return refuse('topP', topP, 1);
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) return refuse('seed', seed, 0xffffffff);
  return { ok: true, value: { temperature, topK: topK as number, topP, seed: seed as number } };
}

/** mulberry32: a small, fast PRNG with a 32-bit state; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Candidate {
  id: number;
  /** Probability under the step's temperature (over the whole vocabulary). */
  probability: number;
  /** Probability after top-k / top-p filtering and renormalising; 0 when filtered out. */
  kept: number;
}

/**
 * The candidates a step can choose from: `top` (sorted, log-probabilities at the step's
 * temperature) filtered by top-k then top-p, renormalised. Greedy keeps only the first.
 */
export function candidates(top: TokenLogprob[], settings: Pick<SamplingSettings, 'temperature' | 'topK' | 'topP'>): Candidate[] {
  if (top.length === 0) throw new Error('no candidates: the distribution is empty');
  const probabilities = top.map(([id, lp]) => ({ id, probability: Math.exp(lp) }));
  let keep = settings.temperature === 0 ? 1 : Math.min(settings.topK, probabilities.length);
  let mass = 0;
  for (let i = 0; i < keep; i++) {
    mass += probabilities[i].probability;
    // Stop once the kept mass reaches p; the token that crosses p stays (it is needed to reach it).
    if (mass >= settings.topP) {
      keep = i + 1;
      break;
    }
  }
  const keptMass = probabilities.slice(0, keep).reduce((s, c) => s + c.probability, 0);
  return probabilities.map((c, i) => ({ ...c, kept: i < keep ? c.probability / keptMass : 0 }));
}

/** Picks one candidate: the first for greedy, else by inverse CDF on `random()`. */
export function choose(list: Candidate[], random: () => number): number {
  return draw(list, random).id;
}

/**
 * choose(), also saying how: `u` is the random number in [0, 1) that fell in the chosen token's
 * stretch of the kept candidates' cumulative distribution; null when only one was kept (greedy,
 * or a cut that left one), which draws no number.
 */
export function draw(list: Candidate[], random: () => number): { id: number; u: number | null } {
  const kept = list.filter((c) => c.kept > 0);
  if (kept.length === 1) return { id: kept[0].id, u: null };
  const u = random();
  let cumulative = 0;
  for (const c of kept) {
    cumulative += c.kept;
    if (u < cumulative) return { id: c.id, u };
  }
  return { id: kept[kept.length - 1].id, u }; // rounding: the cumulative sum can end just below 1
}
