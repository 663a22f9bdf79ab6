// The sampler (validation, top-k / top-p filtering, seeded choice) and generation runs on the
// bundled model, against draws computed here from the model's log-probabilities: temperature 0
// takes the most likely token, and a seeded run draws what an inverse CDF over the filtered,
// renormalised distribution at the step's uniform number draws.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { candidates, choose, draw, seededRandom, validateSampling, CANDIDATE_CAP } from '../../src/engine/sampling';
import { GenerationSession } from '../../webview-ui/view/generate-session';
import { encode } from '../../src/engine/tokenizer';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import type { TokenLogprob } from '../../src/engine/types';

const top: TokenLogprob[] = [0.5, 0.3, 0.1, 0.05, 0.05].map((p, i) => [10 + i, Math.log(p)]);

interface Draw {
  /** [id, probability after filtering and renormalising], most likely first. */
  kept: [number, number][];
  chosen: number;
}

/**
 * The sampler's definition, written out independently: probabilities at the temperature from
 * log-probabilities at temperature 1 (any order, any number), the k most likely, then the
 * shortest of those whose mass reaches p, renormalised; the token is the first whose cumulative
 * probability exceeds a uniform number, which is drawn only when there is a choice.
 */
function expectedDraw(logprobsAt1: TokenLogprob[], settings: { temperature: number; topK: number; topP: number }, uniform: () => number): Draw {
  const scaled = logprobsAt1.map(([id, lp]) => [id, lp / settings.temperature] as const);
  const peak = Math.max(...scaled.map(([, z]) => z));
  const weights = scaled.map(([id, z]) => [id, Math.exp(z - peak)] as [number, number]);
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  const ranked = weights.map(([id, w]) => [id, w / total] as [number, number]).sort((a, b) => b[1] - a[1]).slice(0, settings.topK);
  const cumulative: number[] = [];
  ranked.forEach(([, q], i) => cumulative.push((cumulative[i - 1] ?? 0) + q));
  const reaching = cumulative.findIndex((c) => c >= settings.topP);
  const count = reaching < 0 ? ranked.length : reaching + 1;
  const mass = cumulative[count - 1];
  const kept = ranked.slice(0, count).map(([id, q]) => [id, q / mass] as [number, number]);
  if (kept.length === 1) return { kept, chosen: kept[0][0] };
  const u = uniform() * mass;
  const at = cumulative.findIndex((c, i) => i < count && u < c);
  return { kept, chosen: kept[at < 0 ? count - 1 : at][0] };
}

describe('sampling settings', () => {
  test('temperature 0 is greedy, above 2 and negative are rejected with the range named', () => {
    assert.deepEqual(validateSampling({ temperature: 0 }), { ok: true, value: { temperature: 0, topK: 40, topP: 0.95, seed: 1 } });
    // The problem names the setting, what was typed and the limit; the panel words it in its language.
    const problem = (raw: Parameters<typeof validateSampling>[0]) => {
      const checked = validateSampling(raw);
      assert.equal(checked.ok, false, JSON.stringify(raw));
      return (checked as { problem: unknown }).problem;
    };
    assert.deepEqual(problem({ temperature: 2.5 }), { code: 'temperatureTooHigh', value: '2.5', max: 2 });
    assert.deepEqual(problem({ temperature: -1 }), { code: 'temperature', value: '-1', max: 2 });
    assert.deepEqual(problem({ temperature: NaN }), { code: 'temperature', value: 'NaN', max: 2 });
    assert.deepEqual(problem({ topK: CANDIDATE_CAP + 1 }), { code: 'topK', value: '201', max: 200 });
    assert.deepEqual(problem({ topP: 0 }), { code: 'topP', value: '0', max: 1 });
    assert.deepEqual(problem({ seed: 1.5 }), { code: 'seed', value: '1.5', max: 0xffffffff });
    assert.equal(validateSampling({ temperature: 2, topK: 1, topP: 1, seed: 0 }).ok, true);
  });
});

describe('candidates and choice', () => {
  test('greedy keeps only the most likely token', () => {
    const list = candidates(top, { temperature: 0, topK: 40, topP: 1 });
    assert.deepEqual(list.map((c) => c.kept), [1, 0, 0, 0, 0]);
    assert.equal(choose(list, () => 0.99), 10);
  });
  test('top-k keeps k and renormalises; top-p keeps the smallest prefix reaching p', () => {
    const k2 = candidates(top, { temperature: 1, topK: 2, topP: 1 });
    assert.ok(Math.abs(k2[0].kept - 0.625) < 1e-9 && Math.abs(k2[1].kept - 0.375) < 1e-9 && k2[2].kept === 0);
    const p = candidates(top, { temperature: 1, topK: 40, topP: 0.85 });
    assert.deepEqual(p.map((c) => c.kept > 0), [true, true, true, false, false]);
    assert.ok(Math.abs(p.reduce((s, c) => s + c.kept, 0) - 1) < 1e-9);
  });
  test('draw says which random number chose the token, and none when one candidate is kept', () => {
    const list = candidates([[10, Math.log(0.5)], [11, Math.log(0.3)], [12, Math.log(0.2)]], { temperature: 1, topK: 3, topP: 1 });
    assert.deepEqual(draw(list, () => 0.6), { id: 11, u: 0.6 });
    assert.deepEqual(draw(candidates([[10, Math.log(0.5)], [11, Math.log(0.3)]], { temperature: 0, topK: 3, topP: 1 }), () => 0.6), { id: 10, u: null });
    assert.deepEqual(draw(candidates([[10, Math.log(0.9)], [11, Math.log(0.1)]], { temperature: 1, topK: 3, topP: 0.5 }), () => 0.6), { id: 10, u: null });
  });

  test('choose follows the cumulative distribution', () => {
    const list = candidates(top, { temperature: 1, topK: 40, topP: 1 });
    assert.equal(choose(list, () => 0.49), 10);
    assert.equal(choose(list, () => 0.51), 11);
    assert.equal(choose(list, () => 0.95), 14);
  });
  test('choose draws what the inverse CDF of the filtered, renormalised distribution draws (1000 seeds)', () => {
    // Six tokens, listed out of order: top-k 5 cuts the last; top-p 0.85 keeps four (0.4 + 0.25 + 0.15 + 0.1).
    const probabilities = [0.15, 0.4, 0.04, 0.25, 0.06, 0.1];
    const logprobs: TokenLogprob[] = probabilities.map((p, i) => [100 + i, Math.log(p)]);
    const sorted = [...logprobs].sort((a, b) => b[1] - a[1]);
    const settings = { temperature: 1, topK: 5, topP: 0.85 };
    // top-p 0.3 keeps only the first (0.4): no choice, so no uniform number is used.
    const narrow = { ...settings, topP: 0.3 };
    const chosen = new Set<number>();
    for (let seed = 0; seed < 1000; seed++) {
      const uniform = seededRandom(seed);
      const random = seededRandom(seed);
      assert.equal(choose(candidates(sorted, narrow), random), expectedDraw(logprobs, narrow, uniform).chosen);
      const expected = expectedDraw(logprobs, settings, uniform);
      const list = candidates(sorted, settings);
      assert.deepEqual(list.filter((c) => c.kept > 0).map((c) => c.id), expected.kept.map(([id]) => id), `kept ids, seed ${seed}`);
      list.filter((c) => c.kept > 0).forEach((c, i) => assert.ok(Math.abs(c.kept - expected.kept[i][1]) < 1e-12, `kept probability of ${c.id}`));
      assert.equal(choose(list, random), expected.chosen, `seed ${seed}`);
      chosen.add(expected.chosen);
    }
    assert.deepEqual([...chosen].sort(), [100, 101, 103, 105], 'every kept token is drawn for some seed, and no other');
  });

  test('the seeded PRNG repeats and differs between seeds; frequencies follow the probabilities', () => {
    const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
    const xs = Array.from({ length: 5 }, a);
    assert.deepEqual(xs, Array.from({ length: 5 }, b));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, c));
    const random = seededRandom(3);
    const list = candidates(top, { temperature: 1, topK: 40, topP: 1 });
    const counts = new Map<number, number>();
    for (let i = 0; i < 20000; i++) { const id = choose(list, random); counts.set(id, (counts.get(id) ?? 0) + 1); }
    assert.ok(Math.abs(counts.get(10)! / 20000 - 0.5) < 0.02 && Math.abs(counts.get(12)! / 20000 - 0.1) < 0.01);
  });
});

describe('generation on the bundled model', () => {
  let engine: LensEngine;
  const prompt = encode('def fibonacci(n):\n    ');
  /** Prose leaves the model many likely continuations: most sampled steps have a choice. */
  const prose = encode('My favourite thing about the old city is');
  before(async () => { engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' }); });
  after(() => engine?.dispose());

  /** Log-probabilities of every token at every position of `ids`, at temperature 1 (the full analysis). */
  const everyLogprob = async (ids: number[]) => (await engine.analyze(ids, { topK: engine.config.vocabSize })).positions.map((p) => p.top);

  test('temperature 0: every generated token is the most likely one after the text before it', async () => {
    const session = new GenerationSession(engine, prompt, { temperature: 0, topK: 40, topP: 1, seed: 1 }, 6);
    while (await session.step());
    assert.equal(session.stopped, 'limit');
    assert.equal(session.generated.length, 6);
    const positions = await everyLogprob([...prompt, ...session.generated]);
    session.generated.forEach((chosen, i) => {
      const distribution = positions[prompt.length - 1 + i];
      const best = distribution[0][1];
      const own = distribution.find(([id]) => id === chosen)![1];
      // A near-tie (the graphs round differently) may go either way.
      assert.ok(own >= best - 1e-4, `step ${i}: chose ${chosen} (${own}) over ${distribution[0][0]} (${best})`);
    });
  });

  test('a seeded run draws what the definition gives at each step; pick() continues from the seed advanced past the kept steps', async () => {
    const settings = { temperature: 0.9, topK: 120, topP: 0.8, seed: 42 };
    const run = async () => { const s = new GenerationSession(engine, prose, settings, 5); while (await s.step()); return s; };
    const first = await run();
    const checkSteps = async (session: GenerationSession, from: number, uniform: () => number) => {
      const positions = await everyLogprob([...prose, ...session.generated]);
      for (let i = from; i < session.steps.length; i++) {
        const step = session.steps[i];
        const expected = expectedDraw(positions[prose.length - 1 + i], settings, uniform);
        const kept = step.candidates.filter((c) => c.kept > 0);
        assert.deepEqual(kept.map((c) => c.id), expected.kept.map(([id]) => id), `kept ids at step ${i}`);
        kept.forEach((c, j) => assert.ok(Math.abs(c.kept - expected.kept[j][1]) < 1e-5, `step ${i}: kept ${c.kept} vs ${expected.kept[j][1]}`));
        assert.equal(step.chosen, expected.chosen, `step ${i}`);
      }
    };
    await checkSteps(first, 0, seededRandom(settings.seed));
    const keptCounts = first.steps.map((s) => s.candidates.filter((c) => c.kept > 0).length);
    assert.ok(keptCounts.includes(settings.topK) && keptCounts.some((n) => n > 1 && n < settings.topK), `both cuts at work: kept per step ${keptCounts}`);
    assert.deepEqual((await run()).generated, first.generated, 'a second run repeats the first');

    const other = first.steps[1].candidates.find((c) => c.id !== first.steps[1].chosen)!.id;
    first.pick(1, other);
    assert.deepEqual(first.generated, [first.steps[0].chosen, other]);
    assert.equal(first.steps[1].picked, true);
    while (await first.step());
    assert.equal(first.generated.length, 5);
    await checkSteps(first, 2, seededRandom(settings.seed + 2));
    assert.throws(() => first.pick(9, 1), /step 9 does not exist/);
  });

  test('stops at <|endoftext|> and slides the window past the context', async () => {
    const eosFirst = { config: engine.config, distributionAt: async () => ({ position: 0, temperature: 1, top: [[50256, 0]] as TokenLogprob[], target: null, entropy: 0 }) };
    const s = new GenerationSession(eosFirst, [1], { temperature: 0, topK: 1, topP: 1, seed: 1 }, 10);
    await s.step();
    assert.equal(s.stopped, 'eos');
    assert.equal(await s.step(), null);
    const long = Array.from({ length: 515 }, (_, i) => 200 + (i % 50));
    const slide = new GenerationSession(engine, long, { temperature: 0, topK: 1, topP: 1, seed: 1 }, 1);
    const step = await slide.step();
    assert.equal(step!.slid, 3);
    assert.throws(() => new GenerationSession(engine, [], { temperature: 0, topK: 1, topP: 1, seed: 1 }, 1), /no tokens/);
  });
});
