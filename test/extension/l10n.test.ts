// The extension speaks VS Code's display language: whichever language the suite runs in, the
// strings the user sees come from that language's bundle. code-server --locale zh-cn without a
// Chinese language pack still reports "en" to extensions, so the zh-cn branch runs only where the
// pack is installed; test/unit/l10n-host.test.ts resolves the zh-cn files directly.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'llm-lens.llm-lens';

describe('display language', () => {
  it('host messages come from the bundle for vscode.env.language', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    const language = vscode.env.language.toLowerCase();
    console.log(`display language: ${language}; l10n bundle: ${vscode.l10n.uri?.toString() ?? 'none'}`);
    if (language === 'zh-cn') {
      assert.match(vscode.l10n.uri?.path ?? '', /\/l10n\/bundle\.l10n\.zh-cn\.json$/);
      assert.equal(vscode.l10n.t('Show Log'), '显示日志');
      assert.equal(vscode.l10n.t('Nothing to explain: {0}.', '文档是空的'), '没有可解释的内容：文档是空的。');
    } else {
      assert.equal(vscode.l10n.t('Show Log'), 'Show Log');
      assert.equal(vscode.l10n.t('Nothing to explain: {0}.', 'x'), 'Nothing to explain: x.');
    }
  });

  it('the manifest strings are resolved in that language (command titles)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const explain = (extension.packageJSON.contributes.commands as { command: string; title: string }[]).find((c) => c.command === 'llmLens.explainTokens')!;
    const expected = vscode.env.language.toLowerCase() === 'zh-cn' ? '解释词元 (Explain Tokens)' : 'Explain Tokens';
    assert.equal(explain.title, expected);
  });
});
