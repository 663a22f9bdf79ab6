// The LLM Lens hover at a position, as VS Code would show it: the Markdown of the hover whose
// text carries the extension's heading, or undefined when the extension gave none.
import * as vscode from 'vscode';

export async function lensHover(uri: vscode.Uri, position: vscode.Position): Promise<string | undefined> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  for (const hover of hovers) {
    for (const part of hover.contents) {
      const value = typeof part === 'string' ? part : 'value' in part ? part.value : '';
      if (value.includes('**LLM Lens**')) return value;
    }
  }
  return undefined;
}
