// The extension speaks VS Code's display language: the strings the user sees come from that
// language's bundle. The suite runs in English; scripts/test.sh runs this file a second time with
// LLM_LENS_TEST_LOCALE=zh-cn (code-server --locale zh-cn with an empty language pack, see
// test/harness/code-server.ts), and each run first checks that VS Code really is in the language
// asked for, so that neither branch can pass by running the other.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lensHover } from './lens-hover';

const EXTENSION_ID = 'llm-lens.llm-lens';
/** The display language this run was started with (scripts/test.sh, test/harness/run-extension-suite.ts). */
const LANGUAGE = (process.env.LLM_LENS_TEST_LOCALE || 'en').toLowerCase();
const chinese = LANGUAGE === 'zh-cn';

describe('display language', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  it('is the language the run asked for', () => {
    console.log(`display language: ${vscode.env.language}; l10n bundle: ${vscode.l10n.uri?.toString() ?? 'none'}`);
    assert.equal(vscode.env.language.toLowerCase(), LANGUAGE);
  });

  it('host messages come from the bundle for that language', () => {
    if (chinese) {
      assert.match(vscode.l10n.uri?.path ?? '', /\/l10n\/bundle\.l10n\.zh-cn\.json$/);
      assert.equal(vscode.l10n.t('Show Log'), '显示日志');
      assert.equal(vscode.l10n.t('Nothing to explain: {0}.', '文档是空的'), '没有可解释的内容：文档是空的。');
    } else {
      assert.equal(vscode.l10n.uri, undefined, 'English needs no bundle');
      assert.equal(vscode.l10n.t('Show Log'), 'Show Log');
      assert.equal(vscode.l10n.t('Nothing to explain: {0}.', 'x'), 'Nothing to explain: x.');
    }
  });

  it('the manifest strings are resolved in that language (command titles)', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const explain = (extension.packageJSON.contributes.commands as { command: string; title: unknown }[]).find((c) => c.command === 'llmLens.explainTokens')!;
    // Outside English, VS Code keeps the English title beside the translated one (for search).
    const expected = chinese ? { value: '解释词元 (Explain Tokens)', original: 'Explain Tokens' } : 'Explain Tokens';
    assert.deepEqual(explain.title, expected);
  });

  it('the hover speaks it', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'The quick brown fox jumps over the lazy dog.' });
    const markdown = await lensHover(document.uri, new vscode.Position(0, 5));
    assert.ok(markdown, 'no LLM Lens hover');
    const heading = chinese ? /^下一个词元（温度 \(temperature\) 1，熵 \(entropy\) \d+\.\d\d 比特）：$/m : /^Next token \(temperature 1, entropy \d+\.\d\d bits\):$/m;
    assert.match(markdown, heading);
  });
});
