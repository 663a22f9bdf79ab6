// Untrusted text on VS Code's surfaces: what each surface would render from our output, worked
// out with VS Code 1.100's own patterns (test/harness/vscode-rendering.ts), must be the input as
// written, with no link and no icon.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clippedText, isolatedText, labelText, markdownText, notificationText } from '../../src/untrusted-text';
import { renderLabel, renderNotification } from '../harness/vscode-rendering';

const HOSTILE = [
  '[Click here to repair the model](command:workbench.action.terminal.new)',
  '[run](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%5Cn%22%7D)',
  '[a [nested] label](https://evil.example "title")',
  '[[double]](file:///etc/passwd)',
  'two: [x](command:a) and [y](command:b)',
  '$(alert) $(sync~spin) \\$(escaped) $(not an icon)',
  '**bold** _em_ `code` <a href="command:x">html</a> <img src=x onerror=alert(1)> | a | b |',
  'https://evil.example www.evil.example a@b.example',
];

describe('notificationText', () => {
  test('the command-link payloads render as their literal text, with no link', () => {
    for (const text of HOSTILE) {
      const shown = renderNotification(`LLM Lens: ${notificationText(text)}`);
      assert.deepEqual(shown.links, [], text);
      assert.equal(shown.text, `LLM Lens: ${text}`);
    }
  });

  test('the payloads are links without it (the pattern matches what VS Code makes a link)', () => {
    assert.deepEqual(renderNotification(HOSTILE[0]!).links, ['command:workbench.action.terminal.new']);
    assert.equal(renderNotification(HOSTILE[4]!).links.length, 2);
  });

  test('text without "](" is unchanged', () => {
    for (const text of ['model.safetensors: missing tensor h.6.ln_1.weight', 'a [bracket] and (paren)', '$(alert) stays: notifications draw no icons']) {
      assert.equal(notificationText(text), text);
    }
  });
});

describe('labelText', () => {
  test('icons in untrusted text show as their literal text', () => {
    for (const text of HOSTILE) assert.equal(renderLabel(labelText(text)), text, text);
  });

  test('they are icons without it', () => {
    assert.equal(renderLabel('$(alert) x'), '«icon:alert» x');
  });

  test('text without an icon is unchanged; our own icons stay icons', () => {
    assert.equal(labelText('Selection in a.py, line 3'), 'Selection in a.py, line 3');
    assert.equal(labelText('$(not an icon) and $()'), '$(not an icon) and $()');
    assert.equal(renderLabel(`$(eye) ${labelText('"$(alert)" 40%')}`), '«icon:eye» "$(alert)" 40%');
  });
});

describe('markdownText', () => {
  /** CommonMark: a backslash before ASCII punctuation is that character; entities are their characters. */
  const unescape = (md: string) => md.replace(/\\([!-/:-@[-`{-~])/g, '$1').replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

  test('every character Markdown or HTML acts on is escaped, and the text reads back as written', () => {
    for (const text of HOSTILE) {
      const md = markdownText(text);
      assert.equal(unescape(md), text);
      // Nothing left that starts a link, code, emphasis, HTML, an icon or an autolink.
      assert.doesNotMatch(md.replace(/\\./g, ''), /[[\]()`*_<>|$]|:\/\/|www\./, md);
    }
  });

  test('letters, digits and spaces are kept', () => {
    assert.equal(markdownText('model 7 ok'), 'model 7 ok');
  });
});

describe('isolatedText', () => {
  const FSI = '\u2068';
  const PDI = '\u2069';
  const RLO = '\u202e';

  test('a name with an override is isolated, so the override ends with it', () => {
    assert.equal(isolatedText(`report${RLO}fdp.exe`), `${FSI}report${RLO}fdp.exe${PDI}`);
  });

  test('right-to-left names are isolated; left-to-right ones are left alone', () => {
    assert.equal(isolatedText('שלום.txt'), `${FSI}שלום.txt${PDI}`);
    assert.equal(isolatedText('مرحبا.py'), `${FSI}مرحبا.py${PDI}`);
    for (const name of ['sample.py', 'notes 2024.md', '数据.txt', 'Untitled-1']) assert.equal(isolatedText(name), name);
  });

  test('a PDI in the name cannot close the isolate early; isolates it opens are closed', () => {
    assert.equal(isolatedText(`a${PDI}${RLO}b`), `${FSI}a${RLO}b${PDI}`);
    assert.equal(isolatedText(`a\u2067b`), `${FSI}a\u2067b${PDI}${PDI}`);
    assert.equal(isolatedText(`\u2066a${PDI}${PDI}b`), `${FSI}\u2066a${PDI}b${PDI}`);
  });
});

describe('clippedText', () => {
  test('long text ends in an ellipsis at the limit; short text is unchanged', () => {
    assert.equal(clippedText('x'.repeat(250), 200), `${'x'.repeat(199)}…`);
    assert.equal(clippedText('x'.repeat(200), 200), 'x'.repeat(200));
  });

  test('never half a surrogate pair', () => {
    const clipped = clippedText('😀'.repeat(150), 200);
    assert.ok(clipped.length <= 200);
    assert.equal(clipped, `${'😀'.repeat(99)}…`);
  });
});
