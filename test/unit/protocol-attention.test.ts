// The attention message (webview → host): its type check and its check against the model's
// shape, which rejects stale layer and head indices with a clear sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionMessageProblem, parseWebviewMessage } from '../../src/protocol';

const shape = { layers: 6, heads: 6 };
const RUN = { chars: 100, tokens: 100 };
const valid = { type: 'attention', runId: 2, index: 3, layer: 5, head: 'average', firstIndex: 1, weights: [0.5, 0.25, 0.25] };

test('a well-formed attention message passes both checks', () => {
  assert.deepEqual(parseWebviewMessage(valid, RUN), valid);
  assert.equal(attentionMessageProblem(valid, shape, 4), undefined);
  assert.equal(attentionMessageProblem({ ...valid, head: 0 }, shape, 4), undefined);
});

test('stale layer and head indices are rejected with a message that names the valid range', () => {
  assert.equal(attentionMessageProblem({ ...valid, layer: 6 }, shape, 4), 'layer 6 does not exist: the model has layers 0–5');
  assert.equal(attentionMessageProblem({ ...valid, head: 7 }, shape, 4), 'head 7 does not exist: each layer has heads 0–5');
  assert.match(attentionMessageProblem({ ...valid, index: 9, weights: new Array(9).fill(0.1) }, shape, 4)!, /token 9 is not in the explained text/);
  assert.match(attentionMessageProblem({ ...valid, weights: [0.5, 0.5] }, shape, 4)!, /one weight per token/);
  assert.match(attentionMessageProblem({ ...valid, weights: [0.5, 2, 0.25] }, shape, 4)!, /between 0 and 1/);
});

test('malformed attention messages fail the type check', () => {
  assert.equal(parseWebviewMessage({ ...valid, head: 'all' }, RUN), undefined);
  assert.equal(parseWebviewMessage({ ...valid, layer: -1 }, RUN), undefined);
  assert.equal(parseWebviewMessage({ ...valid, weights: [Number.NaN] }, RUN), undefined);
  assert.equal(parseWebviewMessage({ ...valid, weights: 'x' }, RUN), undefined);
});
