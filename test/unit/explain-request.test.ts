import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildExplainMessage, controlCharShare, explainNotes, looksBinary, sourceLabel } from '../../src/commands/explain-request';
import { tokenize } from '../../src/engine/tokenizer';
import { LIMITS, parseHostMessage } from '../../src/protocol';

const counts = { r50k_base: 0, cl100k_base: 0, o200k_base: 0 };
const settings = { topK: 20, temperature: 1, heatMapMode: 'rank' as const };

function message(text: string) {
  const tokens = tokenize(text);
  return buildExplainMessage({ runId: 1, kind: 'selection', fileName: 'a.py', firstLine: 0, lastLine: 2, text, tokens, totalTokens: tokens.length, counts: { ...counts, r50k_base: tokens.length }, modelCount: { tokenizer: 'r50k_base', count: tokens.length }, settings, contextTokens: 512 });
}

describe('the explain message', () => {
  test('labels say what was taken and where', () => {
    assert.equal(sourceLabel('selection', 'a.py', 2, 6), 'Selection in a.py, lines 3–7');
    assert.equal(sourceLabel('selection', 'a.py', 2, 2), 'Selection in a.py, line 3');
    assert.match(sourceLabel('paragraph', 'notes.md', 9, 11), /^Paragraph at the cursor in notes\.md, lines 10–12 \(nothing was selected\)$/);
    assert.equal(sourceLabel('document', 'a.py', 0, 40), 'All of a.py (nothing was selected)');
  });

  test('a right-to-left override in the file name is isolated: it cannot reorder the rest of the label', () => {
    // "gnp.exe" shows as "exe.png" inside the name; the line numbers after it stay as they are.
    assert.equal(sourceLabel('selection', 'photo\u202egnp.exe', 0, 0), 'Selection in \u2068photo\u202egnp.exe\u2069, line 1');
    assert.equal(sourceLabel('document', '\u05e9.txt', 0, 0), 'All of \u2068\u05e9.txt\u2069 (nothing was selected)');
  });

  test('a short text: every token, no notes, and it passes the webview validator', () => {
    const built = message('def add(a, b):\n    return a + b\n');
    assert.equal(built.tokens.length, built.totalTokens);
    assert.equal(built.firstTokenIndex, 0);
    assert.deepEqual(built.notes, []);
    assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify(built))), built);
  });

  test('a very long text: the last tokens only, and the notes say so', () => {
    const text = 'word '.repeat(LIMITS.tokensPerMessage + 100);
    const built = message(text);
    assert.equal(built.tokens.length, LIMITS.tokensPerMessage);
    assert.equal(built.firstTokenIndex + built.tokens.length, built.totalTokens);
    assert.equal(built.tokens.at(-1)!.end, text.length, 'the shown tokens are the last ones');
    assert.equal(built.notes.length, 2);
    assert.match(built.notes[0]!, /panel shows the last 5,000/);
    assert.match(built.notes[1]!, /reads at most 512 tokens at a time: the last 512 get every view, and the tokens before them are scored for the heat map in overlapping windows of 512/);
    assert.ok(parseHostMessage(JSON.parse(JSON.stringify(built))));
  });
});

describe('binary-looking text', () => {
  test('NULs or more than 1% control characters', () => {
    assert.equal(looksBinary('plain text\twith tabs\r\n'), false);
    assert.equal(looksBinary('a\u0000b'), true);
    assert.equal(looksBinary('\u001b[31mred\u001b[0m' + 'x'.repeat(50)), true);
    assert.equal(controlCharShare(''), 0);
  });

  test('the note explains what the panel shows', () => {
    const notes = explainNotes({ text: '\u0000\u0001\u0002PNG', totalTokens: tokenize('\u0000\u0001\u0002PNG').length, contextTokens: 512 });
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /looks binary \(50\.0% control characters\)/);
  });
});
