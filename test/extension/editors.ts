// Opening and closing editors in the real workbench without racing it. The extension host learns
// which editor is active a moment after the renderer does, and `revertAndCloseActiveEditor`
// acts on whatever the renderer has active: under CI load, acting before the two agree once
// reverted the wrong editor and left an earlier test's document active for the next command.
// Likewise it learns that a closed untitled document is gone a moment later, while the renderer
// may already hand its name (untitled:Untitled-N) to the next new document: once a test's new
// emoji document read as the previous test's text. So closing waits for the host to agree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';

const SETTLE_MS = 10_000;

/** Polls `condition` until it holds; fails naming `what` after `ms`. */
export async function until(condition: () => boolean, what: string, ms = SETTLE_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function textTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText);
}

function hasTab(document: vscode.TextDocument): boolean {
  const uri = document.uri.toString();
  return textTabs().some((t) => (t.input as vscode.TabInputText).uri.toString() === uri);
}

/** Shows `document` and returns once the extension host also sees it as the active editor. */
export async function showActive(document: vscode.TextDocument, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(document, column);
  await until(() => vscode.window.activeTextEditor?.document === document, `${document.uri} active`);
  return editor;
}

const scratchFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-ext-tests-'));
const EXTENSIONS: Record<string, string> = { plaintext: 'txt', python: 'py', markdown: 'md' };
let scratchOpened = 0;

/**
 * A new document holding exactly `content`, shown and active: a file of its own in a scratch
 * folder (lens-test-N.txt/.py/.md), opened as a user opens a file. Not an untitled document: VS Code
 * hands a new one the lowest free "Untitled-N", and under load the extension host has answered
 * such a request with the just-closed document of that name, old text and all (CI: the emoji test
 * read the CRLF test's text). The file's bytes are the text, line endings included.
 */
export async function openScratch(content: string, language = 'plaintext'): Promise<vscode.TextEditor> {
  const extension = EXTENSIONS[language];
  assert.ok(extension, `no scratch file extension for ${language}`);
  const file = path.join(scratchFolder, `lens-test-${++scratchOpened}.${extension}`);
  fs.writeFileSync(file, content);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  assert.equal(document.languageId, language);
  return showActive(document);
}

let untitledOpened = 0;

/**
 * A new untitled document holding `content`, for text VS Code would refuse to open from a file
 * (binary-looking bytes). It is named untitled:lens-untitled-N, a name no other document of this
 * run had, for the reason openScratch gives; its text arrives as an edit.
 */
export async function openUntitled(content: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `lens-untitled-${++untitledOpened}` });
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), content);
  assert.ok(await vscode.workspace.applyEdit(edit), `could not fill ${uri}`);
  return showActive(document);
}

/** Closes `document`'s editor, discarding its changes (nothing is saved, nothing asks). */
export async function discard(document: vscode.TextDocument): Promise<void> {
  if (!hasTab(document)) return;
  await showActive(document);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await until(() => !hasTab(document), `${document.uri} closed`);
  await untitledReleased([document]);
}

/** Waits until the extension host has let go of these documents where they are untitled, so their names are free. */
async function untitledReleased(documents: readonly vscode.TextDocument[]): Promise<void> {
  const untitled = documents.filter((d) => d.isUntitled);
  await until(() => untitled.every((d) => d.isClosed), `${untitled.map((d) => d.uri).join(', ')} released`);
}

/** Closes every text editor; edited and untitled text is discarded, never saved. */
export async function closeTextEditors(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) await discard(document);
  const shown = vscode.workspace.textDocuments.filter(hasTab);
  await vscode.window.tabGroups.close(textTabs());
  await until(() => textTabs().length === 0, 'no text editors');
  await untitledReleased(shown);
}
