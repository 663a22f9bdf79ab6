// Assertions shared by the engine API tests: one prediction equals another within a tolerance.
import assert from 'node:assert/strict';
import type { PositionPrediction } from '../../src/engine/types';

export const close = (a: number, b: number, tolerance: number, what: string) => assert.ok(Math.abs(a - b) <= tolerance, `${what}: ${a} vs ${b}`);

/** Same top ids in the same order, log-probabilities and entropy within `tolerance`. */
export function assertSamePrediction(actual: { top: [number, number][]; entropy: number }, expected: PositionPrediction, what: string, tolerance = 1e-5) {
  assert.deepEqual(actual.top.map(([id]) => id), expected.top.map(([id]) => id), `${what}: top ids`);
  actual.top.forEach(([, lp], j) => close(lp, expected.top[j][1], tolerance, `${what}: logprob ${j}`));
  close(actual.entropy, expected.entropy, tolerance, `${what}: entropy`);
}
