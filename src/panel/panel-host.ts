// Owns the (single) Explain Tokens panel: opens it on demand, reuses it while it lives, and
// forwards setting changes to it.
import * as vscode from 'vscode';
import type { BackendPreference, WeightPreference } from '../engine/types';
import type { Reporter } from '../log';
import type { ModelLocation } from '../model-location';
import type { AttentionMessage, InsertTextMessage, ScoresMessage, ViewSettings } from '../protocol';
import { ExplainPanel, type HostModel } from './explain-panel';

export class PanelHost implements vscode.Disposable {
  private panel: ExplainPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly reporter: Reporter,
    /** Receives every attention row a panel sends. */
    private readonly onAttention?: (message: AttentionMessage) => void,
    /** Receives every request to insert generated text. */
    private readonly onInsertText?: (message: InsertTextMessage) => void,
    /** Receives the scores of earlier tokens (texts longer than the model's context). */
    private readonly onScores?: (message: ScoresMessage) => void,
    /** The host's model worker, offered to each panel (see PanelOptions.hostModel). */
    private readonly hostModel?: HostModel,
  ) {}

  get current(): ExplainPanel | undefined {
    return this.panel;
  }

  open(backend: BackendPreference, settings: ViewSettings, model: ModelLocation, weights: WeightPreference = 'auto'): ExplainPanel {
    if (this.panel && this.panel.model.folder.toString() !== model.folder.toString()) {
      // The page has the old model loaded, and may read only the old model's folder.
      this.reporter.info(`the model is now ${model.folder.fsPath}: reopening the panel`);
      this.panel.dispose();
      this.panel = undefined;
    }
    if (this.panel) {
      this.panel.updateBackend(backend, weights);
      this.panel.updateSettings(settings);
      this.panel.reveal();
      return this.panel;
    }
    const panel = new ExplainPanel({ extensionUri: this.extensionUri, reporter: this.reporter, backend, weights, settings, model, onAttention: this.onAttention, onInsertText: this.onInsertText, onScores: this.onScores, hostModel: this.hostModel });
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
  }
}
