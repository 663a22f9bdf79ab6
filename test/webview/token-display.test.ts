import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/engine/tokenizer';
import { displaySegments, endsLine, quotedToken, spacedHex } from '../../webview-ui/view/token-display';

const shown = (text: string) => displaySegments({ text, bytes: '', partial: false }).map((s) => `${s.kind}:${s.text}`);

describe('whitespace is visible on chips', () => {
  test('spaces, tabs and newlines become glyphs; plain text stays one segment', () => {
    assert.deepEqual(shown(' foo'), ['space:·', 'text:foo']);
    assert.deepEqual(shown('\tx'), ['tab:→', 'text:x']);
    assert.deepEqual(shown('\n'), ['newline:↵']);
    assert.deepEqual(shown('  '), ['space:·', 'space:·']);
  });

  test('CRLF shows both characters', () => {
    assert.deepEqual(shown('\r\n'), ['return:␍', 'newline:↵']);
  });

  test('control and invisible characters are named, never rendered raw', () => {
    assert.deepEqual(shown('\u0000'), ['control:␀']);
    assert.deepEqual(shown('\u001b['), ['control:␛', 'text:[']);
    assert.deepEqual(shown('\u007f'), ['control:␡']);
    assert.deepEqual(shown('\u0085'), ['control:U+0085']);
    assert.deepEqual(shown('a\u200bb'), ['text:a', 'control:ZWSP', 'text:b']);
    assert.deepEqual(shown('\ufeff'), ['control:BOM']);
  });

  test('an empty token is shown as ∅ rather than an invisible chip', () => {
    assert.deepEqual(shown(''), ['control:∅']);
  });

  test('a chip ending in a newline ends the row', () => {
    assert.equal(endsLine({ text: 'x\n', partial: false }), true);
    assert.equal(endsLine({ text: '\n ', partial: false }), false);
  });
});

describe('characters split across tokens show their bytes', () => {
  test('emoji: every partial token shows its UTF-8 bytes', () => {
    const tokens = tokenize('🦜');
    assert.ok(tokens.length > 1, 'the parrot emoji is more than one r50k token');
    for (const token of tokens) {
      assert.equal(token.partial, true);
      const segments = displaySegments(token);
      assert.deepEqual(segments, [{ kind: 'bytes', text: spacedHex(token.bytes) }]);
    }
    assert.equal(tokens.map((t) => spacedHex(t.bytes)).join(' '), 'f0 9f a6 9c');
  });

  test('CJK split across tokens', () => {
    const partial = tokenize('语言模型').filter((t) => t.partial);
    assert.ok(partial.length > 0);
    for (const token of partial) assert.match(displaySegments(token)[0]!.text, /^[0-9a-f]{2}( [0-9a-f]{2})*$/);
  });

  test('spacedHex and quotedToken', () => {
    assert.equal(spacedHex('e4bda0'), 'e4 bd a0');
    assert.equal(spacedHex(''), '');
    assert.equal(quotedToken(' a\n'), '" a\\n"');
    assert.equal(quotedToken('\u0000'), '"\\u0000"');
  });
});
