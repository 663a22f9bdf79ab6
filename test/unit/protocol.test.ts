import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisMismatch, clipMessage, LIMITS, parseHostMessage, parseWebviewMessage, type AnalysisMessage, type ExplainMessage } from '../../src/protocol';
import { tokenize } from '../../src/engine/tokenizer';
import { clippedText } from '../../src/untrusted-text';

const settings = { topK: 20, temperature: 1, heatMapMode: 'rank' };
const tokens = tokenize('hello world');
const explain = {
  type: 'explain',
  runId: 3,
  source: { kind: 'selection', label: 'Selection in a.txt, line 1' },
  tokens,
  firstTokenIndex: 0,
  totalTokens: tokens.length,
  totalChars: 11,
  counts: { r50k_base: 2, cl100k_base: 2, o200k_base: 2 },
  modelCount: { tokenizer: 'r50k_base', count: 2 },
  notes: [],
  settings,
};
/** The run `explain` describes, and none. */
const RUN = { chars: 11, tokens: tokens.length };
const NO_RUN = { chars: 0, tokens: 0 };
const analysis = {
  type: 'analysis',
  runId: 3,
  model: 'tiny-gpt2-software',
  backend: { name: 'wasm', reason: 'WASM was requested.', threads: 1 },
  scores: [{ index: 1, start: 5, end: 11, logprob: -2.5, rank: 4 }],
  predictions: [
    { index: 0, top: [[995, -2.1], [11, -2.4]], entropy: 4.2 },
    { index: 1, top: [[13, -1.0], [0, -1.9]], entropy: 3.1 },
  ],
  keptTokens: 2,
  droppedTokens: 0,
  timings: { loadMs: 1200, analyzeMs: 80 },
};

describe('host → webview messages', () => {
  test('valid init, explain and settings pass', () => {
    const init = { type: 'init', modelName: 'm', model: { configUri: 'https://r/c.json', weights: [{ name: 'model.safetensors', uri: 'https://r/w' }] }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings };
    assert.deepEqual(parseHostMessage(init), init);
    assert.deepEqual(parseHostMessage(explain), explain);
    assert.deepEqual(parseHostMessage({ type: 'settings', settings }), { type: 'settings', settings });
  });

  test('init carries VS Code’s display language; a non-text or overlong one is refused', () => {
    const init = { type: 'init', modelName: 'm', model: { configUri: 'https://r/c.json', weights: [{ name: 'model.safetensors', uri: 'https://r/w' }] }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings };
    assert.deepEqual(parseHostMessage({ ...init, language: 'zh-cn' }), { ...init, language: 'zh-cn' });
    assert.deepEqual(parseHostMessage({ ...init, language: 'en' }), { ...init, language: 'en' });
    assert.equal(parseHostMessage({ ...init, language: 7 }), undefined);
    assert.equal(parseHostMessage({ ...init, language: 'x'.repeat(36) }), undefined);
  });

  test('every malformed field is refused', () => {
    const bad: unknown[] = [
      null,
      'explain',
      { type: 'nope' },
      { type: 'init', modelName: 'm', model: { configUri: 'https://r/c.json', weights: [] }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings },
      { type: 'init', modelName: 'm', model: { configUri: 'https://r/c.json', weights: [{ name: 'x', uri: 'https://r/w' }], tokenizerUri: 'file:///etc/passwd' }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings },
      { type: 'init', modelName: 'm', model: { configUri: 'javascript:alert(1)', weights: [{ name: 'model.safetensors', uri: 'https://r/w' }] }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings },
      { ...explain, runId: 0 },
      { ...explain, runId: 1.5 },
      { ...explain, totalTokens: 99 },
      { ...explain, tokens: [{ ...tokens[0], end: 999 }, tokens[1]] },
      { ...explain, tokens: [{ ...tokens[0], bytes: 'zz' }, tokens[1]] },
      { ...explain, tokens: [{ ...tokens[0], start: 3, end: 2 }, tokens[1]] },
      { ...explain, counts: { r50k_base: 2, cl100k_base: -1, o200k_base: 2 } },
      { ...explain, modelCount: undefined },
      { ...explain, modelCount: { tokenizer: 'qwen3', count: -1 } },
      { ...explain, tokens: [{ ...tokens[0], special: true }, tokens[1]] },
      { ...explain, source: { kind: 'file', label: 'x' } },
      { ...explain, notes: ['x'.repeat(LIMITS.noteChars + 1)] },
      { ...explain, settings: { ...settings, temperature: 0 } },
      { ...explain, settings: { ...settings, topK: 101 } },
      { ...explain, settings: { ...settings, heatMapMode: 'loud' } },
      { type: 'settings', settings: { ...settings, temperature: Number.NaN } },
    ];
    for (const message of bad) assert.equal(parseHostMessage(message), undefined, JSON.stringify(message));
  });
});

describe('webview → host messages', () => {
  test('valid messages pass', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }, NO_RUN), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage(analysis, RUN), analysis);
    assert.deepEqual(parseWebviewMessage({ type: 'runFailed', runId: 3, message: 'x' }, NO_RUN), { type: 'runFailed', runId: 3, message: 'x' });
    assert.deepEqual(parseWebviewMessage({ type: 'log', level: 'warn', message: 'x' }, NO_RUN), { type: 'log', level: 'warn', message: 'x' });
  });

  test('scores outside the run, positive log-probabilities, ranks below 1 and unknown levels are refused', () => {
    const bad: unknown[] = [
      { ...analysis, scores: [{ ...analysis.scores[0], end: 12 }] },
      { ...analysis, scores: [{ ...analysis.scores[0], logprob: 0.1 }] },
      { ...analysis, scores: [{ ...analysis.scores[0], rank: 0 }] },
      { ...analysis, scores: [{ ...analysis.scores[0], index: -1 }] },
      { ...analysis, backend: { name: 'cuda', reason: '' } },
      { ...analysis, timings: { loadMs: -1, analyzeMs: 1 } },
      { ...analysis, keptTokens: 0 },
      { ...analysis, predictions: undefined },
      { ...analysis, predictions: [{ index: 0, top: [[995, 0.5]], entropy: 1 }] },
      { ...analysis, predictions: [{ index: 0, top: [[995]], entropy: 1 }] },
      { ...analysis, predictions: [{ index: 0, top: [[-1, -1]], entropy: 1 }] },
      { ...analysis, predictions: [{ index: 0, top: [], entropy: -1 }] },
      { ...analysis, predictions: [...analysis.predictions, analysis.predictions[0]] },
      { type: 'log', level: 'debug', message: 'x' },
      { type: 'log', level: 'info', message: 'x'.repeat(LIMITS.messageChars + 1) },
      { type: 'runFailed', runId: '3', message: 'x' },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message, RUN), undefined, JSON.stringify(message));
  });

  test('scores of earlier windows: within the run, done ≤ total ≤ its tokens, no holes', () => {
    const scores = { type: 'scores', runId: 3, scores: analysis.scores, done: 1, total: 1 };
    assert.deepEqual(parseWebviewMessage(scores, RUN), scores);
    const bad: unknown[] = [
      { ...scores, runId: 0 },
      { ...scores, done: 2 },
      { ...scores, done: 0 },
      { ...scores, total: RUN.tokens + 1, done: 1 },
      { ...scores, scores: [{ ...analysis.scores[0], end: 12 }] },
      { ...scores, scores: [{ ...analysis.scores[0], logprob: 1 }] },
      { ...scores, scores: [analysis.scores[0], analysis.scores[0]] },
      // eslint-disable-next-line no-sparse-arrays
      { ...scores, scores: [, analysis.scores[0]] },
      { ...scores, scores: 'all' },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message, RUN), undefined, JSON.stringify(message));
  });

  test('clipMessage keeps messages within the validator limit', () => {
    const clipped = clipMessage('e'.repeat(LIMITS.messageChars * 2));
    assert.equal(clipped.length, LIMITS.messageChars);
    assert.ok(parseWebviewMessage({ type: 'log', level: 'error', message: clipped }, NO_RUN));
  });
});

describe('insertText (Generate tab → host)', () => {
  test('a run id and non-empty text pass, exactly as sent', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'insertText', runId: 2, text: ' the list.\n' }, NO_RUN), { type: 'insertText', runId: 2, text: ' the list.\n' });
    assert.deepEqual(parseWebviewMessage({ type: 'insertText', runId: 2, text: 'x', extra: 1 }, NO_RUN), { type: 'insertText', runId: 2, text: 'x' }, 'unknown fields are dropped');
  });

  test('no run id, empty, non-text or huge text is refused', () => {
    const bad = [
      { type: 'insertText', text: 'x' },
      { type: 'insertText', runId: 0, text: 'x' },
      { type: 'insertText', runId: 1.5, text: 'x' },
      { type: 'insertText', runId: 2, text: '' },
      { type: 'insertText', runId: 2, text: 42 },
      { type: 'insertText', runId: 2, text: 'x'.repeat(LIMITS.messageChars * 10 + 1) },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message, NO_RUN), undefined, JSON.stringify(message).slice(0, 80));
  });
});

describe('an analysis must answer its run', () => {
  const run = explain as unknown as ExplainMessage;
  const answer = analysis as unknown as AnalysisMessage;

  test('scores that name the run\'s tokens with their offsets fit', () => {
    assert.equal(analysisMismatch(answer, run), undefined);
  });

  test('an index past the tokens, or offsets of another token, do not', () => {
    assert.match(analysisMismatch({ ...answer, scores: [{ ...answer.scores[0]!, index: 2 }] }, run)!, /token 2 of 2/);
    assert.match(analysisMismatch({ ...answer, scores: [{ ...answer.scores[0]!, start: 4 }] }, run)!, /spans 5–11, the score says 4–11/);
  });
});

describe('arrays with holes and lists longer than the run', () => {
  // every() skips holes, so a sparse array of any length passed an every()-based check.
  const holes = (length: number) => Object.assign([], { length });
  const sparse = <T>(items: T[], hole: number): T[] => {
    const out = [...items];
    delete out[hole];
    return out;
  };

  test('a hole in any list of a host message is refused', () => {
    const bad: unknown[] = [
      { ...explain, tokens: sparse(tokens, 0) },
      { ...explain, tokens: holes(2) },
      { ...explain, notes: holes(3) },
      { ...explain, notes: ['a', , 'c'] },
    ];
    for (const message of bad) assert.equal(parseHostMessage(message), undefined, JSON.stringify(message));
  });

  test('a hole in any list of a webview message is refused', () => {
    const attention = { type: 'attention', runId: 2, index: 3, layer: 0, head: 0, firstIndex: 1, weights: [0.5, 0.25, 0.25] };
    const bad: unknown[] = [
      { ...analysis, scores: holes(1) },
      { ...analysis, predictions: sparse(analysis.predictions, 1) },
      { ...analysis, predictions: holes(2) },
      { ...analysis, predictions: [{ ...analysis.predictions[0], top: [[995, -2.1], , [11, -2.4]] }] },
      { ...analysis, predictions: [{ ...analysis.predictions[0], top: holes(3) }] },
      { ...attention, weights: [0.5, , 0.25] },
      { ...attention, weights: holes(3) },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message, { chars: 100, tokens: 100 }), undefined, JSON.stringify(message));
    assert.ok(parseWebviewMessage(attention, { chars: 100, tokens: 100 }), 'the same message without holes passes');
  });

  test('an analysis holds at most one score per token the run sent (but the first) and one prediction per token', () => {
    const score = (index: number) => ({ index, start: 0, end: 0, logprob: -1, rank: 1 });
    const manyScores = { ...analysis, keptTokens: 5000, scores: Array.from({ length: 4999 }, (_, i) => score(i + 1)), predictions: [] };
    assert.equal(parseWebviewMessage(manyScores, RUN), undefined, 'keptTokens above the run’s 2 tokens');
    assert.equal(parseWebviewMessage({ ...analysis, scores: [score(1), score(1)] }, RUN), undefined, 'two scores for a 2-token run');
    assert.equal(parseWebviewMessage({ ...analysis, keptTokens: 3 }, RUN), undefined);
    assert.deepEqual(parseWebviewMessage(analysis, RUN), analysis, 'the run’s own analysis passes');
  });

  test('the host’s clipped model name is one the panel takes; the unclipped one is not', () => {
    const init = { type: 'init', model: { configUri: 'https://r/c.json', weights: [{ name: 'model.safetensors', uri: 'https://r/w' }] }, wasmUri: 'https://r/o.wasm', engineUri: 'https://r/e.js', backend: 'auto', settings };
    const folderName = 'm'.repeat(255);
    assert.equal(parseHostMessage({ ...init, modelName: folderName }), undefined);
    const clipped = clippedText(folderName, LIMITS.modelNameChars);
    assert.equal(parseHostMessage({ ...init, modelName: clipped })?.type, 'init');
  });
});

describe('the panel asking the host’s model worker (engineCall / engineAnswer / engineProgress)', () => {
  const none = { chars: 0, tokens: 0 };
  test('a call names a known method with at most four arguments; anything else is refused', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'engineCall', id: 3, method: 'analyze', args: [[1, 2], { topK: 5 }] }, none), { type: 'engineCall', id: 3, method: 'analyze', args: [[1, 2], { topK: 5 }] });
    assert.ok(parseWebviewMessage({ type: 'engineCall', id: 1, method: 'load', args: [] }, none));
    assert.ok(parseWebviewMessage({ type: 'engineCall', id: 2, method: 'attentionLayer', args: [[1, 2], 0] }, none));
    for (const bad of [
      { type: 'engineCall', id: 0, method: 'analyze', args: [] },
      { type: 'engineCall', id: 1, method: 'dispose', args: [] },
      { type: 'engineCall', id: 1, method: 'constructor', args: [] },
      { type: 'engineCall', id: 1, method: 'analyze', args: [1, 2, 3, 4, 5] },
      { type: 'engineCall', id: 1, method: 'analyze', args: 'ids' },
      { type: 'engineCall', id: 1, method: 'analyze', args: Object.assign([], { length: 2 }) },
    ]) {
      assert.equal(parseWebviewMessage(bad, none), undefined, JSON.stringify(bad));
    }
  });

  test('an answer carries a value, the backend and token texts, or a failure message; progress is a known stage', () => {
    const backend = { name: 'wasm', reason: 'r', threads: 1, host: true };
    const answer = { type: 'engineAnswer', id: 4, ok: true, value: { any: 'shape' }, backend, tokens: [[7, { text: '(', bytes: '28', partial: false }]] };
    assert.deepEqual(parseHostMessage(answer), answer);
    assert.deepEqual(parseHostMessage({ type: 'engineAnswer', id: 4, ok: false, message: 'layer 9 is out of range' }), { type: 'engineAnswer', id: 4, ok: false, message: 'layer 9 is out of range' });
    assert.deepEqual(parseHostMessage({ type: 'engineProgress', progress: { stage: 'fetching', received: 10, total: 20 } }), { type: 'engineProgress', progress: { stage: 'fetching', received: 10, total: 20 } });
    for (const bad of [
      { ...answer, id: -1 },
      { ...answer, backend: { ...backend, host: 'yes' } },
      { ...answer, tokens: [[7, { text: '(' }]] },
      { ...answer, tokens: [['7', { text: '(', bytes: '28', partial: false }]] },
      { type: 'engineAnswer', id: 4, ok: true, backend, tokens: [] },
      { type: 'engineAnswer', id: 4, ok: false, message: 'x'.repeat(LIMITS.messageChars + 1) },
      { type: 'engineProgress', progress: { stage: 'compiling' } },
      { type: 'engineProgress', progress: { stage: 'fetching', received: -1 } },
    ]) {
      assert.equal(parseHostMessage(bad), undefined, JSON.stringify(bad).slice(0, 120));
    }
  });
});
