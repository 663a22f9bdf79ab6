// A checkpoint with a padded vocabulary (50,304 embedding rows, nanoGPT style; the tokenizer has
// 50,257 ids): the engine ranks the padded ids like any other, and every place that turns ids
// into words shows them as "<id>" instead of failing (built in the test: test/harness/checkpoint-files.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { loadCheckpoint } from '../../src/engine/checkpoint';
import { LensEngine } from '../../src/engine/engine';
import { tokenize } from '../../src/engine/tokenizer';
import { tokenEntry } from '../../src/engine/model-tokenizer';
import { openAiTokenizer } from '../../src/engine/tokenizer';

const r50k = openAiTokenizer('r50k_base');
const textOrId = (id: number) => tokenEntry(r50k, id).text;
const vocabularyEntry = (id: number) => tokenEntry(r50k, id);
import { renderHover } from '../../src/hover/hover-markdown';
import { PADDED_FAVOURITE, PADDED_VOCAB, TOKENIZER_IDS, paddedGpt2 } from '../harness/checkpoint-files';

const TEXT = 'Returns the number of elements in the list.';

describe('a padded vocabulary (50,304 rows, 50,257 token ids)', () => {
  let engine: LensEngine;
  const ids = tokenize(TEXT).map((t) => t.id);

  before(async () => {
    const { config, weights } = paddedGpt2();
    engine = await LensEngine.create(loadCheckpoint({ name: 'padded', configJson: JSON.stringify(config), weights }), { ort, backend: 'wasm' });
  });
  after(() => engine?.dispose());

  test('ids without text are "<id>"; ids with text keep theirs', () => {
    assert.equal(textOrId(PADDED_FAVOURITE), '<50300>');
    assert.deepEqual(vocabularyEntry(PADDED_FAVOURITE), { text: '<50300>', bytes: '', partial: false });
    assert.equal(textOrId(995), ' world');
    assert.deepEqual(vocabularyEntry(995), { text: ' world', bytes: '20776f726c64', partial: false });
    assert.deepEqual(vocabularyEntry(447), { text: '\ufffd', bytes: 'e280', partial: true });
  });

  test('the engine ranks padded ids first: analysis, distribution and logit lens', async () => {
    assert.equal(engine.config.vocabSize, PADDED_VOCAB);
    const analysis = await engine.analyze(ids, { topK: 5 });
    for (const position of analysis.positions) assert.equal(position.top[0]![0], PADDED_FAVOURITE);
    const distribution = await engine.distributionAt(ids, 3, { temperature: 1, topK: 5 });
    assert.ok(distribution.top.every(([id]) => id >= TOKENIZER_IDS), JSON.stringify(distribution.top));
    const lens = await engine.logitLens(ids, [{ layer: 0, position: 0 }, { layer: 2, position: ids.length - 1 }], 1);
    assert.deepEqual(lens.map((cell) => cell.top[0]![0]), [PADDED_FAVOURITE, PADDED_FAVOURITE]);
  });

  test('neighbours of a padded id, and padded neighbours of a vector, are named "<id>"', async () => {
    const [self, ...others] = await engine.neighboursOfToken(PADDED_FAVOURITE, 5);
    assert.deepEqual(self!.slice(0, 2), [PADDED_FAVOURITE, '<50300>']);
    assert.equal(others.length, 5);
    for (const [id, text] of others) {
      assert.ok(id >= TOKENIZER_IDS, `neighbour ${id}`);
      assert.equal(text, `<${id}>`);
    }
  });

  test('the hover lists a padded next token as "<id>", escaped', async () => {
    const distribution = await engine.distributionAt(ids, 3, { temperature: 1, topK: 3 });
    const markdown = renderHover({
      token: tokenize(TEXT)[3]!,
      prediction: { lastToken: null, next: { ...distribution, position: 3 }, timings: { totalMs: 0 } },
      tokenText: (id) => textOrId(id),
    });
    assert.match(markdown, /\| 1 \| &#60;50300&#62; \|/);
  });
});
