// "Insert into editor" from the Generate tab: adds the generated text at the end of the active
// editor's selection (where an explained selection ends, or the cursor) with one WorkspaceEdit
// that inserts only: no other text changes.
import * as vscode from 'vscode';

export async function insertGeneratedText(text: string): Promise<string | undefined> {
  const editor = vscode.window.visibleTextEditors.find((e) => e === vscode.window.activeTextEditor) ?? vscode.window.visibleTextEditors[0];
  if (!editor) return vscode.l10n.t('Open the editor to insert into, then try again.');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(editor.document.uri, editor.selection.end, text);
  const applied = await vscode.workspace.applyEdit(edit);
  return applied ? undefined : vscode.l10n.t('The editor refused the edit (is the file read-only?).');
}
