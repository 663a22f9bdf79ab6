// "Insert into editor" from the Generate tab: adds the generated text at the end of the explained
// range of the run it continues (see insertion-point.ts), with one WorkspaceEdit that inserts
// only: no other text changes. Keeps that end up to date while the document is edited.
import * as vscode from 'vscode';
import type { InsertTextMessage } from '../protocol';
import { insertionPoint, shiftOffset, type ExplainedEnd } from './insertion-point';

/** The last explained run, as Explain Tokens reports it (lastOutcome()). */
export interface ExplainedRun {
  runId?: number;
  uri?: string;
  end?: number;
}

export class GeneratedTextInserter implements vscode.Disposable {
  private tracked: ExplainedEnd | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly lastRun: () => ExplainedRun | undefined) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      const tracked = this.current();
      if (!tracked || event.document.uri.toString() !== tracked.uri) return;
      // contentChanges do not overlap and each offset refers to the document before the event;
      // applied from the last to the first, earlier ones stay valid.
      const changes = [...event.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
      for (const c of changes) tracked.end = shiftOffset(tracked.end, { start: c.rangeOffset, removed: c.rangeLength, inserted: c.text.length });
    });
  }

  /** The tracked end, restarted from the report whenever a newer run finished. */
  private current(): ExplainedEnd | undefined {
    const run = this.lastRun();
    if (run?.runId === undefined || run.uri === undefined || run.end === undefined) return this.tracked;
    if (this.tracked?.runId !== run.runId) this.tracked = { runId: run.runId, uri: run.uri, end: run.end };
    return this.tracked;
  }

  /** Inserts the message's text; returns what to tell the user, or undefined when all went as expected. */
  async insert(message: InsertTextMessage): Promise<{ warning?: string; info?: string }> {
    const documents = vscode.workspace.textDocuments.filter((d) => !d.isClosed);
    const editor = vscode.window.activeTextEditor;
    const point = insertionPoint(
      message.runId,
      this.current(),
      documents.map((d) => ({ uri: d.uri.toString(), length: d.getText().length })),
      editor ? { uri: editor.document.uri.toString(), offset: editor.document.offsetAt(editor.selection.active) } : undefined,
    );
    if (point.kind === 'none') return { warning: vscode.l10n.t('The explained document is closed and no editor is open: open one, then try again.') };
    const document = documents.find((d) => d.uri.toString() === point.uri)!;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, document.positionAt(point.offset), message.text);
    if (!(await vscode.workspace.applyEdit(edit))) return { warning: vscode.l10n.t('The editor refused the edit (is the file read-only?).') };
    return point.kind === 'cursor' ? { info: vscode.l10n.t('The explained document is closed: inserted the generated text at the cursor.') } : {};
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
