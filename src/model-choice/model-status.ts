// The status bar item that shows the model in use (the bundled one, a folder's, a hub model's)
// and opens Choose Model when clicked. A configured model that could not be used shows a
// warning sign, and the tooltip says why.
import * as vscode from 'vscode';
import type { ResolvedModel } from '../model-location';
import { clippedText, labelText } from '../untrusted-text';

/** A model id or folder name is cut to this many characters in the status bar. */
const MAX_NAME_CHARS = 40;

export class ModelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmLens.model', vscode.StatusBarAlignment.Right, 99);

  constructor() {
    this.item.name = vscode.l10n.t('LLM Lens model');
    this.item.command = 'llmLens.chooseModel';
  }

  show(resolved: ResolvedModel): void {
    const { model, problem, warning } = resolved;
    const icon = problem || warning ? '$(warning)' : '$(hubot)';
    this.item.text = `${icon} ${labelText(clippedText(model.name, MAX_NAME_CHARS))}`;
    const where = model.bundled ? vscode.l10n.t('bundled with LLM Lens') : model.folder.fsPath;
    this.item.tooltip = [vscode.l10n.t('LLM Lens model: {0} ({1})', model.name, where), problem ?? warning, vscode.l10n.t('Click to choose another model.')].filter(Boolean).join('\n');
    this.item.show();
  }

  /** What the item shows now (for the tests). */
  current(): { text: string; tooltip: string } {
    return { text: this.item.text, tooltip: String(this.item.tooltip ?? '') };
  }

  dispose(): void {
    this.item.dispose();
  }
}
