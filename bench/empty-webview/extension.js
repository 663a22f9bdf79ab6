// The least any webview panel costs in a fresh window: created beside the editor as LLM Lens's
// panel is, one nonce script that asks the extension for the selected text and draws it as one
// `.chip`. bench/panel-cold.ts times this the way it times Explain Tokens.
const crypto = require('node:crypto');
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('llmLensBench.emptyWebview', () => {
      const editor = vscode.window.activeTextEditor;
      const text = editor ? editor.document.getText(editor.selection) : '';
      const panel = vscode.window.createWebviewPanel('llmLensBench.emptyWebview', 'Empty webview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] });
      panel.webview.onDidReceiveMessage((message) => {
        if (message === 'ready') void panel.webview.postMessage({ text });
      });
      const nonce = crypto.randomBytes(18).toString('base64');
      panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
</head><body><script nonce="${nonce}">
const vscode = acquireVsCodeApi();
addEventListener('message', (event) => {
  const chip = document.createElement('span');
  chip.className = 'chip';
  chip.textContent = event.data.text;
  document.body.append(chip);
});
vscode.postMessage('ready');
</script></body></html>`;
    }),
  );
};

exports.deactivate = () => {};
