// LensEngine's focused paths on a rotary, multi-query model (the tiny Llama fixture): the
// distribution at a temperature, the hover path (whose trunk computes only the last rows and
// so slices the rotary tables) and the logit lens agree with the full analysis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LensEngine } from '../../src/engine/engine';
import type { Analysis } from '../../src/engine/types';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { assertSamePrediction, close } from './prediction-asserts';
import { fixtureDir, readReference } from './llama-family-fixtures';

const prompts = readReference('tiny-random-llama').refs;
const python = prompts.find((r) => r.name === 'python')!.ids;
const chinese = prompts.find((r) => r.name === 'chinese')!.ids;

describe('LensEngine focused paths on the tiny Llama (rotary, multi-query, WASM)', () => {
  let engine: LensEngine;
  let analysis: Analysis;

  before(async () => {
    engine = await LensEngine.create(await loadCheckpointFromDir(fixtureDir('tiny-random-llama')), { ort, backend: 'wasm' });
    analysis = await engine.analyze(python, { topK: 20, hidden: true });
  });
  after(() => engine?.dispose());

  test('distributionAt at temperature 1 equals the analysis at that position', async () => {
    for (const position of [0, 9, python.length - 1]) {
      const d = await engine.distributionAt(python, position, { temperature: 1, topK: 20 });
      assertSamePrediction(d, analysis.positions[position], `position ${position}`);
      const expected = analysis.positions[position].target;
      if (expected === null) assert.equal(d.target, null);
      else {
        assert.equal(d.target!.rank, expected.rank);
        close(d.target!.logprob, expected.logprob, 1e-5, 'target');
      }
    }
  });

  test('temperature 0.5 doubles log-probability differences and lowers the entropy', async () => {
    const position = 12;
    const base = analysis.positions[position];
    const hot = await engine.distributionAt(python, position, { temperature: 0.5, topK: 10 });
    assert.deepEqual(hot.top.map(([id]) => id), base.top.slice(0, 10).map(([id]) => id));
    const [, firstLp] = hot.top[0];
    for (const [j, [, lp]] of hot.top.entries()) close(lp - firstLp, (base.top[j][1] - base.top[0][1]) / 0.5, 2e-4, `difference ${j}`);
    assert.ok(hot.entropy < base.entropy);
  });

  test('predictLast equals the analysis at the last two positions, on analysed and new texts', async () => {
    const T = python.length;
    const last = await engine.predictLast(python, { topK: 20 });
    assert.equal(last.lastToken!.rank, analysis.positions[T - 2].target!.rank);
    close(last.lastToken!.logprob, analysis.positions[T - 2].target!.logprob, 1e-5, 'last token');
    assertSamePrediction(last.next, analysis.positions[T - 1], 'next');
    // A text the engine has not seen: the hover trunk runs, rotating only the last rows' queries.
    const text = [...chinese, ...python.slice(1, 12)];
    const hover = await engine.predictLast(text, { topK: 20 });
    const full = await engine.analyze(text, { topK: 20 });
    assertSamePrediction(hover.next, full.positions[text.length - 1], 'new text', 1e-4);
    close(hover.lastToken!.logprob, full.positions[text.length - 2].target!.logprob, 1e-4, 'new text, last token');
  });

  test('logit lens: the last layer reads as the analysis (through model.norm); the embedding layer reads differently', async () => {
    const L = engine.config.nLayer;
    const lens = await engine.logitLens(python, [{ layer: L, position: 5 }, { layer: 0, position: 5 }, { layer: 1, position: 5 }], 20);
    assertSamePrediction({ top: lens[0].top, entropy: analysis.positions[5].entropy }, analysis.positions[5], 'lens at L');
    for (const cell of lens.slice(1)) {
      assert.equal(cell.top.length, 20);
      cell.top.forEach(([id, lp]) => assert.ok(id >= 0 && id < engine.config.vocabSize && lp <= 0));
      assert.notDeepEqual(cell.top.map(([id]) => id), lens[0].top.map(([id]) => id));
    }
  });
});
