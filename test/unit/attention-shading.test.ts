// Show Attention From Here, host side without VS Code: the attention row of the panel mapped
// to document ranges and buckets, the summary line, the token under the cursor, stale-message
// rejection, and how the run follows edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTENTION_BUCKETS, attentionBucket, shadeAttention, tokenIndexAt, type DocumentToken } from '../../src/attention/attention-shading';
import { attentionRejection, explainedRun, followEdits } from '../../src/attention/explained-run';
import { parseHostMessage, type AttentionMessage, type ExplainMessage } from '../../src/protocol';

// "def fib(n):" at document offset 100, as the tokenizer splits it.
const texts = ['def', ' fib', '(', 'n', '):'];
function documentTokens(base: number): DocumentToken[] {
  let at = base;
  return texts.map((text, index) => {
    const token = { index, text, start: at, end: at + text.length };
    at += text.length;
    return token;
  });
}
const tokens = documentTokens(100);
const shape = { layers: 6, heads: 6 };
const message: AttentionMessage = { type: 'attention', runId: 3, index: 3, layer: 5, head: 'average', firstIndex: 0, weights: [0.5, 0.1, 0.3, 0.1] };

test('buckets are equal steps of the ratio to the strongest weight, monotone, strongest darkest', () => {
  assert.equal(attentionBucket(0.5, 0.5), ATTENTION_BUCKETS - 1);
  assert.equal(attentionBucket(0, 0.5), 0);
  assert.equal(attentionBucket(0.05, 0.5), 0);
  assert.equal(attentionBucket(0.3, 0.5), 3);
  assert.equal(attentionBucket(0.1, 0), 0, 'no weight at all: lightest, not NaN');
  let previous = -1;
  for (let w = 0; w <= 1; w += 0.01) {
    const bucket = attentionBucket(w, 1);
    assert.ok(bucket >= previous && bucket < ATTENTION_BUCKETS);
    previous = bucket;
  }
});

test('the preceding tokens are shaded with their weights; the query is separate; the summary lists the top 3', () => {
  const shading = shadeAttention(message, tokens);
  assert.deepEqual(shading.ranges, [
    { start: 100, end: 103, weight: 0.5, bucket: 4 },
    { start: 103, end: 107, weight: 0.1, bucket: 1 },
    { start: 107, end: 108, weight: 0.3, bucket: 3 },
  ]);
  assert.deepEqual(shading.query, { start: 108, end: 109, weight: 0.1 });
  // Layer index 5 is shown as layer 6, as the panel numbers layers (0 is the embedding there).
  assert.equal(shading.summary, 'Attention (layer 6, avg) from "n": "def" 50% · "(" 30% · " fib" 10% · itself 10%');
});

test('a head index and a later first index: only tokens from firstIndex are shaded', () => {
  const shading = shadeAttention({ ...message, head: 2, index: 4, firstIndex: 2, weights: [0.2, 0.05, 0.75] }, tokens);
  assert.deepEqual(shading.ranges.map((r) => [r.start, r.bucket]), [[107, 4], [108, 1]]);
  assert.match(shading.summary, /^Attention \(layer 6, head 2\) from "\):": "\(" 20% · "n" 5\.0% · itself 75%$/);
});

test('the first token has nothing before it: no ranges and a summary that says so', () => {
  const shading = shadeAttention({ ...message, index: 0, weights: [1] }, tokens);
  assert.deepEqual(shading.ranges, []);
  assert.match(shading.summary, /no earlier tokens/);
});

test('the token under the cursor: inside a token, or just after one', () => {
  assert.equal(tokenIndexAt(tokens, 100), 0);
  assert.equal(tokenIndexAt(tokens, 104), 1);
  assert.equal(tokenIndexAt(tokens, 108), 3, 'a boundary belongs to the token starting there');
  assert.equal(tokenIndexAt(tokens, 111), 4, 'the end of the last token');
  assert.equal(tokenIndexAt(tokens, 99), undefined);
  assert.equal(tokenIndexAt(tokens, 112), undefined);
});

test('stale or malformed messages are rejected with a sentence; a fitting one passes', () => {
  const run = { uri: 'file:///a.py', runId: 3, tokens };
  assert.equal(attentionRejection(message, run, shape), undefined);
  assert.equal(attentionRejection({ ...message, layer: 6 }, run, shape), 'attention for run 3 rejected: layer 6 does not exist: the model has layers 0–5');
  assert.equal(attentionRejection({ ...message, head: 9 }, run, shape), 'attention for run 3 rejected: head 9 does not exist: each layer has heads 0–5');
  assert.equal(attentionRejection({ ...message, runId: 2 }, run, shape), 'attention for run 2 is stale: the editor shows run 3');
  assert.match(attentionRejection({ ...message, weights: [0.5, 0.5] }, run, shape)!, /one weight per token/);
  assert.match(attentionRejection({ ...message, index: 5, weights: [0.2, 0.2, 0.2, 0.2, 0.1, 0.1] }, run, shape)!, /token 5 is not in the explained text \(5 tokens\)/);
  assert.match(attentionRejection(message, undefined, shape)!, /no explained text is shown/);
});

test('a run in document offsets from the explain message', () => {
  const explain = { runId: 7, tokens: texts.map((text, i) => ({ id: i, text, start: tokens[i]!.start - 100, end: tokens[i]!.end - 100, bytes: '' })) } as unknown as ExplainMessage;
  assert.deepEqual(explainedRun('file:///a.py', 100, explain), { uri: 'file:///a.py', runId: 7, tokens });
});

test('edits before the tokens shift them, after leave them, touching them drops them', () => {
  assert.deepEqual(followEdits(tokens, [{ offset: 0, length: 0, text: 'xx' }])!.map((t) => t.start), [102, 105, 109, 110, 111]);
  assert.deepEqual(followEdits(tokens, [{ offset: 98, length: 2, text: '' }])!.map((t) => t.start), [98, 101, 105, 106, 107]);
  assert.equal(followEdits(tokens, [{ offset: 111, length: 0, text: 'x' }]), tokens);
  assert.equal(followEdits(tokens, [{ offset: 104, length: 1, text: 'F' }]), undefined);
  assert.equal(followEdits(tokens, [{ offset: 99, length: 2, text: '' }]), undefined);
});

test('the showAttention host message: valid, and malformed ones dropped', () => {
  assert.deepEqual(parseHostMessage({ type: 'showAttention', runId: 2, index: 7, extra: 1 }), { type: 'showAttention', runId: 2, index: 7 });
  assert.equal(parseHostMessage({ type: 'showAttention', runId: 0, index: 7 }), undefined);
  assert.equal(parseHostMessage({ type: 'showAttention', runId: 2, index: -1 }), undefined);
  assert.equal(parseHostMessage({ type: 'showAttention', runId: 2, index: 1.5 }), undefined);
  assert.equal(parseHostMessage({ type: 'showAttention', runId: 2 }), undefined);
});
