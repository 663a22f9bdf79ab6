// The sampler (validation, top-k / top-p filtering, seeded choice) and a generation run on the
// bundled model: temperature 0 reproduces the engine's greedy continuation, seeded runs repeat.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import { candidates, choose, seededRandom, validateSampling, CANDIDATE_CAP } from '../../src/engine/sampling';
import { GenerationSession } from '../../webview-ui/view/generate-session';
import { encode } from '../../src/engine/tokenizer';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import type { TokenLogprob } from '../../src/engine/types';

const top: TokenLogprob[] = [0.5, 0.3, 0.1, 0.05, 0.05].map((p, i) => [10 + i, Math.log(p)]);

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
  test('choose follows the cumulative distribution', () => {
    const list = candidates(top, { temperature: 1, topK: 40, topP: 1 });
    assert.equal(choose(list, () => 0.49), 10);
    assert.equal(choose(list, () => 0.51), 11);
    assert.equal(choose(list, () => 0.95), 14);
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
  before(async () => { engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' }); });
  after(() => engine?.dispose());

  test('temperature 0 reproduces the engine greedy continuation (argmax of distributionAt)', async () => {
    const session = new GenerationSession(engine, prompt, { temperature: 0, topK: 40, topP: 1, seed: 1 }, 6);
    while (await session.step());
    assert.equal(session.stopped === 'limit' || session.stopped === 'eos', true);
    const ids = [...prompt];
    for (const chosen of session.generated) {
      const d = await engine.distributionAt(ids, ids.length - 1, { temperature: 1, topK: 1 });
      assert.equal(chosen, d.top[0][0]);
      ids.push(chosen);
    }
    assert.equal(session.generated.length, 6);
  });

  test('a seeded sampling run is reproducible; pick() continues from a chosen token', async () => {
    const settings = { temperature: 1.2, topK: 50, topP: 0.95, seed: 42 };
    const run = async () => { const s = new GenerationSession(engine, prompt, settings, 5); while (await s.step()); return s; };
    const first = await run();
    const second = await run();
    assert.deepEqual(first.generated, second.generated);
    const other = first.steps[1].candidates.find((c) => c.id !== first.steps[1].chosen)!.id;
    first.pick(1, other);
    assert.deepEqual(first.generated, [first.steps[0].chosen, other]);
    assert.equal(first.steps[1].picked, true);
    while (await first.step());
    assert.equal(first.generated.length, 5);
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
