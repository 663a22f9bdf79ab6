// "Show Attention From Here" as one unit for extension.ts: the editor painter, the controller
// that checks and shows the panel's attention rows, and the command. The model's shape is that
// of the panel's model, asked for when a row arrives.
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../commands/explain-tokens';
import type { Reporter } from '../log';
import type { PanelHost } from '../panel/panel-host';
import type { AttentionMessage, AttentionShape, ExplainMessage } from '../protocol';
import { AttentionController } from './attention-controller';
import { AttentionDecorations, type AttentionSnapshot } from './attention-decorations';
import { showAttentionFromCursor, type ShowAttentionOutcome } from './show-attention';

export const SHOW_ATTENTION_COMMAND = 'llmLens.showAttention';

export interface AttentionCommandSources {
  panels: PanelHost;
  explain: () => Promise<ExplainOutcome>;
  lastExplainOutcome: () => ExplainOutcome | undefined;
}

export class AttentionFeature implements vscode.Disposable {
  private readonly painter = new AttentionDecorations();
  private readonly controller: AttentionController;

  constructor(
    modelShape: () => AttentionShape | string,
    private readonly reporter: Reporter,
  ) {
    this.controller = new AttentionController(this.painter, reporter, async () => modelShape());
  }

  /** An attention row from the panel. */
  receive(message: AttentionMessage): void {
    void this.controller.receive(message);
  }

  /** Explain Tokens started showing a run. */
  runShown(document: vscode.TextDocument, documentStart: number, message: ExplainMessage): void {
    this.controller.runShown(document, documentStart, message);
  }

  clear(): void {
    this.painter.clear();
  }

  snapshot(uri: vscode.Uri): AttentionSnapshot | undefined {
    return this.painter.snapshot(uri);
  }

  registerCommand(sources: AttentionCommandSources): vscode.Disposable {
    return vscode.commands.registerCommand(SHOW_ATTENTION_COMMAND, (): Promise<ShowAttentionOutcome> =>
      showAttentionFromCursor({
        ...sources,
        controller: this.controller,
        reporter: this.reporter,
        snapshot: (uri) => this.painter.snapshot(uri),
      }),
    );
  }

  dispose(): void {
    this.controller.dispose();
    this.painter.dispose();
  }
}
