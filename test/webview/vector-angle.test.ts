import { test } from 'node:test';
import assert from 'node:assert/strict';
import { angleBetween, WORKED_EXAMPLE } from '../../webview-ui/view/vector-angle';

test('the worked example: V1–V2 is 82.4° and V3–V2 is 12.4°, not the article’s 7.5°', () => {
  const { v1, v2, v3 } = WORKED_EXAMPLE;
  const a = angleBetween(v1, v2);
  assert.equal(a.dot, 347);
  assert.equal(a.degrees.toFixed(1), '82.4');
  const b = angleBetween(v3, v2);
  assert.equal(b.dot, 2278);
  assert.equal(b.cosine.toFixed(3), '0.977');
  assert.equal(b.degrees.toFixed(1), '12.4');
  assert.ok(Math.cos((WORKED_EXAMPLE.statedV3V2 * Math.PI) / 180) > 0.99, '7.5° would need a cosine of 0.991');
});

test('one-hot vectors are at 90°, a vector with itself at 0°, opposite ones at 180°; zeros give NaN', () => {
  assert.equal(angleBetween([0, 1, 0], [0, 0, 1]).degrees, 90);
  assert.equal(angleBetween([0.3, -2, 5], [0.3, -2, 5]).degrees, 0);
  assert.equal(angleBetween([1, 2], [-2, -4]).degrees, 180);
  assert.ok(Number.isNaN(angleBetween([0, 0], [1, 0]).cosine));
  assert.throws(() => angleBetween([1], [1, 2]), /1 against 2/);
});

test('passages default to the text’s first two lines, or its halves', async () => {
  const { defaultPassages } = await import('../../webview-ui/view/vectors-view');
  const { tokenize } = await import('../../src/engine/tokenizer');
  const text = 'The cat sat.\n\nA dog ran home.\nLast line';
  const tokens = tokenize(text);
  const [a, b] = defaultPassages(tokens);
  const spell = ([from, to]: [number, number]) => tokens.slice(from, to).map((t) => t.text).join('');
  assert.equal(spell(a).trim(), 'The cat sat.');
  assert.equal(spell(b).trim(), 'A dog ran home.');
  const one = tokenize('one line of several words here');
  assert.deepEqual(defaultPassages(one), [[0, Math.floor(one.length / 2)], [Math.floor(one.length / 2), one.length]]);
});
