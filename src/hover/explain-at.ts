// The hover's "Open in the LLM Lens panel" link: puts the cursor on the hovered token and runs
// Explain Tokens there (with no selection it explains the paragraph around the cursor).
import * as vscode from 'vscode';

export async function explainAt(uriArg: unknown, offsetArg: unknown, explain: () => Promise<unknown>, warn: (message: string) => void): Promise<void> {
  if (typeof uriArg !== 'string' || typeof offsetArg !== 'number' || !Number.isInteger(offsetArg) || offsetArg < 0) {
    warn(`llmLens.explainAt: expected [document URI, offset], got ${JSON.stringify([uriArg, offsetArg])}`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uriArg));
  const editor = await vscode.window.showTextDocument(document);
  const position = document.positionAt(offsetArg);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position));
  await explain();
}
