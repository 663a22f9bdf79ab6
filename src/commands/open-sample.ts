// The walkthrough's first step: opens the bundled sample text as an untitled document, so the
// user can select, explain and edit it without touching the installed extension's files.
import * as vscode from 'vscode';

const SAMPLE = ['media', 'walkthrough', 'sample.md'];

export async function openSample(extensionUri: vscode.Uri): Promise<vscode.TextEditor> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...SAMPLE));
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: new TextDecoder().decode(bytes) });
  return vscode.window.showTextDocument(document);
}
