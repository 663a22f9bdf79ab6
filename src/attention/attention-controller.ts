// Receives attention rows from the panel (a click there, or the answer to "Show Attention From
// Here"), checks them against the run the editor holds and the model's shape, and shows them:
// editor shading, a status bar line and a line in the output channel. Holds the latest
// explained run, kept on its text through edits.
import * as vscode from 'vscode';
import type { Reporter } from '../log';
import type { AttentionMessage, AttentionShape, ExplainMessage } from '../protocol';
import type { AttentionDecorations } from './attention-decorations';
import { shadeAttention, type AttentionShading } from './attention-shading';
import { attentionRejection, explainedRun, followEdits, type ExplainedRun } from './explained-run';
import { labelText } from '../untrusted-text';

const STATUS_MS = 15_000;

export type AttentionResult = { ok: true; shading: AttentionShading } | { ok: false; problem: string };

interface Waiter {
  runId: number;
  index: number;
  settle: (result: AttentionResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class AttentionController implements vscode.Disposable {
  private run: ExplainedRun | undefined;
  private waiters: Waiter[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly painter: AttentionDecorations,
    private readonly reporter: Reporter,
    private readonly modelShape: () => Promise<AttentionShape | string>,
  ) {
    this.subscriptions = [vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event))];
  }

  /** Explain Tokens showed a new run: older shading no longer matches what the panel shows. */
  runShown(document: vscode.TextDocument, documentStart: number, message: ExplainMessage): void {
    this.run = explainedRun(document.uri.toString(), documentStart, message);
    this.painter.clear();
    this.settleAll({ ok: false, problem: `a new Explain Tokens run (${message.runId}) replaced the one asked about` });
  }

  /** The run the editor holds for this document, when it is still on its text. */
  runOf(uri: vscode.Uri): ExplainedRun | undefined {
    return this.run?.uri === uri.toString() ? this.run : undefined;
  }

  /** Resolves with the panel's answer for (runId, index), or a problem after `timeoutMs`. */
  expect(runId: number, index: number, timeoutMs: number): Promise<AttentionResult> {
    return new Promise((settle) => {
      const waiter: Waiter = {
        runId,
        index,
        settle,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          settle({ ok: false, problem: `the panel did not send the attention of token ${index} within ${timeoutMs / 1000} s` });
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** An attention message from the panel (already type-checked by parseWebviewMessage). */
  async receive(message: AttentionMessage): Promise<AttentionResult> {
    const result = await this.apply(message);
    if (!result.ok) this.reporter.warn(result.problem);
    const answered = this.waiters.filter((w) => w.runId === message.runId && w.index === message.index);
    this.waiters = this.waiters.filter((w) => !answered.includes(w));
    for (const waiter of answered) {
      clearTimeout(waiter.timer);
      waiter.settle(result);
    }
    return result;
  }

  private async apply(message: AttentionMessage): Promise<AttentionResult> {
    const shape = await this.modelShape();
    if (typeof shape === 'string') return { ok: false, problem: `attention not shown: ${shape}` };
    const run = this.run;
    const problem = attentionRejection(message, run, shape);
    if (problem || !run) return { ok: false, problem: problem ?? 'no explained run' };
    const shading = shadeAttention(message, run.tokens);
    this.painter.show(vscode.Uri.parse(run.uri), shading);
    this.reporter.info(`run ${run.runId}, token ${message.index}: ${shading.summary}`);
    // The summary quotes the document's tokens: a `$(name)` there is text, not an icon.
    vscode.window.setStatusBarMessage(`$(eye) ${labelText(shading.summary)}`, STATUS_MS);
    return { ok: true, shading };
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const run = this.run;
    if (!run || event.document.uri.toString() !== run.uri || event.contentChanges.length === 0) return;
    const tokens = followEdits(
      run.tokens,
      event.contentChanges.map((change) => ({ offset: change.rangeOffset, length: change.rangeLength, text: change.text })),
    );
    this.run = tokens ? { ...run, tokens } : undefined;
  }

  private settleAll(result: AttentionResult): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.settle(result);
    }
    this.waiters = [];
  }

  dispose(): void {
    this.settleAll({ ok: false, problem: 'LLM Lens was deactivated' });
    for (const subscription of this.subscriptions) subscription.dispose();
    this.run = undefined;
  }
}
