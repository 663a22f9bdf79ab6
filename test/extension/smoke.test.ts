// Runs inside the real extension host (code-server): VS Code itself is up with the sample workspace.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';

describe('extension host', () => {
  it('runs VS Code 1.100 with the sample workspace open', () => {
    assert.match(vscode.version, /^1\.100\./);
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(folders.map((f) => path.basename(f.uri.path)), ['workspace']);
  });

  it('opens the sample Python file as a text document', async () => {
    const [file] = await vscode.workspace.findFiles('sample.py');
    assert.ok(file, 'sample.py not found in the workspace');
    const document = await vscode.workspace.openTextDocument(file);
    assert.equal(document.languageId, 'python');
    assert.match(document.getText(), /def /);
  });
});
