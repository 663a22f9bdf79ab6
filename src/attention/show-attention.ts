// LLM Lens: Show Attention From Here. Finds the explained token under the cursor (running
// Explain Tokens first when no analysis of this document covers it), asks the panel for that
// token's attention row in the Attention view's current layer and head, and resolves once the
// editor shows it.
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../commands/explain-tokens';
import type { Reporter } from '../log';
import type { PanelHost } from '../panel/panel-host';
import type { AttentionController } from './attention-controller';
import type { AttentionSnapshot } from './attention-decorations';
import { tokenIndexAt } from './attention-shading';
import type { ExplainedRun } from './explained-run';

/** The panel answers from an analysis it already holds; this only covers a busy webview. */
const ANSWER_TIMEOUT_MS = 20_000;

export interface ShowAttentionOutcome {
  status: 'shown' | 'nothing' | 'failed';
  /** What the user was told (every status but 'shown'), or the summary line ('shown'). */
  message: string;
  shown?: AttentionSnapshot;
}

export interface ShowAttentionDependencies {
  controller: AttentionController;
  panels: PanelHost;
  reporter: Reporter;
  explain: () => Promise<ExplainOutcome>;
  lastExplainOutcome: () => ExplainOutcome | undefined;
  snapshot: (uri: vscode.Uri) => AttentionSnapshot | undefined;
}

interface Target {
  run: ExplainedRun;
  index: number;
  /** Index in the run's tokens of the first token the model read. */
  keptFrom: number;
}

/** The analysed run and token under the cursor, when the panel still holds that analysis. */
function targetAt(deps: ShowAttentionDependencies, document: vscode.TextDocument, offset: number): Target | undefined {
  const run = deps.controller.runOf(document.uri);
  const outcome = deps.lastExplainOutcome();
  if (!run || !deps.panels.current || outcome?.status !== 'done' || outcome.runId !== run.runId || outcome.scoredTokens === undefined) return undefined;
  const index = tokenIndexAt(run.tokens, offset);
  if (index === undefined) return undefined;
  // The model reads the last scoredTokens + 1 tokens of those the panel shows.
  const keptFrom = Math.max(0, run.tokens.length - (outcome.scoredTokens + 1));
  return { run, index, keptFrom };
}

export async function showAttentionFromCursor(deps: ShowAttentionDependencies): Promise<ShowAttentionOutcome> {
  const { reporter } = deps;
  const nothing = (message: string): ShowAttentionOutcome => {
    reporter.notice(message);
    return { status: 'nothing', message };
  };
  const failed = (message: string): ShowAttentionOutcome => {
    reporter.error(message);
    return { status: 'failed', message };
  };
  const editor = vscode.window.activeTextEditor;
  if (!editor) return nothing(vscode.l10n.t('Show Attention From Here: put the cursor on a token in an editor first.'));
  const document = editor.document;
  const offset = document.offsetAt(editor.selection.active);

  let target = targetAt(deps, document, offset);
  if (!target) {
    const outcome = await deps.explain();
    if (outcome.status !== 'done') return { status: 'failed', message: outcome.message ?? `Explain Tokens ended: ${outcome.status}` };
    target = targetAt(deps, document, offset);
    if (!target) return nothing(vscode.l10n.t('Show Attention From Here: the cursor is not on a token of the explained text. Put it on a token and run the command again.'));
  }
  const { run, index, keptFrom } = target;
  if (index < keptFrom) {
    return nothing(vscode.l10n.t("Show Attention From Here: token {0} is before the model's context window (it read tokens {1}–{2}); put the cursor further on.", index, keptFrom, run.tokens.length - 1));
  }
  const panel = deps.panels.current;
  if (!panel) return failed(vscode.l10n.t('Show Attention From Here: the LLM Lens panel was closed. Run the command again.'));
  const answer = deps.controller.expect(run.runId, index, ANSWER_TIMEOUT_MS);
  panel.showAttention(run.runId, index);
  const result = await answer;
  if (!result.ok) return failed(vscode.l10n.t('Show Attention From Here: {0}', result.problem));
  return { status: 'shown', message: result.shading.summary, shown: deps.snapshot(document.uri) };
}
