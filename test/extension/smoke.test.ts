// Runs inside the real extension host (code-server): VS Code is up with the sample workspace, and
// LLM Lens activates with every command its manifest contributes.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { showActive } from './editors';

const EXTENSION_ID = 'llm-lens.llm-lens';

interface ContributedCommand {
  command: string;
  title: string;
}

describe('extension host', () => {
  it('runs VS Code 1.100 with the sample workspace open', () => {
    assert.match(vscode.version, /^1\.100\./);
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(folders.map((f) => path.basename(f.uri.path)), ['workspace']);
  });
});

describe('LLM Lens smoke', () => {
  it('activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command its manifest contributes', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (extension.packageJSON.contributes.commands as ContributedCommand[]).map((c) => c.command);
    assert.ok(contributed.includes('llmLens.explainTokens'), `contributed commands: ${contributed.join(', ')}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  it('Explain Tokens on a selection opens a webview panel', async () => {
    const [file] = await vscode.workspace.findFiles('sample.py');
    assert.ok(file, 'sample.py not found in the workspace');
    const editor = await showActive(await vscode.workspace.openTextDocument(file));
    assert.equal(editor.document.languageId, 'python');
    const line = editor.document.lineAt(12); // "def fibonacci(n):"
    assert.match(line.text, /^def fibonacci/);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const webviewTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    const before = webviewTabs().length;
    await vscode.commands.executeCommand('llmLens.explainTokens');
    assert.equal(webviewTabs().length, before + 1, 'no new webview tab');
  });
});
