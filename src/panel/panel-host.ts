// Owns the (single) Explain Tokens panel: opens it on demand, reuses it while it lives, and
// forwards setting changes to it.
import * as vscode from 'vscode';
import type { BackendPreference } from '../engine/types';
import type { Reporter } from '../log';
import type { AttentionMessage, InsertTextMessage, ViewSettings } from '../protocol';
import { ExplainPanel } from './explain-panel';

export class PanelHost implements vscode.Disposable {
  private panel: ExplainPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly reporter: Reporter,
    /** Receives every attention row a panel sends. */
    private readonly onAttention?: (message: AttentionMessage) => void,
    /** Receives every request to insert generated text. */
    private readonly onInsertText?: (message: InsertTextMessage) => void,
  ) {}

  get current(): ExplainPanel | undefined {
    return this.panel;
  }

  open(backend: BackendPreference, settings: ViewSettings): ExplainPanel {
    if (this.panel) {
      this.panel.updateBackend(backend);
      this.panel.updateSettings(settings);
      this.panel.reveal();
      return this.panel;
    }
    const panel = new ExplainPanel({ extensionUri: this.extensionUri, reporter: this.reporter, backend, settings, onAttention: this.onAttention, onInsertText: this.onInsertText });
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
